-- messages (SCHEMA.md): readable by users who can read the message's
-- conversation; the conversation's owner appends user messages (role 'user');
-- service_role appends agent/tool messages. Nobody else writes: users neither
-- edit nor delete history. anon: nothing.
BEGIN;
SELECT plan(37);
\ir fixtures.psql

-- SELECT ----------------------------------------------------------------------
SELECT fx.act_as('a1');
SELECT set_eq($$SELECT id FROM public.messages$$,
              $$VALUES (fx.id('msg_a1_user')), (fx.id('msg_a1_assistant')), (fx.id('msg_a2_user'))$$,
              'a1 reads exactly the messages of the conversations of tenant A');
SELECT is((SELECT count(*)::int FROM public.messages WHERE conversation_id = fx.id('conv_a1')), 2,
          'owner a1 reads the user and assistant messages of own conversation');
SELECT is((SELECT count(*)::int FROM public.messages WHERE id = fx.id('msg_a_in_conv_b1')), 0,
          'a1 cannot read a message of tenant B''s conversation, though the message row names tenant A');
SELECT is((SELECT count(*)::int FROM public.messages WHERE id = fx.id('msg_a_orphan')), 0,
          'a1 cannot read a message that has no conversation');
SELECT is((SELECT count(*)::int FROM public.messages WHERE id = fx.id('msg_b1_user')), 0,
          'a1 cannot read messages of tenant B');

SELECT fx.act_as('a2');
SELECT is((SELECT count(*)::int FROM public.messages WHERE conversation_id = fx.id('conv_a1')), 2,
          'a2 (same tenant, can read the conversation) reads a1''s conversation''s messages');

SELECT fx.act_as('b1');
SELECT is((SELECT count(*)::int FROM public.messages WHERE conversation_id = fx.id('conv_a1')), 0,
          'b1 (other tenant) cannot read the messages of a1''s conversation');
SELECT is((SELECT count(*)::int FROM public.messages WHERE id = fx.id('msg_b1_user')), 1,
          'b1 reads own conversation''s message');

SELECT fx.act_as('anon');
SELECT is((SELECT count(*)::int FROM public.messages), 0, 'anon reads no message');

SELECT fx.act_as('service_role');
SELECT is((SELECT count(*)::int FROM public.messages
            WHERE id IN (fx.id('msg_a1_user'), fx.id('msg_a1_assistant'), fx.id('msg_a2_user'),
                         fx.id('msg_b1_user'), fx.id('msg_a_orphan'), fx.id('msg_a_in_conv_b1'))), 6,
          'service_role reads every message');

-- INSERT ----------------------------------------------------------------------
SELECT fx.act_as('a1');
SELECT lives_ok(
  $$INSERT INTO public.messages (id, tenant_id, conversation_id, role, content)
    VALUES (fx.id('msg_new_a1'), fx.id('tenant_a'), fx.id('conv_a1'), 'user', 'a1 appends')$$,
  'owner a1 appends a user message to own conversation');
SELECT is((SELECT count(*)::int FROM public.messages WHERE id = fx.id('msg_new_a1')), 1,
          'a1 reads the message they appended');
SELECT throws_ok(
  $$INSERT INTO public.messages (tenant_id, conversation_id, role, content)
    VALUES (fx.id('tenant_a'), fx.id('conv_a1'), 'assistant', 'a1 forges the agent')$$,
  '42501', NULL, 'a1 cannot append an assistant message to own conversation');
SELECT throws_ok(
  $$INSERT INTO public.messages (tenant_id, conversation_id, role, content)
    VALUES (fx.id('tenant_a'), fx.id('conv_a1'), 'system', 'a1 forges a system prompt')$$,
  '42501', NULL, 'a1 cannot append a system message to own conversation');
SELECT throws_ok(
  $$INSERT INTO public.messages (tenant_id, conversation_id, role, content)
    VALUES (fx.id('tenant_a'), fx.id('conv_a1'), 'tool', 'a1 forges a tool result')$$,
  '42501', NULL, 'a1 cannot append a tool message to own conversation');
SELECT throws_ok(
  $$INSERT INTO public.messages (tenant_id, conversation_id, role, content)
    VALUES (fx.id('tenant_a'), fx.id('conv_a2'), 'user', 'a1 into a2''s conversation')$$,
  '42501', NULL, 'a1 cannot append to a2''s conversation (same tenant, not owner)');
SELECT throws_ok(
  $$INSERT INTO public.messages (tenant_id, conversation_id, role, content)
    VALUES (fx.id('tenant_b'), fx.id('conv_a1'), 'user', 'a1 labels it tenant B')$$,
  '42501', NULL, 'a1 cannot append a message labelled with tenant B');
SELECT throws_ok(
  $$INSERT INTO public.messages (tenant_id, conversation_id, role, content)
    VALUES (fx.id('tenant_a'), fx.id('conv_a1_in_b'), 'user', 'a1 into own conversation in B')$$,
  '42501', NULL, 'a1 cannot append to a conversation of theirs outside their tenant');
SELECT throws_ok(
  $$INSERT INTO public.messages (tenant_id, conversation_id, role, content)
    VALUES (fx.id('tenant_a'), NULL, 'user', 'a1 without conversation')$$,
  '42501', NULL, 'a1 cannot insert a message without a conversation');

SELECT fx.act_as('b1');
SELECT throws_ok(
  $$INSERT INTO public.messages (tenant_id, conversation_id, role, content)
    VALUES (fx.id('tenant_b'), fx.id('conv_a1'), 'user', 'b1 into a1''s conversation')$$,
  '42501', NULL, 'b1 (other tenant) cannot append to a1''s conversation');
SELECT throws_ok(
  $$INSERT INTO public.messages (tenant_id, conversation_id, role, content)
    VALUES (fx.id('tenant_a'), fx.id('conv_a1'), 'user', 'b1 into a1''s conversation as tenant A')$$,
  '42501', NULL, 'b1 (other tenant) cannot append to a1''s conversation labelled tenant A');

SELECT fx.act_as('anon');
SELECT throws_ok(
  $$INSERT INTO public.messages (tenant_id, conversation_id, role, content)
    VALUES (fx.id('tenant_a'), fx.id('conv_a1'), 'user', 'anon')$$,
  '42501', NULL, 'anon cannot insert a message');

SELECT fx.act_as('service_role');
SELECT lives_ok(
  $$INSERT INTO public.messages (tenant_id, conversation_id, role, content)
    VALUES (fx.id('tenant_a'), fx.id('conv_a1'), 'assistant', 'the agent answers')$$,
  'service_role appends an assistant message');
SELECT lives_ok(
  $$INSERT INTO public.messages (tenant_id, conversation_id, role, content, tool_calls, tool_call_id) VALUES
    (fx.id('tenant_a'), fx.id('conv_a1'), 'assistant', '',
     '[{"id": "call_calc", "type": "function", "function": {"name": "calc", "arguments": "{}"}}]', NULL),
    (fx.id('tenant_a'), fx.id('conv_a1'), 'tool', '42', NULL, 'call_calc')$$,
  'service_role appends a tool call and its result (a tool message)');

SELECT fx.act_as('a1');
SELECT is((SELECT count(*)::int FROM public.messages WHERE conversation_id = fx.id('conv_a1')), 6,
          'a1 reads the messages service_role appended to own conversation');

-- UPDATE ----------------------------------------------------------------------
SELECT fx.act_as('a1');
WITH d AS (UPDATE public.messages SET content = 'edited by a1' WHERE id = fx.id('msg_a1_user') RETURNING 1)
SELECT is(count(*)::int, 0, 'owner a1 cannot edit a message of own conversation') FROM d;

SELECT fx.act_as('a2');
WITH d AS (UPDATE public.messages SET content = 'edited by a2' WHERE id = fx.id('msg_a1_user') RETURNING 1)
SELECT is(count(*)::int, 0, 'a2 (same tenant) cannot edit a1''s message') FROM d;

SELECT fx.act_as('b1');
WITH d AS (UPDATE public.messages SET content = 'edited by b1' WHERE id = fx.id('msg_a1_user') RETURNING 1)
SELECT is(count(*)::int, 0, 'b1 (other tenant) cannot edit a1''s message') FROM d;

SELECT fx.act_as('anon');
WITH d AS (UPDATE public.messages SET content = 'edited by anon' RETURNING 1)
SELECT is(count(*)::int, 0, 'anon cannot edit any message') FROM d;

SELECT fx.act_as('service_role');
WITH d AS (UPDATE public.messages SET metadata = '{"redacted": true}' WHERE id = fx.id('msg_b1_user') RETURNING 1)
SELECT is(count(*)::int, 1, 'service_role edits a message') FROM d;

SELECT fx.act_as('postgres');
SELECT is((SELECT content FROM public.messages WHERE id = fx.id('msg_a1_user')), 'hello from a1',
          'the denied edits left a1''s message unchanged');

-- DELETE ----------------------------------------------------------------------
SELECT fx.act_as('a1');
WITH d AS (DELETE FROM public.messages WHERE id = fx.id('msg_a1_user') RETURNING 1)
SELECT is(count(*)::int, 0, 'owner a1 cannot delete a message of own conversation') FROM d;

SELECT fx.act_as('a2');
WITH d AS (DELETE FROM public.messages WHERE id = fx.id('msg_a1_user') RETURNING 1)
SELECT is(count(*)::int, 0, 'a2 (same tenant) cannot delete a1''s message') FROM d;

SELECT fx.act_as('b1');
WITH d AS (DELETE FROM public.messages WHERE id = fx.id('msg_a1_user') RETURNING 1)
SELECT is(count(*)::int, 0, 'b1 (other tenant) cannot delete a1''s message') FROM d;

SELECT fx.act_as('anon');
WITH d AS (DELETE FROM public.messages RETURNING 1)
SELECT is(count(*)::int, 0, 'anon cannot delete any message') FROM d;

SELECT fx.act_as('service_role');
WITH d AS (DELETE FROM public.messages WHERE id = fx.id('msg_a_orphan') RETURNING 1)
SELECT is(count(*)::int, 1, 'service_role deletes a message') FROM d;

SELECT fx.act_as('postgres');
SELECT is((SELECT count(*)::int FROM public.messages WHERE id = fx.id('msg_a1_user')), 1,
          'the denied deletes left a1''s message in place');

SELECT * FROM finish();
ROLLBACK;
