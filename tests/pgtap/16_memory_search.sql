-- Semantic memory search (public.match_user_memory): nearest first, only the
-- caller's own memories (row level security applies: SECURITY INVOKER),
-- type filter, expiry, similarity floor.
BEGIN;
SELECT plan(6);
\ir fixtures.psql

-- A unit vector along axis k of the embedding space.
CREATE FUNCTION fx.axis(k integer, weight real DEFAULT 1) RETURNS real[] LANGUAGE sql IMMUTABLE AS $$
  SELECT array_agg(CASE WHEN i = k THEN weight ELSE 0.1 END::real ORDER BY i) FROM generate_series(1, 1536) i
$$;
GRANT EXECUTE ON FUNCTION fx.axis(integer, real) TO authenticated;

INSERT INTO public.user_memory (tenant_id, user_id, key, value, memory_type, embedding, expires_at) VALUES
  (fx.id('tenant_a'), fx.id('user_a1'), 'near', 'likes C++', 'preference', fx.axis(1), NULL),
  (fx.id('tenant_a'), fx.id('user_a1'), 'far', 'lives in Oslo', 'fact', fx.axis(2), NULL),
  (fx.id('tenant_a'), fx.id('user_a1'), 'expired', 'old goal', 'goal', fx.axis(1), now() - interval '1 day'),
  (fx.id('tenant_a'), fx.id('user_a2'), 'colleague', 'likes C++ too', 'preference', fx.axis(1), NULL);

SELECT fx.act_as('a1');
SELECT is((SELECT array_agg(key ORDER BY similarity DESC) FROM public.match_user_memory(fx.axis(1), 10)),
          ARRAY['near', 'far'], 'nearest first; expired memories left out');
SELECT ok((SELECT bool_and(similarity BETWEEN -1 AND 1) FROM public.match_user_memory(fx.axis(1), 10)),
          'similarity is a cosine');
SELECT is((SELECT count(*)::int FROM public.match_user_memory(fx.axis(1), 10) WHERE key = 'colleague'), 0,
          'a colleague''s memories are never searched');
SELECT is((SELECT array_agg(key) FROM public.match_user_memory(fx.axis(1), 10, ARRAY['fact'])), ARRAY['far'],
          'memory_types filters');
SELECT is((SELECT array_agg(key) FROM public.match_user_memory(fx.axis(1), 1)), ARRAY['near'], 'match_count limits');
SELECT fx.act_as('anon');
SELECT is((SELECT count(*)::int FROM public.match_user_memory(fx.axis(1), 10)), 0, 'anon finds nothing');

SELECT * FROM finish();
ROLLBACK;
