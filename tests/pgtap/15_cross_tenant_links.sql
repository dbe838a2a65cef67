-- Writes stay inside the tenant even through references: a user cannot file
-- a conversation under another tenant's agent, nor cite another tenant's
-- conversation as the source of a memory.
BEGIN;
SELECT plan(6);
\ir fixtures.psql

SELECT fx.act_as('a1');
SELECT throws_ok(
  format($$INSERT INTO public.conversations (tenant_id, user_id, agent_id, title) VALUES (%L, %L, %L, 'x')$$,
         fx.id('tenant_a'), fx.id('user_a1'), fx.id('agent_b')),
  '42501', NULL, 'a1 cannot start a conversation with tenant B''s agent');
SELECT lives_ok(
  format($$INSERT INTO public.conversations (tenant_id, user_id, agent_id, title) VALUES (%L, %L, %L, 'x')$$,
         fx.id('tenant_a'), fx.id('user_a1'), fx.id('agent_a')),
  'a1 can start a conversation with tenant A''s agent');
SELECT throws_ok(
  format($$UPDATE public.conversations SET agent_id = %L WHERE id = %L$$, fx.id('agent_b'), fx.id('conv_a1')),
  '42501', NULL, 'a1 cannot point a conversation at tenant B''s agent');
SELECT throws_ok(
  format($$INSERT INTO public.user_memory (tenant_id, user_id, key, value, source_conversation_id)
           VALUES (%L, %L, 'cross', 'v', %L)$$, fx.id('tenant_a'), fx.id('user_a1'), fx.id('conv_b1')),
  '42501', NULL, 'a1 cannot cite tenant B''s conversation as a memory source');
SELECT lives_ok(
  format($$INSERT INTO public.user_memory (tenant_id, user_id, key, value, source_conversation_id)
           VALUES (%L, %L, 'own', 'v', %L)$$, fx.id('tenant_a'), fx.id('user_a1'), fx.id('conv_a1')),
  'a1 can cite their own tenant''s conversation');
SELECT throws_ok(
  format($$UPDATE public.user_memory SET source_conversation_id = %L WHERE key = 'own'$$, fx.id('conv_b1')),
  '42501', NULL, 'a1 cannot re-point a memory at tenant B''s conversation');

SELECT * FROM finish();
ROLLBACK;
