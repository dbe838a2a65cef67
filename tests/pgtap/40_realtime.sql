-- Live updates (70_realtime.sql): the supabase_realtime publication and
-- agentbase.realtime_visible, which answers for a batch of rows and every
-- distinct set of claims whether row level security lets them see each row.
BEGIN;
SELECT plan(14);
\ir fixtures.psql

-- The publication --------------------------------------------------------------
SELECT ok(EXISTS (SELECT 1 FROM pg_publication WHERE pubname = 'supabase_realtime'),
          'the supabase_realtime publication exists');
SELECT set_eq($$SELECT schemaname || '.' || tablename FROM pg_publication_tables WHERE pubname = 'supabase_realtime'$$,
              $$VALUES ('public.messages'), ('public.conversations')$$,
              'messages and conversations publish their changes by default');

-- The function: SECURITY INVOKER, fixed search_path -----------------------------
SELECT is((SELECT prosecdef FROM pg_proc WHERE oid = 'agentbase.realtime_visible'::regproc), false,
          'realtime_visible runs as its caller (SECURITY INVOKER): it grants no role');
SELECT ok((SELECT EXISTS (SELECT 1 FROM unnest(proconfig) c WHERE c LIKE 'search_path=%')
           FROM pg_proc WHERE oid = 'agentbase.realtime_visible'::regproc),
          'realtime_visible has a fixed search_path');

CREATE TABLE fx.nokey (x int);
GRANT SELECT ON fx.nokey TO anon;

CREATE TEMP TABLE viewers AS
SELECT jsonb_build_array(
  jsonb_build_object('role', 'authenticated', 'sub', fx.id('user_a1')),
  jsonb_build_object('role', 'authenticated', 'sub', fx.id('user_b1')),
  jsonb_build_object('role', 'anon'),
  jsonb_build_object('role', 'service_role'),
  jsonb_build_object('role', 'postgres'),
  jsonb_build_object('role', 'authenticated', 'sub', fx.id('user_nobody')),
  jsonb_build_object('sub', fx.id('user_a1')),
  '"not an object"'::jsonb) AS claims;

-- Rows x claims: A's message, B's message, a cross-tenant row, a missing row.
SELECT is(agentbase.realtime_visible('public.messages',
            jsonb_build_array(jsonb_build_object('id', fx.id('msg_a1_user')),
                              jsonb_build_object('id', fx.id('msg_b1_user')),
                              jsonb_build_object('id', fx.id('msg_a_in_conv_b1')),
                              jsonb_build_object('id', fx.id('no_such_message'))),
            (SELECT claims FROM viewers), '{anon,authenticated,service_role}'),
          '{{t,f,f,t,f,f,f,f},{f,t,f,t,f,f,f,f},{f,f,f,t,f,f,f,f},{f,f,f,f,f,f,f,f}}'::boolean[],
          'each tenant''s user sees its own tenant''s message only; anon, a superuser role, a user without a '
          'profile, claims without a role and a non-object see nothing; service_role sees every existing row');
SELECT is(agentbase.realtime_visible('public.conversations',
            jsonb_build_array(jsonb_build_object('id', fx.id('conv_a1'), 'title', 'ignored')),
            (SELECT claims FROM viewers), '{anon,authenticated,service_role}'),
          '{{t,f,f,t,f,f,f,f}}'::boolean[],
          'conversations: the same answers, the row found by its primary key alone');
SELECT is(agentbase.realtime_visible('public.messages',
            jsonb_build_array(jsonb_build_object('id', fx.id('msg_a1_user'))),
            (SELECT claims FROM viewers), '{anon,authenticated}'),
          '{{t,f,f,f,f,f,f,f}}'::boolean[],
          'a role left out of the allowed roles (service_role here) sees nothing');
SELECT is(agentbase.realtime_visible('public.messages', '[]', (SELECT claims FROM viewers), '{authenticated}'),
          '{}'::boolean[], 'no rows: an empty answer');

-- The caller's role and claims are back afterwards.
SELECT set_config('request.jwt.claims', '{"marker": 1}', true);
SELECT is(array_length(agentbase.realtime_visible('public.messages',
            jsonb_build_array(jsonb_build_object('id', fx.id('msg_a1_user'))),
            (SELECT claims FROM viewers), '{anon,authenticated,service_role}'), 2), 8, 'one answer per claims');
SELECT is(current_user::text, 'postgres', 'the caller''s role is restored');
SELECT is(current_setting('request.jwt.claims'), '{"marker": 1}', 'the caller''s claims are restored');

-- Bad input is refused, and a caller cannot use it to become another role.
SELECT throws_ok($$SELECT agentbase.realtime_visible('public.messages', '{}', '[]', '{authenticated}')$$,
                 '22023', NULL, 'records that are not an array are refused');
SELECT throws_ok($$SELECT agentbase.realtime_visible('fx.nokey', '[{}]', '[{"role":"anon"}]', '{anon}')$$,
                 '42P10', NULL, 'a table without a primary key is refused');
SELECT fx.act_as('a1');
SELECT throws_ok($$SELECT agentbase.realtime_visible('public.messages',
                     jsonb_build_array(jsonb_build_object('id', fx.id('msg_b1_user'))),
                     '[{"role":"service_role"}]', '{service_role}')$$,
                 '42501', NULL, 'an API role cannot call it (it could switch to another API role through it)');

SELECT * FROM finish();
ROLLBACK;
