-- The organisation (database/schema/91_org.sql): the cycle triggers of the
-- three hierarchies and the lock that keeps concurrent re-parentings from
-- making a cycle, agent_business_functions and its row level security, the
-- guard on deleting business functions other tenants' agents are mapped to,
-- and the calls org_chart, business_function_tree, find_by_skill,
-- set_agent_role and set_agent_functions; across tenants and roles.
BEGIN;
SELECT plan(139);
\ir fixtures.psql

-- Helpers --------------------------------------------------------------------------

-- The error a statement raises, as the current role: {code, message, detail,
-- hint}, or NULL when it succeeds.
CREATE FUNCTION fx.error_of(statement text) RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
  code text;
  message text;
  detail text;
  hint text;
BEGIN
  EXECUTE statement;
  RETURN NULL;
EXCEPTION WHEN OTHERS THEN
  GET STACKED DIAGNOSTICS code = RETURNED_SQLSTATE, message = MESSAGE_TEXT, detail = PG_EXCEPTION_DETAIL,
                          hint = PG_EXCEPTION_HINT;
  RETURN jsonb_build_object('code', code, 'message', message, 'detail', detail, 'hint', hint);
END
$$;

-- The node with this id anywhere in a nested chart or tree.
CREATE FUNCTION fx.node(tree json, node_id uuid) RETURNS jsonb LANGUAGE sql IMMUTABLE AS $$
  SELECT jsonb_path_query_first(tree::jsonb, 'strict $.** ? (@.id == $id)', jsonb_build_object('id', node_id))
$$;
-- The ids of a node list, in order.
CREATE FUNCTION fx.ids(nodes jsonb) RETURNS uuid[] LANGUAGE sql IMMUTABLE AS $$
  SELECT coalesce(array_agg((n ->> 'id')::uuid ORDER BY i), '{}') FROM jsonb_array_elements(nodes) WITH ORDINALITY AS e(n, i)
$$;
-- Every id of a nested tree, depth-first.
CREATE FUNCTION fx.all_ids(tree jsonb) RETURNS uuid[] LANGUAGE sql IMMUTABLE AS $$
  SELECT coalesce(array_agg((v #>> '{}')::uuid), '{}')
  FROM jsonb_path_query(tree, 'strict $.** ? (exists (@.id)).id') AS v
$$;

-- Schema ------------------------------------------------------------------------------
SELECT has_table('public', 'agent_business_functions', 'public.agent_business_functions exists');
SELECT is((SELECT relrowsecurity FROM pg_class WHERE oid = 'public.agent_business_functions'::regclass), true,
          'row level security is enabled on agent_business_functions');
SELECT policies_are('public', 'agent_business_functions', ARRAY[
  'agent_business_functions_select_own_tenant', 'agent_business_functions_insert_own_tenant',
  'agent_business_functions_update_own_tenant', 'agent_business_functions_delete_own_tenant']);
SELECT has_trigger('public', 'organizational_roles', 'organizational_roles_refuse_cycle', 'roles have the cycle trigger');
SELECT has_trigger('public', 'business_functions', 'business_functions_refuse_cycle', 'business functions have the cycle trigger');
SELECT has_trigger('public', 'departments', 'departments_refuse_cycle', 'departments have the cycle trigger');
SELECT ok(EXISTS (SELECT 1 FROM unnest(p.proconfig) c WHERE c = 'search_path=""'),
          format('%s.%s() has an empty search_path', n.nspname, p.proname))
FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
WHERE (n.nspname = 'public' AND p.proname IN ('org_chart', 'business_function_tree', 'find_by_skill', 'set_agent_role',
                                                'set_agent_functions'))
   OR (n.nspname = 'agentbase' AND p.proname IN ('refuse_org_cycle', 'org_tree_order', 'org_skill_keys', 'org_require_signed_in'))
ORDER BY n.nspname, p.proname;
SELECT is(array_agg(n.nspname || '.' || p.proname ORDER BY p.proname), ARRAY['agentbase.refuse_org_cycle'],
          'the only SECURITY DEFINER function of the organisation is the cycle trigger')
FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
WHERE p.prosecdef AND ((n.nspname = 'public' AND p.proname IN ('org_chart', 'business_function_tree', 'find_by_skill',
                                                                 'set_agent_role', 'set_agent_functions'))
   OR (n.nspname = 'agentbase' AND p.proname IN ('refuse_org_cycle', 'org_tree_order', 'org_skill_keys', 'org_require_signed_in')));
SELECT fx.act_as('a1');
SELECT throws_ok($$SELECT * FROM agentbase.org_hierarchy_locks$$, '42501', NULL,
                 'a1 cannot read the hierarchy lock rows');
SELECT throws_ok($$INSERT INTO agentbase.org_hierarchy_locks (hierarchy) VALUES ('public.organizational_roles')$$,
                 '42501', NULL, 'a1 cannot take a hierarchy''s lock row directly');

-- Cycles: roles -----------------------------------------------------------------------
-- fx-cto <- fx-dev (fixtures); fx-lead is added between them.
SELECT fx.act_as('postgres');
INSERT INTO public.organizational_roles (id, name, slug, department_id, reports_to_role_id, level)
VALUES (fx.id('orole_lead'), 'Tech lead', 'fx-lead', fx.id('dept_eng'), fx.id('orole_cto'), 'senior');
UPDATE public.organizational_roles SET reports_to_role_id = fx.id('orole_lead') WHERE id = fx.id('orole_dev');
SELECT throws_ok(
  $$UPDATE public.organizational_roles SET reports_to_role_id = id WHERE id = fx.id('orole_cto')$$,
  '23514', 'role "fx-cto" cannot report to itself', 'a role cannot report to itself');
SELECT is(fx.error_of($$UPDATE public.organizational_roles SET reports_to_role_id = fx.id('orole_dev') WHERE id = fx.id('orole_cto')$$),
          jsonb_build_object(
            'code', '23514',
            'message', 'role "fx-cto" cannot report to "fx-dev": "fx-dev" reports to "fx-cto"',
            'detail', 'The line upwards: "fx-dev" → "fx-lead" → "fx-cto".',
            'hint', 'Move "fx-dev" out from under "fx-cto" first, or choose a manager outside that line.'),
          'a role cannot report to someone below it: SQLSTATE, message, the line and a hint');
SELECT throws_ok(
  $$UPDATE public.organizational_roles SET reports_to_role_id = fx.id('orole_lead') WHERE id = fx.id('orole_cto')$$,
  '23514', 'role "fx-cto" cannot report to "fx-lead": "fx-lead" reports to "fx-cto"', 'nor to its direct report');
SELECT throws_ok(
  $$UPDATE public.organizational_roles SET reports_to_role_id = fx.id('orole_new_x') WHERE id = fx.id('orole_cto')$$,
  '23503', NULL, 'a manager that does not exist is left to the foreign key');
SELECT throws_ok(
  $$INSERT INTO public.organizational_roles (id, name, slug, reports_to_role_id) VALUES
      (fx.id('orole_x'), 'X', 'fx-x', fx.id('orole_y')), (fx.id('orole_y'), 'Y', 'fx-y', fx.id('orole_x'))$$,
  '23514', 'role "fx-y" cannot report to "fx-x": "fx-x" reports to "fx-y"',
  'two new roles reporting to each other in one INSERT are refused');
INSERT INTO public.organizational_roles (id, name, slug) VALUES (fx.id('orole_p'), 'P', 'fx-p'), (fx.id('orole_q'), 'Q', 'fx-q');
SELECT throws_ok(
  $$UPDATE public.organizational_roles
       SET reports_to_role_id = CASE id WHEN fx.id('orole_p') THEN fx.id('orole_q') ELSE fx.id('orole_p') END
     WHERE id IN (fx.id('orole_p'), fx.id('orole_q'))$$,
  '23514', NULL, 'one UPDATE making two roles report to each other is refused: each row sees the rows before it');
SELECT lives_ok(
  $$UPDATE public.organizational_roles SET reports_to_role_id = fx.id('orole_cto') WHERE id = fx.id('orole_dev')$$,
  'moving a role up its own line is no cycle');
SELECT lives_ok(
  $$UPDATE public.organizational_roles SET reports_to_role_id = NULL WHERE id = fx.id('orole_lead')$$,
  'a role can stop reporting to anyone');
SELECT lives_ok(
  $$UPDATE public.organizational_roles SET reports_to_role_id = fx.id('orole_dev') WHERE id = fx.id('orole_lead')$$,
  'a role can report to a role in another line');
SELECT is((SELECT reports_to_role_id FROM public.organizational_roles WHERE id = fx.id('orole_cto')), NULL,
          'the refused changes left fx-cto at the top');

-- As the API's roles: the same refusal, and row level security first.
SELECT fx.act_as('a1');
INSERT INTO public.organizational_roles (id, name, slug, level) VALUES (fx.id('orole_a_head'), 'Head', 'fx-a-head', 'executive');
INSERT INTO public.organizational_roles (id, name, slug, reports_to_role_id, level)
VALUES (fx.id('orole_a_staff'), 'Staff', 'fx-a-staff', fx.id('orole_a_head'), 'junior');
SELECT throws_ok(
  $$UPDATE public.organizational_roles SET reports_to_role_id = fx.id('orole_a_staff') WHERE id = fx.id('orole_a_head')$$,
  '23514', 'role "fx-a-head" cannot report to "fx-a-staff": "fx-a-staff" reports to "fx-a-head"',
  'a1 (owner) gets the same refusal on its own tenant''s roles');
SELECT fx.act_as('b1');
WITH u AS (UPDATE public.organizational_roles SET reports_to_role_id = fx.id('orole_a_staff')
            WHERE id = fx.id('orole_a_head') RETURNING 1)
SELECT is(count(*)::int, 0, 'b1 cannot re-parent tenant A''s role: row level security filters it before any check') FROM u;
SELECT is(fx.error_of($$INSERT INTO public.organizational_roles (name, slug, reports_to_role_id)
                        VALUES ('Mine', 'fx-b-mine', fx.id('orole_a_head'))$$) ->> 'code', NULL,
          'b1 (owner) may put its own new role under tenant A''s role (shared data is read by all)');
SELECT fx.act_as('b2');
SELECT throws_ok(
  $$INSERT INTO public.organizational_roles (name, slug, reports_to_role_id) VALUES ('Member', 'fx-b2-role', fx.id('orole_cto'))$$,
  '42501', NULL, 'b2 (member) still cannot create a role, whatever its manager');
SELECT fx.act_as('service_role');
SELECT throws_ok(
  $$UPDATE public.organizational_roles SET reports_to_role_id = fx.id('orole_a_staff') WHERE id = fx.id('orole_a_head')$$,
  '23514', NULL, 'service_role bypasses row level security, not the cycle check');

-- The lock: a change of a parent takes its hierarchy's row until the transaction ends.
SELECT fx.act_as('postgres');
SELECT ok((SELECT changes > 0 FROM agentbase.org_hierarchy_locks WHERE hierarchy = 'public.organizational_roles'),
          're-parenting a role took the roles'' lock row');
SELECT changes AS lock_changes FROM agentbase.org_hierarchy_locks WHERE hierarchy = 'public.organizational_roles' \gset
UPDATE public.organizational_roles SET level = 'executive' WHERE id = fx.id('orole_cto');
UPDATE public.organizational_roles SET reports_to_role_id = reports_to_role_id WHERE id = fx.id('orole_dev');
SELECT is((SELECT changes FROM agentbase.org_hierarchy_locks WHERE hierarchy = 'public.organizational_roles'), :lock_changes::bigint,
          'a change that keeps the parent takes no lock');
UPDATE public.organizational_roles SET reports_to_role_id = fx.id('orole_cto') WHERE id = fx.id('orole_lead');
SELECT is((SELECT changes FROM agentbase.org_hierarchy_locks WHERE hierarchy = 'public.organizational_roles'), :lock_changes::bigint + 1,
          'each change of a parent counts');
-- A second session re-parenting in the same hierarchy waits for this
-- transaction (here: gives up after its lock_timeout); in another hierarchy
-- it does not wait.
CREATE EXTENSION IF NOT EXISTS dblink;
SELECT is(dblink_connect('fx_second', format('host=%s port=%s dbname=%s user=%s',
            split_part(current_setting('unix_socket_directories'), ',', 1), current_setting('port'),
            current_database(), current_user)), 'OK', 'a second session connects');
SELECT is(dblink_exec('fx_second', 'SET lock_timeout = ''300ms''; BEGIN; '
            'INSERT INTO public.organizational_roles (id, name, slug) VALUES (''00000000-0000-0000-0000-0000000000a1'', ''P'', ''fx-second-p'')'),
          'INSERT 0 1', 'meanwhile the second session adds a role without a manager, without waiting');
SELECT throws_ok(
  $$SELECT dblink_exec('fx_second', 'INSERT INTO public.organizational_roles (name, slug, reports_to_role_id) '
                                    'VALUES (''C'', ''fx-second-c'', ''00000000-0000-0000-0000-0000000000a1'')')$$,
  '55P03', NULL, 'but its role with a manager waits for this transaction''s re-parenting (here: until its lock timeout)');
SELECT is(dblink_exec('fx_second', 'ROLLBACK'), 'ROLLBACK', 'the second session rolls back');
SELECT is(dblink_disconnect('fx_second'), 'OK', 'and disconnects');

-- Cycles: departments and business functions --------------------------------------------
SELECT throws_ok(
  $$UPDATE public.departments SET parent_department_id = fx.id('dept_sales') WHERE id = fx.id('dept_eng')$$,
  '23514', 'department "fx-eng" cannot be part of "fx-sales": "fx-sales" is part of "fx-eng"',
  'a department cannot be part of a department inside it');
SELECT throws_ok(
  $$UPDATE public.departments SET parent_department_id = id WHERE id = fx.id('dept_sales')$$,
  '23514', 'department "fx-sales" cannot be part of itself', 'nor of itself');
SELECT throws_ok(
  $$UPDATE public.business_functions SET parent_function_id = fx.id('bf_leads') WHERE id = fx.id('bf_sales')$$,
  '23514', 'business function "fx-sales" cannot be part of "fx-leads": "fx-leads" is part of "fx-sales"',
  'a business function cannot be part of a function inside it');
SELECT is(fx.error_of($$UPDATE public.business_functions SET parent_function_id = fx.id('bf_leads') WHERE id = fx.id('bf_sales')$$) ->> 'hint',
          'Move "fx-leads" out from under "fx-sales" first, or choose a parent outside that line.',
          'the business function''s hint names the parent, not a manager');
SELECT lives_ok(
  $$UPDATE public.departments SET parent_department_id = NULL WHERE id = fx.id('dept_sales')$$,
  'a department can leave its parent');
UPDATE public.departments SET parent_department_id = fx.id('dept_eng') WHERE id = fx.id('dept_sales');
SELECT fx.act_as('a1');
INSERT INTO public.business_functions (id, name, slug) VALUES (fx.id('bf_a_top'), 'A top', 'fx-a-top');
INSERT INTO public.business_functions (id, name, slug, parent_function_id) VALUES (fx.id('bf_a_sub'), 'A sub', 'fx-a-sub', fx.id('bf_a_top'));
SELECT throws_ok(
  $$UPDATE public.business_functions SET parent_function_id = fx.id('bf_a_sub') WHERE id = fx.id('bf_a_top')$$,
  '23514', NULL, 'a1 gets the refusal on its tenant''s business functions');
SELECT fx.act_as('postgres');

-- A team's own departments table may lack parent_department_id (or slug): the
-- trigger then checks nothing, or names rows by id.
CREATE TABLE fx.plain_departments (id uuid PRIMARY KEY, name text);
CREATE TRIGGER plain_departments_refuse_cycle BEFORE INSERT OR UPDATE ON fx.plain_departments
  FOR EACH ROW EXECUTE FUNCTION agentbase.refuse_org_cycle('parent_department_id', 'department', 'be part of', 'is part of');
SELECT lives_ok($$INSERT INTO fx.plain_departments VALUES (fx.id('plain_1'), 'One')$$,
                'a departments table without parent_department_id takes rows');
CREATE TABLE fx.unslugged (id uuid PRIMARY KEY, parent_department_id uuid);
CREATE TRIGGER unslugged_refuse_cycle BEFORE INSERT OR UPDATE ON fx.unslugged
  FOR EACH ROW EXECUTE FUNCTION agentbase.refuse_org_cycle('parent_department_id', 'department', 'be part of', 'is part of');
INSERT INTO fx.unslugged VALUES (fx.id('u1'), NULL), (fx.id('u2'), fx.id('u1'));
SELECT throws_ok(
  $$UPDATE fx.unslugged SET parent_department_id = fx.id('u2') WHERE id = fx.id('u1')$$,
  '23514', format('department "%s" cannot be part of "%s": "%s" is part of "%s"', fx.id('u1'), fx.id('u2'), fx.id('u2'), fx.id('u1')),
  'without slugs, the rows are named by id');

-- Cycles already in the data (from before the triggers) ------------------------------------
SET LOCAL session_replication_role = replica;
INSERT INTO public.organizational_roles (id, name, slug, department_id, reports_to_role_id) VALUES
  (fx.id('orole_c1'), 'Cycle 1', 'fx-c1', fx.id('dept_sales'), fx.id('orole_c3')),
  (fx.id('orole_c2'), 'Cycle 2', 'fx-c2', fx.id('dept_sales'), fx.id('orole_c1')),
  (fx.id('orole_c3'), 'Cycle 3', 'fx-c3', fx.id('dept_sales'), fx.id('orole_c2')),
  (fx.id('orole_c_below'), 'Below cycle', 'fx-c-below', fx.id('dept_sales'), fx.id('orole_c2'));
INSERT INTO public.departments (id, name, slug, parent_department_id) VALUES
  (fx.id('dept_loop_1'), 'Loop 1', 'fx-loop-1', fx.id('dept_loop_2')),
  (fx.id('dept_loop_2'), 'Loop 2', 'fx-loop-2', fx.id('dept_loop_1'));
INSERT INTO public.business_functions (id, name, slug, parent_function_id) VALUES
  (fx.id('bf_loop_1'), 'Loop 1', 'fx-loop-1', fx.id('bf_loop_2')),
  (fx.id('bf_loop_2'), 'Loop 2', 'fx-loop-2', fx.id('bf_loop_1'));
SET LOCAL session_replication_role = origin;
SELECT is(fx.all_ids(public.org_chart(fx.id('dept_sales'))::jsonb -> 'roles'),
          ARRAY[fx.id('orole_c1'), fx.id('orole_c2'), fx.id('orole_c_below'), fx.id('orole_c3')],
          'org_chart shows a reporting cycle from its first role by name, every role once (c1 > c2 > {below, c3})');
SELECT is(jsonb_array_length((public.org_chart(fx.id('dept_sales'))::jsonb -> 'roles')), 1,
          'the cycle stands in one tree');
SELECT is(fx.all_ids(public.org_chart(fx.id('dept_loop_1'))::jsonb -> 'departments'), ARRAY[fx.id('dept_loop_1'), fx.id('dept_loop_2')],
          'org_chart of a department in a cycle of departments ends, each once');
SELECT is((SELECT count(*)::int FROM unnest(fx.all_ids(public.business_function_tree()::jsonb)) i
            WHERE i IN (fx.id('bf_loop_1'), fx.id('bf_loop_2'))), 2,
          'business_function_tree shows a cycle of functions, each once');
SELECT lives_ok(
  $$UPDATE public.organizational_roles SET reports_to_role_id = fx.id('orole_c3') WHERE id = fx.id('orole_lead')$$,
  're-parenting under a cycle that does not contain the row ends its walk and passes');
SELECT throws_ok(
  $$UPDATE public.organizational_roles SET reports_to_role_id = fx.id('orole_c_below') WHERE id = fx.id('orole_c1')$$,
  '23514', NULL, 'a change that closes a second loop inside an old cycle is refused');
DELETE FROM public.organizational_roles WHERE id IN (fx.id('orole_c1'), fx.id('orole_c2'), fx.id('orole_c3'), fx.id('orole_c_below'));
UPDATE public.organizational_roles SET reports_to_role_id = fx.id('orole_cto') WHERE id = fx.id('orole_lead');
DELETE FROM public.departments WHERE id IN (fx.id('dept_loop_1'), fx.id('dept_loop_2'));
DELETE FROM public.business_functions WHERE id IN (fx.id('bf_loop_1'), fx.id('bf_loop_2'));

-- agent_business_functions: row level security -----------------------------------------
INSERT INTO public.agent_business_functions (id, agent_id, business_function_id) VALUES
  (fx.id('abf_a'), fx.id('agent_a'), fx.id('bf_leads')),
  (fx.id('abf_b'), fx.id('agent_b'), fx.id('bf_sales'));
SELECT fx.act_as('a1');
SELECT set_eq($$SELECT id FROM public.agent_business_functions$$, $$VALUES (fx.id('abf_a'))$$,
              'a1 sees the mappings of tenant A''s agents only');
SELECT fx.act_as('b1');
SELECT set_eq($$SELECT id FROM public.agent_business_functions$$, $$VALUES (fx.id('abf_b'))$$,
              'b1 sees the mappings of tenant B''s agents only');
SELECT fx.act_as('anon');
SELECT is((SELECT count(*)::int FROM public.agent_business_functions), 0, 'anon sees no mapping');
SELECT fx.act_as('nobody');
SELECT is((SELECT count(*)::int FROM public.agent_business_functions), 0, 'a user without a tenant sees no mapping');
SELECT fx.act_as('service_role');
SELECT is((SELECT count(*)::int FROM public.agent_business_functions WHERE id IN (fx.id('abf_a'), fx.id('abf_b'))), 2,
          'service_role sees every mapping');
SELECT fx.act_as('a2');
SELECT lives_ok(
  $$INSERT INTO public.agent_business_functions (id, agent_id, business_function_id)
    VALUES (fx.id('abf_a2'), fx.id('agent_a_spare'), fx.id('bf_sales'))$$,
  'a2 (member) maps an agent of tenant A: mappings are tenant data, like agents');
SELECT throws_ok(
  $$INSERT INTO public.agent_business_functions (agent_id, business_function_id) VALUES (fx.id('agent_b'), fx.id('bf_leads'))$$,
  '42501', NULL, 'a2 cannot map tenant B''s agent');
SELECT throws_ok(
  $$UPDATE public.agent_business_functions SET agent_id = fx.id('agent_b') WHERE id = fx.id('abf_a2')$$,
  '42501', NULL, 'a2 cannot move a mapping to tenant B''s agent');
SELECT fx.act_as('anon');
SELECT throws_ok(
  $$INSERT INTO public.agent_business_functions (agent_id, business_function_id) VALUES (fx.id('agent_a'), fx.id('bf_leads'))$$,
  '42501', NULL, 'anon cannot map an agent');
SELECT fx.act_as('b1');
WITH u AS (UPDATE public.agent_business_functions SET business_function_id = fx.id('bf_sales') WHERE id = fx.id('abf_a') RETURNING 1)
SELECT is(count(*)::int, 0, 'b1 cannot change tenant A''s mapping') FROM u;
WITH d AS (DELETE FROM public.agent_business_functions WHERE agent_id = fx.id('agent_a') RETURNING 1)
SELECT is(count(*)::int, 0, 'b1 cannot delete tenant A''s mappings') FROM d;
SELECT throws_ok(
  $$INSERT INTO public.agent_business_functions (agent_id, business_function_id) VALUES (fx.id('agent_b'), fx.id('bf_sales'))$$,
  '23505', NULL, 'an agent is mapped to a function once');
SELECT fx.act_as('a1');
WITH d AS (DELETE FROM public.agent_business_functions WHERE id = fx.id('abf_a2') RETURNING 1)
SELECT is(count(*)::int, 1, 'a1 removes a mapping of tenant A') FROM d;

-- Deleting a business function another tenant's agents are mapped to ----------------------
INSERT INTO public.business_functions (id, name, slug) VALUES (fx.id('bf_shared_a'), 'Shared', 'fx-shared-a');
SELECT fx.act_as('b1');
INSERT INTO public.agent_business_functions (agent_id, business_function_id) VALUES (fx.id('agent_b_spare'), fx.id('bf_shared_a'));
SELECT fx.act_as('a1');
SELECT throws_ok(
  $$DELETE FROM public.business_functions WHERE id = fx.id('bf_shared_a')$$,
  '42501', 'cannot delete public.business_functions "fx-shared-a": public.agent_business_functions.business_function_id of another tenant (or of the platform) refers to it',
  'a1 cannot delete its own business function while tenant B''s agent is mapped to it (the cascade would remove B''s mapping)');
SELECT throws_ok(
  $$UPDATE public.business_functions SET slug = 'fx-shared-moved' WHERE id = fx.id('bf_shared_a')$$,
  '42501', NULL, 'nor re-slug it');
SELECT fx.act_as('b1');
SELECT is((SELECT count(*)::int FROM public.agent_business_functions WHERE business_function_id = fx.id('bf_shared_a')), 1,
          'tenant B''s mapping is intact');
DELETE FROM public.agent_business_functions WHERE business_function_id = fx.id('bf_shared_a');
SELECT fx.act_as('a1');
INSERT INTO public.agent_business_functions (agent_id, business_function_id) VALUES (fx.id('agent_a_spare'), fx.id('bf_shared_a'));
WITH d AS (DELETE FROM public.business_functions WHERE id = fx.id('bf_shared_a') RETURNING 1)
SELECT is(count(*)::int, 1, 'mapped by its own tenant''s agents only, a1 deletes it') FROM d;
SELECT is((SELECT count(*)::int FROM public.agent_business_functions WHERE agent_id = fx.id('agent_a_spare')), 0,
          'and the own mapping goes with it');

-- org_chart ---------------------------------------------------------------------------
-- Tenant A's agent_a is on fx-dev; tenant B's agent_b on fx-cto. fx-lead sits
-- between them: fx-cto > fx-lead > fx-dev (fx-dev was moved up, then back).
SELECT fx.act_as('postgres');
UPDATE public.organizational_roles SET reports_to_role_id = fx.id('orole_lead') WHERE id = fx.id('orole_dev');
-- A role of the Sales department that reports into Engineering.
INSERT INTO public.organizational_roles (id, name, slug, department_id, reports_to_role_id, level, required_skills)
VALUES (fx.id('orole_seller'), 'Seller', 'fx-seller', fx.id('dept_sales'), fx.id('orole_cto'), 'mid', '{Negotiation, " SQL "}');
SELECT fx.act_as('a1');
SELECT public.org_chart(fx.id('dept_eng'))::jsonb AS chart_a \gset
SELECT is(:'chart_a'::jsonb -> 'department_id', to_jsonb(fx.id('dept_eng')), 'org_chart names the department it was asked for');
SELECT is(fx.ids(:'chart_a'::jsonb -> 'departments'), ARRAY[fx.id('dept_eng')], 'the department is the top of its chart');
SELECT is(fx.ids(:'chart_a'::jsonb -> 'departments' -> 0 -> 'departments'), ARRAY[fx.id('dept_sales')],
          'with the departments below it nested');
SELECT is((:'chart_a'::jsonb -> 'departments' -> 0) - 'departments',
          jsonb_build_object('id', fx.id('dept_eng'), 'name', 'Engineering', 'slug', 'fx-eng', 'description', NULL,
                             'parent_department_id', NULL, 'role_count', 3, 'vacancy_count', 2),
          'a department carries its fields and how many roles and vacancies it has');
SELECT is(fx.ids(:'chart_a'::jsonb -> 'roles'), ARRAY[fx.id('orole_cto')], 'fx-cto is the only top role');
SELECT is(fx.ids(:'chart_a'::jsonb -> 'roles' -> 0 -> 'reports'), ARRAY[fx.id('orole_lead'), fx.id('orole_seller')],
          'its reports nest below it, by level (senior first), across departments');
SELECT is(fx.ids(:'chart_a'::jsonb -> 'roles' -> 0 -> 'reports' -> 0 -> 'reports'), ARRAY[fx.id('orole_dev')],
          'and their reports below them');
SELECT is(fx.node(:'chart_a', fx.id('orole_dev')) - 'reports',
          jsonb_build_object('id', fx.id('orole_dev'), 'name', 'Developer', 'slug', 'fx-dev', 'level', 'mid',
                             'department_id', fx.id('dept_eng'), 'reports_to_role_id', fx.id('orole_lead'),
                             'responsibilities', '[]'::jsonb, 'required_skills', '[]'::jsonb,
                             'agents', jsonb_build_array(jsonb_build_object('id', fx.id('agent_a'), 'name', 'Agent A')),
                             'vacant', false),
          'a role carries its fields and tenant A''s agent on it');
SELECT is(fx.node(:'chart_a', fx.id('orole_cto')) -> 'agents', '[]'::jsonb,
          'a1 does not see tenant B''s agent on fx-cto ...');
SELECT is((fx.node(:'chart_a', fx.id('orole_cto')) ->> 'vacant')::boolean, true, '... so fx-cto is vacant for tenant A');
SELECT is(fx.ids(:'chart_a'::jsonb -> 'vacancies'), ARRAY[fx.id('orole_cto'), fx.id('orole_lead'), fx.id('orole_seller')],
          'the vacancies: fx-cto, fx-lead and fx-seller, by level');
SELECT is(:'chart_a'::jsonb -> 'counts', '{"departments": 2, "roles": 4, "agents": 1, "vacancies": 3}'::jsonb,
          'the counts');
SELECT ok(position(fx.id('agent_b')::text IN :'chart_a') = 0, 'tenant B''s agent id appears nowhere in a1''s chart');
SELECT is(fx.ids(public.org_chart(fx.id('dept_sales'))::jsonb -> 'roles'), ARRAY[fx.id('orole_seller')],
          'in its own department''s chart, a role whose manager is elsewhere is a top role');
SELECT is(fx.node(public.org_chart(fx.id('dept_sales')), fx.id('orole_seller')) ->> 'reports_to_role_id', fx.id('orole_cto')::text,
          'and keeps its reports_to_role_id');
SELECT ok(fx.node(public.org_chart(), fx.id('orole_dev')) IS NOT NULL AND fx.node(public.org_chart(), fx.id('dept_sales')) IS NOT NULL,
          'org_chart() without a department shows every department and role');
SELECT throws_ok($$SELECT public.org_chart(fx.id('no_such_department'))$$, 'PT404', NULL, 'an unknown department');
-- Text that JSON must escape, in every field the chart and the tree write.
SELECT fx.act_as('postgres');
INSERT INTO public.organizational_roles (id, name, slug, department_id, reports_to_role_id, responsibilities, required_skills)
VALUES (fx.id('orole_odd'), E'Quote " back\\ tab\t ünï 🙂', 'fx-odd', fx.id('dept_sales'), fx.id('orole_seller'),
        ARRAY[E'line\nbreak'], ARRAY['"quoted"']);
INSERT INTO public.agents (id, tenant_id, name, organizational_role_id, business_function_id)
VALUES (fx.id('agent_odd'), fx.id('tenant_a'), E'Agent "odd" \\ {}', fx.id('orole_odd'), fx.id('bf_leads'));
UPDATE public.business_functions SET description = E'50% "more" \\ ]}' WHERE id = fx.id('bf_leads');
SELECT fx.act_as('a1');
SELECT is(fx.node(public.org_chart(fx.id('dept_sales')), fx.id('orole_odd')) - 'reports',
          jsonb_build_object('id', fx.id('orole_odd'), 'name', E'Quote " back\\ tab\t ünï 🙂', 'slug', 'fx-odd', 'level', 'mid',
                             'department_id', fx.id('dept_sales'), 'reports_to_role_id', fx.id('orole_seller'),
                             'responsibilities', jsonb_build_array(E'line\nbreak'), 'required_skills', jsonb_build_array('"quoted"'),
                             'agents', jsonb_build_array(jsonb_build_object('id', fx.id('agent_odd'), 'name', E'Agent "odd" \\ {}')),
                             'vacant', false),
          'quotes, backslashes, control characters and non-ASCII text come out of the chart as they went in');
SELECT is(fx.node(public.business_function_tree(fx.id('bf_sales')), fx.id('bf_leads')) ->> 'description', E'50% "more" \\ ]}',
          'and out of the function tree');
SELECT is(fx.node(public.business_function_tree(fx.id('bf_sales')), fx.id('bf_leads')) -> 'agents' -> 0 ->> 'name',
          E'Agent "odd" \\ {}', 'with the agents'' names');
SELECT fx.act_as('postgres');
DELETE FROM public.agents WHERE id = fx.id('agent_odd');
DELETE FROM public.organizational_roles WHERE id = fx.id('orole_odd');
SELECT fx.act_as('a1');
SELECT fx.act_as('b1');
SELECT is(fx.node(public.org_chart(fx.id('dept_eng')), fx.id('orole_cto')) -> 'agents',
          jsonb_build_array(jsonb_build_object('id', fx.id('agent_b'), 'name', 'Agent B')),
          'b1 sees tenant B''s agent on fx-cto');
SELECT is((fx.node(public.org_chart(fx.id('dept_eng')), fx.id('orole_dev')) ->> 'vacant')::boolean, true,
          'and fx-dev vacant for tenant B');
SELECT fx.act_as('anon');
SELECT is((public.org_chart(fx.id('dept_eng'))::jsonb -> 'counts' ->> 'vacancies')::int, 4,
          'anon reads the chart, every role vacant: no agent is anon''s');
SELECT fx.act_as('service_role');
SELECT is((public.org_chart(fx.id('dept_eng'))::jsonb -> 'counts' ->> 'agents')::int, 2,
          'service_role sees every tenant''s agents');

-- business_function_tree ---------------------------------------------------------------
-- agent_a: primary fx-sales, mapped to fx-leads (abf_a); agent_b: primary
-- fx-leads, mapped to fx-sales (abf_b).
SELECT fx.act_as('a1');
SELECT public.business_function_tree(fx.id('bf_sales'))::jsonb AS tree_a \gset
SELECT is(fx.ids(:'tree_a'::jsonb), ARRAY[fx.id('bf_sales')], 'business_function_tree(fx-sales) has fx-sales at the top');
SELECT is(fx.ids(:'tree_a'::jsonb -> 0 -> 'functions'), ARRAY[fx.id('bf_leads')], 'with fx-leads nested below it');
SELECT is((:'tree_a'::jsonb -> 0) - 'functions',
          jsonb_build_object('id', fx.id('bf_sales'), 'name', 'Sales', 'slug', 'fx-sales', 'description', NULL,
                             'category', 'core', 'parent_function_id', NULL, 'key_activities', '["selling"]'::jsonb,
                             'success_metrics', '[]'::jsonb,
                             'agents', jsonb_build_array(jsonb_build_object('id', fx.id('agent_a'), 'name', 'Agent A',
                                                                            'role_id', fx.id('orole_dev'), 'primary', true)),
                             'roles', jsonb_build_array(jsonb_build_object('id', fx.id('orole_dev'), 'name', 'Developer',
                                                                           'slug', 'fx-dev', 'agent_count', 1))),
          'a function carries its fields, tenant A''s agent serving it (its primary function) and that agent''s role');
SELECT is(fx.node(:'tree_a', fx.id('bf_leads')) -> 'agents',
          jsonb_build_array(jsonb_build_object('id', fx.id('agent_a'), 'name', 'Agent A', 'role_id', fx.id('orole_dev'),
                                               'primary', false)),
          'a mapped function lists the agent too, not as its primary');
SELECT ok(position(fx.id('agent_b')::text IN :'tree_a') = 0, 'tenant B''s agent appears nowhere in a1''s tree');
SELECT ok(fx.node(public.business_function_tree(), fx.id('bf_leads')) IS NOT NULL, 'business_function_tree() holds every function');
SELECT throws_ok($$SELECT public.business_function_tree(fx.id('no_such_function'))$$, 'PT404', NULL, 'an unknown function');
SELECT fx.act_as('b1');
SELECT is(fx.node(public.business_function_tree(fx.id('bf_sales')), fx.id('bf_leads')) -> 'roles',
          jsonb_build_array(jsonb_build_object('id', fx.id('orole_cto'), 'name', 'CTO', 'slug', 'fx-cto', 'agent_count', 1)),
          'b1 sees tenant B''s agent''s role serving fx-leads');
SELECT fx.act_as('anon');
SELECT is(jsonb_path_query_array(public.business_function_tree(fx.id('bf_sales'))::jsonb, 'strict $.** ? (exists (@.agents)).agents[*]'),
          '[]'::jsonb,
          'anon reads the tree without any agent');

-- find_by_skill -------------------------------------------------------------------------
SELECT fx.act_as('b1');
SELECT results_eq(
  $$SELECT kind, id, name, role_id, role_slug, level FROM public.find_by_skill('LEADERSHIP')$$,
  $$VALUES ('role'::text, fx.id('orole_cto'), 'CTO'::text, fx.id('orole_cto'), 'fx-cto'::text, 'executive'::text),
           ('agent', fx.id('agent_b'), 'Agent B', fx.id('orole_cto'), 'fx-cto', 'executive')$$,
  'find_by_skill ignores case and lists the role, then tenant B''s agent on it');
SELECT fx.act_as('a1');
SELECT results_eq(
  $$SELECT kind, id FROM public.find_by_skill('leadership')$$,
  $$VALUES ('role'::text, fx.id('orole_cto'))$$,
  'a1 finds the role but not tenant B''s agent');
SELECT results_eq(
  $$SELECT kind, id, required_skills FROM public.find_by_skill('  sql')$$,
  $$VALUES ('role'::text, fx.id('orole_seller'), '{Negotiation," SQL "}'::text[])$$,
  'spaces around the skill, and around a role''s skill, are ignored');
SELECT is_empty($$SELECT * FROM public.find_by_skill('lead')$$, 'a part of a skill is not the skill');
SELECT throws_ok($$SELECT * FROM public.find_by_skill('  ')$$, '22023', 'skill is empty', 'an empty skill');
SELECT throws_ok($$SELECT * FROM public.find_by_skill(NULL)$$, '22023', 'skill is empty', 'a null skill');
SELECT throws_ok($$SELECT * FROM public.find_by_skill(repeat('x', 201))$$, '22023', NULL, 'a skill of over 200 characters');
SELECT fx.act_as('anon');
SELECT results_eq($$SELECT kind FROM public.find_by_skill('leadership')$$, $$VALUES ('role'::text)$$,
                  'anon finds roles, no agents');

-- set_agent_role ---------------------------------------------------------------------------
SELECT fx.act_as('a2');
SELECT is((public.set_agent_role(fx.id('agent_a_spare'), fx.id('orole_cto'))).organizational_role_id, fx.id('orole_cto'),
          'a2 (member) puts tenant A''s agent on a role; the agent comes back');
SELECT fx.act_as('postgres');
SELECT is((SELECT organizational_role_id FROM public.agents WHERE id = fx.id('agent_a_spare')), fx.id('orole_cto'),
          'the agent is on the role');
SELECT fx.act_as('a1');
SELECT is((public.set_agent_role(fx.id('agent_a_spare'), NULL)).organizational_role_id, NULL, 'role_id null takes the agent off');
SELECT throws_ok($$SELECT public.set_agent_role(fx.id('agent_b'), fx.id('orole_dev'))$$, 'PT404',
                 format('agent %s not found', fx.id('agent_b')), 'a1 cannot put tenant B''s agent on a role (not found)');
SELECT throws_ok($$SELECT public.set_agent_role(fx.id('agent_a'), fx.id('no_such_role'))$$, 'PT404',
                 format('organizational role %s not found', fx.id('no_such_role')), 'an unknown role');
SELECT throws_ok($$SELECT public.set_agent_role(NULL, fx.id('orole_dev'))$$, '22023', 'agent_id is required', 'agent_id is required');
SELECT fx.act_as('anon');
SELECT throws_ok($$SELECT public.set_agent_role(fx.id('agent_a'), NULL)$$, '42501', 'sign in to map agents', 'anon cannot');
SELECT fx.act_as('service_role');
SELECT is((public.set_agent_role(fx.id('agent_b_spare'), fx.id('orole_dev'))).organizational_role_id, fx.id('orole_dev'),
          'service_role puts any tenant''s agent on a role');
SELECT fx.act_as('postgres');
SELECT results_eq(
  $$SELECT id, organizational_role_id FROM public.agents WHERE id IN (fx.id('agent_a'), fx.id('agent_b')) ORDER BY name$$,
  $$VALUES (fx.id('agent_a'), fx.id('orole_dev')), (fx.id('agent_b'), fx.id('orole_cto'))$$,
  'the refused calls changed no agent');

-- set_agent_functions -------------------------------------------------------------------------
SELECT fx.act_as('a2');
SELECT results_eq(
  $$SELECT agent_id, business_function_id FROM public.set_agent_functions(fx.id('agent_a'),
      ARRAY[fx.id('bf_leads'), fx.id('bf_sales'), fx.id('bf_leads')])$$,
  $$VALUES (fx.id('agent_a'), fx.id('bf_leads')), (fx.id('agent_a'), fx.id('bf_sales'))$$,
  'set_agent_functions maps the agent to the functions given, in order, duplicates once');
SELECT is((SELECT business_function_id FROM public.agents WHERE id = fx.id('agent_a')), fx.id('bf_leads'),
          'the first becomes the agent''s primary function');
SELECT results_eq(
  $$SELECT business_function_id FROM public.set_agent_functions(fx.id('agent_a'), ARRAY[fx.id('bf_sales')])$$,
  $$VALUES (fx.id('bf_sales'))$$, 'a second call replaces the mappings');
SELECT is((SELECT array_agg(business_function_id) FROM public.agent_business_functions WHERE agent_id = fx.id('agent_a')),
          ARRAY[fx.id('bf_sales')], 'the function left out is unmapped');
SELECT throws_ok($$SELECT public.set_agent_functions(fx.id('agent_a'), NULL)$$, '22023', 'function_ids is required',
                 'function_ids is required');
SELECT throws_ok($$SELECT public.set_agent_functions(fx.id('agent_a'), ARRAY[NULL::uuid])$$, '22023', 'function_ids holds a null',
                 'a null among the functions');
SELECT throws_ok($$SELECT public.set_agent_functions(fx.id('agent_a'), array_fill(fx.id('bf_sales'), ARRAY[101]))$$, '22023',
                 'at most 100 business functions per agent', 'at most 100');
SELECT throws_ok($$SELECT public.set_agent_functions(fx.id('agent_a'), ARRAY[fx.id('bf_sales'), fx.id('no_such_function')])$$,
                 'PT404', format('business function %s not found', fx.id('no_such_function')), 'an unknown function');
SELECT results_eq(
  $$SELECT m.business_function_id, a.business_function_id FROM public.agent_business_functions m
      JOIN public.agents a ON a.id = m.agent_id WHERE m.agent_id = fx.id('agent_a')$$,
  $$VALUES (fx.id('bf_sales'), fx.id('bf_sales'))$$, 'a refused call changes neither the mappings nor the primary');
SELECT is_empty($$SELECT * FROM public.set_agent_functions(fx.id('agent_a'), '{}')$$, 'an empty array unmaps every function');
SELECT is((SELECT business_function_id FROM public.agents WHERE id = fx.id('agent_a')), NULL, 'and clears the primary');
SELECT throws_ok($$SELECT public.set_agent_functions(fx.id('agent_b'), ARRAY[fx.id('bf_sales')])$$, 'PT404',
                 format('agent %s not found', fx.id('agent_b')), 'a2 cannot map tenant B''s agent (not found)');
SELECT throws_ok($$SELECT public.set_agent_functions(NULL, '{}')$$, '22023', 'agent_id is required', 'agent_id is required');
SELECT fx.act_as('anon');
SELECT throws_ok($$SELECT public.set_agent_functions(fx.id('agent_a'), '{}')$$, '42501', 'sign in to map agents', 'anon cannot');
SELECT fx.act_as('service_role');
SELECT results_eq(
  $$SELECT business_function_id FROM public.set_agent_functions(fx.id('agent_b'), ARRAY[fx.id('bf_sales')])$$,
  $$VALUES (fx.id('bf_sales'))$$, 'service_role maps any tenant''s agent');
SELECT fx.act_as('postgres');
SELECT results_eq(
  $$SELECT agent_id, business_function_id FROM public.agent_business_functions
     WHERE agent_id IN (fx.id('agent_b'), fx.id('agent_b_spare')) ORDER BY agent_id$$,
  $$VALUES (fx.id('agent_b'), fx.id('bf_sales'))$$,
  'tenant B''s mappings are only what the service key set');

SELECT * FROM finish();
ROLLBACK;
