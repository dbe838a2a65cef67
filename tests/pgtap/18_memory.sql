-- User memory RPCs (database/schema/80_memory.sql): remember, recall,
-- search_memories, forget, forget_all, export_memories,
-- purge_expired_memories, and the change log (agentbase.memory_log, its
-- trigger, agentbase.memory_changes) that keeps `agentbase serve`'s in-memory
-- index in step; across users, tenants and roles.
BEGIN;
SELECT plan(211);
\ir fixtures.psql

-- Helpers --------------------------------------------------------------------------

-- A pseudo-random embedding per seed, components uniform in [-1, 1): two seeds
-- are all but orthogonal in 1536 dimensions.
CREATE FUNCTION fx.vec(seed integer) RETURNS real[] LANGUAGE sql IMMUTABLE AS $$
  SELECT array_agg((('x' || substr(md5(seed || ':' || i), 1, 8))::bit(32)::integer / 2147483648.0)::real ORDER BY i)
  FROM generate_series(1, 1536) i
$$;
-- (1 - t) * a + t * b: the larger t, the further from a.
CREATE FUNCTION fx.blend(a real[], b real[], t double precision) RETURNS real[] LANGUAGE sql IMMUTABLE AS $$
  SELECT array_agg(((1 - t) * x + t * y)::real ORDER BY n) FROM unnest(a, b) WITH ORDINALITY u(x, y, n)
$$;
-- The cosine by brute force, in double precision, written apart from the
-- schema's (index by index rather than by unnest).
CREATE FUNCTION fx.cosine(a real[], b real[]) RETURNS double precision LANGUAGE sql IMMUTABLE AS $$
  SELECT sum(a[i]::float8 * b[i]::float8) / (sqrt(sum(a[i]::float8 ^ 2)) * sqrt(sum(b[i]::float8 ^ 2)))
  FROM generate_subscripts(a, 1) i
$$;
-- An array of one value, for the bad-embedding cases.
CREATE FUNCTION fx.filled(v real, n integer DEFAULT 1536) RETURNS real[] LANGUAGE sql IMMUTABLE AS $$
  SELECT array_fill(v, ARRAY[n])
$$;

-- A memory of fixture user `who` (a1, a2, b1, b2) in the user's tenant, as
-- the database owner writes it (times as given), with id fx.id('mem_<who>_<key>').
CREATE FUNCTION fx.memory(
  who text, key text, value text DEFAULT 'some value', memory_type text DEFAULT 'fact',
  confidence real DEFAULT 1, source text DEFAULT NULL, embedding real[] DEFAULT NULL,
  updated_at timestamptz DEFAULT now(), expires_at timestamptz DEFAULT NULL
) RETURNS uuid LANGUAGE sql SECURITY DEFINER AS $$
  INSERT INTO public.user_memory (id, tenant_id, user_id, key, value, memory_type, confidence_score, source,
                                  embedding, created_at, updated_at, expires_at)
  SELECT fx.id('mem_' || memory.who || '_' || memory.key), p.tenant_id, p.id, memory.key, memory.value,
         memory.memory_type, memory.confidence, memory.source, memory.embedding, memory.updated_at,
         memory.updated_at, memory.expires_at
  FROM public.profiles p WHERE p.id = fx.id('user_' || memory.who)
  RETURNING id
$$;
-- Every memory id of a user, in every tenant, as the database owner sees them.
CREATE FUNCTION fx.memory_ids(owner uuid) RETURNS uuid[] LANGUAGE sql STABLE SECURITY DEFINER AS $$
  SELECT coalesce(array_agg(m.id ORDER BY m.id), '{}') FROM public.user_memory m WHERE m.user_id = owner
$$;
CREATE FUNCTION fx.sorted(ids uuid[]) RETURNS uuid[] LANGUAGE sql IMMUTABLE AS $$
  SELECT coalesce(array_agg(DISTINCT i ORDER BY i), '{}') FROM unnest(ids) i
$$;
-- The current transaction's id plus `delta`: other transactions' ids, older
-- or newer, for entries of the change log.
CREATE FUNCTION fx.xid(delta integer DEFAULT 0) RETURNS xid8 LANGUAGE sql VOLATILE AS $$
  SELECT ((pg_current_xact_id()::text::bigint + delta)::text)::xid8
$$;

-- The change log: fx.drain_log() returns its entries and empties it, so that
-- each test sees only what the writes it makes log.
CREATE FUNCTION fx.drain_log() RETURNS TABLE (user_id uuid, memory_id uuid, xid xid8)
LANGUAGE sql SECURITY DEFINER AS $$
  DELETE FROM agentbase.memory_log l RETURNING l.user_id, l.memory_id, l.xid
$$;
-- The snapshot another session would take now, as `agentbase serve` does:
-- pg_current_snapshot() with this transaction among the running ones.
-- (pg_current_snapshot() leaves out the caller's own transaction, so its
-- writes would count as visible in it if a later transaction, autovacuum's
-- say, had ended in the meantime.)
CREATE FUNCTION fx.snapshot_now() RETURNS text LANGUAGE sql VOLATILE AS $$
  SELECT CASE WHEN NOT pg_visible_in_snapshot(x, s) THEN s::text
              ELSE format('%s:%s:%s', pg_snapshot_xmin(s), pg_snapshot_xmax(s),
                          (SELECT string_agg(v::text, ',' ORDER BY v) FROM (SELECT pg_snapshot_xip(s) UNION SELECT x) u(v)))
         END
  FROM (SELECT pg_current_snapshot() AS s, pg_current_xact_id() AS x) t
$$;
-- What memory_changes answers, header and ids: whether to reload (null when
-- the first row is not the header) and the ids it names, sorted.
CREATE TYPE fx.changeset AS (reload boolean, ids uuid[]);
CREATE FUNCTION fx.changes(target uuid, since text) RETURNS fx.changeset LANGUAGE sql AS $$
  SELECT ROW(bool_or(c.reload) FILTER (WHERE c.n = 1 AND c.memory_id IS NULL),
             fx.sorted(coalesce(array_agg(c.memory_id) FILTER (WHERE c.n > 1), '{}')))::fx.changeset
  FROM agentbase.memory_changes(target, since) WITH ORDINALITY c(memory_id, reload, n)
$$;
CREATE FUNCTION fx.changed(reload boolean, ids uuid[]) RETURNS fx.changeset LANGUAGE sql IMMUTABLE AS $$
  SELECT ROW(reload, fx.sorted(ids))::fx.changeset
$$;

-- Statements on the change log that no API role may run.
CREATE FUNCTION fx.log_statements() RETURNS TABLE (sql text, what text) LANGUAGE sql IMMUTABLE AS $$
  VALUES ('SELECT * FROM agentbase.memory_log', 'read agentbase.memory_log'),
         ($q$INSERT INTO agentbase.memory_log (user_id, memory_id) VALUES (gen_random_uuid(), gen_random_uuid())$q$,
          'write agentbase.memory_log'),
         ('DELETE FROM agentbase.memory_log', 'delete from agentbase.memory_log'),
         ('UPDATE agentbase.memory_log SET xid = xid', 'change agentbase.memory_log'),
         ('SELECT * FROM agentbase.memory_log_horizon', 'read agentbase.memory_log_horizon'),
         ($q$INSERT INTO agentbase.memory_log_horizon (horizon) VALUES ('1')$q$, 'write agentbase.memory_log_horizon'),
         ('DELETE FROM agentbase.memory_log_horizon', 'delete from agentbase.memory_log_horizon')
$$;

-- Whatever was pruned before this test does not count in it.
DELETE FROM agentbase.memory_log_horizon;

-- Schema ---------------------------------------------------------------------------
SELECT has_trigger('public', 'user_memory', 'user_memory_log_change', 'user_memory has the change-log trigger');
SELECT has_trigger('public', 'user_memory', 'user_memory_log_truncate', 'user_memory has the truncate trigger');
SELECT is(array_agg(p.proname::text ORDER BY p.proname) FILTER (WHERE p.prosecdef),
          ARRAY['log_memory_change', 'log_memory_truncate', 'memory_changes', 'purge_expired_memories'],
          'the only SECURITY DEFINER functions of memory are the log''s triggers, memory_changes and the purge')
FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
WHERE (n.nspname = 'public' AND p.proname IN ('remember', 'recall', 'search_memories', 'forget', 'forget_all', 'export_memories'))
   OR (n.nspname = 'agentbase' AND p.proname IN ('log_memory_change', 'log_memory_truncate', 'memory_changes', 'memory_owner',
                                                 'checked_embedding', 'memory_embedding', 'cosine_similarity_exact',
                                                 'memory_similarity', 'purge_expired_memories'));
SELECT is(count(*) FILTER (WHERE 'search_path=""' = ANY (p.proconfig))::int || ' of ' || count(*), '15 of 15',
          'every memory function has an empty search_path')
FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
WHERE ((n.nspname = 'public' AND p.proname IN ('remember', 'recall', 'search_memories', 'forget', 'forget_all', 'export_memories'))
   OR (n.nspname = 'agentbase' AND p.proname IN ('log_memory_change', 'log_memory_truncate', 'memory_changes', 'memory_owner',
                                                 'checked_embedding', 'memory_embedding', 'cosine_similarity_exact',
                                                 'memory_similarity', 'purge_expired_memories')));

-- remember ---------------------------------------------------------------------------
SELECT fx.act_as('a1');
SELECT id AS diet, created_at AS diet_created
FROM public.remember('diet', 'vegetarian', 'preference', 0.7, 'onboarding', fx.id('conv_a1'), NULL,
                     '{"by": "test"}', fx.vec(1)) \gset
SELECT results_eq(
  format($$SELECT tenant_id, user_id, key, value, memory_type, confidence_score, source, source_conversation_id,
                  metadata, embedding::real[] = fx.vec(1) FROM public.user_memory WHERE id = %L$$, :'diet'),
  $$VALUES (fx.id('tenant_a'), fx.id('user_a1'), 'diet', 'vegetarian', 'preference', 0.7::real, 'onboarding',
            fx.id('conv_a1'), '{"by": "test"}'::jsonb, true)$$,
  'remember: a new key is stored for the caller, in the caller''s tenant, with everything given');
SELECT is((SELECT id FROM public.remember('diet', 'vegan', 'fact', 0.9, embedding => fx.vec(2), metadata => '{"v": 2}')),
          :'diet'::uuid, 'remember: the same key again keeps the memory''s id');
SELECT results_eq(
  format($$SELECT value, memory_type, confidence_score, source, source_conversation_id, metadata,
                  embedding::real[] = fx.vec(2), created_at FROM public.user_memory WHERE id = %L$$, :'diet'),
  format($$VALUES ('vegan', 'fact', 0.9::real, NULL::text, NULL::uuid, '{"v": 2}'::jsonb, true, %L::timestamptz)$$,
         :'diet_created'),
  'remember: ... and replaces value, type, confidence, source, conversation, metadata and embedding');
SELECT is((SELECT count(*)::int FROM public.user_memory WHERE key = 'diet'), 1, 'remember: one memory per key');
SELECT is((SELECT has_embedding FROM public.remember('diet', 'vegan')), false, 'remember: leaving the embedding out clears it');
SELECT is((SELECT embedding FROM public.user_memory WHERE key = 'diet'), NULL, 'remember: ... in the table too');
SELECT is((SELECT metadata FROM public.remember('diet', 'vegan', metadata => NULL)), '{}'::jsonb,
          'remember: null metadata is stored as {}');
SELECT is((SELECT memory_type FROM public.remember('diet', 'vegan', memory_type => NULL)), 'fact',
          'remember: a null type is a fact');
SELECT is((SELECT user_id FROM public.remember('diet', 'vegan', user_id => fx.id('user_a1'))), fx.id('user_a1'),
          'remember: a user may name themselves');
SELECT lives_ok($$SELECT public.remember('sure', 'v', confidence_score => 1)$$, 'remember: confidence 1 is allowed');
SELECT lives_ok($$SELECT public.remember('unsure', 'v', confidence_score => 0)$$, 'remember: confidence 0 is allowed');

SELECT throws_ok($$SELECT public.remember('k', 'v', confidence_score => -0.1)$$, '22023',
                 'confidence_score must be between 0 and 1, got -0.1', 'remember: confidence below 0 is refused');
SELECT throws_ok($$SELECT public.remember('k', 'v', confidence_score => 1.01)$$, '22023', NULL,
                 'remember: confidence above 1 is refused');
SELECT throws_ok($$SELECT public.remember('k', 'v', confidence_score => 'NaN')$$, '22023', NULL,
                 'remember: confidence NaN is refused');
SELECT throws_ok($$SELECT public.remember('k', 'v', confidence_score => NULL)$$, '22023', NULL,
                 'remember: a null confidence is refused');
SELECT throws_ok($$SELECT public.remember('k', 'v', metadata => '[1, 2]')$$, '22023', 'metadata must be a JSON object',
                 'remember: array metadata is refused');
SELECT throws_ok($$SELECT public.remember('k', 'v', metadata => '"text"')$$, '22023', NULL,
                 'remember: string metadata is refused');
SELECT throws_ok($$SELECT public.remember('k', 'v', metadata => 'null')$$, '22023', NULL,
                 'remember: JSON null metadata is refused');
SELECT throws_ok($$SELECT public.remember('k', NULL)$$, '22023', 'value is required', 'remember: a value is required');
SELECT throws_ok($$SELECT public.remember('k', 'v', memory_type => 'rumour')$$, '23514', NULL,
                 'remember: an unknown memory type is refused');
SELECT throws_ok($$SELECT public.remember('', 'v')$$, '23514', NULL, 'remember: an empty key is refused');
SELECT throws_ok($$SELECT public.remember('k', 'v', embedding => '{1, 2, 3}')$$, '22P02',
                 'an embedding has 1536 numbers, this one 3', 'remember: an embedding of 3 numbers is refused');
SELECT throws_ok($$SELECT public.remember('k', 'v', embedding => fx.filled(0.5, 1537))$$, '22P02', NULL,
                 'remember: an embedding of 1537 numbers is refused');
SELECT throws_ok($$SELECT public.remember('k', 'v', embedding => '{}')$$, '22P02', NULL,
                 'remember: an empty embedding is refused');
SELECT throws_ok($$SELECT public.remember('k', 'v', embedding => array_fill(0.5::real, ARRAY[2, 768]))$$, '22P02', NULL,
                 'remember: a two-dimensional embedding is refused');
SELECT throws_ok($$SELECT public.remember('k', 'v', embedding => fx.filled(0.5) || ARRAY['NaN'::real])$$, '22P02', NULL,
                 'remember: 1537 numbers are refused even when the last is NaN');
SELECT throws_ok($$SELECT public.remember('k', 'v', embedding => (SELECT e[:4] || 'NaN'::real || e[6:] FROM fx.filled(0.5) e))$$,
                 '22P02', 'embedding[4] is NaN, not a finite number', 'remember: a NaN in the embedding is refused, with its place');
SELECT throws_ok($$SELECT public.remember('k', 'v', embedding => 'Infinity'::real || fx.filled(0.5, 1535))$$,
                 '22P02', 'embedding[0] is Infinity, not a finite number', 'remember: Infinity in the embedding is refused');
SELECT throws_ok($$SELECT public.remember('k', 'v', embedding => fx.filled(0.5, 1535) || '-Infinity'::real)$$,
                 '22P02', NULL, 'remember: -Infinity in the embedding is refused');
SELECT throws_ok($$SELECT public.remember('k', 'v', embedding => fx.filled(0.5, 1535) || NULL::real)$$,
                 '22P02', 'embedding[1535] is null, not a finite number', 'remember: a null in the embedding is refused');
SELECT throws_ok($$SELECT public.remember('k', 'v', user_id => fx.id('user_a2'))$$, '42501', 'user_id names another user',
                 'remember: a1 cannot remember for a colleague');
SELECT throws_ok($$SELECT public.remember('k', 'v', user_id => fx.id('user_b1'))$$, '42501', NULL,
                 'remember: a1 cannot remember for tenant B''s user');
SELECT throws_ok($$SELECT public.remember('k', 'v', source_conversation_id => fx.id('conv_b1'))$$, '42501', NULL,
                 'remember: a1 cannot cite tenant B''s conversation (RLS)');
SELECT throws_ok($$SELECT public.remember('k', 'v', source_conversation_id => fx.id('conv_a1_in_b'))$$, '42501', NULL,
                 'remember: a1 cannot cite their own conversation filed under tenant B');
SELECT throws_ok($$SELECT public.remember('diet', 'v', source_conversation_id => fx.id('conv_b1'))$$, '42501', NULL,
                 'remember: nor when the key exists already (the upsert)');
SELECT is((SELECT count(*)::int FROM public.user_memory WHERE key = 'k'), 0, 'remember: the refused calls stored nothing');

SELECT fx.act_as('b1');
SELECT throws_ok($$SELECT public.remember('lang', 'b1 was here', user_id => fx.id('user_a1'))$$, '42501', NULL,
                 'remember: b1 cannot overwrite a1''s memory by naming a1');
SELECT is((SELECT tenant_id FROM public.remember('lang', 'b1 likes Go and C')), fx.id('tenant_b'),
          'remember: b1''s key "lang" is b1''s own memory, in tenant B ...');
SELECT fx.act_as('anon');
SELECT throws_ok($$SELECT public.remember('k', 'v')$$, '42501', 'sign in to use memory', 'remember: anon is refused');
SELECT throws_ok($$SELECT public.remember('k', 'v', user_id => fx.id('user_a1'))$$, '42501', NULL,
                 'remember: anon cannot name a user');
SELECT fx.act_as('nobody');
SELECT throws_ok($$SELECT public.remember('k', 'v')$$, '22023', format('user %s belongs to no tenant', fx.id('user_nobody')),
                 'remember: a user without a profile (so without a tenant) is refused');

SELECT fx.act_as('service_role');
SELECT throws_ok($$SELECT public.remember('k', 'v')$$, '22023', 'user_id is required with the service key',
                 'remember: the service key must name the user');
SELECT results_eq(
  $$SELECT tenant_id, user_id, source_conversation_id FROM public.remember('tz', 'Europe/Oslo', user_id => fx.id('user_b2'),
                                                                            source_conversation_id => fx.id('conv_b2'))$$,
  $$VALUES (fx.id('tenant_b'), fx.id('user_b2'), fx.id('conv_b2'))$$,
  'remember: the service key remembers for any user, in the tenant of the user''s profile');
SELECT throws_ok($$SELECT public.remember('k', 'v', user_id => fx.id('user_c1'))$$, '22023', NULL,
                 'remember: the service key cannot remember for a user without a tenant');

SELECT fx.act_as('postgres');
SELECT results_eq(
  $$SELECT user_id, value FROM public.user_memory WHERE key = 'lang' AND tenant_id = fx.id('tenant_a') ORDER BY value$$,
  $$VALUES (fx.id('user_a1'), 'a1 likes C++'), (fx.id('user_a2'), 'a2 likes Rust')$$,
  'remember: ... and tenant A''s "lang" memories are untouched');

-- recall -----------------------------------------------------------------------------
-- a2's memories, changed at known times (mem_a2, "lang", just now).
SELECT fx.memory('a2', 'drink', 'drinks coffee black', 'preference', 0.9, 'onboarding', updated_at => now() - interval '7 hours');
SELECT fx.memory('a2', 'city', 'works in Oslo', 'fact', 0.4, 'chat', updated_at => now() - interval '6 hours');
SELECT fx.memory('a2', 'learning', 'wants to learn Rust', 'goal', 0.8, 'chat', updated_at => now() - interval '5 hours');
SELECT fx.memory('a2', 'lunch', 'coffee after lunch', 'history', 0.2, updated_at => now() - interval '5 hours');
SELECT fx.memory('a2', 'boss', 'reports to Kim', 'context', 1.0, 'onboarding', updated_at => now() - interval '3 hours');
SELECT fx.memory('a2', 'address', 'used to live in Bergen', 'fact', 0.9, 'onboarding', updated_at => now() - interval '2 hours',
                 expires_at => now() - interval '1 minute');
SELECT fx.memory('a2', 'tea', 'prefers tea over coffee', 'preference', 0.6, 'chat', updated_at => now() - interval '1 hour',
                 expires_at => now() + interval '1 day');
-- The order recall promises, ties (learning, lunch) by id.
SELECT array_agg(key ORDER BY updated_at DESC, id DESC)::text AS a2_order
FROM public.user_memory WHERE user_id = fx.id('user_a2') AND key <> 'address' \gset

SELECT fx.act_as('a2');
SELECT is((SELECT array_agg(key) FROM public.recall()), :'a2_order'::text[],
          'recall: the caller''s memories, latest change first, ties by id descending; expired ones left out');
SELECT is((SELECT array_agg(key) FROM public.recall())::text[],
          ARRAY['lang', 'tea', 'boss'] || (SELECT array_agg(k ORDER BY fx.id('mem_a2_' || k) DESC) FROM unnest(ARRAY['learning', 'lunch']) k)
          || ARRAY['city', 'drink'],
          'recall: ... which is lang, tea, boss, learning and lunch (by id), city, drink');
CREATE TEMP TABLE recalled (page integer, n bigint, key text, cursor text) ON COMMIT DROP;
GRANT ALL ON recalled TO PUBLIC;
INSERT INTO recalled SELECT 1, row_number() OVER (), key, cursor FROM public.recall(page_size => 2);
INSERT INTO recalled SELECT 2, row_number() OVER (), key, cursor
FROM public.recall(page_size => 2, after => (SELECT cursor FROM recalled WHERE page = 1 ORDER BY n DESC LIMIT 1));
INSERT INTO recalled SELECT 3, row_number() OVER (), key, cursor
FROM public.recall(page_size => 2, after => (SELECT cursor FROM recalled WHERE page = 2 ORDER BY n DESC LIMIT 1));
INSERT INTO recalled SELECT 4, row_number() OVER (), key, cursor
FROM public.recall(page_size => 2, after => (SELECT cursor FROM recalled WHERE page = 3 ORDER BY n DESC LIMIT 1));
SELECT is((SELECT array_agg(c ORDER BY page) FROM (SELECT page, count(*)::int c FROM recalled GROUP BY page) p),
          ARRAY[2, 2, 2, 1], 'recall: pages of 2 (the tie of learning and lunch straddles pages 2 and 3)');
SELECT is((SELECT array_agg(key ORDER BY page, n) FROM recalled), :'a2_order'::text[],
          'recall: following the cursors yields every memory once, in order, with no gap');
SELECT is((SELECT count(*)::int FROM public.recall(page_size => 2, after => (SELECT cursor FROM recalled WHERE page = 4))), 0,
          'recall: after the last row there is nothing');
SELECT is((SELECT array_agg(key) FROM public.recall(memory_types => ARRAY['goal', 'fact'])), ARRAY['lang', 'learning', 'city'],
          'recall: memory_types filters (the expired fact stays out)');
SELECT is((SELECT array_agg(key) FROM public.recall(min_confidence => 0.8)), ARRAY['lang', 'boss', 'learning', 'drink'],
          'recall: min_confidence keeps memories at or above it');
SELECT is((SELECT array_agg(key) FROM public.recall(from_source => 'onboarding')), ARRAY['boss', 'drink'],
          'recall: from_source filters (the expired one stays out)');
SELECT is((SELECT array_agg(key) FROM public.recall(search => 'coffee')), ARRAY['tea', 'lunch', 'drink'],
          'recall: search finds the words of the value');
SELECT is((SELECT array_agg(key) FROM public.recall(search => 'coffee -tea')), ARRAY['lunch', 'drink'],
          'recall: search reads web-search syntax');
SELECT is((SELECT array_agg(key) FROM public.recall(search => 'BOSS')), ARRAY['boss'], 'recall: search finds the key too');
SELECT is((SELECT array_agg(key) FROM public.recall(search => 'rust')), ARRAY['lang', 'learning'],
          'recall: search ignores case');
SELECT is((SELECT array_agg(key) FROM public.recall(search => 'Bergen')), NULL, 'recall: search never finds an expired memory');
SELECT is((SELECT count(*)::int FROM public.recall(search => '   ')), 7, 'recall: a blank search filters nothing');
SELECT is((SELECT array_agg(key) FROM public.recall(memory_types => ARRAY['preference', 'history'], min_confidence => 0.5,
                                                    search => 'coffee')),
          ARRAY['tea', 'drink'], 'recall: filters combine');
SELECT is((SELECT count(*)::int FROM public.recall(page_size => NULL)), 7, 'recall: a null page size is the default');
SELECT is((SELECT count(*)::int FROM public.recall(page_size => 200)), 7, 'recall: page_size 200 is allowed');
SELECT is((SELECT array_agg(key) FROM public.recall(page_size => 1)), ARRAY['lang'], 'recall: page_size 1 is allowed');
SELECT throws_ok($$SELECT * FROM public.recall(page_size => 0)$$, '22023', NULL, 'recall: page_size 0 is refused');
SELECT throws_ok($$SELECT * FROM public.recall(page_size => 201)$$, '22023', 'page_size must be between 1 and 200, got 201',
                 'recall: page_size above 200 is refused');
SELECT throws_ok($$SELECT * FROM public.recall(after => 'garbage')$$, '22023', 'invalid cursor in "after"',
                 'recall: a malformed cursor is refused');
SELECT throws_ok($$SELECT * FROM public.recall(after => '99999999999999999999_' || gen_random_uuid())$$, '22023', NULL,
                 'recall: an out-of-range cursor is refused');
SELECT throws_ok($$SELECT * FROM public.recall(search => repeat('a', 1001))$$, '22023', NULL,
                 'recall: a search over 1000 characters is refused');
SELECT throws_ok($$SELECT * FROM public.recall(user_id => fx.id('user_a1'))$$, '42501', NULL,
                 'recall: a2 cannot recall a colleague''s memories');

SELECT fx.act_as('a1');
SELECT is((SELECT count(*)::int FROM public.recall(page_size => 200) WHERE id = fx.id('mem_a1_in_b')), 0,
          'recall: a1 does not recall their own memory filed under tenant B');
SELECT fx.act_as('b1');
SELECT is((SELECT array_agg(value) FROM public.recall(page_size => 200)), ARRAY['b1 likes Go and C'],
          'recall: b1 recalls only b1''s own memory');
SELECT throws_ok($$SELECT * FROM public.recall(user_id => fx.id('user_a2'))$$, '42501', NULL,
                 'recall: b1 cannot recall tenant A''s user''s memories');
SELECT fx.act_as('anon');
SELECT throws_ok($$SELECT * FROM public.recall()$$, '42501', NULL, 'recall: anon is refused');
SELECT fx.act_as('service_role');
SELECT is((SELECT array_agg(key) FROM public.recall(user_id => fx.id('user_a2'))), :'a2_order'::text[],
          'recall: the service key recalls any user''s memories');
SELECT throws_ok($$SELECT * FROM public.recall()$$, '22023', NULL, 'recall: the service key must name the user');

-- search_memories ----------------------------------------------------------------------
-- a1's memories at falling similarity to the query fx.vec(100); "twin" has
-- the same embedding as "goal" (a tie); "zebra" matches a word but is far.
SELECT fx.act_as('postgres');
SELECT fx.memory('a1', 'near', 'closest of all', 'preference', embedding => fx.blend(fx.vec(100), fx.vec(1), 0.1));
SELECT fx.memory('a1', 'second', 'quite close', 'fact', embedding => fx.blend(fx.vec(100), fx.vec(2), 0.3));
SELECT fx.memory('a1', 'goal', 'halfway', 'goal', embedding => fx.blend(fx.vec(100), fx.vec(3), 0.5));
SELECT fx.memory('a1', 'twin', 'halfway too', 'fact', embedding => fx.blend(fx.vec(100), fx.vec(3), 0.5));
SELECT fx.memory('a1', 'context', 'rather far', 'context', embedding => fx.blend(fx.vec(100), fx.vec(4), 0.7));
SELECT fx.memory('a1', 'zebra', 'saw a zebra at the zoo', 'history', embedding => fx.blend(fx.vec(100), fx.vec(5), 0.95));
SELECT fx.memory('a1', 'expired', 'the query itself, expired', 'fact', embedding => fx.vec(100),
                 expires_at => now() - interval '1 second');
SELECT fx.memory('a1', 'plain', 'zebra without an embedding', 'fact');
SELECT fx.memory('a2', 'colleague', 'the query itself, a colleague''s', embedding => fx.vec(100));
SELECT fx.memory('b1', 'foreign', 'the query itself, tenant B''s', embedding => fx.vec(100));
CREATE TEMP TABLE hits ON COMMIT DROP AS SELECT * FROM public.search_memories() WITH NO DATA;
GRANT ALL ON hits TO PUBLIC;

SELECT fx.act_as('a1');
SELECT is((SELECT array_agg(key) FROM public.search_memories(fx.vec(100))),
          ARRAY['near', 'second'] || (SELECT array_agg(k ORDER BY fx.id('mem_a1_' || k)) FROM unnest(ARRAY['goal', 'twin']) k)
          || ARRAY['context', 'zebra'],
          'search_memories: the caller''s memories with embeddings, nearest first, a tie by id; expired ones left out');
SELECT is((SELECT array_agg(m.key ORDER BY fx.cosine(m.embedding::real[], fx.vec(100)) DESC, m.id)
           FROM public.user_memory m
           WHERE m.user_id = fx.id('user_a1') AND m.embedding IS NOT NULL AND (m.expires_at IS NULL OR m.expires_at > now())),
          (SELECT array_agg(key) FROM public.search_memories(fx.vec(100), match_count => 200)),
          'search_memories: the same order as a brute-force cosine over the caller''s memories');
SELECT is((SELECT max(abs(s.similarity - fx.cosine(m.embedding::real[], fx.vec(100))))
           FROM public.search_memories(fx.vec(100), match_count => 200) s JOIN public.user_memory m ON m.id = s.id) < 1e-9,
          true, 'search_memories: similarity is the cosine in double precision (to 1e-9)');
SELECT is((SELECT array_agg(id) FROM public.search_memories(fx.vec(100))),
          (SELECT array_agg(id ORDER BY similarity DESC, id) FROM public.search_memories(fx.vec(100))),
          'search_memories: ordered by similarity, then id');
SELECT is((SELECT max(abs(score - 1.0::float8 / (60 + r))) < 1e-12 AND count(*) = 6
           FROM public.search_memories(fx.vec(100)) WITH ORDINALITY s(id, memory_type, key, value, confidence_score, source,
             source_conversation_id, metadata, expires_at, created_at, updated_at, similarity, score, r)), true,
          'search_memories: without hybrid the score is 1 / (60 + rank)');
SELECT results_eq(
  $$SELECT key, value, memory_type, confidence_score FROM public.search_memories(fx.vec(100), 1)$$,
  $$VALUES ('near', 'closest of all', 'preference', 1::real)$$, 'search_memories: rows carry the memory');
SELECT is((SELECT array_agg(key) FROM public.search_memories(fx.vec(100), match_count => 2)), ARRAY['near', 'second'],
          'search_memories: match_count limits');
SELECT is((SELECT count(*)::int FROM public.search_memories(fx.vec(100), match_count => 200)), 6,
          'search_memories: match_count 200 is allowed');
SELECT throws_ok($$SELECT * FROM public.search_memories(fx.vec(100), match_count => 0)$$, '22023',
                 'match_count must be between 1 and 200, got 0', 'search_memories: match_count 0 is refused');
SELECT throws_ok($$SELECT * FROM public.search_memories(fx.vec(100), match_count => 201)$$, '22023', NULL,
                 'search_memories: match_count 201 is refused');
SELECT throws_ok($$SELECT * FROM public.search_memories(fx.vec(100), match_count => NULL)$$, '22023', NULL,
                 'search_memories: a null match_count is refused');
SELECT is((SELECT array_agg(key) FROM public.search_memories(fx.vec(100), min_similarity => 0.6)),
          (SELECT array_agg(key) FROM public.search_memories(fx.vec(100)) WHERE similarity >= 0.6),
          'search_memories: min_similarity keeps those at or above it ...');
SELECT is((SELECT count(*)::int FROM public.search_memories(fx.vec(100), min_similarity => 0.6)), 4,
          '... (near, second, goal and twin)');
SELECT is((SELECT array_agg(key) FROM public.search_memories(fx.vec(100), min_similarity => 0.9999)), NULL,
          'search_memories: nothing above a floor no memory reaches');
SELECT is((SELECT array_agg(key) FROM public.search_memories(fx.vec(100), memory_types => ARRAY['fact', 'history'])),
          ARRAY['second', 'twin', 'zebra'], 'search_memories: memory_types filters');
SELECT is((SELECT array_agg(key) FROM public.search_memories(fx.vec(100), match_count => 3, query_text => 'zebra')),
          ARRAY['near', 'second', (SELECT k FROM unnest(ARRAY['goal', 'twin']) k ORDER BY fx.id('mem_a1_' || k) LIMIT 1)],
          'search_memories: query_text without hybrid changes nothing');

-- Hybrid: reciprocal-rank fusion of the vector and full-text rankings.
INSERT INTO hits SELECT * FROM public.search_memories(fx.vec(100), match_count => 3, query_text => 'zebra', hybrid => true);
SELECT is((SELECT array_agg(key ORDER BY score DESC, similarity DESC, id) FROM hits), ARRAY['zebra', 'near', 'second'],
          'search_memories hybrid: the memory that matches the words rises from last by vector to first');
SELECT is((SELECT abs(score - (1.0::float8 / (60 + 6) + 1.0::float8 / (60 + 1))) < 1e-12 FROM hits WHERE key = 'zebra'), true,
          'search_memories hybrid: its score sums 1 / (60 + rank) of both rankings');
SELECT is((SELECT abs(similarity - fx.cosine(fx.blend(fx.vec(100), fx.vec(5), 0.95), fx.vec(100))) < 1e-9 FROM hits WHERE key = 'zebra'),
          true, 'search_memories hybrid: similarity is still the cosine');
SELECT is((SELECT array_agg(key) FROM public.search_memories(fx.vec(100), 3, query_text => 'zebra', hybrid => true,
                                                             memory_types => ARRAY['preference', 'fact'])),
          ARRAY['near', 'second', 'twin'],
          'search_memories hybrid: memory_types filters both rankings (and the unembedded "plain" is never found)');
SELECT is((SELECT array_agg(key) FROM public.search_memories(fx.vec(100), 2, query_text => 'nowhere', hybrid => true)),
          ARRAY['near', 'second'], 'search_memories hybrid: words that match nothing leave the vector ranking');
SELECT is((SELECT count(*)::int FROM public.search_memories(fx.vec(100), 10, min_similarity => 0.6, query_text => 'zebra',
                                                            hybrid => true) WHERE similarity < 0.6),
          0, 'search_memories hybrid: min_similarity holds for the words'' matches too');
SELECT throws_ok($$SELECT * FROM public.search_memories(fx.vec(100), hybrid => true)$$, '22023',
                 'hybrid search needs query_text', 'search_memories hybrid: needs query_text');
SELECT throws_ok($$SELECT * FROM public.search_memories(fx.vec(100), hybrid => true, query_text => '  ')$$, '22023', NULL,
                 'search_memories hybrid: a blank query_text is refused');
SELECT throws_ok($$SELECT * FROM public.search_memories(fx.vec(100), hybrid => true, query_text => repeat('a', 1001))$$,
                 '22023', NULL, 'search_memories hybrid: query_text over 1000 characters is refused');

SELECT throws_ok($$SELECT * FROM public.search_memories()$$, '22023', 'query_embedding is required',
                 'search_memories: query_embedding is required');
SELECT throws_ok($$SELECT * FROM public.search_memories(query_text => 'zebra', hybrid => true)$$, '22023',
                 'query_embedding is required', 'search_memories: query_text alone is not enough in SQL');
SELECT throws_ok($$SELECT * FROM public.search_memories('{1, 2, 3}')$$, '22P02', NULL,
                 'search_memories: a query of 3 numbers is refused');
SELECT throws_ok($$SELECT * FROM public.search_memories(fx.filled(0.5, 1535) || 'NaN'::real)$$, '22P02', NULL,
                 'search_memories: a NaN in the query is refused');
SELECT throws_ok($$SELECT * FROM public.search_memories(fx.vec(100), user_id => fx.id('user_a2'))$$, '42501', NULL,
                 'search_memories: a1 cannot search a colleague''s memories');

SELECT fx.act_as('b1');
SELECT is((SELECT array_agg(key) FROM public.search_memories(fx.vec(100), 200)), ARRAY['foreign'],
          'search_memories: b1 finds only b1''s own');
SELECT throws_ok($$SELECT * FROM public.search_memories(fx.vec(100), user_id => fx.id('user_a1'))$$, '42501', NULL,
                 'search_memories: b1 cannot search a1''s memories');
SELECT fx.act_as('anon');
SELECT throws_ok($$SELECT * FROM public.search_memories(fx.vec(100))$$, '42501', NULL, 'search_memories: anon is refused');
SELECT fx.act_as('service_role');
SELECT is((SELECT array_agg(key) FROM public.search_memories(fx.vec(100), 2, user_id => fx.id('user_a1'))),
          ARRAY['near', 'second'], 'search_memories: the service key searches the user it names');
SELECT throws_ok($$SELECT * FROM public.search_memories(fx.vec(100))$$, '22023', NULL,
                 'search_memories: the service key must name the user');

-- forget -------------------------------------------------------------------------------
SELECT fx.act_as('a1');
SELECT throws_ok($$SELECT public.forget(fx.id('mem_a2'))$$, 'PT404', format('no memory %s', fx.id('mem_a2')),
                 'forget: a1 cannot forget a colleague''s memory');
SELECT throws_ok($$SELECT public.forget(fx.id('mem_b1'))$$, 'PT404', NULL, 'forget: a1 cannot forget tenant B''s memory');
SELECT throws_ok($$SELECT public.forget(fx.id('mem_a1_in_b'))$$, 'PT404', NULL,
                 'forget: a1 cannot forget their own memory filed under tenant B');
SELECT throws_ok($$SELECT public.forget(fx.id('no such memory'))$$, 'PT404', NULL, 'forget: a missing memory');
SELECT throws_ok($$SELECT public.forget(NULL)$$, 'PT404', NULL, 'forget: a null id');
SELECT is(public.forget(fx.id('mem_a1_context')), fx.id('mem_a1_context'), 'forget: the owner forgets, and gets the id back');
SELECT is((SELECT count(*)::int FROM public.search_memories(fx.vec(100), 200) WHERE key = 'context'), 0,
          'forget: a forgotten memory is no longer found');
SELECT fx.act_as('b1');
SELECT throws_ok($$SELECT public.forget(fx.id('mem_a1'))$$, 'PT404', NULL, 'forget: b1 cannot forget a1''s memory');
SELECT fx.act_as('anon');
SELECT throws_ok($$SELECT public.forget(fx.id('mem_a1'))$$, 'PT404', NULL, 'forget: anon cannot forget');
SELECT fx.act_as('service_role');
SELECT is(public.forget(fx.id('mem_b2')), fx.id('mem_b2'), 'forget: the service key forgets any memory');
SELECT fx.act_as('postgres');
SELECT set_eq($$SELECT id FROM public.user_memory WHERE id IN (fx.id('mem_a1'), fx.id('mem_a2'), fx.id('mem_b1'),
                                                               fx.id('mem_a1_in_b'), fx.id('mem_b2'), fx.id('mem_a1_context'))$$,
              $$VALUES (fx.id('mem_a1')), (fx.id('mem_a2')), (fx.id('mem_b1')), (fx.id('mem_a1_in_b'))$$,
              'forget: the refused calls left every memory in place');

-- export_memories ------------------------------------------------------------------------
SELECT fx.act_as('a1');
SELECT public.export_memories() AS a1_export \gset
SELECT is((:'a1_export'::jsonb ->> 'user_id')::uuid, fx.id('user_a1'), 'export_memories: names the user');
SELECT ok((:'a1_export'::jsonb ->> 'exported_at')::timestamptz IS NOT NULL, 'export_memories: says when');
SELECT is((SELECT array_agg((m ->> 'id')::uuid) FROM jsonb_array_elements(:'a1_export'::jsonb -> 'memories') m),
          (SELECT array_agg(id ORDER BY created_at, id) FROM public.user_memory
           WHERE user_id = fx.id('user_a1') AND (expires_at IS NULL OR expires_at > now())),
          'export_memories: every memory of the caller''s that has not expired (not the one filed under tenant B), oldest first');
SELECT is((SELECT count(*)::int FROM jsonb_array_elements(:'a1_export'::jsonb -> 'memories') m WHERE m ? 'tenant_id' OR m ? 'user_id'),
          0, 'export_memories: without tenant_id or user_id');
SELECT is((SELECT m -> 'embedding' FROM jsonb_array_elements(:'a1_export'::jsonb -> 'memories') m WHERE m ->> 'key' = 'near'),
          (SELECT to_jsonb(embedding::real[]) FROM public.user_memory WHERE id = fx.id('mem_a1_near')),
          'export_memories: with the embedding');
SELECT is((SELECT m - 'embedding' FROM jsonb_array_elements(:'a1_export'::jsonb -> 'memories') m WHERE m ->> 'key' = 'near'),
          (SELECT to_jsonb(m) - 'embedding' - 'tenant_id' - 'user_id' FROM public.user_memory m WHERE id = fx.id('mem_a1_near')),
          'export_memories: and every other column');
SELECT throws_ok($$SELECT public.export_memories(fx.id('user_a2'))$$, '42501', NULL,
                 'export_memories: a1 cannot export a colleague''s memories');
SELECT fx.act_as('b1');
SELECT is((SELECT array_agg(m ->> 'key' ORDER BY m ->> 'key') FROM jsonb_array_elements(public.export_memories() -> 'memories') m),
          ARRAY['foreign', 'lang'], 'export_memories: b1 exports only b1''s own');
SELECT throws_ok($$SELECT public.export_memories(fx.id('user_a1'))$$, '42501', NULL,
                 'export_memories: b1 cannot export a1''s memories');
SELECT fx.act_as('nobody');
SELECT is(public.export_memories() -> 'memories', '[]'::jsonb, 'export_memories: a user without memories exports none');
SELECT fx.act_as('anon');
SELECT throws_ok($$SELECT public.export_memories()$$, '42501', NULL, 'export_memories: anon is refused');
SELECT fx.act_as('service_role');
SELECT is((SELECT array_agg(m ->> 'key') FROM jsonb_array_elements(public.export_memories(fx.id('user_b2')) -> 'memories') m),
          ARRAY['tz'], 'export_memories: the service key exports the user it names');
SELECT throws_ok($$SELECT public.export_memories()$$, '22023', NULL, 'export_memories: the service key must name the user');

-- forget_all ------------------------------------------------------------------------------
SELECT fx.act_as('b1');
SELECT throws_ok($$SELECT public.forget_all(fx.id('user_a1'))$$, '42501', NULL, 'forget_all: b1 cannot forget a1''s memories');
SELECT fx.act_as('a1');
SELECT throws_ok($$SELECT public.forget_all(fx.id('user_a2'))$$, '42501', NULL,
                 'forget_all: a1 cannot forget a colleague''s memories');
SELECT fx.act_as('anon');
SELECT throws_ok($$SELECT public.forget_all()$$, '42501', NULL, 'forget_all: anon is refused');
SELECT fx.act_as('service_role');
SELECT throws_ok($$SELECT public.forget_all()$$, '22023', NULL, 'forget_all: the service key must name the user');
SELECT fx.act_as('postgres');
SELECT count(*) AS a2_memories FROM public.user_memory WHERE user_id = fx.id('user_a2') \gset
SELECT count(*) AS a1_memories_in_a FROM public.user_memory WHERE user_id = fx.id('user_a1') AND tenant_id = fx.id('tenant_a') \gset
SELECT count(*) AS all_memories FROM public.user_memory \gset
SELECT fx.act_as('a2');
SELECT is(public.forget_all(), :'a2_memories'::bigint, 'forget_all: a2 forgets all of a2''s memories, expired ones too ...');
SELECT is((SELECT count(*)::int FROM public.recall()), 0, '... and recalls none');
SELECT fx.act_as('a1');
SELECT is(public.forget_all(), :'a1_memories_in_a'::bigint, 'forget_all: a1 forgets a1''s memories in tenant A ...');
SELECT fx.act_as('postgres');
SELECT is((SELECT count(*) FROM public.user_memory), :'all_memories'::bigint - :'a2_memories' - :'a1_memories_in_a',
          '... and every other memory is still there');
SELECT is(fx.memory_ids(fx.id('user_a1')), ARRAY[fx.id('mem_a1_in_b')], '... (a1''s row under tenant B stays)');

-- The change log: agentbase.memory_log and its trigger ---------------------------------------
SELECT FROM fx.drain_log();
SELECT fx.act_as('a1');
SELECT id AS logged FROM public.remember('logged', 'first') \gset
SELECT fx.act_as('postgres');
SELECT results_eq($$SELECT user_id, memory_id, xid = pg_current_xact_id() FROM fx.drain_log()$$,
                  format($$VALUES (fx.id('user_a1'), %L::uuid, true)$$, :'logged'),
                  'memory_log: an insert logs the owner and the memory under the writing transaction''s id');
SELECT fx.act_as('a1');
SELECT FROM public.remember('logged', 'second');
SELECT fx.act_as('postgres');
SELECT results_eq($$SELECT user_id, memory_id, xid = pg_current_xact_id() FROM fx.drain_log()$$,
                  format($$VALUES (fx.id('user_a1'), %L::uuid, true)$$, :'logged'),
                  'memory_log: an update (remember''s upsert) logs it');
UPDATE public.user_memory SET user_id = fx.id('user_a2') WHERE id = :'logged';
SELECT results_eq($$SELECT user_id, memory_id, xid = pg_current_xact_id() FROM fx.drain_log() ORDER BY user_id = fx.id('user_a1')$$,
                  format($$VALUES (fx.id('user_a2'), %1$L::uuid, true), (fx.id('user_a1'), %1$L::uuid, true)$$, :'logged'),
                  'memory_log: a change of owner logs the new owner and the old');
UPDATE public.user_memory SET id = fx.id('moved') WHERE id = :'logged';
SELECT set_eq($$SELECT user_id, memory_id FROM fx.drain_log()$$,
              format($$VALUES (fx.id('user_a2'), fx.id('moved')), (fx.id('user_a2'), %L::uuid)$$, :'logged'),
              'memory_log: a change of id logs the new id and the old');
SELECT fx.act_as('a2');
SELECT FROM public.forget(fx.id('moved'));
SELECT fx.act_as('postgres');
SELECT results_eq($$SELECT user_id, memory_id, xid = pg_current_xact_id() FROM fx.drain_log()$$,
                  $$VALUES (fx.id('user_a2'), fx.id('moved'), true)$$, 'memory_log: a delete logs it');
SELECT fx.act_as('b1');
UPDATE public.user_memory SET confidence_score = 0.5 WHERE key = 'foreign';
UPDATE public.user_memory SET confidence_score = 0.5 WHERE key = 'foreign';
SELECT fx.act_as('postgres');
SELECT results_eq($$SELECT user_id, memory_id FROM fx.drain_log()$$,
                  $$VALUES (fx.id('user_b1'), fx.id('mem_b1_foreign')), (fx.id('user_b1'), fx.id('mem_b1_foreign'))$$,
                  'memory_log: a user''s own writes through the table are logged too, each one');
SELECT fx.act_as('b1');
UPDATE public.user_memory SET value = 'b1 was here' WHERE id = fx.id('mem_a1_in_b');
SELECT fx.act_as('postgres');
SELECT is((SELECT count(*)::int FROM fx.drain_log()), 0, 'memory_log: a write RLS stops logs nothing');

SELECT fx.act_as('a1');
SELECT throws_ok(sql, '42501', NULL, 'memory_log: a1 cannot ' || what) FROM fx.log_statements();
SELECT fx.act_as('anon');
SELECT throws_ok(sql, '42501', NULL, 'memory_log: anon cannot ' || what) FROM fx.log_statements();
SELECT fx.act_as('service_role');
SELECT throws_ok(sql, '42501', NULL, 'memory_log: the service key cannot ' || what) FROM fx.log_statements();

-- memory_changes -----------------------------------------------------------------------------
SELECT fx.act_as('postgres');
SELECT fx.memory('a1', 'kept', 'unchanged since the snapshot');
SELECT fx.memory('a1', 'edited', 'will change');
SELECT fx.memory('a1', 'dropped', 'will be forgotten');
SELECT fx.memory('a2', 'colleague', 'a2''s, will change');
SELECT FROM fx.drain_log();
SELECT fx.snapshot_now() AS snap \gset

SELECT fx.act_as('a1');
SELECT is(fx.changes(fx.id('user_a1'), :'snap'), fx.changed(false, '{}'),
          'memory_changes: nothing changed since the snapshot');
SELECT id AS added FROM public.remember('added', 'new since the snapshot') \gset
SELECT FROM public.remember('edited', 'changed');
SELECT FROM public.remember('edited', 'changed again');
SELECT FROM public.forget(fx.id('mem_a1_dropped'));
SELECT fx.act_as('a2');
SELECT FROM public.remember('colleague', 'changed');

SELECT fx.act_as('a1');
SELECT is((SELECT c.memory_id IS NULL AND NOT c.reload
           FROM agentbase.memory_changes(fx.id('user_a1'), :'snap') WITH ORDINALITY c(memory_id, reload, n) WHERE n = 1),
          true, 'memory_changes: the first row is the header, memory_id null');
SELECT is(fx.changes(fx.id('user_a1'), :'snap'),
          fx.changed(false, ARRAY[:'added'::uuid, fx.id('mem_a1_edited'), fx.id('mem_a1_dropped')]),
          'memory_changes: since a snapshot, just the caller''s memories written after it, each once, the forgotten one too');
SELECT is(fx.changes(fx.id('user_a1'), NULL), fx.changed(true, fx.memory_ids(fx.id('user_a1'))),
          'memory_changes: with no snapshot, reload and every memory id of the user');
SELECT is(fx.changes(fx.id('user_a1'), 'not a snapshot'), fx.changed(true, fx.memory_ids(fx.id('user_a1'))),
          'memory_changes: an unreadable snapshot reloads');
SELECT is((fx.changes(fx.id('user_a1'), '')).reload, true, 'memory_changes: an empty snapshot reloads');
SELECT is((fx.changes(fx.id('user_a1'), '20:10:')).reload, true, 'memory_changes: a snapshot with xmin above xmax reloads');
SELECT throws_ok($$SELECT * FROM agentbase.memory_changes(fx.id('user_a2'), NULL)$$, '42501', 'memory changes of another user',
                 'memory_changes: a1 cannot ask about a colleague');
SELECT throws_ok($$SELECT * FROM agentbase.memory_changes(fx.id('user_b1'), NULL)$$, '42501', NULL,
                 'memory_changes: a1 cannot ask about tenant B''s user');
SELECT throws_ok($$SELECT * FROM agentbase.memory_changes(NULL, NULL)$$, '42501', NULL, 'memory_changes: a target is required');
SELECT fx.act_as('b1');
SELECT throws_ok(format($$SELECT * FROM agentbase.memory_changes(fx.id('user_a1'), %L)$$, :'snap'), '42501', NULL,
                 'memory_changes: b1 cannot ask about a1''s memories');
SELECT is(fx.changes(fx.id('user_b1'), :'snap'), fx.changed(false, '{}'),
          'memory_changes: b1''s own: nothing of b1''s changed');
SELECT fx.act_as('anon');
SELECT throws_ok($$SELECT * FROM agentbase.memory_changes(fx.id('user_a1'), NULL)$$, '42501', NULL,
                 'memory_changes: anon is refused');
SELECT fx.act_as('service_role');
SELECT is(fx.changes(fx.id('user_a2'), :'snap'), fx.changed(false, ARRAY[fx.id('mem_a2_colleague')]),
          'memory_changes: the service key asks about any user');
SELECT throws_ok($$SELECT * FROM agentbase.memory_changes(NULL, NULL)$$, '42501', NULL,
                 'memory_changes: the service key names a user too');

-- Which transactions count: against a snapshot "xmin:xmax:running", an entry
-- counts when its transaction is not visible in it, i.e. at or after xmax or
-- still running then; older than xmin it never does.
SELECT fx.act_as('postgres');
SELECT FROM fx.drain_log();
INSERT INTO agentbase.memory_log (xid, user_id, memory_id) VALUES
  (fx.xid(-20), fx.id('user_a1'), fx.id('before xmin')),
  (fx.xid(-7), fx.id('user_a1'), fx.id('committed before')),
  (fx.xid(-5), fx.id('user_a1'), fx.id('running then')),
  (fx.xid(0), fx.id('user_a1'), fx.id('this transaction, running then')),
  (fx.xid(3), fx.id('user_a1'), fx.id('after xmax')),
  (fx.xid(3), fx.id('user_a2'), fx.id('another user''s'));
SELECT format('%s:%s:%s,%s', fx.xid(-10), fx.xid(1), fx.xid(-5), fx.xid(0)) AS crafted \gset
SELECT fx.act_as('a1');
SELECT is(fx.changes(fx.id('user_a1'), :'crafted'),
          fx.changed(false, ARRAY[fx.id('running then'), fx.id('this transaction, running then'), fx.id('after xmax')]),
          'memory_changes: entries of transactions running at the snapshot or begun after it count; older ones do not');

-- purge_expired_memories ------------------------------------------------------------------------
SELECT fx.act_as('postgres');
SELECT fx.memory('b2', 'expired', 'gone yesterday', expires_at => now() - interval '1 day');
SELECT fx.memory('b2', 'just expired', 'gone a second ago', expires_at => now() - interval '1 second');
SELECT fx.memory('b2', 'expiring', 'gone tomorrow', expires_at => now() + interval '1 day');
SELECT fx.memory('a2', 'expired', 'gone an hour ago', expires_at => now() - interval '1 hour');
SELECT count(*) AS expired FROM public.user_memory WHERE expires_at <= now() \gset
SELECT count(*) AS unexpired FROM public.user_memory WHERE expires_at IS NULL OR expires_at > now() \gset
UPDATE agentbase.memory_log SET logged_at = now() - interval '2 hours' WHERE memory_id = fx.id('before xmin');
UPDATE agentbase.memory_log SET logged_at = now() - interval '30 minutes' WHERE memory_id = fx.id('running then');

SELECT fx.act_as('a1');
SELECT throws_ok($$SELECT agentbase.purge_expired_memories()$$, '42501', 'purging memories is for the service role',
                 'purge_expired_memories: refused for a user');
SELECT throws_ok($$SELECT agentbase.purge_expired_memories('0 seconds')$$, '42501', NULL,
                 'purge_expired_memories: refused for a user, whatever keep is');
SELECT fx.act_as('anon');
SELECT throws_ok($$SELECT agentbase.purge_expired_memories()$$, '42501', NULL, 'purge_expired_memories: refused for anon');

SELECT fx.act_as('service_role');
SELECT is(agentbase.purge_expired_memories(), :'expired'::bigint,
          'purge_expired_memories: the service key purges, and is told how many');
SELECT fx.act_as('postgres');
SELECT is((SELECT count(*) FROM public.user_memory WHERE expires_at <= now()), 0::bigint,
          'purge_expired_memories: no expired memory is left, whoever''s');
SELECT is((SELECT count(*) FROM public.user_memory), :'unexpired'::bigint, 'purge_expired_memories: every other memory is');
SELECT ok(EXISTS (SELECT 1 FROM agentbase.memory_log WHERE user_id = fx.id('user_b2') AND memory_id = fx.id('mem_b2_expired')),
          'purge_expired_memories: the purge is logged, so indexes drop the memories');
SELECT set_eq($$SELECT memory_id FROM agentbase.memory_log WHERE memory_id IN
                (fx.id('before xmin'), fx.id('committed before'), fx.id('running then'))$$,
              $$VALUES (fx.id('committed before')), (fx.id('running then'))$$,
              'purge_expired_memories: log entries older than keep (an hour) are pruned, younger ones kept');
SELECT is((SELECT horizon FROM agentbase.memory_log_horizon), fx.xid(-20),
          'purge_expired_memories: memory_log_horizon is the newest pruned transaction');
SELECT fx.act_as('a1');
SELECT is((fx.changes(fx.id('user_a1'), :'crafted')).reload, false,
          'memory_changes: a snapshot whose xmin is above every pruned transaction does not reload');

-- Prune an entry of this transaction (at or above any snapshot's xmin).
SELECT fx.act_as('postgres');
UPDATE agentbase.memory_log SET logged_at = now() - interval '90 minutes' WHERE memory_id = fx.id('this transaction, running then');
SELECT fx.act_as('service_role');
SELECT is(agentbase.purge_expired_memories(), 0::bigint, 'purge_expired_memories: nothing more to purge');
SELECT fx.act_as('postgres');
SELECT is((SELECT horizon FROM agentbase.memory_log_horizon), pg_current_xact_id(),
          'purge_expired_memories: the horizon rises with the newest pruned transaction');
SELECT fx.act_as('a1');
SELECT is(fx.changes(fx.id('user_a1'), :'snap'), fx.changed(true, fx.memory_ids(fx.id('user_a1'))),
          'memory_changes: after a purge pruned entries at or above the snapshot''s xmin, reload');
SELECT is((fx.changes(fx.id('user_a1'), :'crafted')).reload, true, 'memory_changes: ... for every such snapshot');
SELECT fx.act_as('postgres');
SELECT is(agentbase.purge_expired_memories('10 minutes'), 0::bigint,
          'purge_expired_memories: the database owner may purge, with a shorter keep');
SELECT is((SELECT count(*)::int FROM agentbase.memory_log WHERE memory_id = fx.id('running then')), 0,
          'purge_expired_memories: keep decides what is pruned');
SELECT is((SELECT horizon FROM agentbase.memory_log_horizon), pg_current_xact_id(),
          'purge_expired_memories: the horizon never falls');

-- TRUNCATE names no memory: it raises the horizon to its transaction, so
-- every snapshot that did not see it reloads.
DELETE FROM agentbase.memory_log_horizon;
SELECT fx.act_as('a1');
SELECT is((fx.changes(fx.id('user_a1'), :'crafted')).reload, false, 'memory_changes: no reload without a horizon');
SELECT fx.act_as('postgres');
TRUNCATE public.user_memory;
SELECT is((SELECT horizon FROM agentbase.memory_log_horizon), pg_current_xact_id(),
          'TRUNCATE of user_memory: the horizon is its transaction');
SELECT fx.act_as('a1');
SELECT is((fx.changes(fx.id('user_a1'), :'crafted')).reload, true,
          'memory_changes: a snapshot that did not see a TRUNCATE reloads');

SELECT * FROM finish();
ROLLBACK;
