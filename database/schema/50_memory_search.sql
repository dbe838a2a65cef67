-- agentbase:mode ensure
-- Semantic memory search: the user's memories nearest to an embedding.
-- SECURITY INVOKER, so row level security decides whose memories are
-- searched: a user only ever searches their own, within their tenant.
-- Call it as POST /rest/v1/rpc/match_user_memory
--   {"query_embedding": [...], "match_count": 5, "memory_types": ["preference"]}

-- agentbase:if vector
CREATE FUNCTION public.match_user_memory(
  query_embedding {{vector_schema}}.vector({{embedding_dimensions}}),
  match_count integer DEFAULT 10,
  memory_types text[] DEFAULT NULL,
  min_similarity double precision DEFAULT 0
) RETURNS TABLE (
  id uuid, memory_type text, key text, value text, confidence_score real, source text,
  metadata jsonb, created_at timestamptz, similarity double precision
)
LANGUAGE sql STABLE SET search_path = '' AS $$
  -- The rows the caller may see first (row level security, by user_id's
  -- index), then every one compared: exact. Behind an HNSW index scan, row
  -- level security would filter only the index's first candidates (ef_search,
  -- 40), and a user whose memories are not among them would get nothing.
  WITH visible AS MATERIALIZED (
    SELECT m.id, m.memory_type, m.key, m.value, m.confidence_score, m.source, m.metadata, m.created_at,
           m.embedding OPERATOR({{vector_schema}}.<=>) query_embedding AS distance
    FROM public.user_memory m
    WHERE m.embedding IS NOT NULL
      AND (memory_types IS NULL OR m.memory_type = ANY (memory_types))
      AND (m.expires_at IS NULL OR m.expires_at > now())
  )
  SELECT v.id, v.memory_type, v.key, v.value, v.confidence_score, v.source, v.metadata, v.created_at,
         1 - v.distance AS similarity
  FROM visible v
  WHERE 1 - v.distance >= min_similarity
  ORDER BY v.distance, v.id
  LIMIT least(greatest(match_count, 0), 200)
$$;
-- agentbase:else
CREATE FUNCTION agentbase.cosine_similarity(a real[], b real[]) RETURNS double precision
LANGUAGE sql IMMUTABLE PARALLEL SAFE SET search_path = '' AS $$
  SELECT sum(x * y) / nullif(sqrt(sum(x * x)) * sqrt(sum(y * y)), 0)
  FROM unnest(a, b) AS t(x, y)
$$;
CREATE FUNCTION public.match_user_memory(
  query_embedding real[],
  match_count integer DEFAULT 10,
  memory_types text[] DEFAULT NULL,
  min_similarity double precision DEFAULT 0
) RETURNS TABLE (
  id uuid, memory_type text, key text, value text, confidence_score real, source text,
  metadata jsonb, created_at timestamptz, similarity double precision
)
LANGUAGE sql STABLE SET search_path = '' AS $$
  SELECT s.id, s.memory_type, s.key, s.value, s.confidence_score, s.source, s.metadata, s.created_at, s.similarity
  FROM (
    SELECT m.*, agentbase.cosine_similarity(m.embedding, query_embedding) AS similarity
    FROM public.user_memory m
    WHERE m.embedding IS NOT NULL
      AND (memory_types IS NULL OR m.memory_type = ANY (memory_types))
      AND (m.expires_at IS NULL OR m.expires_at > now())
  ) s
  WHERE s.similarity >= min_similarity
  ORDER BY s.similarity DESC
  LIMIT least(greatest(match_count, 0), 200)
$$;
-- agentbase:end
