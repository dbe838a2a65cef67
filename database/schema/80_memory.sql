-- agentbase:mode ensure
-- User memory: remember, recall, search, forget and export, as RPCs over
-- public.user_memory (20_missing_tables.sql). Every public function here is
-- SECURITY INVOKER, so row level security decides whose memories a caller
-- reaches: a user only ever their own, within their tenant; the service role
-- any user's, named by user_id.
--
--   remember(key, value, memory_type, confidence_score, source,
--            source_conversation_id, expires_at, metadata, embedding, user_id)
--   recall(memory_types, min_confidence, from_source, search, page_size, after, user_id)
--   search_memories(query_embedding, match_count, min_similarity, memory_types,
--                   query_text, hybrid, user_id)
--   forget(memory_id) / forget_all(user_id)
--   export_memories(user_id)
--
-- Expired memories (expires_at in the past) are invisible to every read and
-- search here, and deleted by agentbase.purge_expired_memories()
-- (`agentbase memory purge`, and on a schedule by `agentbase serve`).
--
-- `agentbase serve` answers search_memories from an in-memory per-user index
-- (src/memory) kept consistent with the table through agentbase.memory_log:
-- every write of any path (REST, RPC, SQL) logs which user's memory changed,
-- under the writing transaction's id, and a search first asks, as the
-- searching user, which of their memories changed since the snapshot its
-- index was last brought up to (agentbase.memory_changes).
--
-- Errors: 22023 bad argument, 22P02 an embedding of the wrong length or not
-- finite, PT404 no such memory (or not visible: the same answer).

-- Which memories changed, by whose transaction ----------------------------------

CREATE TABLE agentbase.memory_log (
  xid xid8 NOT NULL DEFAULT pg_catalog.pg_current_xact_id(),
  user_id uuid NOT NULL,
  memory_id uuid NOT NULL,
  logged_at timestamptz NOT NULL DEFAULT pg_catalog.statement_timestamp()
);
CREATE INDEX memory_log_user_xid_idx ON agentbase.memory_log (user_id, xid);
-- `horizon` is the newest transaction whose entries have been pruned: an
-- index brought up to a snapshot that did not see it yet (its xmin is not
-- above it) may have missed them, and reloads its user whole.
CREATE TABLE agentbase.memory_log_horizon (
  only_row boolean NOT NULL DEFAULT true,
  horizon xid8 NOT NULL,
  CONSTRAINT memory_log_horizon_pkey PRIMARY KEY (only_row),
  CONSTRAINT memory_log_horizon_only_row_check CHECK (only_row)
);

-- SECURITY DEFINER: any writer logs, none may read or change the log.
CREATE FUNCTION agentbase.log_memory_change() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = '' AS $$
BEGIN
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    INSERT INTO agentbase.memory_log (user_id, memory_id) VALUES (NEW.user_id, NEW.id);
  END IF;
  -- A memory that moves to another owner (or id) leaves its old owner's index.
  IF TG_OP = 'DELETE' OR (TG_OP = 'UPDATE' AND (OLD.user_id, OLD.id) IS DISTINCT FROM (NEW.user_id, NEW.id)) THEN
    INSERT INTO agentbase.memory_log (user_id, memory_id) VALUES (OLD.user_id, OLD.id);
  END IF;
  RETURN NULL;
END
$$;
CREATE TRIGGER user_memory_log_change AFTER INSERT OR UPDATE OR DELETE ON public.user_memory
  FOR EACH ROW EXECUTE FUNCTION agentbase.log_memory_change();

-- TRUNCATE fires no row trigger and names no memory: it raises the horizon
-- (memory_log_horizon) to its own transaction instead, so that every index
-- brought up to a snapshot that did not see it reloads its user whole.
CREATE FUNCTION agentbase.log_memory_truncate() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = '' AS $$
BEGIN
  INSERT INTO agentbase.memory_log_horizon AS h (horizon) VALUES (pg_catalog.pg_current_xact_id())
    ON CONFLICT (only_row) DO UPDATE SET horizon = greatest(h.horizon, excluded.horizon);
  RETURN NULL;
END
$$;
CREATE TRIGGER user_memory_log_truncate AFTER TRUNCATE ON public.user_memory
  FOR EACH STATEMENT EXECUTE FUNCTION agentbase.log_memory_truncate();

-- The memories of `target` that changed after `since` (a pg_snapshot as
-- text, from an earlier call's pg_current_snapshot()), as ids; with
-- `reload` (since is null, unreadable, or older than the pruned log) all of
-- the user's memories instead. The first row is a header: memory_id null.
-- Ids only, and only of the caller's own memories unless the caller is the
-- platform; the rows themselves are read by the caller, under RLS.
CREATE FUNCTION agentbase.memory_changes(target uuid, since text)
RETURNS TABLE (memory_id uuid, reload boolean)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = '' AS $$
DECLARE
  snapshot pg_snapshot;
  whole boolean := since IS NULL;
BEGIN
  IF target IS NULL OR (NOT agentbase.caller_is_platform() AND target IS DISTINCT FROM auth.uid()) THEN
    RAISE EXCEPTION 'memory changes of another user' USING ERRCODE = '42501';
  END IF;
  IF NOT whole THEN
    BEGIN
      snapshot := since::pg_snapshot;
    EXCEPTION WHEN data_exception THEN
      whole := true;
    END;
  END IF;
  IF NOT whole THEN
    whole := EXISTS (SELECT 1 FROM agentbase.memory_log_horizon h WHERE h.horizon >= pg_catalog.pg_snapshot_xmin(snapshot));
  END IF;
  RETURN QUERY SELECT NULL::uuid, whole;
  IF whole THEN
    RETURN QUERY SELECT m.id, true FROM public.user_memory m WHERE m.user_id = target;
  ELSE
    RETURN QUERY SELECT DISTINCT l.memory_id, false FROM agentbase.memory_log l
      WHERE l.user_id = target AND l.xid >= pg_catalog.pg_snapshot_xmin(snapshot)
        AND NOT pg_catalog.pg_visible_in_snapshot(l.xid, snapshot);
  END IF;
END
$$;

-- Helpers ----------------------------------------------------------------------

-- The user a call acts for: the caller, or for the platform the user it names.
CREATE FUNCTION agentbase.memory_owner(named uuid) RETURNS uuid
LANGUAGE plpgsql STABLE SET search_path = '' AS $$
BEGIN
  IF agentbase.caller_is_platform() THEN
    IF named IS NULL THEN
      RAISE EXCEPTION 'user_id is required with the service key' USING ERRCODE = '22023';
    END IF;
    RETURN named;
  END IF;
  IF auth.uid() IS NULL THEN
    RAISE EXCEPTION 'sign in to use memory' USING ERRCODE = '42501';
  END IF;
  IF named IS NOT NULL AND named IS DISTINCT FROM auth.uid() THEN
    RAISE EXCEPTION 'user_id names another user' USING ERRCODE = '42501',
      HINT = 'A user reaches only their own memories; leave user_id out.';
  END IF;
  RETURN auth.uid();
END
$$;

-- An embedding as the table keeps it: {{embedding_dimensions}} finite numbers.
CREATE FUNCTION agentbase.checked_embedding(embedding real[]) RETURNS real[]
LANGUAGE plpgsql IMMUTABLE SET search_path = '' AS $$
DECLARE
  bad integer;
BEGIN
  IF embedding IS NULL THEN
    RETURN NULL;
  END IF;
  IF pg_catalog.array_ndims(embedding) IS DISTINCT FROM 1
     OR pg_catalog.cardinality(embedding) <> {{embedding_dimensions}} THEN
    RAISE EXCEPTION 'an embedding has {{embedding_dimensions}} numbers, this one %', pg_catalog.cardinality(embedding)
      USING ERRCODE = '22P02';
  END IF;
  -- Two scans in C: NaN sorts above Infinity as a real, so every element is
  -- finite when all lie strictly between the infinities, and a NULL makes
  -- the comparison unknown (not true). Only a refused embedding is searched
  -- for the element to name (array_position finds NULL, and NaN, which
  -- equals itself as a real).
  IF coalesce('-Infinity'::real < ALL (embedding) AND 'Infinity'::real > ALL (embedding), false) THEN
    RETURN embedding;
  END IF;
  bad := least(pg_catalog.array_position(embedding, NULL), pg_catalog.array_position(embedding, 'NaN'::real),
               pg_catalog.array_position(embedding, 'Infinity'::real),
               pg_catalog.array_position(embedding, '-Infinity'::real));
  RAISE EXCEPTION 'embedding[%] is %, not a finite number', bad - 1, coalesce(embedding[bad]::text, 'null')
    USING ERRCODE = '22P02';
END
$$;

-- An embedding in the column's type.
-- agentbase:if vector
CREATE FUNCTION agentbase.memory_embedding(embedding real[]) RETURNS {{vector_schema}}.vector({{embedding_dimensions}})
LANGUAGE plpgsql IMMUTABLE SET search_path = '' AS $$
BEGIN
  RETURN agentbase.checked_embedding(embedding)::{{vector_schema}}.vector({{embedding_dimensions}});
END
$$;
-- agentbase:else
CREATE FUNCTION agentbase.memory_embedding(embedding real[]) RETURNS real[]
LANGUAGE plpgsql IMMUTABLE SET search_path = '' AS $$
BEGIN
  RETURN agentbase.checked_embedding(embedding);
END
$$;
-- agentbase:end

-- Cosine similarity in double precision (real * real would round to real at
-- every step): what the in-memory index computes, to 1e-6.
CREATE FUNCTION agentbase.cosine_similarity_exact(a real[], b real[]) RETURNS double precision
LANGUAGE sql IMMUTABLE PARALLEL SAFE SET search_path = '' AS $$
  SELECT sum(x::float8 * y::float8) / nullif(sqrt(sum(x::float8 * x::float8)) * sqrt(sum(y::float8 * y::float8)), 0)
  FROM unnest(a, b) AS t(x, y)
$$;

-- remember ---------------------------------------------------------------------

-- Upserts the memory of (user, key): the key identifies a memory of a user
-- (the table's unique key is tenant, user, key), so remembering a key again
-- replaces its value, type, confidence, source, expiry, metadata and
-- embedding. Returns the memory as stored, without its embedding: the
-- arguments come back as kept (a null type as 'fact', null metadata as {}),
-- with the memory's id, tenant and times. The embedding's 1,536 numbers are
-- what the caller sent or the server made from the value; writing them back
-- as JSON took a sixth of a remember (docs/benchmarks.md), so they are read
-- from user_memory by whoever needs them.
CREATE FUNCTION public.remember(
  INOUT key text,
  INOUT value text,
  INOUT memory_type text DEFAULT 'fact',
  INOUT confidence_score real DEFAULT 1.0,
  INOUT source text DEFAULT NULL,
  INOUT source_conversation_id uuid DEFAULT NULL,
  INOUT expires_at timestamptz DEFAULT NULL,
  INOUT metadata jsonb DEFAULT '{}'::jsonb,
  embedding real[] DEFAULT NULL,
  INOUT user_id uuid DEFAULT NULL,
  OUT id uuid,
  OUT tenant_id uuid,
  OUT has_embedding boolean,
  OUT created_at timestamptz,
  OUT updated_at timestamptz
)
LANGUAGE plpgsql VOLATILE SET search_path = '' AS $$
DECLARE
  owner uuid := agentbase.memory_owner(remember.user_id);
  owner_tenant uuid;
BEGIN
  IF remember.value IS NULL THEN
    RAISE EXCEPTION 'value is required' USING ERRCODE = '22023';
  END IF;
  -- The bound agentbase serve also applies before embedding the value.
  IF pg_catalog.char_length(remember.value) > 10000 THEN
    RAISE EXCEPTION 'value is longer than 10000 characters' USING ERRCODE = '22023';
  END IF;
  IF remember.confidence_score IS NULL OR NOT (remember.confidence_score BETWEEN 0 AND 1) THEN
    RAISE EXCEPTION 'confidence_score must be between 0 and 1, got %', remember.confidence_score USING ERRCODE = '22023';
  END IF;
  IF remember.metadata IS NOT NULL AND pg_catalog.jsonb_typeof(remember.metadata) <> 'object' THEN
    RAISE EXCEPTION 'metadata must be a JSON object' USING ERRCODE = '22023';
  END IF;
  SELECT p.tenant_id INTO owner_tenant FROM public.profiles p WHERE p.id = owner;
  IF owner_tenant IS NULL THEN
    RAISE EXCEPTION 'user % belongs to no tenant', owner USING ERRCODE = '22023';
  END IF;
  INSERT INTO public.user_memory AS m (tenant_id, user_id, memory_type, key, value, confidence_score, source,
                                       source_conversation_id, expires_at, metadata, embedding)
  VALUES (owner_tenant, owner, coalesce(remember.memory_type, 'fact'), remember.key, remember.value,
          remember.confidence_score, remember.source, remember.source_conversation_id, remember.expires_at,
          coalesce(remember.metadata, '{}'::jsonb),
          agentbase.memory_embedding(remember.embedding))
  ON CONFLICT ON CONSTRAINT user_memory_tenant_id_user_id_key_key DO UPDATE SET
    memory_type = excluded.memory_type, value = excluded.value, confidence_score = excluded.confidence_score,
    source = excluded.source, source_conversation_id = excluded.source_conversation_id,
    expires_at = excluded.expires_at, metadata = excluded.metadata, embedding = excluded.embedding
  RETURNING m.key, m.value, m.memory_type, m.confidence_score, m.source, m.source_conversation_id, m.expires_at,
            m.metadata, m.user_id, m.id, m.tenant_id, m.embedding IS NOT NULL, m.created_at, m.updated_at
  INTO remember.key, remember.value, remember.memory_type, remember.confidence_score, remember.source,
       remember.source_conversation_id, remember.expires_at, remember.metadata, remember.user_id, remember.id,
       remember.tenant_id, remember.has_embedding, remember.created_at, remember.updated_at;
END
$$;

-- recall -----------------------------------------------------------------------

-- The user's memories, most recently changed first, filtered by type,
-- minimum confidence, source and text (words of key and value, as
-- websearch_to_tsquery reads them), one page at a time: pass the last row's
-- cursor as `after` for the next. Page sizes are 1..200.
CREATE FUNCTION public.recall(
  memory_types text[] DEFAULT NULL,
  min_confidence real DEFAULT NULL,
  from_source text DEFAULT NULL,
  search text DEFAULT NULL,
  page_size integer DEFAULT 50,
  after text DEFAULT NULL,
  user_id uuid DEFAULT NULL
) RETURNS TABLE (
  id uuid, memory_type text, key text, value text, confidence_score real, source text,
  source_conversation_id uuid, metadata jsonb, expires_at timestamptz, created_at timestamptz,
  updated_at timestamptz, cursor text
)
LANGUAGE plpgsql STABLE SET search_path = '' AS $$
DECLARE
  owner uuid := agentbase.memory_owner(recall.user_id);
  size integer := agentbase.chat_page_size(page_size, 50);
  pos record := agentbase.chat_decode_cursor(after, false, 'after');
  words tsquery;
BEGIN
  IF search IS NOT NULL AND pg_catalog.char_length(search) > 1000 THEN
    RAISE EXCEPTION 'search is longer than 1000 characters' USING ERRCODE = '22023';
  END IF;
  IF search IS NOT NULL AND pg_catalog.btrim(search) <> '' THEN
    words := pg_catalog.websearch_to_tsquery('simple'::regconfig, search);
  END IF;
  RETURN QUERY
    SELECT m.id, m.memory_type, m.key, m.value, m.confidence_score, m.source, m.source_conversation_id,
           m.metadata, m.expires_at, m.created_at, m.updated_at, agentbase.chat_cursor(m.updated_at, m.id)
    FROM public.user_memory m
    WHERE m.user_id = owner
      AND (m.expires_at IS NULL OR m.expires_at > pg_catalog.statement_timestamp())
      AND (memory_types IS NULL OR m.memory_type = ANY (memory_types))
      AND (min_confidence IS NULL OR m.confidence_score >= min_confidence)
      AND (from_source IS NULL OR m.source = from_source)
      AND (words IS NULL OR pg_catalog.to_tsvector('simple'::regconfig, m.key || ' ' || m.value) @@ words)
      AND (pos.id IS NULL OR (m.updated_at, m.id) < (pos.at, pos.id))
    ORDER BY m.updated_at DESC, m.id DESC
    LIMIT size;
END
$$;

-- search -----------------------------------------------------------------------

-- The user's memories nearest to query_embedding by cosine similarity,
-- exact (every memory of the user is compared), best first (ties by id),
-- at most match_count (1..200) of at least min_similarity. With hybrid (and
-- query_text), the vector ranking and a full-text ranking of query_text are
-- fused by reciprocal rank (score = sum of 1 / (60 + rank), Supabase's
-- hybrid_search), and `similarity` is still the cosine; min_similarity holds
-- for both rankings (a memory below it is not found by its words either). `agentbase serve`
-- answers this from its in-memory index, and computes query_embedding from
-- query_text when it is left out; called in SQL, query_embedding is needed.
-- agentbase:if vector
CREATE FUNCTION agentbase.memory_similarity(stored {{vector_schema}}.vector, query real[]) RETURNS double precision
LANGUAGE sql IMMUTABLE PARALLEL SAFE SET search_path = '' AS $$
  SELECT 1 - (stored OPERATOR({{vector_schema}}.<=>) query::{{vector_schema}}.vector)
$$;
-- agentbase:else
-- A stored NaN or infinity (the table takes them; remember does not) makes
-- the cosine NaN, which PostgreSQL orders above every number and finds not
-- below any min_similarity: such a memory has no cosine, as a zero vector.
CREATE FUNCTION agentbase.memory_similarity(stored real[], query real[]) RETURNS double precision
LANGUAGE sql IMMUTABLE PARALLEL SAFE SET search_path = '' AS $$
  SELECT NULLIF(agentbase.cosine_similarity_exact(stored, query), 'NaN'::double precision)
$$;
-- agentbase:end

-- Exact and per user: the user's memories are found first (by user_id) and
-- every one is compared, so a user filter can never starve the results as
-- it can behind an approximate (HNSW) index scan.
CREATE FUNCTION public.search_memories(
  query_embedding real[] DEFAULT NULL,
  match_count integer DEFAULT 10,
  min_similarity double precision DEFAULT NULL,
  memory_types text[] DEFAULT NULL,
  query_text text DEFAULT NULL,
  hybrid boolean DEFAULT false,
  user_id uuid DEFAULT NULL
) RETURNS TABLE (
  id uuid, memory_type text, key text, value text, confidence_score real, source text,
  source_conversation_id uuid, metadata jsonb, expires_at timestamptz, created_at timestamptz,
  updated_at timestamptz, similarity double precision, score double precision
)
LANGUAGE plpgsql STABLE SET search_path = '' AS $$
DECLARE
  owner uuid := agentbase.memory_owner(search_memories.user_id);
  query real[] := agentbase.checked_embedding(query_embedding);
  fused boolean := coalesce(hybrid, false);
  words tsquery;
  candidates integer;
BEGIN
  IF query IS NULL THEN
    RAISE EXCEPTION 'query_embedding is required' USING ERRCODE = '22023',
      HINT = 'agentbase serve computes it from query_text; in SQL, pass the embedding.';
  END IF;
  IF match_count IS NULL OR match_count < 1 OR match_count > 200 THEN
    RAISE EXCEPTION 'match_count must be between 1 and 200, got %', match_count USING ERRCODE = '22023';
  END IF;
  -- The bound agentbase serve also applies before embedding query_text.
  IF pg_catalog.char_length(query_text) > 1000 THEN
    RAISE EXCEPTION 'query_text is longer than 1000 characters' USING ERRCODE = '22023';
  END IF;
  IF fused THEN
    IF query_text IS NULL OR pg_catalog.btrim(query_text) = '' THEN
      RAISE EXCEPTION 'hybrid search needs query_text' USING ERRCODE = '22023';
    END IF;
    words := pg_catalog.websearch_to_tsquery('simple'::regconfig, query_text);
  END IF;
  -- Each side ranks twice as many as asked, so that fusion has a choice.
  candidates := CASE WHEN fused THEN match_count * 2 ELSE match_count END;
  RETURN QUERY
    WITH mine AS MATERIALIZED (
      SELECT m.*, agentbase.memory_similarity(m.embedding, query) AS sim
      FROM public.user_memory m
      WHERE m.user_id = owner AND m.embedding IS NOT NULL
        AND (m.expires_at IS NULL OR m.expires_at > pg_catalog.statement_timestamp())
        AND (memory_types IS NULL OR m.memory_type = ANY (memory_types))
    ), by_vector AS (
      SELECT v.id, pg_catalog.row_number() OVER (ORDER BY v.sim DESC, v.id) AS r
      -- A zero vector has no cosine (null): never a match.
      FROM (SELECT mine.id, mine.sim FROM mine
            WHERE mine.sim IS NOT NULL AND (min_similarity IS NULL OR mine.sim >= min_similarity)
            ORDER BY mine.sim DESC, mine.id LIMIT candidates) v
    ), by_text AS (
      SELECT t.id, pg_catalog.row_number() OVER (ORDER BY t.rank DESC, t.id) AS r
      FROM (SELECT mine.id, pg_catalog.ts_rank(pg_catalog.to_tsvector('simple'::regconfig, mine.key || ' ' || mine.value),
                                               words) AS rank
            FROM mine WHERE fused AND (min_similarity IS NULL OR mine.sim >= min_similarity)
              AND pg_catalog.to_tsvector('simple'::regconfig, mine.key || ' ' || mine.value) @@ words
            ORDER BY 2 DESC, 1 LIMIT candidates) t
    ), ranked AS (
      SELECT coalesce(v.id, t.id) AS id,
             coalesce(1.0 / (60 + v.r), 0)::float8 + coalesce(1.0 / (60 + t.r), 0)::float8 AS score
      FROM by_vector v FULL JOIN by_text t ON t.id = v.id
    )
    SELECT m.id, m.memory_type, m.key, m.value, m.confidence_score, m.source, m.source_conversation_id,
           m.metadata, m.expires_at, m.created_at, m.updated_at, m.sim, r.score
    FROM ranked r JOIN mine m ON m.id = r.id
    ORDER BY r.score DESC, m.sim DESC, m.id
    LIMIT match_count;
END
$$;

-- forget and export -------------------------------------------------------------

-- Forgets one memory; PT404 when there is none the caller may reach.
CREATE FUNCTION public.forget(memory_id uuid) RETURNS uuid
LANGUAGE plpgsql VOLATILE SET search_path = '' AS $$
DECLARE
  forgotten uuid;
BEGIN
  DELETE FROM public.user_memory m WHERE m.id = forget.memory_id RETURNING m.id INTO forgotten;
  IF forgotten IS NULL THEN
    RAISE EXCEPTION 'no memory %', forget.memory_id USING ERRCODE = 'PT404';
  END IF;
  RETURN forgotten;
END
$$;

-- Forgets all of a user's memories; returns how many.
CREATE FUNCTION public.forget_all(user_id uuid DEFAULT NULL) RETURNS bigint
LANGUAGE plpgsql VOLATILE SET search_path = '' AS $$
DECLARE
  owner uuid := agentbase.memory_owner(forget_all.user_id);
  forgotten bigint;
BEGIN
  DELETE FROM public.user_memory m WHERE m.user_id = owner;
  GET DIAGNOSTICS forgotten = ROW_COUNT;
  RETURN forgotten;
END
$$;

-- All of a user's memories that have not expired, as one JSON document:
-- {"user_id", "exported_at", "memories": [rows with their embeddings]}.
CREATE FUNCTION public.export_memories(user_id uuid DEFAULT NULL) RETURNS jsonb
LANGUAGE plpgsql STABLE SET search_path = '' AS $$
DECLARE
  owner uuid := agentbase.memory_owner(export_memories.user_id);
BEGIN
  RETURN pg_catalog.jsonb_build_object(
    'user_id', owner,
    'exported_at', pg_catalog.statement_timestamp(),
    'memories', coalesce((
      SELECT pg_catalog.jsonb_agg(pg_catalog.to_jsonb(m) - 'tenant_id' - 'user_id' ORDER BY m.created_at, m.id)
      FROM public.user_memory m
      WHERE m.user_id = owner AND (m.expires_at IS NULL OR m.expires_at > pg_catalog.statement_timestamp())
    ), '[]'::jsonb));
END
$$;

-- purge ------------------------------------------------------------------------

-- Deletes expired memories, and the change log entries every index has
-- outgrown (older than `keep`; an index brought up to an older snapshot
-- reloads its user). Returns the number of memories deleted. For the
-- database owner and the service role (`agentbase memory purge`, and
-- `agentbase serve` on a schedule).
CREATE FUNCTION agentbase.purge_expired_memories(keep interval DEFAULT '1 hour') RETURNS bigint
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = '' AS $$
DECLARE
  purged bigint;
  horizon xid8;
BEGIN
  IF NOT agentbase.caller_is_platform() THEN
    RAISE EXCEPTION 'purging memories is for the service role' USING ERRCODE = '42501';
  END IF;
  DELETE FROM public.user_memory m WHERE m.expires_at <= pg_catalog.statement_timestamp();
  GET DIAGNOSTICS purged = ROW_COUNT;
  WITH pruned AS (
    DELETE FROM agentbase.memory_log l WHERE l.logged_at < pg_catalog.statement_timestamp() - keep RETURNING l.xid
  )
  SELECT max(pruned.xid) INTO horizon FROM pruned;
  IF horizon IS NOT NULL THEN
    INSERT INTO agentbase.memory_log_horizon AS h (horizon) VALUES (horizon)
      ON CONFLICT (only_row) DO UPDATE SET horizon = greatest(h.horizon, excluded.horizon);
  END IF;
  RETURN purged;
END
$$;
