-- Live updates (70_realtime.sql): the supabase_realtime publication and
-- agentbase.realtime_visible, which answers for a batch of rows and every
-- distinct set of claims whether row level security lets them see each row.
BEGIN;
SELECT plan(20);
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

-- Tenant-scoped tables: whatever row level security lets a user see of them
-- follows from their role and tenant alone, which is what lets the server ask
-- about one user per role and tenant. Checked over every fixture row: users
-- of one tenant see the same rows, users of two tenants different ones.
SELECT fx.act_as('postgres');
SELECT set_eq($$SELECT unnest(agentbase.realtime_tenant_scoped_tables())::text$$,
              $$VALUES ('messages'), ('conversations')$$,
              'messages and conversations are the tenant-scoped tables');
CREATE TEMP TABLE tenant_viewers AS
SELECT jsonb_build_array(
  jsonb_build_object('role', 'authenticated', 'sub', fx.id('user_a1')),
  jsonb_build_object('role', 'authenticated', 'sub', fx.id('user_a2')),
  jsonb_build_object('role', 'authenticated', 'sub', fx.id('user_b1')),
  jsonb_build_object('role', 'authenticated', 'sub', fx.id('user_b2'))) AS claims;
CREATE TEMP TABLE seen_by AS
SELECT t.entity, agentbase.realtime_visible(t.entity,
         (SELECT jsonb_agg(jsonb_build_object('id', r.id)) FROM (
            SELECT id FROM public.messages WHERE t.entity = 'public.messages'::regclass
            UNION ALL SELECT id FROM public.conversations WHERE t.entity = 'public.conversations'::regclass) r),
         (SELECT claims FROM tenant_viewers), '{anon,authenticated,service_role}') AS visible
FROM unnest(agentbase.realtime_tenant_scoped_tables()) t(entity);
-- visible[row][viewer]: compare the viewers' columns.
CREATE TEMP TABLE columns_of AS
SELECT s.entity, v.viewer, array_agg(s.visible[r][v.viewer] ORDER BY r) AS rows_seen
FROM seen_by s, generate_series(1, array_length(s.visible, 1)) r, generate_series(1, 4) v(viewer)
GROUP BY s.entity, v.viewer;
SELECT is((SELECT count(DISTINCT rows_seen) FROM columns_of WHERE viewer IN (1, 2) GROUP BY entity
           ORDER BY 1 DESC LIMIT 1), 1::bigint, 'tenant A''s two users see the same rows of each table');
SELECT is((SELECT count(DISTINCT rows_seen) FROM columns_of WHERE viewer IN (3, 4) GROUP BY entity
           ORDER BY 1 DESC LIMIT 1), 1::bigint, 'tenant B''s two users see the same rows of each table');
SELECT ok((SELECT bool_and(a.rows_seen <> b.rows_seen AND true = ANY (a.rows_seen) AND true = ANY (b.rows_seen))
           FROM columns_of a JOIN columns_of b ON a.entity = b.entity AND a.viewer = 1 AND b.viewer = 3),
          'the users of two tenants see different rows, each some');
SELECT is(agentbase.realtime_claims_tenants((SELECT claims FROM tenant_viewers)
            || '[{"role":"anon"},{"sub":"not-a-uuid"},"not an object"]'::jsonb),
          jsonb_build_array(fx.id('tenant_a'), fx.id('tenant_a'), fx.id('tenant_b'), fx.id('tenant_b'),
                            NULL, NULL, NULL),
          'realtime_claims_tenants: each claims'' tenant, null for no user, a sub that is no uuid, or no object');
SELECT fx.act_as('a1');
SELECT throws_ok($$SELECT agentbase.realtime_claims_tenants((SELECT claims FROM tenant_viewers))$$,
                 '42501', NULL, 'an API role cannot call realtime_claims_tenants (it would learn other users'' tenants)');

SELECT * FROM finish();
ROLLBACK;
