-- The shared catalogs. organizational_roles, business_functions and
-- departments are read by everyone (anon too). Who writes them is
-- agentbase.org_write_rule(): by default ('owner_admin') owners and admins of
-- a tenant change only the rows their own tenant created, members never, and
-- the fixtures' rows (inserted by the database owner) are platform rows that
-- only service_role changes; under 'authenticated' any signed-in user changes
-- any row (the seed's rule). Under both, deleting or re-slugging a row that
-- another tenant's agents or rows refer to is refused (42501), since ON
-- DELETE SET NULL would silently rewrite that tenant's rows. tools are read
-- by everyone and written only by service_role. anon never writes.
BEGIN;
SELECT plan(95);
\ir fixtures.psql

-- organizational_roles: reads ----------------------------------------------------
SELECT fx.act_as('anon');
SELECT is((SELECT count(*)::int FROM public.organizational_roles WHERE id IN (fx.id('orole_cto'), fx.id('orole_dev'))), 2,
          'anon reads organizational_roles');
SELECT fx.act_as('a1');
SELECT is((SELECT count(*)::int FROM public.organizational_roles WHERE id IN (fx.id('orole_cto'), fx.id('orole_dev'))), 2,
          'a1 (tenant A) reads organizational_roles');
SELECT fx.act_as('b2');
SELECT is((SELECT count(*)::int FROM public.organizational_roles WHERE id IN (fx.id('orole_cto'), fx.id('orole_dev'))), 2,
          'b2 (tenant B member) reads organizational_roles');

-- organizational_roles: inserts, and who owns them -------------------------------
SELECT fx.act_as('a1');
SELECT lives_ok(
  $$INSERT INTO public.organizational_roles (id, name, slug, department_id, reports_to_role_id, level)
    VALUES (fx.id('orole_new_a1'), 'Architect', 'fx-new-a1', fx.id('dept_eng'), fx.id('orole_cto'), 'senior')$$,
  'a1 (owner of tenant A) creates an organizational role');
SELECT fx.act_as('b1');
SELECT lives_ok(
  $$INSERT INTO public.organizational_roles (id, name, slug, level)
    VALUES (fx.id('orole_new_b1'), 'Intern', 'fx-new-b1', 'entry')$$,
  'b1 (owner of tenant B) creates an organizational role');
SELECT fx.act_as('a2');
SELECT throws_ok(
  $$INSERT INTO public.organizational_roles (name, slug) VALUES ('Member role', 'fx-new-a2')$$,
  '42501', NULL, 'a2 (member, not owner or admin) cannot create an organizational role');
SELECT fx.act_as('nobody');
SELECT throws_ok(
  $$INSERT INTO public.organizational_roles (name, slug) VALUES ('No profile', 'fx-new-nobody')$$,
  '42501', NULL, 'an authenticated user without a profile cannot create an organizational role');
SELECT fx.act_as('anon');
SELECT throws_ok(
  $$INSERT INTO public.organizational_roles (name, slug) VALUES ('Anon role', 'fx-new-anon')$$,
  '42501', NULL, 'anon cannot create an organizational role');
SELECT fx.act_as('service_role');
SELECT lives_ok(
  $$INSERT INTO public.organizational_roles (id, name, slug) VALUES (fx.id('orole_new_sr'), 'Ops', 'fx-new-sr')$$,
  'service_role creates an organizational role');
SELECT fx.act_as('postgres');
SELECT results_eq(
  $$SELECT row_id, tenant_id FROM agentbase.org_row_owners WHERE table_name = 'organizational_roles'
     AND row_id IN (fx.id('orole_new_a1'), fx.id('orole_new_b1'), fx.id('orole_new_sr')) ORDER BY tenant_id NULLS LAST$$,
  $$SELECT * FROM (VALUES (fx.id('orole_new_a1'), fx.id('tenant_a')), (fx.id('orole_new_b1'), fx.id('tenant_b')),
                          (fx.id('orole_new_sr'), NULL::uuid)) v(r, t) ORDER BY t NULLS LAST$$,
  'each new role is recorded with the tenant that created it (service_role''s as a platform row)');

-- organizational_roles: updates ----------------------------------------------------
SELECT fx.act_as('a1');
WITH d AS (UPDATE public.organizational_roles SET required_skills = '{c++}' WHERE id = fx.id('orole_new_a1') RETURNING 1)
SELECT is(count(*)::int, 1, 'a1 updates a role tenant A created') FROM d;
WITH d AS (UPDATE public.organizational_roles SET name = 'by a1' WHERE id IN (fx.id('orole_dev'), fx.id('orole_new_sr')) RETURNING 1)
SELECT is(count(*)::int, 0, 'a1 cannot update platform roles (the fixtures'', service_role''s)') FROM d;
WITH d AS (UPDATE public.organizational_roles SET name = 'by a1' WHERE id = fx.id('orole_new_b1') RETURNING 1)
SELECT is(count(*)::int, 0, 'a1 cannot update a role tenant B created') FROM d;
SELECT fx.act_as('b1');
WITH d AS (UPDATE public.organizational_roles SET level = 'junior', name = 'by b1' WHERE id = fx.id('orole_new_a1') RETURNING 1)
SELECT is(count(*)::int, 0, 'b1 (owner of tenant B) cannot update a role tenant A created') FROM d;
SELECT fx.act_as('a2');
WITH d AS (UPDATE public.organizational_roles SET name = 'by a2' WHERE id = fx.id('orole_new_a1') RETURNING 1)
SELECT is(count(*)::int, 0, 'a2 (member of tenant A) cannot update even tenant A''s role') FROM d;
SELECT fx.act_as('anon');
WITH d AS (UPDATE public.organizational_roles SET name = 'by anon' RETURNING 1)
SELECT is(count(*)::int, 0, 'anon cannot update organizational roles') FROM d;
SELECT fx.act_as('a1');
SELECT throws_ok(
  $$UPDATE public.organizational_roles SET id = fx.id('orole_taken') WHERE id = fx.id('orole_new_a1')$$,
  '42501', NULL, 'a1 cannot give tenant A''s role an id the tenant does not own (WITH CHECK)');
SELECT fx.act_as('service_role');
WITH d AS (UPDATE public.organizational_roles SET name = 'Chief Technology Officer' WHERE id = fx.id('orole_cto') RETURNING 1)
SELECT is(count(*)::int, 1, 'service_role updates a platform role') FROM d;

-- A row from before agentbase recorded owners (no record at all) is a platform row.
SELECT fx.act_as('postgres');
SET LOCAL session_replication_role = replica;
INSERT INTO public.organizational_roles (id, name, slug) VALUES (fx.id('orole_legacy'), 'Legacy', 'fx-legacy');
SET LOCAL session_replication_role = origin;
SELECT is((SELECT count(*)::int FROM agentbase.org_row_owners WHERE row_id = fx.id('orole_legacy')), 0,
          'precondition: the legacy role has no ownership record');
SELECT fx.act_as('a1');
WITH d AS (UPDATE public.organizational_roles SET name = 'by a1' WHERE id = fx.id('orole_legacy') RETURNING 1)
SELECT is(count(*)::int, 0, 'a1 (owner) cannot update a role without an ownership record') FROM d;
SELECT fx.act_as('service_role');
WITH d AS (UPDATE public.organizational_roles SET name = 'Legacy role' WHERE id = fx.id('orole_legacy') RETURNING 1)
SELECT is(count(*)::int, 1, 'service_role updates it') FROM d;

-- organizational_roles: deletes, and rows other tenants use ------------------------
SELECT fx.act_as('b1');
WITH d AS (DELETE FROM public.organizational_roles WHERE id = fx.id('orole_new_a1') RETURNING 1)
SELECT is(count(*)::int, 0, 'b1 cannot delete a role tenant A created') FROM d;
WITH d AS (DELETE FROM public.organizational_roles WHERE id IN (fx.id('orole_cto'), fx.id('orole_dev')) RETURNING 1)
SELECT is(count(*)::int, 0, 'b1 cannot delete platform roles') FROM d;
SELECT fx.act_as('a2');
WITH d AS (DELETE FROM public.organizational_roles WHERE id = fx.id('orole_new_a1') RETURNING 1)
SELECT is(count(*)::int, 0, 'a2 (member) cannot delete tenant A''s role') FROM d;
SELECT fx.act_as('anon');
WITH d AS (DELETE FROM public.organizational_roles RETURNING 1)
SELECT is(count(*)::int, 0, 'anon cannot delete organizational roles') FROM d;
-- Tenant B's agent now holds tenant A's role.
SELECT fx.act_as('b1');
UPDATE public.agents SET organizational_role_id = fx.id('orole_new_a1') WHERE id = fx.id('agent_b_spare');
SELECT fx.act_as('a1');
SELECT throws_ok(
  $$DELETE FROM public.organizational_roles WHERE id = fx.id('orole_new_a1')$$,
  '42501', 'cannot delete public.organizational_roles "fx-new-a1": public.agents.organizational_role_id of another tenant (or of the platform) refers to it',
  'a1 cannot delete tenant A''s role while tenant B''s agent uses it');
SELECT throws_ok(
  $$UPDATE public.organizational_roles SET slug = 'fx-renamed-a1' WHERE id = fx.id('orole_new_a1')$$,
  '42501', NULL, 'a1 cannot re-slug tenant A''s role while tenant B''s agent uses it');
WITH d AS (UPDATE public.organizational_roles SET name = 'Lead architect' WHERE id = fx.id('orole_new_a1') RETURNING 1)
SELECT is(count(*)::int, 1, 'a1 still renames it (the slug and id stay)') FROM d;
SELECT fx.act_as('postgres');
SELECT is((SELECT organizational_role_id FROM public.agents WHERE id = fx.id('agent_b_spare')), fx.id('orole_new_a1'),
          'tenant B''s agent still holds the role');
SELECT fx.act_as('b1');
UPDATE public.agents SET organizational_role_id = NULL WHERE id = fx.id('agent_b_spare');
SELECT fx.act_as('a1');
WITH d AS (DELETE FROM public.organizational_roles WHERE id = fx.id('orole_new_a1') RETURNING 1)
SELECT is(count(*)::int, 1, 'once no other tenant uses it, a1 deletes tenant A''s role') FROM d;
SELECT fx.act_as('service_role');
WITH d AS (DELETE FROM public.organizational_roles WHERE id = fx.id('orole_new_sr') RETURNING 1)
SELECT is(count(*)::int, 1, 'service_role deletes a platform role') FROM d;
SELECT fx.act_as('postgres');
SELECT results_eq(
  $$SELECT name, level FROM public.organizational_roles WHERE id IN (fx.id('orole_dev'), fx.id('orole_new_b1')) ORDER BY name$$,
  $$VALUES ('Developer', 'mid'), ('Intern', 'entry')$$,
  'no tenant changed a role it does not own');
SELECT is((SELECT count(*)::int FROM agentbase.org_row_owners WHERE row_id IN (fx.id('orole_new_a1'), fx.id('orole_new_sr'))), 0,
          'deleted roles leave no ownership record behind');

-- business_functions ------------------------------------------------------------
SELECT fx.act_as('anon');
SELECT is((SELECT count(*)::int FROM public.business_functions WHERE id IN (fx.id('bf_sales'), fx.id('bf_leads'))), 2,
          'anon reads business_functions');
SELECT fx.act_as('b1');
SELECT is((SELECT count(*)::int FROM public.business_functions WHERE id IN (fx.id('bf_sales'), fx.id('bf_leads'))), 2,
          'b1 (tenant B) reads business_functions');
SELECT fx.act_as('a1');
SELECT lives_ok(
  $$INSERT INTO public.business_functions (id, name, slug, category) VALUES (fx.id('bf_new_a1'), 'Marketing', 'fx-new-a1', 'support')$$,
  'a1 (owner) creates a business function');
SELECT fx.act_as('a2');
SELECT throws_ok(
  $$INSERT INTO public.business_functions (name, slug) VALUES ('Member function', 'fx-new-a2')$$,
  '42501', NULL, 'a2 (member) cannot create a business function');
-- An admin may what an owner may.
SELECT fx.act_as('postgres');
UPDATE public.profiles SET role = 'admin' WHERE id = fx.id('user_a2');
SELECT fx.act_as('a2');
SELECT lives_ok(
  $$INSERT INTO public.business_functions (id, name, slug) VALUES (fx.id('bf_new_a2'), 'Admin function', 'fx-new-a2')$$,
  'a2, made an admin of tenant A, creates a business function');
WITH d AS (UPDATE public.business_functions SET description = 'by admin a2' WHERE id = fx.id('bf_new_a1') RETURNING 1)
SELECT is(count(*)::int, 1, 'a2 (admin) updates a business function another user of tenant A created') FROM d;
SELECT fx.act_as('postgres');
UPDATE public.profiles SET role = 'member' WHERE id = fx.id('user_a2');
SELECT fx.act_as('anon');
SELECT throws_ok(
  $$INSERT INTO public.business_functions (name, slug) VALUES ('Anon function', 'fx-new-anon')$$,
  '42501', NULL, 'anon cannot create a business function');
SELECT fx.act_as('b1');
WITH d AS (UPDATE public.business_functions SET description = 'by b1' WHERE id IN (fx.id('bf_new_a1'), fx.id('bf_leads')) RETURNING 1)
SELECT is(count(*)::int, 0, 'b1 cannot update tenant A''s or the platform''s business functions') FROM d;
WITH d AS (DELETE FROM public.business_functions WHERE id IN (fx.id('bf_new_a1'), fx.id('bf_sales')) RETURNING 1)
SELECT is(count(*)::int, 0, 'b1 cannot delete tenant A''s or the platform''s business functions') FROM d;
SELECT fx.act_as('a1');
WITH d AS (UPDATE public.business_functions SET success_metrics = '{leads}' WHERE id = fx.id('bf_new_a1') RETURNING 1)
SELECT is(count(*)::int, 1, 'a1 updates tenant A''s business function') FROM d;
WITH d AS (DELETE FROM public.business_functions WHERE id = fx.id('bf_sales') RETURNING 1)
SELECT is(count(*)::int, 0, 'a1 cannot delete a platform business function') FROM d;
SELECT fx.act_as('b1');
UPDATE public.agents SET business_function_id = fx.id('bf_new_a1') WHERE id = fx.id('agent_b_spare');
SELECT fx.act_as('a1');
SELECT throws_ok(
  $$DELETE FROM public.business_functions WHERE id = fx.id('bf_new_a1')$$,
  '42501', 'cannot delete public.business_functions "fx-new-a1": public.agents.business_function_id of another tenant (or of the platform) refers to it',
  'deleting a business function another tenant''s agent uses is refused');
SELECT fx.act_as('postgres');
SELECT is((SELECT business_function_id FROM public.agents WHERE id = fx.id('agent_b_spare')), fx.id('bf_new_a1'),
          'tenant B''s agent keeps its business function');
SELECT fx.act_as('service_role');
WITH d AS (UPDATE public.business_functions SET name = 'Sales & Marketing' WHERE id = fx.id('bf_sales') RETURNING 1)
SELECT is(count(*)::int, 1, 'service_role updates a platform business function') FROM d;
WITH d AS (DELETE FROM public.business_functions WHERE id = fx.id('bf_new_a1') RETURNING 1)
SELECT is(count(*)::int, 1, 'service_role (the platform) may delete a business function other tenants use') FROM d;

-- departments (created by agentbase here, so its rules apply) ----------------------
SELECT fx.act_as('anon');
SELECT is((SELECT count(*)::int FROM public.departments WHERE id IN (fx.id('dept_eng'), fx.id('dept_sales'))), 2,
          'anon reads departments');
SELECT fx.act_as('a1');
SELECT lives_ok(
  $$INSERT INTO public.departments (id, name, slug, parent_department_id)
    VALUES (fx.id('dept_new_a1'), 'Platform', 'fx-new-a1', fx.id('dept_eng'))$$,
  'a1 (owner) creates a department');
SELECT fx.act_as('b1');
SELECT lives_ok(
  $$INSERT INTO public.departments (id, name, slug) VALUES (fx.id('dept_new_b1'), 'Finance', 'fx-new-b1')$$,
  'b1 (owner) creates a department');
SELECT fx.act_as('b2');
SELECT throws_ok(
  $$INSERT INTO public.departments (name, slug) VALUES ('Member department', 'fx-new-b2')$$,
  '42501', NULL, 'b2 (member) cannot create a department');
SELECT fx.act_as('anon');
SELECT throws_ok(
  $$INSERT INTO public.departments (name, slug) VALUES ('Anon department', 'fx-new-anon')$$,
  '42501', NULL, 'anon cannot create a department');
SELECT fx.act_as('b1');
WITH d AS (UPDATE public.departments SET name = 'by b1' WHERE id IN (fx.id('dept_new_a1'), fx.id('dept_sales')) RETURNING 1)
SELECT is(count(*)::int, 0, 'b1 cannot rename tenant A''s or the platform''s departments') FROM d;
WITH d AS (DELETE FROM public.departments WHERE id IN (fx.id('dept_new_a1'), fx.id('dept_eng')) RETURNING 1)
SELECT is(count(*)::int, 0, 'b1 cannot delete tenant A''s or the platform''s departments') FROM d;
-- Tenant B's role sits in tenant A's department.
SELECT lives_ok(
  $$INSERT INTO public.organizational_roles (id, name, slug, department_id) VALUES (fx.id('orole_b_in_a'), 'Analyst', 'fx-b-in-a', fx.id('dept_new_a1'))$$,
  'b1 creates a role in tenant A''s department');
SELECT fx.act_as('a1');
WITH d AS (UPDATE public.departments SET description = 'ours' WHERE id = fx.id('dept_new_a1') RETURNING 1)
SELECT is(count(*)::int, 1, 'a1 updates tenant A''s department') FROM d;
SELECT throws_ok(
  $$DELETE FROM public.departments WHERE id = fx.id('dept_new_a1')$$,
  '42501', NULL, 'a1 cannot delete tenant A''s department while tenant B''s role is in it');
WITH d AS (DELETE FROM public.departments WHERE id = fx.id('dept_new_b1') RETURNING 1)
SELECT is(count(*)::int, 0, 'a1 cannot delete tenant B''s department') FROM d;
SELECT fx.act_as('b1');
WITH d AS (DELETE FROM public.departments WHERE id = fx.id('dept_new_b1') RETURNING 1)
SELECT is(count(*)::int, 1, 'b1 deletes tenant B''s own department') FROM d;
SELECT fx.act_as('postgres');
SELECT is((SELECT department_id FROM public.organizational_roles WHERE id = fx.id('orole_b_in_a')), fx.id('dept_new_a1'),
          'tenant B''s role is still in tenant A''s department');
SELECT fx.act_as('service_role');
WITH d AS (UPDATE public.departments SET name = 'R&D' WHERE id = fx.id('dept_eng') RETURNING 1)
SELECT is(count(*)::int, 1, 'service_role updates a platform department') FROM d;

-- agentbase.settings is out of the API's reach ---------------------------------------
SELECT fx.act_as('a1');
SELECT throws_ok($$SELECT * FROM agentbase.settings$$, '42501', NULL, 'a1 cannot read agentbase.settings');
SELECT throws_ok($$INSERT INTO agentbase.settings VALUES ('org_write_rule', 'authenticated')$$, '42501', NULL,
                 'a1 cannot change the rule');
SELECT throws_ok($$SELECT * FROM agentbase.org_row_owners$$, '42501', NULL, 'a1 cannot read the ownership records');
SELECT fx.act_as('postgres');
SELECT throws_ok($$INSERT INTO agentbase.settings VALUES ('org_write_rule', 'everyone')$$, '23514', NULL,
                 'the rule accepts only owner_admin or authenticated');
-- Even where default privileges grant the tables to the API's roles, row
-- level security (without policies) shows them nothing.
INSERT INTO agentbase.settings VALUES ('org_write_rule', 'owner_admin');
GRANT SELECT, INSERT, UPDATE ON agentbase.settings, agentbase.org_row_owners TO authenticated;
SELECT fx.act_as('a1');
SELECT is((SELECT count(*)::int FROM agentbase.settings) + (SELECT count(*)::int FROM agentbase.org_row_owners), 0,
          'granted the tables, a1 still reads no setting and no ownership record');
WITH d AS (UPDATE agentbase.settings SET value = 'authenticated' RETURNING 1)
SELECT is(count(*)::int, 0, 'granted the table, a1 still cannot change the rule') FROM d;
SELECT fx.act_as('postgres');
REVOKE SELECT, INSERT, UPDATE ON agentbase.settings, agentbase.org_row_owners FROM authenticated;
DELETE FROM agentbase.settings;

-- org_write_rule = 'authenticated': the seed's rule --------------------------------
INSERT INTO agentbase.settings VALUES ('org_write_rule', 'authenticated');
SELECT fx.act_as('a2');
SELECT lives_ok(
  $$INSERT INTO public.organizational_roles (id, name, slug) VALUES (fx.id('orole_seed_a2'), 'Support', 'fx-seed-a2')$$,
  'under ''authenticated'', a2 (member) creates a role');
SELECT lives_ok(
  $$INSERT INTO public.departments (id, name, slug) VALUES (fx.id('dept_seed_a2'), 'Support', 'fx-seed-a2')$$,
  'under ''authenticated'', a2 (member) creates a department');
SELECT fx.act_as('b2');
WITH d AS (UPDATE public.organizational_roles SET name = 'by b2' WHERE id IN (fx.id('orole_seed_a2'), fx.id('orole_dev')) RETURNING 1)
SELECT is(count(*)::int, 2, 'under ''authenticated'', b2 (other tenant, member) updates tenant A''s and platform roles') FROM d;
WITH d AS (UPDATE public.business_functions SET description = 'by b2' WHERE id = fx.id('bf_leads') RETURNING 1)
SELECT is(count(*)::int, 1, 'under ''authenticated'', b2 updates a platform business function') FROM d;
WITH d AS (DELETE FROM public.organizational_roles WHERE id = fx.id('orole_seed_a2') RETURNING 1)
SELECT is(count(*)::int, 1, 'under ''authenticated'', b2 deletes a role tenant A created') FROM d;
WITH d AS (DELETE FROM public.departments WHERE id = fx.id('dept_seed_a2') RETURNING 1)
SELECT is(count(*)::int, 1, 'under ''authenticated'', b2 deletes a department tenant A created') FROM d;
SELECT throws_ok(
  $$DELETE FROM public.business_functions WHERE id = fx.id('bf_sales')$$,
  '42501', NULL, 'under ''authenticated'' too, b2 cannot delete a business function tenant A''s agent uses');
SELECT throws_ok(
  $$UPDATE public.organizational_roles SET slug = 'fx-renamed-dev' WHERE id = fx.id('orole_dev')$$,
  '42501', NULL, 'under ''authenticated'' too, b2 cannot re-slug a role tenant A''s agent uses');
-- A custom API role (admitted by --jwt-roles, a member of authenticated)
-- acts for its user's tenant, not for the platform.
SELECT fx.act_as('postgres');
CREATE ROLE fx_custom_api_role NOLOGIN IN ROLE authenticated;
SELECT fx.act_as('b2', 'fx_custom_api_role');
SELECT throws_ok(
  $$DELETE FROM public.business_functions WHERE id = fx.id('bf_sales')$$,
  '42501', 'cannot delete public.business_functions "fx-sales": public.agents.business_function_id of another tenant (or of the platform) refers to it',
  'under ''authenticated'', a custom API role cannot delete a business function tenant A''s agent uses');
SELECT fx.act_as('anon');
SELECT throws_ok(
  $$INSERT INTO public.organizational_roles (name, slug) VALUES ('Anon role', 'fx-seed-anon')$$,
  '42501', NULL, 'under ''authenticated'', anon still cannot create a role');
WITH d AS (UPDATE public.departments SET name = 'by anon' RETURNING 1)
SELECT is(count(*)::int, 0, 'under ''authenticated'', anon still cannot update departments') FROM d;
SELECT fx.act_as('postgres');
SELECT is((SELECT business_function_id FROM public.agents WHERE id = fx.id('agent_a')), fx.id('bf_sales'),
          'tenant A''s agent keeps its business function');
DELETE FROM agentbase.settings WHERE name = 'org_write_rule';
SELECT fx.act_as('b2');
WITH d AS (UPDATE public.organizational_roles SET name = 'by b2 again' WHERE id = fx.id('orole_dev') RETURNING 1)
SELECT is(count(*)::int, 0, 'with the setting removed, the default rule applies again') FROM d;

-- tools: public read, service_role write ---------------------------------------
SELECT fx.act_as('anon');
SELECT is((SELECT count(*)::int FROM public.tools WHERE slug LIKE 'fx-%'), 4, 'anon reads tools');
SELECT fx.act_as('a1');
SELECT is((SELECT count(*)::int FROM public.tools WHERE slug LIKE 'fx-%'), 4, 'a1 (tenant A) reads tools');
SELECT fx.act_as('b1');
SELECT is((SELECT count(*)::int FROM public.tools WHERE slug LIKE 'fx-%'), 4, 'b1 (tenant B) reads tools');
SELECT fx.act_as('service_role');
SELECT is((SELECT count(*)::int FROM public.tools WHERE slug LIKE 'fx-%'), 4, 'service_role reads tools');

SELECT fx.act_as('a1');
SELECT throws_ok(
  $$INSERT INTO public.tools (name, slug) VALUES ('a1 tool', 'fx-new-a1')$$,
  '42501', NULL, 'a1 (authenticated) cannot add a tool to the catalog');
SELECT fx.act_as('anon');
SELECT throws_ok(
  $$INSERT INTO public.tools (name, slug) VALUES ('anon tool', 'fx-new-anon')$$,
  '42501', NULL, 'anon cannot add a tool to the catalog');
SELECT fx.act_as('service_role');
SELECT lives_ok(
  $$INSERT INTO public.tools (id, name, slug) VALUES (fx.id('tool_new_sr'), 'Browser', 'fx-new-sr')$$,
  'service_role adds a tool to the catalog');

SELECT fx.act_as('a1');
WITH d AS (UPDATE public.tools SET name = 'by a1' WHERE id = fx.id('tool_search') RETURNING 1)
SELECT is(count(*)::int, 0, 'a1 (authenticated) cannot update a tool') FROM d;
SELECT fx.act_as('anon');
WITH d AS (UPDATE public.tools SET name = 'by anon' RETURNING 1)
SELECT is(count(*)::int, 0, 'anon cannot update tools') FROM d;
SELECT fx.act_as('service_role');
WITH d AS (UPDATE public.tools SET description = 'web search' WHERE id = fx.id('tool_search') RETURNING 1)
SELECT is(count(*)::int, 1, 'service_role updates a tool') FROM d;

SELECT fx.act_as('a1');
WITH d AS (DELETE FROM public.tools WHERE id = fx.id('tool_code') RETURNING 1)
SELECT is(count(*)::int, 0, 'a1 (authenticated) cannot delete a tool') FROM d;
SELECT fx.act_as('anon');
WITH d AS (DELETE FROM public.tools RETURNING 1)
SELECT is(count(*)::int, 0, 'anon cannot delete tools') FROM d;
SELECT fx.act_as('service_role');
WITH d AS (DELETE FROM public.tools WHERE id = fx.id('tool_new_sr') RETURNING 1)
SELECT is(count(*)::int, 1, 'service_role deletes a tool') FROM d;

SELECT fx.act_as('postgres');
SELECT results_eq(
  $$SELECT name, description FROM public.tools WHERE id IN (fx.id('tool_search'), fx.id('tool_code')) ORDER BY name$$,
  $$VALUES ('Code runner', NULL::text), ('Search', 'web search')$$,
  'only service_role''s writes changed the tools catalog');

SELECT * FROM finish();
ROLLBACK;
