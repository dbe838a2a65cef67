-- user_memory (SCHEMA.md): only the owner, and only within the owner's tenant,
-- for every command (select, insert, update, delete). Not a colleague of the
-- same tenant, not another tenant, not anon. service_role bypasses RLS.
BEGIN;
SELECT plan(37);
\ir fixtures.psql

-- SELECT ----------------------------------------------------------------------
SELECT fx.act_as('a1');
SELECT set_eq($$SELECT id FROM public.user_memory$$, $$VALUES (fx.id('mem_a1'))$$,
              'a1 reads exactly their own memory of tenant A');
SELECT is((SELECT count(*)::int FROM public.user_memory WHERE id = fx.id('mem_a2')), 0,
          'a1 cannot read a2''s memory (same tenant)');
SELECT is((SELECT count(*)::int FROM public.user_memory WHERE id = fx.id('mem_a1_in_b')), 0,
          'a1 cannot read their own memory row filed under tenant B');
SELECT is((SELECT count(*)::int FROM public.user_memory WHERE id = fx.id('mem_b1')), 0,
          'a1 cannot read b1''s memory (other tenant)');

SELECT fx.act_as('a2');
SELECT set_eq($$SELECT id FROM public.user_memory$$, $$VALUES (fx.id('mem_a2'))$$,
              'a2 reads exactly their own memory');

SELECT fx.act_as('b1');
SELECT set_eq($$SELECT id FROM public.user_memory$$, $$VALUES (fx.id('mem_b1'))$$,
              'b1 reads exactly their own memory (not a1''s row filed under tenant B)');

SELECT fx.act_as('nobody');
SELECT is((SELECT count(*)::int FROM public.user_memory), 0,
          'an authenticated user without a profile reads no memory');

SELECT fx.act_as('anon');
SELECT is((SELECT count(*)::int FROM public.user_memory), 0, 'anon reads no memory');

SELECT fx.act_as('service_role');
SELECT is((SELECT count(*)::int FROM public.user_memory
            WHERE id IN (fx.id('mem_a1'), fx.id('mem_a2'), fx.id('mem_b1'), fx.id('mem_b2'), fx.id('mem_a1_in_b'))), 5,
          'service_role reads every memory row');

-- INSERT ----------------------------------------------------------------------
SELECT fx.act_as('a1');
SELECT lives_ok(
  $$INSERT INTO public.user_memory (id, tenant_id, user_id, memory_type, key, value, confidence_score, source_conversation_id)
    VALUES (fx.id('mem_new_a1'), fx.id('tenant_a'), fx.id('user_a1'), 'goal', 'ship', 'ship v1', 0.8, fx.id('conv_a1'))$$,
  'a1 stores a memory of their own in tenant A');
SELECT is((SELECT count(*)::int FROM public.user_memory WHERE id = fx.id('mem_new_a1')), 1,
          'a1 reads the memory they stored');
SELECT throws_ok(
  $$INSERT INTO public.user_memory (tenant_id, user_id, key, value)
    VALUES (fx.id('tenant_a'), fx.id('user_a2'), 'planted', 'by a1')$$,
  '42501', NULL, 'a1 cannot store a memory for a2 (same tenant)');
SELECT throws_ok(
  $$INSERT INTO public.user_memory (tenant_id, user_id, key, value)
    VALUES (fx.id('tenant_b'), fx.id('user_a1'), 'elsewhere', 'a1 into tenant B')$$,
  '42501', NULL, 'a1 cannot store a memory of their own in tenant B');

SELECT fx.act_as('a2');
SELECT throws_ok(
  $$INSERT INTO public.user_memory (tenant_id, user_id, key, value)
    VALUES (fx.id('tenant_a'), fx.id('user_a1'), 'planted', 'by a2')$$,
  '42501', NULL, 'a2 (same tenant, not owner) cannot store a memory for a1');

SELECT fx.act_as('b1');
SELECT throws_ok(
  $$INSERT INTO public.user_memory (tenant_id, user_id, key, value)
    VALUES (fx.id('tenant_a'), fx.id('user_a1'), 'planted', 'by b1')$$,
  '42501', NULL, 'b1 (other tenant) cannot store a memory for a1 in tenant A');

SELECT fx.act_as('anon');
SELECT throws_ok(
  $$INSERT INTO public.user_memory (tenant_id, user_id, key, value)
    VALUES (fx.id('tenant_a'), fx.id('user_a1'), 'planted', 'by anon')$$,
  '42501', NULL, 'anon cannot store a memory');

SELECT fx.act_as('service_role');
SELECT lives_ok(
  $$INSERT INTO public.user_memory (tenant_id, user_id, key, value)
    VALUES (fx.id('tenant_b'), fx.id('user_b2'), 'tz', 'Europe/Paris')$$,
  'service_role stores a memory for any user');

-- UPDATE ----------------------------------------------------------------------
SELECT fx.act_as('a2');
WITH d AS (UPDATE public.user_memory SET value = 'overwritten by a2' WHERE id = fx.id('mem_a1') RETURNING 1)
SELECT is(count(*)::int, 0, 'a2 cannot update a1''s memory even in the same tenant') FROM d;

SELECT fx.act_as('b1');
WITH d AS (UPDATE public.user_memory SET value = 'overwritten by b1' WHERE id = fx.id('mem_a1') RETURNING 1)
SELECT is(count(*)::int, 0, 'b1 (other tenant) cannot update a1''s memory') FROM d;
WITH d AS (UPDATE public.user_memory SET value = 'overwritten by b1' WHERE id = fx.id('mem_a1_in_b') RETURNING 1)
SELECT is(count(*)::int, 0, 'b1 cannot update a1''s memory row filed under tenant B') FROM d;

SELECT fx.act_as('anon');
WITH d AS (UPDATE public.user_memory SET value = 'overwritten by anon' RETURNING 1)
SELECT is(count(*)::int, 0, 'anon cannot update any memory') FROM d;

SELECT fx.act_as('a1');
WITH d AS (UPDATE public.user_memory SET value = 'overwritten by a1' WHERE id = fx.id('mem_a1_in_b') RETURNING 1)
SELECT is(count(*)::int, 0, 'a1 cannot update their own memory row outside their tenant') FROM d;
WITH d AS (UPDATE public.user_memory SET value = 'a1 likes C++ and SQL', confidence_score = 0.9
            WHERE id = fx.id('mem_a1') RETURNING 1)
SELECT is(count(*)::int, 1, 'owner a1 updates own memory') FROM d;
SELECT throws_ok(
  $$UPDATE public.user_memory SET tenant_id = fx.id('tenant_b') WHERE id = fx.id('mem_a1')$$,
  '42501', NULL, 'a1 cannot move own memory into tenant B (WITH CHECK)');
SELECT throws_ok(
  $$UPDATE public.user_memory SET user_id = fx.id('user_a2') WHERE id = fx.id('mem_a1')$$,
  '42501', NULL, 'a1 cannot hand own memory over to a2 (WITH CHECK)');

-- A bare UPDATE (no WHERE, no RETURNING) skips the SELECT policy, so only
-- the UPDATE policy keeps a1 inside tenant A.
UPDATE public.user_memory SET source = 'bulk-a1';

SELECT fx.act_as('service_role');
WITH d AS (UPDATE public.user_memory SET expires_at = now() + interval '1 day' WHERE id = fx.id('mem_b1') RETURNING 1)
SELECT is(count(*)::int, 1, 'service_role updates any memory') FROM d;

SELECT fx.act_as('postgres');
SELECT results_eq(
  $$SELECT id, tenant_id, user_id, value FROM public.user_memory
     WHERE id IN (fx.id('mem_a1'), fx.id('mem_a1_in_b')) ORDER BY value$$,
  $$VALUES (fx.id('mem_a1'), fx.id('tenant_a'), fx.id('user_a1'), 'a1 likes C++ and SQL'),
           (fx.id('mem_a1_in_b'), fx.id('tenant_b'), fx.id('user_a1'), 'a1 row in tenant B')$$,
  'only the owner''s permitted update changed a1''s memory');
SELECT set_eq($$SELECT id FROM public.user_memory WHERE source = 'bulk-a1'$$,
              $$VALUES (fx.id('mem_a1')), (fx.id('mem_new_a1'))$$,
              'an unfiltered UPDATE by a1 reaches only a1''s own memory in tenant A');

-- DELETE ----------------------------------------------------------------------
SELECT fx.act_as('a2');
WITH d AS (DELETE FROM public.user_memory WHERE id = fx.id('mem_a1') RETURNING 1)
SELECT is(count(*)::int, 0, 'a2 (same tenant) cannot delete a1''s memory') FROM d;

SELECT fx.act_as('b1');
WITH d AS (DELETE FROM public.user_memory WHERE id IN (fx.id('mem_a1'), fx.id('mem_a1_in_b')) RETURNING 1)
SELECT is(count(*)::int, 0, 'b1 (other tenant) cannot delete a1''s memory, in either tenant') FROM d;

SELECT fx.act_as('anon');
WITH d AS (DELETE FROM public.user_memory RETURNING 1)
SELECT is(count(*)::int, 0, 'anon cannot delete any memory') FROM d;

SELECT fx.act_as('nobody');
WITH d AS (DELETE FROM public.user_memory RETURNING 1)
SELECT is(count(*)::int, 0, 'an authenticated user without a profile cannot delete any memory') FROM d;

SELECT fx.act_as('a1');
WITH d AS (DELETE FROM public.user_memory WHERE id = fx.id('mem_a1_in_b') RETURNING 1)
SELECT is(count(*)::int, 0, 'a1 cannot delete their own memory row outside their tenant') FROM d;
WITH d AS (DELETE FROM public.user_memory WHERE id = fx.id('mem_a2') RETURNING 1)
SELECT is(count(*)::int, 0, 'a1 cannot delete a2''s memory') FROM d;
WITH d AS (DELETE FROM public.user_memory WHERE id = fx.id('mem_a1') RETURNING 1)
SELECT is(count(*)::int, 1, 'owner a1 deletes own memory') FROM d;
-- A bare DELETE (no WHERE, no RETURNING) skips the SELECT policy too.
DELETE FROM public.user_memory;

SELECT fx.act_as('service_role');
WITH d AS (DELETE FROM public.user_memory WHERE id = fx.id('mem_b2') RETURNING 1)
SELECT is(count(*)::int, 1, 'service_role deletes any memory') FROM d;

SELECT fx.act_as('postgres');
SELECT set_eq(
  $$SELECT id FROM public.user_memory
     WHERE id IN (fx.id('mem_a1'), fx.id('mem_a2'), fx.id('mem_b1'), fx.id('mem_b2'), fx.id('mem_a1_in_b'),
                  fx.id('mem_new_a1'))$$,
  $$VALUES (fx.id('mem_a2')), (fx.id('mem_b1')), (fx.id('mem_a1_in_b'))$$,
  'only the permitted deletes removed memory rows (an unfiltered DELETE by a1 included)');

SELECT * FROM finish();
ROLLBACK;
