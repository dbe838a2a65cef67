-- Schema facts behind the row level security: RLS switched on, the exact
-- policies per table (names, commands, roles), the roles' RLS attributes and
-- the shape of the helper functions the policies call (SCHEMA.md, "Row level
-- security"). Columns and counts are checked by `agentbase db verify`.
BEGIN;
SELECT plan(56);
\ir fixtures.psql

-- RLS is enabled on the five new tables and on the existing ones.
SELECT is(c.relrowsecurity, true, format('row level security is enabled on public.%s', t))
FROM unnest(ARRAY['conversations', 'agent_tools', 'organizational_roles', 'business_functions',
                  'user_memory', 'tenants', 'profiles', 'agents', 'messages', 'tools',
                  'departments']) WITH ORDINALITY AS u(t, n)
LEFT JOIN pg_class c ON c.oid = to_regclass('public.' || u.t)
ORDER BY u.n;

-- The policies of the five tables, one per command.
SELECT policies_are('public', 'conversations', ARRAY[
  'conversations_select_same_tenant', 'conversations_insert_own',
  'conversations_update_own', 'conversations_delete_own']);
SELECT policies_are('public', 'agent_tools', ARRAY[
  'agent_tools_select_enabled', 'agent_tools_select_own_tenant', 'agent_tools_insert_own_tenant',
  'agent_tools_update_own_tenant', 'agent_tools_delete_own_tenant']);
SELECT policies_are('public', 'organizational_roles', ARRAY[
  'organizational_roles_select_public', 'organizational_roles_insert_authenticated',
  'organizational_roles_update_authenticated', 'organizational_roles_delete_authenticated']);
SELECT policies_are('public', 'business_functions', ARRAY[
  'business_functions_select_public', 'business_functions_insert_authenticated',
  'business_functions_update_authenticated', 'business_functions_delete_authenticated']);
SELECT policies_are('public', 'user_memory', ARRAY[
  'user_memory_select_own', 'user_memory_insert_own', 'user_memory_update_own', 'user_memory_delete_own']);

-- ... and of the existing tables (writes not listed here are denied by RLS).
SELECT policies_are('public', 'tenants', ARRAY['tenants_select_member']);
SELECT policies_are('public', 'profiles', ARRAY['profiles_select_same_tenant', 'profiles_update_own']);
SELECT policies_are('public', 'agents', ARRAY[
  'agents_select_same_tenant', 'agents_insert_same_tenant', 'agents_update_same_tenant',
  'agents_delete_same_tenant']);
SELECT policies_are('public', 'messages', ARRAY[
  'messages_select_visible_conversation', 'messages_insert_own_conversation']);
SELECT policies_are('public', 'tools', ARRAY['tools_select_public']);
SELECT policies_are('public', 'departments', ARRAY[
  'departments_select_public', 'departments_insert_authenticated',
  'departments_update_authenticated', 'departments_delete_authenticated']);

-- The seed's second verification query, with commands and roles.
SELECT results_eq(
  $$SELECT tablename::text COLLATE "default", policyname::text COLLATE "default", cmd COLLATE "default", roles::text[] COLLATE "default"
      FROM pg_policies
     WHERE tablename IN ('conversations', 'agent_tools', 'organizational_roles',
                         'business_functions', 'user_memory')
     ORDER BY tablename, policyname$$,
  $$VALUES
    ('agent_tools', 'agent_tools_delete_own_tenant', 'DELETE', '{authenticated}'::text[]),
    ('agent_tools', 'agent_tools_insert_own_tenant', 'INSERT', '{authenticated}'),
    ('agent_tools', 'agent_tools_select_enabled', 'SELECT', '{anon,authenticated}'),
    ('agent_tools', 'agent_tools_select_own_tenant', 'SELECT', '{authenticated}'),
    ('agent_tools', 'agent_tools_update_own_tenant', 'UPDATE', '{authenticated}'),
    ('business_functions', 'business_functions_delete_authenticated', 'DELETE', '{authenticated}'),
    ('business_functions', 'business_functions_insert_authenticated', 'INSERT', '{authenticated}'),
    ('business_functions', 'business_functions_select_public', 'SELECT', '{anon,authenticated}'),
    ('business_functions', 'business_functions_update_authenticated', 'UPDATE', '{authenticated}'),
    ('conversations', 'conversations_delete_own', 'DELETE', '{authenticated}'),
    ('conversations', 'conversations_insert_own', 'INSERT', '{authenticated}'),
    ('conversations', 'conversations_select_same_tenant', 'SELECT', '{authenticated}'),
    ('conversations', 'conversations_update_own', 'UPDATE', '{authenticated}'),
    ('organizational_roles', 'organizational_roles_delete_authenticated', 'DELETE', '{authenticated}'),
    ('organizational_roles', 'organizational_roles_insert_authenticated', 'INSERT', '{authenticated}'),
    ('organizational_roles', 'organizational_roles_select_public', 'SELECT', '{anon,authenticated}'),
    ('organizational_roles', 'organizational_roles_update_authenticated', 'UPDATE', '{authenticated}'),
    ('user_memory', 'user_memory_delete_own', 'DELETE', '{authenticated}'),
    ('user_memory', 'user_memory_insert_own', 'INSERT', '{authenticated}'),
    ('user_memory', 'user_memory_select_own', 'SELECT', '{authenticated}'),
    ('user_memory', 'user_memory_update_own', 'UPDATE', '{authenticated}')$$,
  'pg_policies of the five tables: names, commands and roles as the seed''s query expects');

-- All policies are permissive (a restrictive one would silently narrow them).
SELECT is_empty(
  $$SELECT tablename, policyname FROM pg_policies
     WHERE schemaname = 'public' AND permissive <> 'PERMISSIVE'$$,
  'every policy in public is permissive');

-- Per-statement evaluation: policies call the helpers only as (SELECT fn()).
SELECT is_empty(
  $$SELECT tablename, policyname FROM pg_policies p
     WHERE schemaname = 'public'
       AND regexp_replace(coalesce(p.qual, '') || ' ' || coalesce(p.with_check, ''),
                          'SELECT (auth\.uid|agentbase\.(current_tenant_id|current_tenant_agent_ids|org_write_rule|current_user_is_tenant_admin)|agentbase\.org_rows_caller_may_change\(''[a-z_]+''::text)\(?\)',
                          '', 'g')
           ~ '(auth\.uid|current_tenant_id|current_tenant_agent_ids|org_write_rule|current_user_is_tenant_admin|org_rows_caller_may_change)\('$$,
  'policies call auth.uid() and the agentbase helpers only as (SELECT fn()), once per statement');

-- Roles as on Supabase: only service_role bypasses RLS.
SELECT is((SELECT rolbypassrls FROM pg_roles WHERE rolname = 'service_role'), true,
          'service_role bypasses row level security');
SELECT is((SELECT rolbypassrls OR rolsuper FROM pg_roles WHERE rolname = 'authenticated'), false,
          'authenticated is subject to row level security');
SELECT is((SELECT rolbypassrls OR rolsuper FROM pg_roles WHERE rolname = 'anon'), false,
          'anon is subject to row level security');

-- Helpers used by policies: STABLE, SECURITY DEFINER, fixed search_path.
SELECT is(p.provolatile::text, 's', format('agentbase.%s() is STABLE', p.proname))
FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
WHERE n.nspname = 'agentbase'
  AND p.proname IN ('current_tenant_id', 'current_tenant_agent_ids', 'org_write_rule', 'current_user_is_tenant_admin',
                    'org_rows_caller_may_change', 'caller_is_platform')
ORDER BY p.proname;
SELECT is(p.prosecdef, true, format('agentbase.%s() is SECURITY DEFINER', p.proname))
FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
WHERE n.nspname = 'agentbase'
  AND p.proname IN ('current_tenant_id', 'current_tenant_agent_ids', 'touch_conversation_on_message',
                    'org_write_rule', 'current_user_is_tenant_admin', 'org_rows_caller_may_change',
                    'caller_is_platform', 'record_org_row_owner', 'refuse_changing_org_rows_others_use')
ORDER BY p.proname;
SELECT ok(EXISTS (SELECT 1 FROM unnest(p.proconfig) c WHERE c LIKE 'search_path=%'),
          format('agentbase.%s() has a fixed search_path', p.proname))
FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
WHERE n.nspname = 'agentbase'
  AND p.proname IN ('current_tenant_id', 'current_tenant_agent_ids', 'touch_conversation_on_message',
                    'org_write_rule', 'current_user_is_tenant_admin', 'org_rows_caller_may_change',
                    'caller_is_platform', 'record_org_row_owner', 'refuse_changing_org_rows_others_use')
ORDER BY p.proname;

-- What current_tenant_id() returns for each actor.
SELECT fx.act_as('a1');
SELECT is(agentbase.current_tenant_id(), fx.id('tenant_a'), 'current_tenant_id() of a1 is tenant A');
SELECT fx.act_as('b2');
SELECT is(agentbase.current_tenant_id(), fx.id('tenant_b'), 'current_tenant_id() of b2 is tenant B');
SELECT fx.act_as('nobody');
SELECT is(agentbase.current_tenant_id(), NULL, 'current_tenant_id() of a user without a profile is NULL');
SELECT fx.act_as('anon');
SELECT is(agentbase.current_tenant_id(), NULL, 'current_tenant_id() of anon is NULL');

SELECT fx.act_as('postgres');
SELECT * FROM finish();
ROLLBACK;
