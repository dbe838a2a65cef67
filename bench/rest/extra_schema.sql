-- bench/rest/run.sh: objects only the benchmark database has, for the
-- junction embed and the RETURNS TABLE call (see docs/benchmarks.md).
-- Loaded after the conversations and messages are seeded, before
-- `agentbase serve` starts.
BEGIN;
CREATE TABLE public.tags (
  id uuid NOT NULL DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL,
  name text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT tags_pkey PRIMARY KEY (id),
  CONSTRAINT tags_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES public.tenants (id) ON DELETE CASCADE,
  CONSTRAINT tags_tenant_name_key UNIQUE (tenant_id, name)
);
GRANT SELECT, INSERT, UPDATE, DELETE ON public.tags TO anon, authenticated, service_role;
ALTER TABLE public.tags ENABLE ROW LEVEL SECURITY;
CREATE POLICY tags_select_same_tenant ON public.tags
  FOR SELECT TO authenticated
  USING (tenant_id = (SELECT agentbase.current_tenant_id()));
CREATE POLICY tags_write_same_tenant ON public.tags
  FOR ALL TO authenticated
  USING (tenant_id = (SELECT agentbase.current_tenant_id()))
  WITH CHECK (tenant_id = (SELECT agentbase.current_tenant_id()));

-- The junction: its primary key is its two foreign keys.
CREATE TABLE public.conversation_tags (
  conversation_id uuid NOT NULL,
  tag_id uuid NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT conversation_tags_pkey PRIMARY KEY (conversation_id, tag_id),
  CONSTRAINT conversation_tags_conversation_id_fkey FOREIGN KEY (conversation_id)
    REFERENCES public.conversations (id) ON DELETE CASCADE,
  CONSTRAINT conversation_tags_tag_id_fkey FOREIGN KEY (tag_id) REFERENCES public.tags (id) ON DELETE CASCADE
);
CREATE INDEX conversation_tags_tag_id_idx ON public.conversation_tags (tag_id);
GRANT SELECT, INSERT, UPDATE, DELETE ON public.conversation_tags TO anon, authenticated, service_role;
ALTER TABLE public.conversation_tags ENABLE ROW LEVEL SECURITY;
-- Like messages: readable by whoever can read the conversation; the
-- conversation's owner links it to the tenant's tags.
CREATE POLICY conversation_tags_select_visible_conversation ON public.conversation_tags
  FOR SELECT TO authenticated
  USING (EXISTS (SELECT 1 FROM public.conversations c WHERE c.id = conversation_tags.conversation_id));
CREATE POLICY conversation_tags_insert_own_conversation ON public.conversation_tags
  FOR INSERT TO authenticated
  WITH CHECK (
    EXISTS (SELECT 1 FROM public.conversations c
            WHERE c.id = conversation_tags.conversation_id AND c.user_id = (SELECT auth.uid()))
    AND EXISTS (SELECT 1 FROM public.tags t WHERE t.id = conversation_tags.tag_id)
  );
CREATE POLICY conversation_tags_delete_own_conversation ON public.conversation_tags
  FOR DELETE TO authenticated
  USING (EXISTS (SELECT 1 FROM public.conversations c
                 WHERE c.id = conversation_tags.conversation_id AND c.user_id = (SELECT auth.uid())));

-- A RETURNS TABLE function: a conversation's messages, numbered in order.
-- SECURITY INVOKER (the default) and search_path pinned, as the schema's
-- functions: row level security on messages decides what it returns.
CREATE FUNCTION public.conversation_messages(conversation uuid)
RETURNS TABLE (id uuid, role text, content text, created_at timestamptz, message_number bigint)
LANGUAGE sql STABLE SET search_path = '' AS $$
  SELECT m.id, m.role, m.content, m.created_at, row_number() OVER (ORDER BY m.created_at, m.id)
  FROM public.messages m
  WHERE m.conversation_id = conversation
$$;
GRANT EXECUTE ON FUNCTION public.conversation_messages(uuid) TO anon, authenticated, service_role;

-- Seed: 8 tags per tenant, 1 to 3 of them on every conversation.
SET LOCAL session_replication_role = replica;
INSERT INTO public.tags (tenant_id, name)
SELECT t.id, n FROM public.tenants t,
  unnest(ARRAY['billing', 'support', 'sales', 'bug', 'feature-request', 'urgent', 'follow-up', 'internal']) AS n;
INSERT INTO public.conversation_tags (conversation_id, tag_id)
SELECT c.id, t.id
FROM (SELECT id, tenant_id, split_part(title, ' ', 2)::int AS g FROM public.conversations) c
CROSS JOIN LATERAL (VALUES (c.g % 8), ((c.g / 8) % 8), ((c.g / 64) % 8)) AS k(i)
JOIN (SELECT id, tenant_id, row_number() OVER (PARTITION BY tenant_id ORDER BY name) - 1 AS i
      FROM public.tags) t ON t.tenant_id = c.tenant_id AND t.i = k.i
ON CONFLICT DO NOTHING;
COMMIT;
