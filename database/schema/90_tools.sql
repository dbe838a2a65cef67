-- agentbase:mode ensure
-- Agents' tools: which tools an agent has, in which order, with which
-- configuration, validated against the tool's JSON Schema, and what every
-- call of a tool did. Every public function here is SECURITY INVOKER, so row
-- level security decides what a caller reaches: a tenant's users manage their
-- own tenant's agents' tools, the service key any.
--
--   attach_tool(agent_id, tool_id, config, enabled, priority)
--   detach_tool(agent_id, tool_id)
--   set_tool_enabled(agent_id, tool_id, enabled)
--   move_tool(agent_id, tool_id, priority)           -> the agent's tools, in order
--   configure_tool(agent_id, tool_id, config, merge) -> merge: RFC 7396 merge patch
--   effective_tools(agent_id)                        -> what a runtime asks for before a turn
--   record_tool_call(agent_id, tool_id, status, duration_ms, conversation_id,
--                    message_id, error, called_at, arguments)
--   test_tool_call(agent_id, tool_id, arguments)     -> {valid, errors, call_id}
--   tool_usage(agent_id, since, until)               -> per tool: calls, errors, p50/p95, last used
--   prune_tool_calls(older_than)                     -> service key: drops old raw records, a batch a call
--
-- Tables: public.tool_schemas (a tool's config and input JSON Schemas and its
-- default config; a public catalog like public.tools), public.tool_calls (raw
-- call records) and public.tool_usage_rollups (per agent, tool and hour/day:
-- counts and a duration histogram, kept by a trigger as calls are recorded).
--
-- Order: an agent's tools have priorities 1..n (1 first), enabled or not.
-- Placing a tool at a priority (on insert, or by updating priority) moves
-- the others to make room; removing one closes the gap. A lock per agent
-- serialises these, so concurrent moves never leave duplicates or gaps.
--
-- Validation: PostgreSQL has no JSON Schema validator, agentbase serve has
-- one. Every write of agent_tools.config (or of a tool's schemas) through the
-- API is noted in the transaction (agentbase.unchecked_tool_configs); the
-- server reads the notes back before COMMIT (take_unchecked_tool_configs),
-- validates each effective config (default_config, deep-merged with the
-- agent's config) against the tool's config_schema, and commits only if all
-- pass. A deferred constraint trigger refuses to commit an API transaction
-- whose notes nobody took, so no API path skips validation. Sessions without
-- API claims (the database owner, migrations, psql) are trusted.
--
-- Errors: 22023 bad argument, 23514 a config that breaks its schema (from the
-- server: details name the path and keyword) or a cycle, 23505 already
-- attached, 42501 not allowed, PT404 not found (or not visible: the same
-- answer, so ids of other tenants cannot be probed).

-- JSON helpers --------------------------------------------------------------------

-- `layer` on top of `base`: objects merge key by key, recursively; any
-- other value of layer replaces base's. How a tool's default config and an
-- agent's config combine.
CREATE FUNCTION agentbase.jsonb_merge_deep(base jsonb, layer jsonb) RETURNS jsonb
LANGUAGE sql IMMUTABLE SET search_path = '' AS $$
  SELECT CASE
    WHEN layer IS NULL THEN base
    WHEN pg_catalog.jsonb_typeof(base) = 'object' AND pg_catalog.jsonb_typeof(layer) = 'object' THEN
      -- || merges the top level in C; only keys that are objects on both
      -- sides need the recursion.
      base || layer || coalesce((SELECT pg_catalog.jsonb_object_agg(o.k, agentbase.jsonb_merge_deep(base -> o.k, o.v))
                                 FROM pg_catalog.jsonb_each(layer) AS o(k, v)
                                 WHERE pg_catalog.jsonb_typeof(o.v) = 'object'
                                   AND pg_catalog.jsonb_typeof(base -> o.k) = 'object'), '{}'::jsonb)
    ELSE layer
  END
$$;

-- RFC 7396 JSON Merge Patch: `patch`'s members replace target's, null
-- members remove them, objects are patched recursively.
CREATE FUNCTION agentbase.jsonb_merge_patch(target jsonb, patch jsonb) RETURNS jsonb
LANGUAGE sql IMMUTABLE SET search_path = '' AS $$
  SELECT CASE
    WHEN pg_catalog.jsonb_typeof(patch) IS DISTINCT FROM 'object' THEN patch
    ELSE coalesce((
      SELECT pg_catalog.jsonb_object_agg(k, v) FROM (
        SELECT t.k, t.v
        FROM pg_catalog.jsonb_each(CASE WHEN pg_catalog.jsonb_typeof(target) = 'object' THEN target
                                        ELSE '{}'::jsonb END) AS t(k, v)
        WHERE NOT patch ? t.k
        UNION ALL
        SELECT p.k, agentbase.jsonb_merge_patch(CASE WHEN pg_catalog.jsonb_typeof(target) = 'object'
                                                     THEN target -> p.k END, p.v)
        FROM pg_catalog.jsonb_each(patch) AS p(k, v)
        WHERE pg_catalog.jsonb_typeof(p.v) <> 'null') AS kept(k, v)), '{}'::jsonb)
  END
$$;

-- Whether this transaction is an API request (it carries JWT claims), as
-- opposed to the database owner's own session.
CREATE FUNCTION agentbase.request_is_api() RETURNS boolean
LANGUAGE sql STABLE SET search_path = '' AS $$
  SELECT coalesce(pg_catalog.current_setting('request.jwt.claims', true), '') <> ''
$$;

-- Tool schemas ------------------------------------------------------------------------

-- A tool's JSON Schemas: config_schema for an agent's configuration of it
-- (checked after default_config is merged under the agent's config),
-- input_schema for a call's arguments (NULL: public.tools.input_schema where
-- that column exists). Public like the tools catalog, so a default config
-- holds no secrets; agents' own configs are tenant data (agent_tools).
CREATE TABLE public.tool_schemas (
  tool_id uuid NOT NULL,
  config_schema jsonb NOT NULL DEFAULT '{}'::jsonb,
  input_schema jsonb,
  default_config jsonb NOT NULL DEFAULT '{}'::jsonb,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT tool_schemas_pkey PRIMARY KEY (tool_id),
  CONSTRAINT tool_schemas_tool_id_fkey FOREIGN KEY (tool_id) REFERENCES public.tools (id) ON DELETE CASCADE,
  CONSTRAINT tool_schemas_config_schema_check CHECK (jsonb_typeof(config_schema) IN ('object', 'boolean')),
  CONSTRAINT tool_schemas_input_schema_check CHECK (input_schema IS NULL OR jsonb_typeof(input_schema) IN ('object', 'boolean')),
  CONSTRAINT tool_schemas_default_config_check CHECK (jsonb_typeof(default_config) = 'object'),
  CONSTRAINT tool_schemas_size_check CHECK (octet_length(config_schema::text) + octet_length(coalesce(input_schema, 'null'::jsonb)::text)
                                            + octet_length(default_config::text) <= 262144)
);
GRANT SELECT ON public.tool_schemas TO anon, authenticated;
GRANT SELECT, INSERT, UPDATE, DELETE ON public.tool_schemas TO service_role;
ALTER TABLE public.tool_schemas ENABLE ROW LEVEL SECURITY;
CREATE POLICY tool_schemas_select_public ON public.tool_schemas
  FOR SELECT TO anon, authenticated
  USING (true);
CREATE TRIGGER tool_schemas_set_updated_at BEFORE UPDATE ON public.tool_schemas
  FOR EACH ROW EXECUTE FUNCTION agentbase.set_updated_at();

-- Validation notes (see the top of this file) ----------------------------------------

-- Notes a written config ('a' || agent_tools.id) or a tool's changed schemas
-- ('t' || tool_id) for the server to validate before COMMIT.
CREATE FUNCTION agentbase.note_unchecked_tool_config() RETURNS trigger
LANGUAGE plpgsql SET search_path = '' AS $$
BEGIN
  IF agentbase.request_is_api() THEN
    PERFORM pg_catalog.set_config('agentbase.unchecked_tool_configs',
      coalesce(pg_catalog.current_setting('agentbase.unchecked_tool_configs', true), '') || ','
        || CASE WHEN TG_TABLE_NAME = 'agent_tools' THEN 'a' || (to_jsonb(NEW) ->> 'id')
                ELSE 't' || (to_jsonb(NEW) ->> 'tool_id') END,
      true);
  END IF;
  RETURN NULL;
END
$$;

-- At COMMIT: notes nobody took mean a config the validator never saw.
CREATE FUNCTION agentbase.refuse_unchecked_tool_configs() RETURNS trigger
LANGUAGE plpgsql SET search_path = '' AS $$
BEGIN
  IF coalesce(pg_catalog.current_setting('agentbase.unchecked_tool_configs', true), '') <> '' THEN
    RAISE EXCEPTION 'a tool configuration was written without validation against its tool''s JSON Schema'
      USING ERRCODE = '23514',
            HINT = 'Write agent_tools and tool_schemas through agentbase serve''s /rest/v1 (tables, attach_tool, '
                   'configure_tool), which validates them before COMMIT.';
  END IF;
  RETURN NULL;
END
$$;

-- The server's side: the configs noted in this transaction, each with its
-- tool's schemas and its effective config (default_config under the
-- agent's), and the notes cleared. A changed schema brings every config of
-- its tool; schema_changed rows carry the schemas alone, so that they are
-- checked even when no agent uses the tool.
CREATE FUNCTION agentbase.take_unchecked_tool_configs()
RETURNS TABLE (agent_tool_id uuid, tool_id uuid, tool_slug text, effective_config jsonb,
               config_schema jsonb, input_schema jsonb, schema_changed boolean)
LANGUAGE plpgsql SET search_path = '' AS $$
DECLARE
  pending text := coalesce(pg_catalog.current_setting('agentbase.unchecked_tool_configs', true), '');
BEGIN
  PERFORM pg_catalog.set_config('agentbase.unchecked_tool_configs', '', true);
  IF pending = '' THEN
    RETURN;
  END IF;
  RETURN QUERY
  WITH notes AS (
    SELECT DISTINCT note FROM pg_catalog.unnest(pg_catalog.string_to_array(pending, ',')) AS note WHERE note <> ''
  ), written AS (
    SELECT pg_catalog.substr(note, 2)::uuid AS id FROM notes WHERE pg_catalog.left(note, 1) = 'a'
  ), reschemed AS (
    SELECT pg_catalog.substr(note, 2)::uuid AS id FROM notes WHERE pg_catalog.left(note, 1) = 't'
  )
  SELECT NULL::uuid, s.tool_id, to_jsonb(t) ->> 'slug', NULL::jsonb, s.config_schema, s.input_schema, true
  FROM public.tool_schemas s JOIN public.tools t ON t.id = s.tool_id
  WHERE s.tool_id IN (SELECT id FROM reschemed)
  UNION ALL
  SELECT a.id, a.tool_id, to_jsonb(t) ->> 'slug',
         agentbase.jsonb_merge_deep(coalesce(s.default_config, '{}'::jsonb), a.config),
         s.config_schema, s.input_schema, false
  FROM public.agent_tools a
  JOIN public.tools t ON t.id = a.tool_id
  LEFT JOIN public.tool_schemas s ON s.tool_id = a.tool_id
  WHERE a.id IN (SELECT id FROM written) OR a.tool_id IN (SELECT id FROM reschemed);
END
$$;

CREATE TRIGGER agent_tools_note_unchecked_config AFTER INSERT OR UPDATE OF config, tool_id ON public.agent_tools
  FOR EACH ROW EXECUTE FUNCTION agentbase.note_unchecked_tool_config();
CREATE CONSTRAINT TRIGGER agent_tools_config_validated AFTER INSERT OR UPDATE OF config, tool_id ON public.agent_tools
  DEFERRABLE INITIALLY DEFERRED
  FOR EACH ROW EXECUTE FUNCTION agentbase.refuse_unchecked_tool_configs();
CREATE TRIGGER tool_schemas_note_unchecked_schema AFTER INSERT OR UPDATE ON public.tool_schemas
  FOR EACH ROW EXECUTE FUNCTION agentbase.note_unchecked_tool_config();
CREATE CONSTRAINT TRIGGER tool_schemas_validated AFTER INSERT OR UPDATE ON public.tool_schemas
  DEFERRABLE INITIALLY DEFERRED
  FOR EACH ROW EXECUTE FUNCTION agentbase.refuse_unchecked_tool_configs();

-- Order ---------------------------------------------------------------------------------

-- Serialises changes to one agent's order until the transaction ends.
CREATE FUNCTION agentbase.lock_agent_tools(agent uuid) RETURNS void
LANGUAGE sql SET search_path = '' AS $$
  SELECT pg_catalog.pg_advisory_xact_lock(1633842225, pg_catalog.hashtext(agent::text))
$$;

-- Renumbers an agent's tools other than `moving` to 1..n in their current
-- order, leaving priority `gap` free (NULL: no gap); returns n. SECURITY
-- DEFINER: moving the others is part of the caller's allowed change.
CREATE FUNCTION agentbase.renumber_agent_tools(agent uuid, moving uuid, gap integer) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = '' AS $$
DECLARE
  others integer;
BEGIN
  PERFORM pg_catalog.set_config('agentbase.renumbering_tools', 'on', true);
  WITH ranked AS (
    SELECT t.id, (row_number() OVER (ORDER BY t.priority, t.created_at, t.id))::integer AS position
    FROM public.agent_tools t
    WHERE t.agent_id = agent AND t.id IS DISTINCT FROM moving
  )
  UPDATE public.agent_tools t
     SET priority = CASE WHEN gap IS NOT NULL AND r.position >= gap THEN r.position + 1 ELSE r.position END
    FROM ranked r
   WHERE t.id = r.id
     AND t.priority <> CASE WHEN gap IS NOT NULL AND r.position >= gap THEN r.position + 1 ELSE r.position END;
  SELECT count(*) INTO others FROM public.agent_tools t WHERE t.agent_id = agent AND t.id IS DISTINCT FROM moving;
  PERFORM pg_catalog.set_config('agentbase.renumbering_tools', '', true);
  RETURN others;
END
$$;

-- Places a new or moved tool: a priority of 1..n+1 inserts it there, any
-- other (0, the column default, or beyond the end) appends it.
CREATE FUNCTION agentbase.place_agent_tool() RETURNS trigger
LANGUAGE plpgsql SET search_path = '' AS $$
DECLARE
  others integer;
  wanted integer := NEW.priority;
BEGIN
  IF pg_catalog.current_setting('agentbase.renumbering_tools', true) = 'on' THEN
    RETURN NEW;
  END IF;
  IF TG_OP = 'UPDATE' AND NEW.priority IS NOT DISTINCT FROM OLD.priority AND NEW.agent_id = OLD.agent_id THEN
    RETURN NEW;
  END IF;
  PERFORM agentbase.lock_agent_tools(NEW.agent_id);
  SELECT count(*) INTO others FROM public.agent_tools t WHERE t.agent_id = NEW.agent_id AND t.id IS DISTINCT FROM NEW.id;
  IF wanted IS NULL OR wanted < 1 OR wanted > others + 1 THEN
    wanted := others + 1;
  END IF;
  PERFORM agentbase.renumber_agent_tools(NEW.agent_id, NEW.id, wanted);
  NEW.priority := wanted;
  RETURN NEW;
END
$$;

-- Closes the gap a removed (or moved away) tool leaves.
CREATE FUNCTION agentbase.close_agent_tools_gap() RETURNS trigger
LANGUAGE plpgsql SET search_path = '' AS $$
BEGIN
  IF pg_catalog.current_setting('agentbase.renumbering_tools', true) = 'on'
     OR (TG_OP = 'UPDATE' AND NEW.agent_id = OLD.agent_id) THEN
    RETURN NULL;
  END IF;
  PERFORM agentbase.lock_agent_tools(OLD.agent_id);
  PERFORM agentbase.renumber_agent_tools(OLD.agent_id, NULL, NULL);
  RETURN NULL;
END
$$;

CREATE TRIGGER agent_tools_place BEFORE INSERT OR UPDATE OF priority, agent_id ON public.agent_tools
  FOR EACH ROW EXECUTE FUNCTION agentbase.place_agent_tool();
CREATE TRIGGER agent_tools_close_gap AFTER DELETE OR UPDATE OF agent_id ON public.agent_tools
  FOR EACH ROW EXECUTE FUNCTION agentbase.close_agent_tools_gap();
CREATE INDEX agent_tools_agent_priority_idx ON public.agent_tools (agent_id, priority);

-- Managing an agent's tools -------------------------------------------------------------

-- The agent (visible to the caller) and the tool, or PT404.
CREATE FUNCTION agentbase.tools_check_agent_and_tool(agent uuid, tool uuid) RETURNS void
LANGUAGE plpgsql STABLE SET search_path = '' AS $$
BEGIN
  IF agent IS NULL OR tool IS NULL THEN
    RAISE EXCEPTION 'agent_id and tool_id are required' USING ERRCODE = '22023';
  END IF;
  IF NOT agentbase.caller_is_platform() AND auth.uid() IS NULL THEN
    RAISE EXCEPTION 'sign in to manage agents'' tools' USING ERRCODE = '42501';
  END IF;
  IF NOT EXISTS (SELECT 1 FROM public.agents a WHERE a.id = agent) THEN
    RAISE EXCEPTION 'agent % not found', agent USING ERRCODE = 'PT404';
  END IF;
  IF NOT EXISTS (SELECT 1 FROM public.tools t WHERE t.id = tool) THEN
    RAISE EXCEPTION 'tool % not found', tool USING ERRCODE = 'PT404';
  END IF;
END
$$;

CREATE FUNCTION agentbase.tools_check_config(config jsonb) RETURNS void
LANGUAGE plpgsql IMMUTABLE SET search_path = '' AS $$
BEGIN
  IF config IS NOT NULL AND pg_catalog.jsonb_typeof(config) <> 'object' THEN
    RAISE EXCEPTION 'config must be a JSON object, got %', pg_catalog.jsonb_typeof(config) USING ERRCODE = '22023';
  END IF;
END
$$;

-- The agent's attachment of the tool, or PT404.
CREATE FUNCTION agentbase.tools_attachment(agent uuid, tool uuid) RETURNS public.agent_tools
LANGUAGE plpgsql STABLE SET search_path = '' AS $$
DECLARE
  attachment public.agent_tools;
BEGIN
  PERFORM agentbase.tools_check_agent_and_tool(agent, tool);
  SELECT * INTO attachment FROM public.agent_tools a WHERE a.agent_id = agent AND a.tool_id = tool;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'tool % is not attached to agent %', tool, agent USING ERRCODE = 'PT404';
  END IF;
  RETURN attachment;
END
$$;

-- Attaches a tool to an agent: at `priority` (1 first; NULL: last), enabled
-- unless told otherwise, with `config` (validated before COMMIT).
CREATE FUNCTION public.attach_tool(
  agent_id uuid,
  tool_id uuid,
  config jsonb DEFAULT NULL,
  enabled boolean DEFAULT true,
  priority integer DEFAULT NULL
) RETURNS public.agent_tools
LANGUAGE plpgsql SET search_path = '' AS $$
#variable_conflict use_column
DECLARE
  attached public.agent_tools;
BEGIN
  PERFORM agentbase.tools_check_agent_and_tool(attach_tool.agent_id, attach_tool.tool_id);
  PERFORM agentbase.tools_check_config(attach_tool.config);
  IF EXISTS (SELECT 1 FROM public.agent_tools a
             WHERE a.agent_id = attach_tool.agent_id AND a.tool_id = attach_tool.tool_id) THEN
    RAISE EXCEPTION 'tool % is already attached to agent %', attach_tool.tool_id, attach_tool.agent_id
      USING ERRCODE = '23505', HINT = 'Use configure_tool, set_tool_enabled or move_tool to change it.';
  END IF;
  INSERT INTO public.agent_tools (agent_id, tool_id, enabled, config, priority)
  VALUES (attach_tool.agent_id, attach_tool.tool_id, coalesce(attach_tool.enabled, true),
          coalesce(attach_tool.config, '{}'::jsonb), coalesce(attach_tool.priority, 0))
  RETURNING * INTO attached;
  RETURN attached;
END
$$;

-- Detaches a tool; the others close up. Returns the removed attachment.
CREATE FUNCTION public.detach_tool(agent_id uuid, tool_id uuid) RETURNS public.agent_tools
LANGUAGE plpgsql SET search_path = '' AS $$
DECLARE
  attachment public.agent_tools := agentbase.tools_attachment(detach_tool.agent_id, detach_tool.tool_id);
BEGIN
  DELETE FROM public.agent_tools a WHERE a.id = attachment.id;
  RETURN attachment;
END
$$;

CREATE FUNCTION public.set_tool_enabled(agent_id uuid, tool_id uuid, enabled boolean) RETURNS public.agent_tools
LANGUAGE plpgsql SET search_path = '' AS $$
DECLARE
  attachment public.agent_tools := agentbase.tools_attachment(set_tool_enabled.agent_id, set_tool_enabled.tool_id);
BEGIN
  IF set_tool_enabled.enabled IS NULL THEN
    RAISE EXCEPTION 'enabled must be true or false' USING ERRCODE = '22023';
  END IF;
  UPDATE public.agent_tools a SET enabled = set_tool_enabled.enabled WHERE a.id = attachment.id RETURNING * INTO attachment;
  RETURN attachment;
END
$$;

-- Moves a tool to `priority` (1 first; beyond the end: last); the others
-- shift. Returns all of the agent's tools in their new order.
CREATE FUNCTION public.move_tool(agent_id uuid, tool_id uuid, priority integer) RETURNS SETOF public.agent_tools
LANGUAGE plpgsql SET search_path = '' AS $$
DECLARE
  attachment public.agent_tools := agentbase.tools_attachment(move_tool.agent_id, move_tool.tool_id);
BEGIN
  IF move_tool.priority IS NULL OR move_tool.priority < 1 THEN
    RAISE EXCEPTION 'priority must be 1 or more (1 is first), got %', coalesce(move_tool.priority::text, 'null')
      USING ERRCODE = '22023';
  END IF;
  PERFORM agentbase.lock_agent_tools(attachment.agent_id);
  -- Beyond the end means last, not "append after itself".
  UPDATE public.agent_tools a
     SET priority = least(move_tool.priority,
                          (SELECT count(*) FROM public.agent_tools o WHERE o.agent_id = attachment.agent_id)::integer)
   WHERE a.id = attachment.id;
  RETURN QUERY SELECT * FROM public.agent_tools a WHERE a.agent_id = attachment.agent_id ORDER BY a.priority, a.id;
END
$$;

-- Sets an agent's config of a tool: replaced whole, or with merge => true
-- patched (RFC 7396: null removes a key). Validated before COMMIT.
CREATE FUNCTION public.configure_tool(agent_id uuid, tool_id uuid, config jsonb, merge boolean DEFAULT false)
RETURNS public.agent_tools
LANGUAGE plpgsql SET search_path = '' AS $$
DECLARE
  attachment public.agent_tools := agentbase.tools_attachment(configure_tool.agent_id, configure_tool.tool_id);
BEGIN
  IF configure_tool.config IS NULL THEN
    RAISE EXCEPTION 'config is required' USING ERRCODE = '22023';
  END IF;
  PERFORM agentbase.tools_check_config(configure_tool.config);
  UPDATE public.agent_tools a
     SET config = CASE WHEN coalesce(configure_tool.merge, false)
                       THEN agentbase.jsonb_merge_patch(a.config, configure_tool.config)
                       ELSE configure_tool.config END
   WHERE a.id = attachment.id
  RETURNING * INTO attachment;
  RETURN attachment;
END
$$;

-- What an agent runtime asks for before each turn: the agent's enabled
-- tools in priority order, each with its effective config (default_config
-- under the agent's config) and its input schema.
CREATE FUNCTION public.effective_tools(agent_id uuid) RETURNS jsonb
LANGUAGE plpgsql STABLE SET search_path = '' AS $$
DECLARE
  listed jsonb;
BEGIN
  IF effective_tools.agent_id IS NULL THEN
    RAISE EXCEPTION 'agent_id is required' USING ERRCODE = '22023';
  END IF;
  IF NOT EXISTS (SELECT 1 FROM public.agents a WHERE a.id = effective_tools.agent_id) THEN
    RAISE EXCEPTION 'agent % not found', effective_tools.agent_id USING ERRCODE = 'PT404';
  END IF;
  SELECT coalesce(pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object(
           'agent_tool_id', a.id, 'tool_id', a.tool_id, 'slug', tool.doc ->> 'slug', 'name', tool.doc ->> 'name',
           'description', tool.doc ->> 'description', 'priority', a.priority,
           'config', agentbase.jsonb_merge_deep(coalesce(s.default_config, '{}'::jsonb), a.config),
           'input_schema', coalesce(s.input_schema, tool.doc -> 'input_schema', '{}'::jsonb))
           ORDER BY a.priority, a.id), '[]'::jsonb)
    INTO listed
  FROM public.agent_tools a
  JOIN public.tools t ON t.id = a.tool_id
  CROSS JOIN LATERAL (SELECT to_jsonb(t) AS doc) AS tool
  LEFT JOIN public.tool_schemas s ON s.tool_id = a.tool_id
  WHERE a.agent_id = effective_tools.agent_id AND a.enabled;
  RETURN listed;
END
$$;

-- Tool calls --------------------------------------------------------------------------------

-- One record per call of a tool by an agent. Users of the agent's tenant
-- record calls within conversations they own (or none); the service key any.
-- Records are history: users cannot change or delete them.
CREATE TABLE public.tool_calls (
  id uuid NOT NULL DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL,
  agent_id uuid NOT NULL,
  tool_id uuid NOT NULL,
  conversation_id uuid,
  message_id uuid,
  status text NOT NULL DEFAULT 'success',
  dry_run boolean NOT NULL DEFAULT false,
  duration_ms integer,
  error text,
  arguments jsonb,
  called_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT tool_calls_pkey PRIMARY KEY (id),
  CONSTRAINT tool_calls_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES public.tenants (id) ON DELETE CASCADE,
  CONSTRAINT tool_calls_agent_id_fkey FOREIGN KEY (agent_id) REFERENCES public.agents (id) ON DELETE CASCADE,
  CONSTRAINT tool_calls_tool_id_fkey FOREIGN KEY (tool_id) REFERENCES public.tools (id) ON DELETE CASCADE,
  CONSTRAINT tool_calls_conversation_id_fkey FOREIGN KEY (conversation_id) REFERENCES public.conversations (id) ON DELETE SET NULL,
  CONSTRAINT tool_calls_message_id_fkey FOREIGN KEY (message_id) REFERENCES public.messages (id) ON DELETE SET NULL,
  CONSTRAINT tool_calls_status_check CHECK (status IN ('success', 'error', 'timeout', 'cancelled', 'invalid')),
  CONSTRAINT tool_calls_duration_ms_check CHECK (duration_ms BETWEEN 0 AND 86400000),
  CONSTRAINT tool_calls_error_length_check CHECK (char_length(error) <= 4000),
  CONSTRAINT tool_calls_arguments_size_check CHECK (octet_length(arguments::text) <= 65536)
);
CREATE INDEX tool_calls_agent_tool_called_idx ON public.tool_calls (agent_id, tool_id, called_at DESC);
CREATE INDEX tool_calls_tenant_called_idx ON public.tool_calls (tenant_id, called_at DESC);
CREATE INDEX tool_calls_tool_id_idx ON public.tool_calls (tool_id);
CREATE INDEX tool_calls_conversation_id_idx ON public.tool_calls (conversation_id) WHERE conversation_id IS NOT NULL;
CREATE INDEX tool_calls_message_id_idx ON public.tool_calls (message_id) WHERE message_id IS NOT NULL;
CREATE INDEX tool_calls_called_at_idx ON public.tool_calls (called_at);
-- anon: no policy lets it see a row, but an embed of tools -> tool_calls
-- answers empty instead of refusing the whole request.
GRANT SELECT ON public.tool_calls TO anon;
GRANT SELECT, INSERT ON public.tool_calls TO authenticated;
GRANT SELECT, INSERT, UPDATE, DELETE ON public.tool_calls TO service_role;
ALTER TABLE public.tool_calls ENABLE ROW LEVEL SECURITY;
CREATE POLICY tool_calls_select_same_tenant ON public.tool_calls
  FOR SELECT TO authenticated
  USING (tenant_id = (SELECT agentbase.current_tenant_id()));
CREATE POLICY tool_calls_insert_own_tenant ON public.tool_calls
  FOR INSERT TO authenticated
  WITH CHECK (
    tenant_id = (SELECT agentbase.current_tenant_id())
    AND EXISTS (SELECT 1 FROM public.agents a WHERE a.id = tool_calls.agent_id AND a.tenant_id = (SELECT agentbase.current_tenant_id()))
    AND (conversation_id IS NULL OR EXISTS (
      SELECT 1 FROM public.conversations c WHERE c.id = tool_calls.conversation_id AND c.user_id = (SELECT auth.uid())))
  );

-- Fills tenant_id from the agent and keeps a record's links in one tenant:
-- the conversation is the agent's tenant's, the message is the
-- conversation's (or names it). SECURITY DEFINER to see the links whatever
-- the caller's rights; "not found" does not tell another tenant's ids apart.
CREATE FUNCTION agentbase.check_tool_call() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = '' AS $$
DECLARE
  agent_tenant uuid;
  linked_conversation uuid;
BEGIN
  SELECT a.tenant_id INTO agent_tenant FROM public.agents a WHERE a.id = NEW.agent_id;
  IF agent_tenant IS NULL OR (NEW.tenant_id IS NOT NULL AND NEW.tenant_id <> agent_tenant) THEN
    RAISE EXCEPTION 'agent % not found', NEW.agent_id USING ERRCODE = 'PT404';
  END IF;
  NEW.tenant_id := agent_tenant;
  IF NEW.message_id IS NOT NULL THEN
    SELECT to_jsonb(m) ->> 'conversation_id' INTO linked_conversation FROM public.messages m
    WHERE m.id = NEW.message_id AND m.tenant_id = agent_tenant;
    IF NOT FOUND OR (NEW.conversation_id IS NOT NULL AND linked_conversation IS DISTINCT FROM NEW.conversation_id) THEN
      RAISE EXCEPTION 'message % not found in the conversation', NEW.message_id USING ERRCODE = 'PT404';
    END IF;
    NEW.conversation_id := linked_conversation;
  END IF;
  IF NEW.conversation_id IS NOT NULL AND NOT EXISTS (
       SELECT 1 FROM public.conversations c WHERE c.id = NEW.conversation_id AND c.tenant_id = agent_tenant) THEN
    RAISE EXCEPTION 'conversation % not found', NEW.conversation_id USING ERRCODE = 'PT404';
  END IF;
  RETURN NEW;
END
$$;
CREATE TRIGGER tool_calls_check BEFORE INSERT OR UPDATE ON public.tool_calls
  FOR EACH ROW EXECUTE FUNCTION agentbase.check_tool_call();

-- Rollups: per agent, tool and UTC hour or day, the calls (dry runs apart),
-- errors (error, timeout, invalid), total duration and a duration histogram
-- (subscripted by bucket, see duration_histogram): bucket 1 holds 0 ms,
-- bucket b > 1 holds [2^((b-2)/8), 2^((b-1)/8)) ms, so a
-- percentile read from it is within 4.5 % (exact below 12 ms). Kept by a
-- trigger as calls are recorded; pruning raw records leaves them.
CREATE TABLE public.tool_usage_rollups (
  agent_id uuid NOT NULL,
  tool_id uuid NOT NULL,
  period text NOT NULL,
  period_start timestamptz NOT NULL,
  tenant_id uuid NOT NULL,
  calls bigint NOT NULL DEFAULT 0,
  errors bigint NOT NULL DEFAULT 0,
  dry_runs bigint NOT NULL DEFAULT 0,
  timed_calls bigint NOT NULL DEFAULT 0,
  duration_total_ms bigint NOT NULL DEFAULT 0,
  durations integer[] NOT NULL,
  last_called_at timestamptz,
  CONSTRAINT tool_usage_rollups_pkey PRIMARY KEY (agent_id, tool_id, period, period_start),
  CONSTRAINT tool_usage_rollups_agent_id_fkey FOREIGN KEY (agent_id) REFERENCES public.agents (id) ON DELETE CASCADE,
  CONSTRAINT tool_usage_rollups_tool_id_fkey FOREIGN KEY (tool_id) REFERENCES public.tools (id) ON DELETE CASCADE,
  CONSTRAINT tool_usage_rollups_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES public.tenants (id) ON DELETE CASCADE,
  CONSTRAINT tool_usage_rollups_period_check CHECK (period IN ('hour', 'day'))
);
CREATE INDEX tool_usage_rollups_tool_id_idx ON public.tool_usage_rollups (tool_id);
CREATE INDEX tool_usage_rollups_tenant_id_idx ON public.tool_usage_rollups (tenant_id, period, period_start);
GRANT SELECT ON public.tool_usage_rollups TO anon, authenticated;
GRANT SELECT, INSERT, UPDATE, DELETE ON public.tool_usage_rollups TO service_role;
ALTER TABLE public.tool_usage_rollups ENABLE ROW LEVEL SECURITY;
CREATE POLICY tool_usage_rollups_select_same_tenant ON public.tool_usage_rollups
  FOR SELECT TO authenticated
  USING (tenant_id = (SELECT agentbase.current_tenant_id()));

-- PL/pgSQL rather than SQL for the two below: a SQL function with SET is not
-- inlined and is planned again in every statement that calls it.
CREATE FUNCTION agentbase.duration_bucket(duration_ms integer) RETURNS integer
LANGUAGE plpgsql IMMUTABLE SET search_path = '' AS $$
BEGIN
  RETURN CASE WHEN duration_ms < 1 THEN 1
              ELSE 2 + pg_catalog.floor(8 * pg_catalog.ln(duration_ms::double precision) / pg_catalog.ln(2))::integer END;
END
$$;

-- A bucket's representative duration: the geometric middle, rounded.
CREATE FUNCTION agentbase.bucket_duration(bucket integer) RETURNS integer
LANGUAGE plpgsql IMMUTABLE SET search_path = '' AS $$
BEGIN
  RETURN CASE WHEN bucket <= 1 THEN 0
              ELSE pg_catalog.round(pg_catalog.power(2::double precision, (bucket - 1.5) / 8))::integer END;
END
$$;

-- A histogram from (bucket, count) pairs: an array subscripted by bucket,
-- from the lowest bucket used to the highest (a tool's durations span a few
-- dozen buckets of the 212, so reading a window touches only those).
CREATE FUNCTION agentbase.duration_histogram(buckets integer[], counts bigint[]) RETURNS integer[]
LANGUAGE plpgsql IMMUTABLE SET search_path = '' AS $$
DECLARE
  low integer := (SELECT min(b) FROM pg_catalog.unnest(buckets) AS b);
  high integer := (SELECT max(b) FROM pg_catalog.unnest(buckets) AS b);
  histogram integer[];
BEGIN
  IF low IS NULL THEN
    RETURN '{}'::integer[];
  END IF;
  histogram := pg_catalog.array_fill(0, ARRAY[high - low + 1], ARRAY[low]);
  FOR i IN 1 .. pg_catalog.cardinality(buckets) LOOP
    histogram[buckets[i]] := histogram[buckets[i]] + counts[i];
  END LOOP;
  RETURN histogram;
END
$$;

CREATE FUNCTION agentbase.add_histograms(a integer[], b integer[]) RETURNS integer[]
LANGUAGE plpgsql IMMUTABLE SET search_path = '' AS $$
DECLARE
  low integer := least(pg_catalog.array_lower(a, 1), pg_catalog.array_lower(b, 1));
  high integer := greatest(pg_catalog.array_upper(a, 1), pg_catalog.array_upper(b, 1));
  total integer[];
BEGIN
  IF low IS NULL THEN
    RETURN '{}'::integer[];
  END IF;
  total := pg_catalog.array_fill(0, ARRAY[high - low + 1], ARRAY[low]);
  FOR i IN low .. high LOOP
    total[i] := coalesce(a[i], 0) + coalesce(b[i], 0);
  END LOOP;
  RETURN total;
END
$$;

-- Once per statement, over all the rows it inserted (a bulk import rolls up
-- in one upsert per agent, tool and period), in key order so that concurrent
-- recorders lock rollup rows in the same order.
CREATE FUNCTION agentbase.roll_up_tool_calls() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = '' AS $$
BEGIN
  INSERT INTO public.tool_usage_rollups AS r
    (agent_id, tool_id, period, period_start, tenant_id, calls, errors, dry_runs, timed_calls, duration_total_ms,
     durations, last_called_at)
  WITH bucketed AS MATERIALIZED (
    SELECT c.agent_id, c.tool_id, c.tenant_id, c.dry_run, c.status, c.duration_ms, c.called_at,
           CASE WHEN NOT c.dry_run AND c.duration_ms IS NOT NULL THEN agentbase.duration_bucket(c.duration_ms) END AS bucket
    FROM inserted c
  ), calls AS (
    SELECT c.agent_id, c.tool_id, c.tenant_id, p.period, pg_catalog.date_trunc(p.period, c.called_at, 'UTC') AS period_start,
           c.dry_run, c.status, c.duration_ms, c.called_at, c.bucket
    FROM bucketed c CROSS JOIN (VALUES ('hour'), ('day')) AS p(period)
  ), per_bucket AS (
    SELECT k.agent_id, k.tool_id, k.period, k.period_start, k.bucket, count(*) AS n
    FROM calls k WHERE k.bucket IS NOT NULL
    GROUP BY k.agent_id, k.tool_id, k.period, k.period_start, k.bucket
  ), histograms AS (
    SELECT b.agent_id, b.tool_id, b.period, b.period_start,
           agentbase.duration_histogram(pg_catalog.array_agg(b.bucket), pg_catalog.array_agg(b.n)) AS durations
    FROM per_bucket b GROUP BY b.agent_id, b.tool_id, b.period, b.period_start
  )
  SELECT k.agent_id, k.tool_id, k.period, k.period_start, k.tenant_id,
         count(*) FILTER (WHERE NOT k.dry_run),
         count(*) FILTER (WHERE NOT k.dry_run AND k.status IN ('error', 'timeout', 'invalid')),
         count(*) FILTER (WHERE k.dry_run),
         count(k.bucket),
         coalesce(sum(k.duration_ms) FILTER (WHERE k.bucket IS NOT NULL), 0),
         coalesce(min(h.durations), '{}'::integer[]),
         max(k.called_at) FILTER (WHERE NOT k.dry_run)
  FROM calls k
  LEFT JOIN histograms h USING (agent_id, tool_id, period, period_start)
  GROUP BY k.agent_id, k.tool_id, k.period, k.period_start, k.tenant_id
  ORDER BY k.agent_id, k.tool_id, k.period, k.period_start
  ON CONFLICT ON CONSTRAINT tool_usage_rollups_pkey DO UPDATE
    SET calls = r.calls + excluded.calls,
        errors = r.errors + excluded.errors,
        dry_runs = r.dry_runs + excluded.dry_runs,
        timed_calls = r.timed_calls + excluded.timed_calls,
        duration_total_ms = r.duration_total_ms + excluded.duration_total_ms,
        durations = agentbase.add_histograms(r.durations, excluded.durations),
        last_called_at = greatest(r.last_called_at, excluded.last_called_at);
  RETURN NULL;
END
$$;
CREATE TRIGGER tool_calls_roll_up AFTER INSERT ON public.tool_calls
  REFERENCING NEW TABLE AS inserted
  FOR EACH STATEMENT EXECUTE FUNCTION agentbase.roll_up_tool_calls();

-- Records a call of a tool by an agent (see public.tool_calls for who may).
CREATE FUNCTION public.record_tool_call(
  agent_id uuid,
  tool_id uuid,
  status text DEFAULT 'success',
  duration_ms integer DEFAULT NULL,
  conversation_id uuid DEFAULT NULL,
  message_id uuid DEFAULT NULL,
  error text DEFAULT NULL,
  called_at timestamptz DEFAULT NULL,
  arguments jsonb DEFAULT NULL
) RETURNS public.tool_calls
LANGUAGE plpgsql SET search_path = '' AS $$
#variable_conflict use_column
DECLARE
  recorded public.tool_calls;
BEGIN
  PERFORM agentbase.tools_check_agent_and_tool(record_tool_call.agent_id, record_tool_call.tool_id);
  IF record_tool_call.status IS NULL OR record_tool_call.status NOT IN ('success', 'error', 'timeout', 'cancelled', 'invalid') THEN
    RAISE EXCEPTION 'status must be success, error, timeout, cancelled or invalid, got %',
      coalesce(record_tool_call.status, 'null') USING ERRCODE = '22023';
  END IF;
  IF record_tool_call.duration_ms IS NOT NULL AND NOT record_tool_call.duration_ms BETWEEN 0 AND 86400000 THEN
    RAISE EXCEPTION 'duration_ms must be 0..86400000 (a day), got %', record_tool_call.duration_ms USING ERRCODE = '22023';
  END IF;
  IF pg_catalog.char_length(record_tool_call.error) > 4000 THEN
    RAISE EXCEPTION 'error is longer than 4000 characters' USING ERRCODE = '22023';
  END IF;
  IF record_tool_call.called_at > pg_catalog.now() + interval '5 minutes' THEN
    RAISE EXCEPTION 'called_at is in the future' USING ERRCODE = '22023';
  END IF;
  INSERT INTO public.tool_calls (agent_id, tool_id, conversation_id, message_id, status, duration_ms, error, called_at, arguments)
  VALUES (record_tool_call.agent_id, record_tool_call.tool_id, record_tool_call.conversation_id, record_tool_call.message_id,
          record_tool_call.status, record_tool_call.duration_ms, record_tool_call.error,
          coalesce(record_tool_call.called_at, pg_catalog.now()), record_tool_call.arguments)
  RETURNING * INTO recorded;
  RETURN recorded;
END
$$;

-- The input schema a test call is validated against (the server's first
-- step of test_tool_call), or PT404 when the agent or tool is not visible.
CREATE FUNCTION agentbase.tool_input_schema(agent uuid, tool uuid) RETURNS jsonb
LANGUAGE plpgsql STABLE SET search_path = '' AS $$
DECLARE
  schema jsonb;
BEGIN
  PERFORM agentbase.tools_check_agent_and_tool(agent, tool);
  SELECT coalesce(s.input_schema, to_jsonb(t) -> 'input_schema', '{}'::jsonb) INTO schema
  FROM public.tools t LEFT JOIN public.tool_schemas s ON s.tool_id = t.id
  WHERE t.id = tool;
  RETURN schema;
END
$$;

-- "Test tool execution": validates a call's arguments against the tool's
-- input schema and records it as a dry run (status success or invalid).
-- agentbase serve validates and passes the outcome as `validation`
-- ({"valid": bool, "errors": [{path, keyword, message}]}); PostgreSQL alone
-- cannot, so without it the call is refused.
CREATE FUNCTION public.test_tool_call(agent_id uuid, tool_id uuid, arguments jsonb DEFAULT '{}'::jsonb,
                                      validation jsonb DEFAULT NULL)
RETURNS jsonb
LANGUAGE plpgsql SET search_path = '' AS $$
#variable_conflict use_column
DECLARE
  valid boolean := (test_tool_call.validation ->> 'valid')::boolean;
  recorded public.tool_calls;
BEGIN
  IF valid IS NULL THEN
    RAISE EXCEPTION 'test_tool_call needs agentbase serve''s JSON Schema validator' USING ERRCODE = '0A000',
      HINT = 'Call it through agentbase serve''s /rest/v1/rpc/test_tool_call.';
  END IF;
  PERFORM agentbase.tools_check_agent_and_tool(test_tool_call.agent_id, test_tool_call.tool_id);
  INSERT INTO public.tool_calls (agent_id, tool_id, status, dry_run, arguments)
  VALUES (test_tool_call.agent_id, test_tool_call.tool_id, CASE WHEN valid THEN 'success' ELSE 'invalid' END, true,
          test_tool_call.arguments)
  RETURNING * INTO recorded;
  RETURN pg_catalog.jsonb_build_object('valid', valid,
                                       'errors', coalesce(test_tool_call.validation -> 'errors', '[]'::jsonb),
                                       'call_id', recorded.id);
END
$$;

-- The window [since, until) in whole UTC hours, split so that whole days
-- inside it are read from day rollups and only the edges from hour rollups.
CREATE FUNCTION agentbase.tool_usage_periods(since timestamptz, until timestamptz,
  OUT hour_from timestamptz, OUT day_from timestamptz, OUT day_to timestamptz, OUT hour_to timestamptz)
LANGUAGE plpgsql STABLE SET search_path = '' AS $$
BEGIN
  hour_from := pg_catalog.date_trunc('hour', since, 'UTC');
  hour_to := pg_catalog.date_trunc('hour', until, 'UTC');
  IF hour_to < until THEN
    hour_to := hour_to + interval '1 hour';
  END IF;
  day_from := pg_catalog.date_trunc('day', hour_from, 'UTC');
  IF day_from < hour_from THEN
    day_from := day_from + interval '1 day';
  END IF;
  day_to := pg_catalog.date_trunc('day', hour_to, 'UTC');
  IF day_from >= day_to THEN
    day_from := hour_to;
    day_to := hour_to;
  END IF;
END
$$;

-- Per tool of an agent over [since, until) (default: the last 7 days, in
-- whole UTC hours): calls, errors, error rate, p50/p95 and mean duration,
-- last used, and dry runs apart. Read from the rollups, so a window of any
-- length costs about the same.
CREATE FUNCTION public.tool_usage(agent_id uuid, since timestamptz DEFAULT NULL, until timestamptz DEFAULT NULL)
RETURNS TABLE (tool_id uuid, slug text, name text, calls bigint, errors bigint, error_rate double precision,
               p50_ms integer, p95_ms integer, mean_ms double precision, last_used_at timestamptz, dry_runs bigint)
LANGUAGE plpgsql STABLE SET search_path = '' AS $$
#variable_conflict use_column
DECLARE
  window_end timestamptz := coalesce(tool_usage.until, pg_catalog.now());
  window_start timestamptz := coalesce(tool_usage.since, window_end - interval '7 days');
  periods record;
BEGIN
  IF tool_usage.agent_id IS NULL THEN
    RAISE EXCEPTION 'agent_id is required' USING ERRCODE = '22023';
  END IF;
  IF window_start >= window_end THEN
    RAISE EXCEPTION 'since must be before until' USING ERRCODE = '22023';
  END IF;
  IF window_end - window_start > interval '3660 days' THEN
    RAISE EXCEPTION 'the window is longer than 3660 days' USING ERRCODE = '22023';
  END IF;
  IF NOT EXISTS (SELECT 1 FROM public.agents a WHERE a.id = tool_usage.agent_id) THEN
    RAISE EXCEPTION 'agent % not found', tool_usage.agent_id USING ERRCODE = 'PT404';
  END IF;
  periods := agentbase.tool_usage_periods(window_start, window_end);
  RETURN QUERY
  WITH rolled AS (
    SELECT r.* FROM public.tool_usage_rollups r
    WHERE r.agent_id = tool_usage.agent_id
      AND ((r.period = 'day' AND r.period_start >= periods.day_from AND r.period_start < periods.day_to)
        OR (r.period = 'hour' AND r.period_start >= periods.hour_from AND r.period_start < periods.day_from)
        OR (r.period = 'hour' AND r.period_start >= periods.day_to AND r.period_start < periods.hour_to))
  ), totals AS (
    SELECT r.tool_id, sum(r.calls)::bigint AS calls, sum(r.errors)::bigint AS errors, sum(r.dry_runs)::bigint AS dry_runs,
           sum(r.timed_calls)::bigint AS timed, sum(r.duration_total_ms)::bigint AS total_ms,
           max(r.last_called_at) AS last_used_at
    FROM rolled r GROUP BY r.tool_id
  ), buckets AS (
    SELECT r.tool_id, b.bucket, sum(r.durations[b.bucket])::bigint AS n
    FROM rolled r CROSS JOIN LATERAL pg_catalog.generate_subscripts(r.durations, 1) AS b(bucket)
    WHERE r.durations[b.bucket] > 0
    GROUP BY r.tool_id, b.bucket
  ), running AS (
    SELECT b.tool_id, b.bucket, sum(b.n) OVER (PARTITION BY b.tool_id ORDER BY b.bucket) AS below,
           sum(b.n) OVER (PARTITION BY b.tool_id) AS timed
    FROM buckets b
  ), percentiles AS (
    SELECT r.tool_id,
           min(r.bucket) FILTER (WHERE r.below >= pg_catalog.ceil(0.50 * r.timed)) AS p50,
           min(r.bucket) FILTER (WHERE r.below >= pg_catalog.ceil(0.95 * r.timed)) AS p95
    FROM running r GROUP BY r.tool_id
  )
  SELECT t.tool_id, tool.doc ->> 'slug', tool.doc ->> 'name', t.calls, t.errors,
         CASE WHEN t.calls > 0 THEN t.errors::double precision / t.calls END,
         agentbase.bucket_duration(p.p50), agentbase.bucket_duration(p.p95),
         CASE WHEN t.timed > 0 THEN t.total_ms::double precision / t.timed END,
         t.last_used_at, t.dry_runs
  FROM totals t
  LEFT JOIN percentiles p ON p.tool_id = t.tool_id
  LEFT JOIN public.tools tl ON tl.id = t.tool_id
  CROSS JOIN LATERAL (SELECT to_jsonb(tl) AS doc) AS tool
  ORDER BY t.calls DESC, t.tool_id;
END
$$;

-- How many records one call of prune_tool_calls deletes at most:
-- agentbase.settings 'tool_call_prune_batch' (a positive integer), else
-- 50,000. SECURITY DEFINER: the API's roles cannot read the settings.
CREATE FUNCTION agentbase.tool_call_prune_batch() RETURNS integer
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = '' AS $$
DECLARE
  configured text := (SELECT s.value FROM agentbase.settings s WHERE s.name = 'tool_call_prune_batch');
BEGIN
  IF configured ~ '^[0-9]{1,9}$' AND configured::integer > 0 THEN
    RETURN configured::integer;
  END IF;
  RETURN 50000;
END
$$;

-- Drops raw call records older than `older_than` (the rollups stay), the
-- oldest first and at most one batch (above) per call, so that a first prune
-- of a large table does not hold its locks, or write its WAL, in one long
-- statement: call again until it returns 0 (`agentbase serve`'s housekeeping
-- does). Returns how many it deleted. The service key only.
CREATE FUNCTION public.prune_tool_calls(older_than interval DEFAULT '30 days') RETURNS bigint
LANGUAGE plpgsql SET search_path = '' AS $$
DECLARE
  dropped bigint;
BEGIN
  IF NOT agentbase.caller_is_platform() THEN
    RAISE EXCEPTION 'only the service key prunes tool call records' USING ERRCODE = '42501';
  END IF;
  IF prune_tool_calls.older_than IS NULL OR prune_tool_calls.older_than < interval '1 hour' THEN
    RAISE EXCEPTION 'older_than must be at least an hour' USING ERRCODE = '22023';
  END IF;
  DELETE FROM public.tool_calls c
  WHERE c.id IN (SELECT o.id FROM public.tool_calls o
                 WHERE o.called_at < pg_catalog.now() - prune_tool_calls.older_than
                 ORDER BY o.called_at LIMIT agentbase.tool_call_prune_batch());
  GET DIAGNOSTICS dropped = ROW_COUNT;
  RETURN dropped;
END
$$;
