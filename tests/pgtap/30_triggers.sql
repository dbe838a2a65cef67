-- Triggers (SCHEMA.md, "Everything else"): updated_at is set on every update
-- of every table that has it (the five new tables and tenants, profiles,
-- agents, tools, departments), whoever updates and whatever they send; and
-- inserting a message moves its conversation's last_message_at to the
-- message's created_at, never backwards.
BEGIN;
SELECT plan(22);
\ir fixtures.psql

-- Age one fixture row per table. session_replication_role = replica switches
-- the updated_at triggers off for this step only (the superuser may).
SET LOCAL session_replication_role = replica;
UPDATE public.conversations        SET updated_at = '2000-01-01 00:00:00+00' WHERE id IN (fx.id('conv_a1'), fx.id('conv_a2'));
UPDATE public.agent_tools          SET updated_at = '2000-01-01 00:00:00+00' WHERE id = fx.id('at_a_off');
UPDATE public.organizational_roles SET updated_at = '2000-01-01 00:00:00+00' WHERE id = fx.id('orole_dev');
UPDATE public.business_functions   SET updated_at = '2000-01-01 00:00:00+00' WHERE id = fx.id('bf_leads');
UPDATE public.user_memory          SET updated_at = '2000-01-01 00:00:00+00' WHERE id = fx.id('mem_a1');
UPDATE public.tenants              SET updated_at = '2000-01-01 00:00:00+00' WHERE id = fx.id('tenant_a');
UPDATE public.profiles             SET updated_at = '2000-01-01 00:00:00+00' WHERE id = fx.id('user_a1');
UPDATE public.agents               SET updated_at = '2000-01-01 00:00:00+00' WHERE id = fx.id('agent_a');
UPDATE public.tools                SET updated_at = '2000-01-01 00:00:00+00' WHERE id = fx.id('tool_search');
UPDATE public.departments          SET updated_at = '2000-01-01 00:00:00+00' WHERE id = fx.id('dept_sales');
SET LOCAL session_replication_role = origin;

SELECT is(
  (SELECT count(*)::int FROM (
     SELECT updated_at FROM public.conversations WHERE id IN (fx.id('conv_a1'), fx.id('conv_a2'))
     UNION ALL SELECT updated_at FROM public.agent_tools WHERE id = fx.id('at_a_off')
     UNION ALL SELECT updated_at FROM public.organizational_roles WHERE id = fx.id('orole_dev')
     UNION ALL SELECT updated_at FROM public.business_functions WHERE id = fx.id('bf_leads')
     UNION ALL SELECT updated_at FROM public.user_memory WHERE id = fx.id('mem_a1')
     UNION ALL SELECT updated_at FROM public.tenants WHERE id = fx.id('tenant_a')
     UNION ALL SELECT updated_at FROM public.profiles WHERE id = fx.id('user_a1')
     UNION ALL SELECT updated_at FROM public.agents WHERE id = fx.id('agent_a')
     UNION ALL SELECT updated_at FROM public.tools WHERE id = fx.id('tool_search')
     UNION ALL SELECT updated_at FROM public.departments WHERE id = fx.id('dept_sales')
   ) aged WHERE updated_at = '2000-01-01 00:00:00+00'), 11,
  'precondition: one row per table has updated_at = 2000-01-01');

-- updated_at: each table, updated by someone allowed to ---------------------------
SELECT fx.act_as('a1');
UPDATE public.conversations SET title = 'touched' WHERE id = fx.id('conv_a1');
UPDATE public.user_memory SET value = 'touched' WHERE id = fx.id('mem_a1');
UPDATE public.profiles SET display_name = 'touched' WHERE id = fx.id('user_a1');
SELECT fx.act_as('a2');
UPDATE public.agent_tools SET enabled = true WHERE id = fx.id('at_a_off');
UPDATE public.agents SET model = 'touched' WHERE id = fx.id('agent_a');
-- The fixtures' organisation rows are platform rows: service_role changes them.
SELECT fx.act_as('service_role');
UPDATE public.business_functions SET description = 'touched' WHERE id = fx.id('bf_leads');
UPDATE public.organizational_roles SET level = 'senior' WHERE id = fx.id('orole_dev');
UPDATE public.departments SET description = 'touched' WHERE id = fx.id('dept_sales');
UPDATE public.tenants SET name = 'touched' WHERE id = fx.id('tenant_a');
UPDATE public.tools SET description = 'touched' WHERE id = fx.id('tool_search');
SELECT fx.act_as('postgres');

SELECT cmp_ok((SELECT updated_at FROM public.conversations WHERE id = fx.id('conv_a1')), '>=', now(),
              'conversations.updated_at moves on UPDATE (by the owner)');
SELECT cmp_ok((SELECT updated_at FROM public.user_memory WHERE id = fx.id('mem_a1')), '>=', now(),
              'user_memory.updated_at moves on UPDATE (by the owner)');
SELECT cmp_ok((SELECT updated_at FROM public.agent_tools WHERE id = fx.id('at_a_off')), '>=', now(),
              'agent_tools.updated_at moves on UPDATE (by a user of the tenant)');
SELECT cmp_ok((SELECT updated_at FROM public.organizational_roles WHERE id = fx.id('orole_dev')), '>=', now(),
              'organizational_roles.updated_at moves on UPDATE');
SELECT cmp_ok((SELECT updated_at FROM public.business_functions WHERE id = fx.id('bf_leads')), '>=', now(),
              'business_functions.updated_at moves on UPDATE');
SELECT cmp_ok((SELECT updated_at FROM public.tenants WHERE id = fx.id('tenant_a')), '>=', now(),
              'tenants.updated_at moves on UPDATE (by service_role)');
SELECT cmp_ok((SELECT updated_at FROM public.profiles WHERE id = fx.id('user_a1')), '>=', now(),
              'profiles.updated_at moves on UPDATE (by the user, through the display_name column grant)');
SELECT cmp_ok((SELECT updated_at FROM public.agents WHERE id = fx.id('agent_a')), '>=', now(),
              'agents.updated_at moves on UPDATE');
SELECT cmp_ok((SELECT updated_at FROM public.tools WHERE id = fx.id('tool_search')), '>=', now(),
              'tools.updated_at moves on UPDATE (by service_role)');
SELECT cmp_ok((SELECT updated_at FROM public.departments WHERE id = fx.id('dept_sales')), '>=', now(),
              'departments.updated_at moves on UPDATE');
SELECT is((SELECT updated_at FROM public.conversations WHERE id = fx.id('conv_a2')), '2000-01-01 00:00:00+00'::timestamptz,
          'updated_at of a row that was not updated stays as it was');

-- A client cannot forge updated_at.
SELECT fx.act_as('a1');
UPDATE public.user_memory SET value = 'forged', updated_at = '1999-01-01 00:00:00+00' WHERE id = fx.id('mem_a1');
SELECT cmp_ok((SELECT updated_at FROM public.user_memory WHERE id = fx.id('mem_a1')), '>=', now(),
              'an UPDATE that sets updated_at itself still gets the trigger''s time');

-- last_message_at ---------------------------------------------------------------
SELECT fx.act_as('postgres');
UPDATE public.conversations SET last_message_at = '2020-01-01 00:00:00+00'
 WHERE id IN (fx.id('conv_a1'), fx.id('conv_a2'), fx.id('conv_b1'));

SELECT fx.act_as('service_role');
INSERT INTO public.messages (tenant_id, conversation_id, role, content, created_at)
VALUES (fx.id('tenant_a'), fx.id('conv_a2'), 'assistant', 'later', '2021-06-01 12:00:00+00');
SELECT is((SELECT last_message_at FROM public.conversations WHERE id = fx.id('conv_a2')),
          '2021-06-01 12:00:00+00'::timestamptz,
          'a new message moves its conversation''s last_message_at to the message''s created_at');
INSERT INTO public.messages (tenant_id, conversation_id, role, content, created_at)
VALUES (fx.id('tenant_a'), fx.id('conv_a2'), 'system', 'earlier', '2021-01-01 12:00:00+00');
SELECT is((SELECT last_message_at FROM public.conversations WHERE id = fx.id('conv_a2')),
          '2021-06-01 12:00:00+00'::timestamptz,
          'an older message does not move last_message_at backwards');
INSERT INTO public.messages (tenant_id, conversation_id, role, content, created_at)
VALUES (fx.id('tenant_a'), fx.id('conv_a2'), 'assistant', 'second batch', '2021-06-01 12:00:01+00'),
       (fx.id('tenant_a'), fx.id('conv_a2'), 'assistant', 'first batch', '2021-05-01 00:00:00+00');
SELECT is((SELECT last_message_at FROM public.conversations WHERE id = fx.id('conv_a2')),
          '2021-06-01 12:00:01+00'::timestamptz,
          'a multi-row insert leaves last_message_at at the latest message, whatever the row order');
SELECT lives_ok(
  $$INSERT INTO public.messages (tenant_id, conversation_id, role, content)
    VALUES (fx.id('tenant_a'), NULL, 'system', 'no conversation')$$,
  'a message without a conversation is inserted without touching any conversation');

SELECT fx.act_as('a1');
INSERT INTO public.messages (tenant_id, conversation_id, role, content, created_at)
VALUES (fx.id('tenant_a'), fx.id('conv_a1'), 'user', 'from a1', '2022-02-02 02:02:02+00');
SELECT is((SELECT last_message_at FROM public.conversations WHERE id = fx.id('conv_a1')),
          '2022-02-02 02:02:02+00'::timestamptz,
          'a user''s own message (through RLS) moves their conversation''s last_message_at');
INSERT INTO public.messages (id, tenant_id, conversation_id, role, content)
VALUES (fx.id('msg_now_a1'), fx.id('tenant_a'), fx.id('conv_a1'), 'user', 'now from a1');
SELECT is((SELECT last_message_at FROM public.conversations WHERE id = fx.id('conv_a1')),
          (SELECT created_at FROM public.messages WHERE id = fx.id('msg_now_a1')),
          'a message with the default created_at moves last_message_at to it');

SELECT fx.act_as('b1');
SELECT throws_ok(
  $$INSERT INTO public.messages (tenant_id, conversation_id, role, content, created_at)
    VALUES (fx.id('tenant_b'), fx.id('conv_a1'), 'user', 'b1 tries', '2030-01-01 00:00:00+00')$$,
  '42501', NULL, 'b1''s message into a1''s conversation is refused');

SELECT fx.act_as('postgres');
SELECT cmp_ok((SELECT last_message_at FROM public.conversations WHERE id = fx.id('conv_a1')), '<', '2030-01-01'::timestamptz,
              'a refused message does not move last_message_at');
SELECT is((SELECT last_message_at FROM public.conversations WHERE id = fx.id('conv_b1')),
          '2020-01-01 00:00:00+00'::timestamptz,
          'messages move only their own conversation''s last_message_at');

SELECT * FROM finish();
ROLLBACK;
