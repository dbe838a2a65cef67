-- agent_tools (SCHEMA.md): anyone (anon too) sees enabled rows; authenticated
-- users manage the rows of agents in their own tenant, never another tenant's.
-- The schema also lets a tenant see its own disabled rows (to re-enable them);
-- other tenants and anon never see a disabled row. service_role bypasses RLS.
BEGIN;
SELECT plan(33);
\ir fixtures.psql

-- SELECT ----------------------------------------------------------------------
SELECT fx.act_as('anon');
SELECT set_eq($$SELECT id FROM public.agent_tools$$,
              $$VALUES (fx.id('at_a_on')), (fx.id('at_b_on'))$$,
              'anon sees exactly the enabled agent_tools rows');
SELECT is((SELECT count(*)::int FROM public.agent_tools WHERE NOT enabled), 0,
          'anon sees no disabled agent_tools row');

SELECT fx.act_as('a1');
SELECT set_eq($$SELECT id FROM public.agent_tools$$,
              $$VALUES (fx.id('at_a_on')), (fx.id('at_a_off')), (fx.id('at_b_on'))$$,
              'a1 sees every enabled row and the disabled rows of tenant A''s agents');
SELECT is((SELECT count(*)::int FROM public.agent_tools WHERE id = fx.id('at_b_off')), 0,
          'a1 cannot see a disabled row of tenant B''s agent');

SELECT fx.act_as('a2');
SELECT is((SELECT count(*)::int FROM public.agent_tools WHERE id = fx.id('at_a_off')), 1,
          'a2 (same tenant) sees the disabled row of tenant A''s agent');

SELECT fx.act_as('b1');
SELECT set_eq($$SELECT id FROM public.agent_tools$$,
              $$VALUES (fx.id('at_a_on')), (fx.id('at_b_on')), (fx.id('at_b_off'))$$,
              'b1 sees every enabled row and the disabled rows of tenant B''s agents');

SELECT fx.act_as('nobody');
SELECT set_eq($$SELECT id FROM public.agent_tools$$,
              $$VALUES (fx.id('at_a_on')), (fx.id('at_b_on'))$$,
              'an authenticated user without a profile sees only enabled rows');

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
SELECT is(count(*)::int, 0, 'b1 cannot update an enabled row of tenant A, though b1 can see it') FROM d;
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
SELECT is(count(*)::int, 0, 'a1 cannot update an enabled row of tenant B, though a1 can see it') FROM d;
SELECT throws_ok(
  $$UPDATE public.agent_tools SET agent_id = fx.id('agent_b_spare') WHERE id = fx.id('at_a_on')$$,
  '42501', NULL, 'a1 cannot move a row onto an agent of tenant B (WITH CHECK)');

SELECT fx.act_as('service_role');
WITH d AS (UPDATE public.agent_tools SET enabled = true WHERE id = fx.id('at_b_off') RETURNING 1)
SELECT is(count(*)::int, 1, 'service_role updates any row') FROM d;

SELECT fx.act_as('postgres');
SELECT results_eq(
  $$SELECT agent_id, enabled, priority FROM public.agent_tools
     WHERE id IN (fx.id('at_a_on'), fx.id('at_a_off'), fx.id('at_b_on')) ORDER BY priority$$,
  $$VALUES (fx.id('agent_b'), true, 1), (fx.id('agent_a'), true, 2), (fx.id('agent_a'), true, 5)$$,
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
