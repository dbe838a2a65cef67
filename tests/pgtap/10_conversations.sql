-- conversations (SCHEMA.md): read by authenticated users whose tenant is the
-- row's tenant; insert, update and delete only by the owner
-- (user_id = auth.uid()) inside their own tenant. anon: nothing.
-- service_role bypasses RLS.
BEGIN;
SELECT plan(43);
\ir fixtures.psql

-- SELECT ----------------------------------------------------------------------
SELECT fx.act_as('a1');
SELECT set_eq($$SELECT title FROM public.conversations$$,
              ARRAY['conv a1', 'conv a2'],
              'a1 reads exactly the conversations of tenant A (own and a colleague''s)');
SELECT is((SELECT count(*)::int FROM public.conversations WHERE id = fx.id('conv_a1')), 1,
          'owner a1 reads own conversation');
SELECT is((SELECT count(*)::int FROM public.conversations WHERE id = fx.id('conv_b1')), 0,
          'a1 cannot read a conversation of tenant B');
SELECT is((SELECT count(*)::int FROM public.conversations WHERE id = fx.id('conv_a1_in_b')), 0,
          'a1 cannot read a conversation of theirs that is filed under tenant B');

SELECT fx.act_as('a2');
SELECT is((SELECT count(*)::int FROM public.conversations WHERE id = fx.id('conv_a1')), 1,
          'a2 (same tenant, not owner) reads a1''s conversation');

SELECT fx.act_as('b1');
SELECT set_eq($$SELECT title FROM public.conversations$$,
              ARRAY['conv b1', 'conv b2', 'conv a1 in b'],
              'b1 reads exactly the conversations of tenant B');
SELECT is((SELECT count(*)::int FROM public.conversations WHERE id = fx.id('conv_a1')), 0,
          'b1 (other tenant) cannot read a1''s conversation');

SELECT fx.act_as('nobody');
SELECT is((SELECT count(*)::int FROM public.conversations), 0,
          'an authenticated user without a profile reads no conversation');

SELECT fx.act_as('anon');
SELECT is((SELECT count(*)::int FROM public.conversations), 0, 'anon reads no conversation');

SELECT fx.act_as('service_role');
SELECT is((SELECT count(*)::int FROM public.conversations
            WHERE id IN (fx.id('conv_a1'), fx.id('conv_a2'), fx.id('conv_b1'), fx.id('conv_b2'),
                         fx.id('conv_a1_in_b'))), 5,
          'service_role reads every conversation');

-- INSERT ----------------------------------------------------------------------
SELECT fx.act_as('a1');
SELECT lives_ok(
  $$INSERT INTO public.conversations (id, tenant_id, user_id, title)
    VALUES (fx.id('conv_new_a1'), fx.id('tenant_a'), fx.id('user_a1'), 'new by a1')$$,
  'a1 creates a conversation of their own in tenant A');
SELECT is((SELECT count(*)::int FROM public.conversations WHERE id = fx.id('conv_new_a1')), 1,
          'a1 reads the conversation they created');
SELECT throws_ok(
  $$INSERT INTO public.conversations (tenant_id, user_id, title)
    VALUES (fx.id('tenant_a'), fx.id('user_a2'), 'for a2 by a1')$$,
  '42501', NULL, 'a1 cannot create a conversation owned by a2 (same tenant)');
SELECT throws_ok(
  $$INSERT INTO public.conversations (tenant_id, user_id, title)
    VALUES (fx.id('tenant_b'), fx.id('user_a1'), 'a1 into tenant B')$$,
  '42501', NULL, 'a1 cannot create a conversation of their own in tenant B');

SELECT fx.act_as('a2');
SELECT throws_ok(
  $$INSERT INTO public.conversations (tenant_id, user_id, title)
    VALUES (fx.id('tenant_a'), fx.id('user_a1'), 'for a1 by a2')$$,
  '42501', NULL, 'a2 (same tenant, not owner) cannot create a conversation for a1');

SELECT fx.act_as('b1');
SELECT throws_ok(
  $$INSERT INTO public.conversations (tenant_id, user_id, title)
    VALUES (fx.id('tenant_a'), fx.id('user_b1'), 'b1 into tenant A')$$,
  '42501', NULL, 'b1 (other tenant) cannot create a conversation in tenant A');
SELECT throws_ok(
  $$INSERT INTO public.conversations (tenant_id, user_id, title)
    VALUES (fx.id('tenant_a'), fx.id('user_a1'), 'for a1 by b1')$$,
  '42501', NULL, 'b1 (other tenant) cannot create a conversation for a1 in tenant A');

SELECT fx.act_as('nobody');
SELECT throws_ok(
  $$INSERT INTO public.conversations (tenant_id, user_id, title)
    VALUES (fx.id('tenant_a'), fx.id('user_nobody'), 'by nobody')$$,
  '42501', NULL, 'an authenticated user without a profile cannot create a conversation');

SELECT fx.act_as('anon');
SELECT throws_ok(
  $$INSERT INTO public.conversations (tenant_id, user_id, title)
    VALUES (fx.id('tenant_a'), fx.id('user_a1'), 'by anon')$$,
  '42501', NULL, 'anon cannot create a conversation');

SELECT fx.act_as('service_role');
SELECT lives_ok(
  $$INSERT INTO public.conversations (tenant_id, user_id, title)
    VALUES (fx.id('tenant_b'), fx.id('user_b2'), 'by service_role')$$,
  'service_role creates a conversation for any user and tenant');

-- UPDATE ----------------------------------------------------------------------
SELECT fx.act_as('a2');
WITH d AS (UPDATE public.conversations SET title = 'hijacked by a2' WHERE id = fx.id('conv_a1') RETURNING 1)
SELECT is(count(*)::int, 0, 'a2 (same tenant, not owner) cannot update a1''s conversation') FROM d;

SELECT fx.act_as('b1');
WITH d AS (UPDATE public.conversations SET title = 'hijacked by b1' WHERE id = fx.id('conv_a1') RETURNING 1)
SELECT is(count(*)::int, 0, 'b1 (other tenant) cannot update a1''s conversation') FROM d;
WITH d AS (UPDATE public.conversations SET title = 'hijacked by b1' WHERE id = fx.id('conv_a1_in_b') RETURNING 1)
SELECT is(count(*)::int, 0, 'b1 can read but not update a1''s conversation filed under tenant B') FROM d;

SELECT fx.act_as('anon');
WITH d AS (UPDATE public.conversations SET title = 'hijacked by anon' RETURNING 1)
SELECT is(count(*)::int, 0, 'anon cannot update any conversation') FROM d;

SELECT fx.act_as('a1');
WITH d AS (UPDATE public.conversations SET title = 'hijacked by a1' WHERE id = fx.id('conv_a1_in_b') RETURNING 1)
SELECT is(count(*)::int, 0, 'a1 cannot update a conversation of theirs outside their tenant') FROM d;
WITH d AS (UPDATE public.conversations SET title = 'renamed by a1', status = 'archived'
            WHERE id = fx.id('conv_a1') RETURNING 1)
SELECT is(count(*)::int, 1, 'owner a1 updates own conversation') FROM d;
SELECT throws_ok(
  $$UPDATE public.conversations SET tenant_id = fx.id('tenant_b') WHERE id = fx.id('conv_a1')$$,
  '42501', NULL, 'a1 cannot move own conversation into tenant B (WITH CHECK)');
SELECT throws_ok(
  $$UPDATE public.conversations SET user_id = fx.id('user_a2') WHERE id = fx.id('conv_a1')$$,
  '42501', NULL, 'a1 cannot hand own conversation over to a2 (WITH CHECK)');
SELECT throws_ok(
  $$UPDATE public.conversations SET user_id = fx.id('user_b1'), tenant_id = fx.id('tenant_b')
     WHERE id = fx.id('conv_a1')$$,
  '42501', NULL, 'a1 cannot give own conversation to b1 in tenant B (WITH CHECK)');

-- PostgREST always filters, but a bare UPDATE (no WHERE, no RETURNING) skips
-- the SELECT policy, so only the UPDATE policy keeps a1 inside tenant A.
UPDATE public.conversations SET metadata = '{"bulk": "a1"}';

SELECT fx.act_as('service_role');
WITH d AS (UPDATE public.conversations SET title = 'renamed by service_role' WHERE id = fx.id('conv_b1') RETURNING 1)
SELECT is(count(*)::int, 1, 'service_role updates any conversation') FROM d;

SELECT fx.act_as('postgres');
SELECT results_eq(
  $$SELECT id, tenant_id, user_id, title, status FROM public.conversations
     WHERE id IN (fx.id('conv_a1'), fx.id('conv_a1_in_b'), fx.id('conv_b1')) ORDER BY title$$,
  $$VALUES (fx.id('conv_a1_in_b'), fx.id('tenant_b'), fx.id('user_a1'), 'conv a1 in b', 'active'),
           (fx.id('conv_a1'), fx.id('tenant_a'), fx.id('user_a1'), 'renamed by a1', 'archived'),
           (fx.id('conv_b1'), fx.id('tenant_b'), fx.id('user_b1'), 'renamed by service_role', 'active')$$,
  'only the permitted updates changed conversations');
SELECT set_eq($$SELECT id FROM public.conversations WHERE metadata = '{"bulk": "a1"}'$$,
              $$VALUES (fx.id('conv_a1')), (fx.id('conv_new_a1'))$$,
              'an unfiltered UPDATE by a1 reaches only a1''s own conversations in tenant A');

-- DELETE ----------------------------------------------------------------------
SELECT fx.act_as('a2');
WITH d AS (DELETE FROM public.conversations WHERE id = fx.id('conv_a1') RETURNING 1)
SELECT is(count(*)::int, 0, 'a2 (same tenant, not owner) cannot delete a1''s conversation') FROM d;

SELECT fx.act_as('b1');
WITH d AS (DELETE FROM public.conversations WHERE id = fx.id('conv_a1') RETURNING 1)
SELECT is(count(*)::int, 0, 'b1 (other tenant) cannot delete a1''s conversation') FROM d;
WITH d AS (DELETE FROM public.conversations WHERE id = fx.id('conv_a1_in_b') RETURNING 1)
SELECT is(count(*)::int, 0, 'b1 cannot delete a1''s conversation filed under tenant B') FROM d;

SELECT fx.act_as('anon');
WITH d AS (DELETE FROM public.conversations RETURNING 1)
SELECT is(count(*)::int, 0, 'anon cannot delete any conversation') FROM d;

SELECT fx.act_as('nobody');
WITH d AS (DELETE FROM public.conversations RETURNING 1)
SELECT is(count(*)::int, 0, 'an authenticated user without a profile cannot delete any conversation') FROM d;

SELECT fx.act_as('a1');
WITH d AS (DELETE FROM public.conversations WHERE id = fx.id('conv_a1_in_b') RETURNING 1)
SELECT is(count(*)::int, 0, 'a1 cannot delete a conversation of theirs outside their tenant') FROM d;
WITH d AS (DELETE FROM public.conversations WHERE id = fx.id('conv_a2') RETURNING 1)
SELECT is(count(*)::int, 0, 'a1 cannot delete a2''s conversation (same tenant)') FROM d;
WITH d AS (DELETE FROM public.conversations WHERE id = fx.id('conv_a1') RETURNING 1)
SELECT is(count(*)::int, 1, 'owner a1 deletes own conversation') FROM d;
-- A bare DELETE (no WHERE, no RETURNING) skips the SELECT policy too.
DELETE FROM public.conversations;

SELECT fx.act_as('service_role');
WITH d AS (DELETE FROM public.conversations WHERE id = fx.id('conv_b2') RETURNING 1)
SELECT is(count(*)::int, 1, 'service_role deletes any conversation') FROM d;

SELECT fx.act_as('postgres');
SELECT set_eq(
  $$SELECT id FROM public.conversations
     WHERE id IN (fx.id('conv_a1'), fx.id('conv_a2'), fx.id('conv_b1'), fx.id('conv_b2'),
                  fx.id('conv_a1_in_b'), fx.id('conv_new_a1'))$$,
  $$VALUES (fx.id('conv_a2')), (fx.id('conv_b1')), (fx.id('conv_a1_in_b'))$$,
  'only the permitted deletes removed conversations (an unfiltered DELETE by a1 included)');
SELECT is((SELECT count(*)::int FROM public.messages WHERE conversation_id = fx.id('conv_a1')), 0,
          'deleting a conversation deletes its messages');

SELECT * FROM finish();
ROLLBACK;
