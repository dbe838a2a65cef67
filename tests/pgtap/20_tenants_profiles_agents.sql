-- The existing tables' RLS (SCHEMA.md, second table):
--   tenants   read by members of that tenant; written by service_role only
--   profiles  read by users of the same tenant; a user updates their own
--             profile, and only display_name / avatar_url (column grants):
--             never its tenant or role; no user inserts or deletes profiles
--   agents    read and written by authenticated users of the agent's tenant
-- anon sees none of them. service_role bypasses RLS.
BEGIN;
SELECT plan(63);
\ir fixtures.psql

-- tenants ----------------------------------------------------------------------
SELECT fx.act_as('a1');
SELECT set_eq($$SELECT id FROM public.tenants$$, $$VALUES (fx.id('tenant_a'))$$,
              'a1 reads exactly their own tenant');
SELECT fx.act_as('a2');
SELECT is((SELECT count(*)::int FROM public.tenants WHERE id = fx.id('tenant_a')), 1,
          'a2 (another member) reads tenant A');
SELECT fx.act_as('b1');
SELECT is((SELECT count(*)::int FROM public.tenants WHERE id = fx.id('tenant_a')), 0,
          'b1 (other tenant) cannot read tenant A');
SELECT fx.act_as('nobody');
SELECT is((SELECT count(*)::int FROM public.tenants), 0, 'a user without a profile reads no tenant');
SELECT fx.act_as('anon');
SELECT is((SELECT count(*)::int FROM public.tenants), 0, 'anon reads no tenant');
SELECT fx.act_as('service_role');
SELECT is((SELECT count(*)::int FROM public.tenants WHERE id IN (fx.id('tenant_a'), fx.id('tenant_b'))), 2,
          'service_role reads every tenant');

SELECT fx.act_as('a1');
SELECT throws_ok($$INSERT INTO public.tenants (name, slug) VALUES ('by a1', 'fx-by-a1')$$,
                 '42501', NULL, 'a1 (authenticated) cannot create a tenant');
SELECT fx.act_as('anon');
SELECT throws_ok($$INSERT INTO public.tenants (name, slug) VALUES ('by anon', 'fx-by-anon')$$,
                 '42501', NULL, 'anon cannot create a tenant');
SELECT fx.act_as('service_role');
SELECT lives_ok($$INSERT INTO public.tenants (id, name, slug) VALUES (fx.id('tenant_c'), 'Tenant C', 'fx-tenant-c')$$,
                'service_role creates a tenant');

SELECT fx.act_as('a1');
WITH d AS (UPDATE public.tenants SET name = 'renamed by a1' WHERE id = fx.id('tenant_a') RETURNING 1)
SELECT is(count(*)::int, 0, 'a1 (a member, even its owner) cannot update their tenant') FROM d;
SELECT fx.act_as('b1');
WITH d AS (UPDATE public.tenants SET name = 'renamed by b1' WHERE id = fx.id('tenant_a') RETURNING 1)
SELECT is(count(*)::int, 0, 'b1 (other tenant) cannot update tenant A') FROM d;
SELECT fx.act_as('anon');
WITH d AS (UPDATE public.tenants SET name = 'renamed by anon' RETURNING 1)
SELECT is(count(*)::int, 0, 'anon cannot update tenants') FROM d;
SELECT fx.act_as('service_role');
WITH d AS (UPDATE public.tenants SET settings = '{"plan": "pro"}' WHERE id = fx.id('tenant_a') RETURNING 1)
SELECT is(count(*)::int, 1, 'service_role updates a tenant') FROM d;

SELECT fx.act_as('a1');
WITH d AS (DELETE FROM public.tenants WHERE id = fx.id('tenant_a') RETURNING 1)
SELECT is(count(*)::int, 0, 'a1 (a member) cannot delete their tenant') FROM d;
SELECT fx.act_as('b1');
WITH d AS (DELETE FROM public.tenants WHERE id = fx.id('tenant_a') RETURNING 1)
SELECT is(count(*)::int, 0, 'b1 (other tenant) cannot delete tenant A') FROM d;
SELECT fx.act_as('anon');
WITH d AS (DELETE FROM public.tenants RETURNING 1)
SELECT is(count(*)::int, 0, 'anon cannot delete tenants') FROM d;
SELECT fx.act_as('service_role');
WITH d AS (DELETE FROM public.tenants WHERE id = fx.id('tenant_c') RETURNING 1)
SELECT is(count(*)::int, 1, 'service_role deletes a tenant') FROM d;

SELECT fx.act_as('postgres');
SELECT results_eq($$SELECT name, settings FROM public.tenants WHERE id = fx.id('tenant_a')$$,
                  $$VALUES ('Tenant A', '{"plan": "pro"}'::jsonb)$$,
                  'only service_role''s writes changed tenant A');

-- profiles ---------------------------------------------------------------------
SELECT fx.act_as('a1');
SELECT set_eq($$SELECT id FROM public.profiles$$, $$VALUES (fx.id('user_a1')), (fx.id('user_a2'))$$,
              'a1 reads exactly the profiles of tenant A');
SELECT fx.act_as('a2');
SELECT is((SELECT count(*)::int FROM public.profiles WHERE id = fx.id('user_a1')), 1,
          'a2 (same tenant) reads a1''s profile');
SELECT fx.act_as('b1');
SELECT is((SELECT count(*)::int FROM public.profiles WHERE id = fx.id('user_a1')), 0,
          'b1 (other tenant) cannot read a1''s profile');
SELECT fx.act_as('nobody');
SELECT is((SELECT count(*)::int FROM public.profiles), 0, 'a user without a profile reads no profile');
SELECT fx.act_as('anon');
SELECT is((SELECT count(*)::int FROM public.profiles), 0, 'anon reads no profile');
SELECT fx.act_as('service_role');
SELECT is((SELECT count(*)::int FROM public.profiles
            WHERE id IN (fx.id('user_a1'), fx.id('user_a2'), fx.id('user_b1'), fx.id('user_b2'))), 4,
          'service_role reads every profile');

SELECT fx.act_as('nobody');
SELECT throws_ok(
  $$INSERT INTO public.profiles (id, tenant_id, role) VALUES (fx.id('user_nobody'), fx.id('tenant_a'), 'owner')$$,
  '42501', NULL, 'a user without a profile cannot create one and so join a tenant');
SELECT fx.act_as('a1');
SELECT throws_ok(
  $$INSERT INTO public.profiles (id, tenant_id) VALUES (fx.id('user_c1'), fx.id('tenant_a'))$$,
  '42501', NULL, 'a1 cannot create a profile for another user');
SELECT fx.act_as('anon');
SELECT throws_ok(
  $$INSERT INTO public.profiles (id, tenant_id) VALUES (fx.id('user_c1'), fx.id('tenant_a'))$$,
  '42501', NULL, 'anon cannot create a profile');
SELECT fx.act_as('service_role');
SELECT lives_ok(
  $$INSERT INTO public.profiles (id, tenant_id, display_name) VALUES (fx.id('user_c1'), fx.id('tenant_b'), 'C1')$$,
  'service_role creates a profile');

SELECT fx.act_as('a1');
WITH d AS (UPDATE public.profiles SET display_name = 'Alice', avatar_url = 'https://example.test/a1.png'
            WHERE id = fx.id('user_a1') RETURNING 1)
SELECT is(count(*)::int, 1, 'a1 updates display_name and avatar_url of own profile') FROM d;
WITH d AS (UPDATE public.profiles SET display_name = 'renamed by a1' WHERE id = fx.id('user_a2') RETURNING 1)
SELECT is(count(*)::int, 0, 'a1 cannot update a2''s profile (same tenant)') FROM d;
SELECT throws_ok($$UPDATE public.profiles SET tenant_id = fx.id('tenant_b') WHERE id = fx.id('user_a1')$$,
                 '42501', NULL, 'a1 cannot move own profile to tenant B');
SELECT throws_ok($$UPDATE public.profiles SET role = 'admin' WHERE id = fx.id('user_a1')$$,
                 '42501', NULL, 'a1 cannot change own role');
SELECT throws_ok($$UPDATE public.profiles SET id = fx.id('user_c1') WHERE id = fx.id('user_a1')$$,
                 '42501', NULL, 'a1 cannot change own profile id');
SELECT fx.act_as('a2');
SELECT throws_ok($$UPDATE public.profiles SET role = 'owner' WHERE id = fx.id('user_a2')$$,
                 '42501', NULL, 'a2 (a member) cannot promote themself to owner');
WITH d AS (UPDATE public.profiles SET display_name = 'renamed by a2' WHERE id = fx.id('user_a1') RETURNING 1)
SELECT is(count(*)::int, 0, 'a2 (same tenant) cannot update a1''s profile') FROM d;
SELECT fx.act_as('b1');
WITH d AS (UPDATE public.profiles SET display_name = 'renamed by b1' WHERE id = fx.id('user_a1') RETURNING 1)
SELECT is(count(*)::int, 0, 'b1 (other tenant) cannot update a1''s profile') FROM d;
SELECT fx.act_as('anon');
SELECT throws_ok($$UPDATE public.profiles SET display_name = 'renamed by anon'$$,
                 '42501', NULL, 'anon cannot update profiles (no UPDATE grant)');
SELECT fx.act_as('a1');
UPDATE public.profiles SET avatar_url = 'bulk-a1';  -- no WHERE: only the UPDATE policy applies
SELECT fx.act_as('service_role');
WITH d AS (UPDATE public.profiles SET role = 'admin' WHERE id = fx.id('user_a2') RETURNING 1)
SELECT is(count(*)::int, 1, 'service_role changes a user''s role') FROM d;

SELECT fx.act_as('a1');
SELECT throws_ok($$DELETE FROM public.profiles WHERE id = fx.id('user_a1')$$,
                 '42501', NULL, 'a1 cannot delete own profile');
SELECT fx.act_as('b1');
SELECT throws_ok($$DELETE FROM public.profiles WHERE id = fx.id('user_a1')$$,
                 '42501', NULL, 'b1 (other tenant) cannot delete a1''s profile');
SELECT fx.act_as('anon');
SELECT throws_ok($$DELETE FROM public.profiles$$, '42501', NULL, 'anon cannot delete profiles');
SELECT fx.act_as('service_role');
WITH d AS (DELETE FROM public.profiles WHERE id = fx.id('user_c1') RETURNING 1)
SELECT is(count(*)::int, 1, 'service_role deletes a profile') FROM d;

SELECT fx.act_as('postgres');
SELECT results_eq(
  $$SELECT id, tenant_id, role, display_name, avatar_url FROM public.profiles
     WHERE id IN (fx.id('user_a1'), fx.id('user_a2')) ORDER BY display_name$$,
  $$VALUES (fx.id('user_a2'), fx.id('tenant_a'), 'admin', 'A2', NULL::text),
           (fx.id('user_a1'), fx.id('tenant_a'), 'owner', 'Alice', 'bulk-a1')$$,
  'only the permitted profile updates took effect');
SELECT set_eq($$SELECT id FROM public.profiles WHERE avatar_url = 'bulk-a1'$$, $$VALUES (fx.id('user_a1'))$$,
              'an unfiltered UPDATE by a1 reaches only a1''s own profile');

-- agents -----------------------------------------------------------------------
SELECT fx.act_as('a1');
SELECT set_eq($$SELECT id FROM public.agents$$, $$VALUES (fx.id('agent_a')), (fx.id('agent_a_spare'))$$,
              'a1 reads exactly the agents of tenant A');
SELECT fx.act_as('b1');
SELECT is((SELECT count(*)::int FROM public.agents WHERE id = fx.id('agent_a')), 0,
          'b1 (other tenant) cannot read tenant A''s agent');
SELECT fx.act_as('anon');
SELECT is((SELECT count(*)::int FROM public.agents), 0, 'anon reads no agent');
SELECT fx.act_as('service_role');
SELECT is((SELECT count(*)::int FROM public.agents
            WHERE id IN (fx.id('agent_a'), fx.id('agent_a_spare'), fx.id('agent_b'), fx.id('agent_b_spare'))), 4,
          'service_role reads every agent');

SELECT fx.act_as('a2');
SELECT lives_ok($$INSERT INTO public.agents (tenant_id, name) VALUES (fx.id('tenant_a'), 'by a2')$$,
                'a2 creates an agent in tenant A');
SELECT throws_ok($$INSERT INTO public.agents (tenant_id, name) VALUES (fx.id('tenant_b'), 'a2 into B')$$,
                 '42501', NULL, 'a2 cannot create an agent in tenant B');
SELECT fx.act_as('anon');
SELECT throws_ok($$INSERT INTO public.agents (tenant_id, name) VALUES (fx.id('tenant_a'), 'by anon')$$,
                 '42501', NULL, 'anon cannot create an agent');
SELECT fx.act_as('service_role');
SELECT lives_ok($$INSERT INTO public.agents (tenant_id, name) VALUES (fx.id('tenant_b'), 'by service_role')$$,
                'service_role creates an agent in any tenant');

SELECT fx.act_as('a2');
WITH d AS (UPDATE public.agents SET system_prompt = 'be brief' WHERE id = fx.id('agent_a') RETURNING 1)
SELECT is(count(*)::int, 1, 'a2 updates an agent of tenant A') FROM d;
SELECT throws_ok($$UPDATE public.agents SET tenant_id = fx.id('tenant_b') WHERE id = fx.id('agent_a')$$,
                 '42501', NULL, 'a2 cannot move an agent into tenant B (WITH CHECK)');
SELECT fx.act_as('b1');
WITH d AS (UPDATE public.agents SET system_prompt = 'by b1' WHERE id = fx.id('agent_a') RETURNING 1)
SELECT is(count(*)::int, 0, 'b1 (other tenant) cannot update tenant A''s agent') FROM d;
SELECT fx.act_as('anon');
WITH d AS (UPDATE public.agents SET system_prompt = 'by anon' RETURNING 1)
SELECT is(count(*)::int, 0, 'anon cannot update agents') FROM d;
SELECT fx.act_as('b1');
UPDATE public.agents SET description = 'bulk-b1';  -- no WHERE: only the UPDATE policy applies
SELECT fx.act_as('service_role');
WITH d AS (UPDATE public.agents SET model = 'gpt-4o' WHERE id = fx.id('agent_b') RETURNING 1)
SELECT is(count(*)::int, 1, 'service_role updates any agent') FROM d;

SELECT fx.act_as('b1');
WITH d AS (DELETE FROM public.agents WHERE id = fx.id('agent_a_spare') RETURNING 1)
SELECT is(count(*)::int, 0, 'b1 (other tenant) cannot delete tenant A''s agent') FROM d;
SELECT fx.act_as('anon');
WITH d AS (DELETE FROM public.agents RETURNING 1)
SELECT is(count(*)::int, 0, 'anon cannot delete agents') FROM d;
SELECT fx.act_as('a1');
WITH d AS (DELETE FROM public.agents WHERE id = fx.id('agent_a_spare') RETURNING 1)
SELECT is(count(*)::int, 1, 'a1 deletes an agent of tenant A') FROM d;
SELECT fx.act_as('service_role');
WITH d AS (DELETE FROM public.agents WHERE id = fx.id('agent_b_spare') RETURNING 1)
SELECT is(count(*)::int, 1, 'service_role deletes any agent') FROM d;

SELECT fx.act_as('postgres');
SELECT results_eq($$SELECT tenant_id, system_prompt FROM public.agents WHERE id = fx.id('agent_a')$$,
                  $$VALUES (fx.id('tenant_a'), 'be brief')$$,
                  'only the permitted agent update took effect');
SELECT set_eq($$SELECT DISTINCT tenant_id FROM public.agents WHERE description = 'bulk-b1'$$,
              $$VALUES (fx.id('tenant_b'))$$,
              'an unfiltered UPDATE by b1 reaches only tenant B''s agents');

SELECT * FROM finish();
ROLLBACK;
