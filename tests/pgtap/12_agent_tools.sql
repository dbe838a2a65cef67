-- agent_tools: the seed's "anyone can view enabled tools", made safe. config
-- holds teams' API keys and agent ids are tenant data, so a row (enabled or
-- not) is visible only to the users of its agent's tenant; anon and other
-- tenants see none (which tools exist stays public through public.tools).
-- Authenticated users manage the rows of agents in their own tenant, never
-- another tenant's. service_role bypasses RLS.
BEGIN;
SELECT plan(36);
\ir fixtures.psql
UPDATE public.agent_tools SET config = '{"api_key": "sk-tenant-a"}' WHERE id = fx.id('at_a_on');
UPDATE public.agent_tools SET config = '{"api_key": "sk-tenant-b"}' WHERE id = fx.id('at_b_on');

-- SELECT ----------------------------------------------------------------------
SELECT fx.act_as('anon');
SELECT is((SELECT count(*)::int FROM public.agent_tools), 0,
          'anon sees no agent_tools row, enabled or not');
SELECT is((SELECT count(*)::int FROM public.agent_tools WHERE config ? 'api_key'), 0,
          'anon reads no agent_tools config');
SELECT is((SELECT count(*)::int FROM public.tools WHERE id = fx.id('tool_search')), 1,
          'anon still sees which tools exist, through the tools catalog');

SELECT fx.act_as('a1');
SELECT set_eq($$SELECT id FROM public.agent_tools$$,
              $$VALUES (fx.id('at_a_on')), (fx.id('at_a_off'))$$,
              'a1 sees the enabled and disabled rows of tenant A''s agents, and nothing of tenant B');
SELECT is((SELECT config ->> 'api_key' FROM public.agent_tools WHERE id = fx.id('at_a_on')), 'sk-tenant-a',
          'a1 reads the config of tenant A''s own enabled row');
SELECT is((SELECT count(*)::int FROM public.agent_tools WHERE id IN (fx.id('at_b_on'), fx.id('at_b_off'))), 0,
          'a1 cannot see tenant B''s rows, enabled or not');

SELECT fx.act_as('a2');
SELECT is((SELECT count(*)::int FROM public.agent_tools WHERE id = fx.id('at_a_off')), 1,
          'a2 (same tenant) sees the disabled row of tenant A''s agent');

SELECT fx.act_as('b1');
SELECT set_eq($$SELECT id FROM public.agent_tools$$,
              $$VALUES (fx.id('at_b_on')), (fx.id('at_b_off'))$$,
              'b1 sees only the rows of tenant B''s agents');
SELECT is((SELECT count(*)::int FROM public.agent_tools
            WHERE agent_id = fx.id('agent_a') OR config ->> 'api_key' = 'sk-tenant-a'), 0,
          'b1 learns neither tenant A''s agent ids nor its config through agent_tools');

SELECT fx.act_as('nobody');
SELECT is((SELECT count(*)::int FROM public.agent_tools), 0,
          'an authenticated user without a profile sees no agent_tools row');

SELECT fx.act_as('service_role');
SELECT is((SELECT count(*)::int FROM public.agent_tools
            WHERE id IN (fx.id('at_a_on'), fx.id('at_a_off'), fx.id('at_b_on'), fx.id('at_b_off'))), 4,
          'service_role sees every agent_tools row');

-- INSERT ----------------------------------------------------------------------
SELECT fx.act_as('a1');
SELECT lives_ok(
  $$INSERT INTO public.agent_tools (id, agent_id, tool_id, enabled)
    VALUES (fx.id('at_new_a1'), fx.id('agent_a'), fx.id('tool_calc'), false)$$,
  'a1 adds a tool to an agent of tenant A');
SELECT is((SELECT count(*)::int FROM public.agent_tools WHERE id = fx.id('at_new_a1')), 1,
          'a1 sees the (disabled) row they added');
SELECT throws_ok(
  $$INSERT INTO public.agent_tools (agent_id, tool_id) VALUES (fx.id('agent_b'), fx.id('tool_calc'))$$,
  '42501', NULL, 'a1 cannot add a tool to an agent of tenant B');

SELECT fx.act_as('a2');
SELECT lives_ok(
  $$INSERT INTO public.agent_tools (agent_id, tool_id) VALUES (fx.id('agent_a'), fx.id('tool_code'))$$,
  'a2 (same tenant, another user) adds a tool to the same tenant''s agent');

SELECT fx.act_as('b1');
SELECT throws_ok(
  $$INSERT INTO public.agent_tools (agent_id, tool_id) VALUES (fx.id('agent_a_spare'), fx.id('tool_calc'))$$,
  '42501', NULL, 'b1 (other tenant) cannot add a tool to an agent of tenant A');

SELECT fx.act_as('nobody');
SELECT throws_ok(
  $$INSERT INTO public.agent_tools (agent_id, tool_id) VALUES (fx.id('agent_a_spare'), fx.id('tool_calc'))$$,
  '42501', NULL, 'an authenticated user without a profile cannot add agent tools');

SELECT fx.act_as('anon');
SELECT throws_ok(
  $$INSERT INTO public.agent_tools (agent_id, tool_id) VALUES (fx.id('agent_a_spare'), fx.id('tool_calc'))$$,
  '42501', NULL, 'anon cannot add agent tools');

SELECT fx.act_as('service_role');
SELECT lives_ok(
  $$INSERT INTO public.agent_tools (agent_id, tool_id) VALUES (fx.id('agent_b'), fx.id('tool_calc'))$$,
  'service_role adds a tool to any agent');

-- UPDATE ----------------------------------------------------------------------
SELECT fx.act_as('b1');
WITH d AS (UPDATE public.agent_tools SET priority = 99 WHERE id = fx.id('at_a_on') RETURNING 1)
SELECT is(count(*)::int, 0, 'b1 cannot update an enabled row of tenant A') FROM d;
WITH d AS (UPDATE public.agent_tools SET enabled = true WHERE id = fx.id('at_a_off') RETURNING 1)
SELECT is(count(*)::int, 0, 'b1 cannot enable a disabled row of tenant A') FROM d;

SELECT fx.act_as('anon');
WITH d AS (UPDATE public.agent_tools SET priority = 99 RETURNING 1)
SELECT is(count(*)::int, 0, 'anon cannot update agent tools') FROM d;

SELECT fx.act_as('a2');
WITH d AS (UPDATE public.agent_tools SET enabled = true, config = '{"k": 1}' WHERE id = fx.id('at_a_off') RETURNING 1)
SELECT is(count(*)::int, 1, 'a2 (same tenant) re-enables and configures a disabled row of tenant A') FROM d;

SELECT fx.act_as('a1');
WITH d AS (UPDATE public.agent_tools SET priority = 5 WHERE id = fx.id('at_a_on') RETURNING 1)
SELECT is(count(*)::int, 1, 'a1 updates a row of tenant A''s agent') FROM d;
WITH d AS (UPDATE public.agent_tools SET priority = 99 WHERE id = fx.id('at_b_on') RETURNING 1)
SELECT is(count(*)::int, 0, 'a1 cannot update an enabled row of tenant B') FROM d;
SELECT throws_ok(
  $$UPDATE public.agent_tools SET agent_id = fx.id('agent_b_spare') WHERE id = fx.id('at_a_on')$$,
  '42501', NULL, 'a1 cannot move a row onto an agent of tenant B (WITH CHECK)');

SELECT fx.act_as('service_role');
WITH d AS (UPDATE public.agent_tools SET enabled = true WHERE id = fx.id('at_b_off') RETURNING 1)
SELECT is(count(*)::int, 1, 'service_role updates any row') FROM d;

SELECT fx.act_as('postgres');
-- a1's priority 5 is beyond agent A's four tools, so at_a_on went last and the
-- others moved up (90_tools.sql keeps priorities 1..n).
SELECT set_eq(
  $$SELECT id, agent_id, enabled, priority FROM public.agent_tools
     WHERE id IN (fx.id('at_a_on'), fx.id('at_a_off'), fx.id('at_b_on'))$$,
  $$VALUES (fx.id('at_b_on'), fx.id('agent_b'), true, 1), (fx.id('at_a_off'), fx.id('agent_a'), true, 1),
           (fx.id('at_a_on'), fx.id('agent_a'), true, 4)$$,
  'only the permitted updates changed agent_tools');

-- DELETE ----------------------------------------------------------------------
SELECT fx.act_as('b1');
WITH d AS (DELETE FROM public.agent_tools WHERE id IN (fx.id('at_a_on'), fx.id('at_a_off')) RETURNING 1)
SELECT is(count(*)::int, 0, 'b1 cannot delete rows of tenant A''s agent') FROM d;

SELECT fx.act_as('anon');
WITH d AS (DELETE FROM public.agent_tools RETURNING 1)
SELECT is(count(*)::int, 0, 'anon cannot delete agent tools') FROM d;

SELECT fx.act_as('nobody');
WITH d AS (DELETE FROM public.agent_tools RETURNING 1)
SELECT is(count(*)::int, 0, 'an authenticated user without a profile cannot delete agent tools') FROM d;

SELECT fx.act_as('a1');
WITH d AS (DELETE FROM public.agent_tools WHERE id = fx.id('at_b_on') RETURNING 1)
SELECT is(count(*)::int, 0, 'a1 cannot delete a row of tenant B''s agent') FROM d;
WITH d AS (DELETE FROM public.agent_tools WHERE id = fx.id('at_a_on') RETURNING 1)
SELECT is(count(*)::int, 1, 'a1 deletes a row of tenant A''s agent') FROM d;

SELECT fx.act_as('a2');
WITH d AS (DELETE FROM public.agent_tools WHERE id = fx.id('at_new_a1') RETURNING 1)
SELECT is(count(*)::int, 1, 'a2 (same tenant) deletes a row a1 added') FROM d;

SELECT fx.act_as('service_role');
WITH d AS (DELETE FROM public.agent_tools WHERE id = fx.id('at_b_on') RETURNING 1)
SELECT is(count(*)::int, 1, 'service_role deletes any row') FROM d;

SELECT fx.act_as('postgres');
SELECT set_eq(
  $$SELECT id FROM public.agent_tools
     WHERE id IN (fx.id('at_a_on'), fx.id('at_a_off'), fx.id('at_b_on'), fx.id('at_b_off'), fx.id('at_new_a1'))$$,
  $$VALUES (fx.id('at_a_off')), (fx.id('at_b_off'))$$,
  'only the permitted deletes removed agent_tools rows');

SELECT * FROM finish();
ROLLBACK;
