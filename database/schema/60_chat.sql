-- agentbase:mode ensure
-- Chat: conversations and their messages as a chat client and an agent
-- runtime use them, through /rest/v1/rpc. Every function here is SECURITY
-- INVOKER unless it says otherwise, so row level security decides what a
-- caller reaches; the checks below only turn what RLS would refuse into
-- clear errors, and add what RLS cannot express (tool-call links, the
-- message's tenant for writers that bypass RLS).
--
--   start_conversation(agent_id, title, first_message, metadata, user_id)
--   append_message(conversation_id, content, role, tool_calls, tool_call_id, metadata)
--   set_conversation_status(conversation_id, status)   archive / restore / soft-delete
--   list_conversations(status, agent_id, mine, page_size, after)
--   list_messages(conversation_id, page_size, before, after)
--   search_messages(query, conversation_id, page_size, after)
--
-- Errors: 22023 bad argument (page size, cursor, role, tool-call shape),
-- 42501 not allowed, PT404 not found (or not visible: the same answer, so
-- that ids of other tenants cannot be probed), PT409 the conversation is
-- deleted, 23503 a tool result naming an unknown call, 23505 a second result
-- for one call or a reused call id. PT404 and PT409 are PostgREST's way to
-- pick the HTTP status (404, 409); P0002 or 55000 would be answered with 500.
-- Page sizes are 1..200.
--
-- The parts that need the columns of agentbase's own messages table (the
-- tool_call_id column, the triggers that keep search's message_words) are in
-- 61_chat_messages.sql, which leaves a team's own messages table alone. The trigger functions here read
-- the row through to_jsonb(NEW), so they also work on such a table.

-- Helpers ----------------------------------------------------------------------

-- Untitled conversations carry the column default (or an empty title); the
-- first user message names them.
CREATE FUNCTION agentbase.chat_default_title() RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE SET search_path = '' AS $$
  SELECT 'New conversation'::text
$$;

-- A title from a message: whitespace collapsed, at most 80 characters.
CREATE FUNCTION agentbase.chat_title_from(content text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE SET search_path = '' AS $$
  SELECT CASE WHEN pg_catalog.char_length(t) > 80 THEN pg_catalog.rtrim(pg_catalog.left(t, 79)) || '…' ELSE t END
  FROM (SELECT pg_catalog.btrim(pg_catalog.regexp_replace(coalesce(content, ''), '\s+', ' ', 'g')) AS t) s
$$;

CREATE FUNCTION agentbase.chat_page_size(requested integer, fallback integer) RETURNS integer
LANGUAGE plpgsql IMMUTABLE SET search_path = '' AS $$
BEGIN
  IF requested IS NULL THEN
    RETURN fallback;
  END IF;
  IF requested < 1 OR requested > 200 THEN
    RAISE EXCEPTION 'page_size must be between 1 and 200, got %', requested
      USING ERRCODE = '22023', HINT = 'Ask for at most 200 rows and follow the last row''s cursor for more.';
  END IF;
  RETURN requested;
END
$$;

-- Cursors are opaque to clients: every row a list returns carries the cursor
-- of its pos. Times travel as integer microseconds since the epoch, so a
-- cursor survives clients that round timestamps (JavaScript's Date keeps
-- milliseconds only). Search cursors lead with the rank.
CREATE FUNCTION agentbase.chat_cursor(at timestamptz, id uuid, rank real DEFAULT NULL) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE SET search_path = '' AS $$
  SELECT CASE WHEN rank IS NULL THEN '' ELSE rank::text || '_' END
         || (EXTRACT(epoch FROM at) * 1000000)::bigint::text || '_' || id::text
$$;

CREATE FUNCTION agentbase.chat_decode_cursor(
  cursor text, with_rank boolean, name text,
  OUT at timestamptz, OUT id uuid, OUT rank real
) LANGUAGE plpgsql IMMUTABLE SET search_path = '' AS $$
DECLARE
  parts text[];
  shape text := '^-?[0-9]{1,19}_[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$';
BEGIN
  IF cursor IS NULL THEN
    RETURN;
  END IF;
  IF with_rank THEN
    shape := '^[0-9.eE+-]{1,24}_' || pg_catalog.ltrim(shape, '^');
  END IF;
  IF pg_catalog.char_length(cursor) > 100 OR cursor !~ shape THEN
    RAISE EXCEPTION 'invalid cursor in "%"', name
      USING ERRCODE = '22023', HINT = 'Pass the cursor column of a row this function returned, unchanged.';
  END IF;
  parts := pg_catalog.string_to_array(cursor, '_');
  BEGIN
    IF with_rank THEN
      rank := parts[1]::real;
      parts := parts[2:3];
    END IF;
    at := 'epoch'::timestamptz + parts[1]::bigint * interval '1 microsecond';
    id := parts[2]::uuid;
  EXCEPTION WHEN data_exception THEN
    RAISE EXCEPTION 'invalid cursor in "%"', name
      USING ERRCODE = '22023', HINT = 'Pass the cursor column of a row this function returned, unchanged.';
  END;
END
$$;

-- What a search snippet may contain: the message's text with HTML escaped, so
-- that a client may insert the snippet, with its <mark> tags, as HTML.
CREATE FUNCTION agentbase.html_escape(t text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE SET search_path = '' AS $$
  SELECT pg_catalog.replace(pg_catalog.replace(pg_catalog.replace(pg_catalog.replace(pg_catalog.replace(
           t, '&', '&amp;'), '<', '&lt;'), '>', '&gt;'), '"', '&quot;'), '''', '&#39;')
$$;

-- Triggers on messages -----------------------------------------------------------

-- Ties every message to its conversation, whoever writes it (service_role
-- bypasses RLS): the tenant is filled from the conversation when missing and
-- must equal it otherwise. A tenant's user gets the words of RLS's refusal,
-- so that the trigger does not tell them that another tenant's conversation
-- exists. Then the tool-call rules, on tables that have those columns:
--   * tool_calls only on assistant messages, an array in OpenAI's shape
--     [{id, type: 'function', function: {name, arguments}}], arguments a
--     JSON string (as OpenAI sends it) or an object; ids unique within the
--     conversation, so that a result names exactly one call;
--   * a tool message names, in tool_call_id, a call that an assistant message
--     of the same conversation made before it (or earlier in the same
--     statement); tool_call_id on any other role is refused.
-- SECURITY DEFINER: it must see the conversation and earlier messages even
-- where the writer's RLS would hide them.
CREATE FUNCTION agentbase.check_message() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = '' AS $$
DECLARE
  conversation_tenant uuid;
  row_data jsonb := pg_catalog.to_jsonb(NEW);
  calls jsonb;
  call jsonb;
  call_ids text[] := '{}';
  call_id text;
BEGIN
  -- An update that leaves the links alone (metadata, content) is not checked
  -- again, so rows from before these rules can still be edited.
  IF TG_OP = 'UPDATE' AND NEW.conversation_id IS NOT DISTINCT FROM OLD.conversation_id
     AND NEW.tenant_id IS NOT DISTINCT FROM OLD.tenant_id
     AND row_data -> 'role' IS NOT DISTINCT FROM pg_catalog.to_jsonb(OLD) -> 'role'
     AND row_data -> 'tool_calls' IS NOT DISTINCT FROM pg_catalog.to_jsonb(OLD) -> 'tool_calls'
     AND row_data -> 'tool_call_id' IS NOT DISTINCT FROM pg_catalog.to_jsonb(OLD) -> 'tool_call_id' THEN
    RETURN NEW;
  END IF;
  IF NEW.conversation_id IS NOT NULL THEN
    SELECT c.tenant_id INTO conversation_tenant FROM public.conversations c WHERE c.id = NEW.conversation_id;
    -- A missing conversation is left to the foreign key.
    IF FOUND THEN
      IF NEW.tenant_id IS NULL THEN
        NEW.tenant_id := conversation_tenant;
      ELSIF NEW.tenant_id <> conversation_tenant THEN
        IF agentbase.caller_is_platform() THEN
          RAISE EXCEPTION 'message tenant_id % differs from the tenant % of its conversation %',
            NEW.tenant_id, conversation_tenant, NEW.conversation_id
            USING ERRCODE = '42501', HINT = 'Leave tenant_id out: it is taken from the conversation.';
        END IF;
        RAISE EXCEPTION 'new row violates row-level security policy for table "messages"' USING ERRCODE = '42501';
      END IF;
    END IF;
  END IF;

  -- RLS refuses a tenant's user any role but user: let it say so first.
  IF row_data ->> 'role' IS DISTINCT FROM 'user' AND NOT agentbase.caller_is_platform() THEN
    RETURN NEW;
  END IF;

  calls := row_data -> 'tool_calls';
  IF calls IS NOT NULL AND pg_catalog.jsonb_typeof(calls) <> 'null' THEN
    IF row_data ->> 'role' IS DISTINCT FROM 'assistant' THEN
      RAISE EXCEPTION 'only assistant messages carry tool_calls, not % messages', row_data ->> 'role'
        USING ERRCODE = '22023';
    END IF;
    IF pg_catalog.jsonb_typeof(calls) <> 'array' OR pg_catalog.jsonb_array_length(calls) = 0 THEN
      RAISE EXCEPTION 'tool_calls must be a non-empty array'
        USING ERRCODE = '22023', HINT = 'Shape: [{"id": "call_1", "type": "function", "function": {"name": "...", "arguments": "{...}"}}]';
    END IF;
    IF pg_catalog.jsonb_array_length(calls) > 128 THEN
      RAISE EXCEPTION 'at most 128 tool calls per message' USING ERRCODE = '22023';
    END IF;
    FOR call IN SELECT e FROM pg_catalog.jsonb_array_elements(calls) AS t(e) LOOP
      IF pg_catalog.jsonb_typeof(call) <> 'object'
         OR pg_catalog.jsonb_typeof(call -> 'id') IS DISTINCT FROM 'string'
         OR pg_catalog.char_length(call ->> 'id') NOT BETWEEN 1 AND 200
         OR call ->> 'type' IS DISTINCT FROM 'function'
         OR pg_catalog.jsonb_typeof(call -> 'function') IS DISTINCT FROM 'object'
         OR pg_catalog.jsonb_typeof(call -> 'function' -> 'name') IS DISTINCT FROM 'string'
         OR call -> 'function' ->> 'name' = ''
         OR pg_catalog.jsonb_typeof(call -> 'function' -> 'arguments') NOT IN ('string', 'object') THEN
        RAISE EXCEPTION 'malformed tool call: %', pg_catalog.left(call::text, 200)
          USING ERRCODE = '22023',
                HINT = 'Each call is {"id": "<1..200 chars>", "type": "function", "function": {"name": "<name>", "arguments": "<JSON text>" or {...}}}.';
      END IF;
      call_id := call ->> 'id';
      IF call_id = ANY (call_ids) THEN
        RAISE EXCEPTION 'tool call id "%" appears twice in one message', call_id USING ERRCODE = '22023';
      END IF;
      call_ids := call_ids || call_id;
      IF NEW.conversation_id IS NOT NULL AND EXISTS (
           SELECT 1 FROM public.messages m
           WHERE m.conversation_id = NEW.conversation_id AND m.tool_calls IS NOT NULL AND m.id <> NEW.id
             AND m.tool_calls @> pg_catalog.jsonb_build_array(pg_catalog.jsonb_build_object('id', call_id))) THEN
        RAISE EXCEPTION 'tool call id "%" is already used in conversation %', call_id, NEW.conversation_id
          USING ERRCODE = '23505', HINT = 'Call ids must be unique within a conversation, so that each result names one call.';
      END IF;
    END LOOP;
  END IF;

  IF row_data ->> 'role' = 'tool' AND row_data ? 'tool_call_id' THEN
    call_id := row_data ->> 'tool_call_id';
    IF call_id IS NULL OR call_id = '' THEN
      RAISE EXCEPTION 'a tool message needs the tool_call_id of the call it answers' USING ERRCODE = '22023';
    END IF;
    IF NEW.conversation_id IS NULL OR NOT EXISTS (
         SELECT 1 FROM public.messages m
         WHERE m.conversation_id = NEW.conversation_id AND m.tool_calls IS NOT NULL AND m.role = 'assistant'
           AND m.created_at <= NEW.created_at
           AND m.tool_calls @> pg_catalog.jsonb_build_array(pg_catalog.jsonb_build_object('id', call_id))) THEN
      RAISE EXCEPTION 'tool result for call "%", which no earlier assistant message of this conversation made', call_id
        USING ERRCODE = '23503',
              HINT = 'Append the assistant message whose tool_calls contain {"id": "' || call_id || '"} first.';
    END IF;
  ELSIF row_data ->> 'tool_call_id' IS NOT NULL THEN
    RAISE EXCEPTION 'only tool messages carry a tool_call_id, not % messages', row_data ->> 'role'
      USING ERRCODE = '22023';
  END IF;
  RETURN NEW;
END
$$;
CREATE TRIGGER messages_check_message BEFORE INSERT OR UPDATE ON public.messages
  FOR EACH ROW EXECUTE FUNCTION agentbase.check_message();

-- An untitled conversation (the default title, or an empty one) takes its
-- title from the first user message appended to it, whenever that comes:
-- when it is started with one, or later. A title the user set is never
-- replaced. Runs before messages_touch_conversation (triggers fire by name).
CREATE FUNCTION agentbase.title_conversation_from_message() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = '' AS $$
DECLARE
  row_data jsonb := pg_catalog.to_jsonb(NEW);
  new_title text;
BEGIN
  IF NEW.conversation_id IS NOT NULL AND row_data ->> 'role' = 'user' THEN
    -- A title needs only the message's start, however long the message is.
    new_title := agentbase.chat_title_from(pg_catalog.left(row_data ->> 'content', 400));
    IF new_title <> '' THEN
      UPDATE public.conversations c SET title = new_title
       WHERE c.id = NEW.conversation_id AND pg_catalog.btrim(c.title) IN ('', agentbase.chat_default_title());
    END IF;
  END IF;
  RETURN NULL;
END
$$;
CREATE TRIGGER messages_fill_conversation_title AFTER INSERT ON public.messages
  FOR EACH ROW EXECUTE FUNCTION agentbase.title_conversation_from_message();

-- The words of each message, for search ------------------------------------------
--
-- search_messages ranks the most recent matches of the caller's tenant. With
-- only an expression index on to_tsvector(content), a word in many messages
-- cost a fetch of every match and to_tsvector again on each (170-270 ms at a
-- million messages). Here each message's tsvector is computed once, when it
-- is written, and kept beside its tenant and time, so that a search can walk
-- the tenant's messages newest first and stop at the 500th match (a frequent
-- word), or find the tenant's matches in one GIN index (a rare one), and rank
-- from the stored tsvector. A table of its own rather than a column of
-- messages: a new column would appear in every REST answer and realtime
-- payload, and adding it would rewrite a large messages table.
--
-- The triggers that keep it (61_chat_messages.sql) exist only on a messages
-- table agentbase created; on a team's own messages table this stays empty
-- and search reads messages as before (chat_search_page). No grants and row
-- level security without policies: only the SECURITY DEFINER functions below
-- read or write it.
CREATE EXTENSION btree_gin WITH SCHEMA extensions;

CREATE TABLE agentbase.message_words (
  message_id uuid NOT NULL,
  tenant_id uuid NOT NULL,
  conversation_id uuid,
  created_at timestamptz NOT NULL,
  words tsvector NOT NULL,
  CONSTRAINT message_words_pkey PRIMARY KEY (message_id)
);
ALTER TABLE agentbase.message_words ENABLE ROW LEVEL SECURITY;
-- A tenant's messages newest first: the walk for a frequent word.
CREATE INDEX message_words_tenant_recent_idx ON agentbase.message_words (tenant_id, created_at DESC);
-- Words within a tenant (btree_gin keys the tenant in the same GIN index), so
-- that a rare word's matches are the tenant's only, however many other
-- tenants use the word. New entries wait in GIN's pending list, which every
-- search reads through and which the planner counts against the index: at
-- the default 4 MB the planner preferred reading all of a tenant's rows
-- (seen at 100k messages); 256 kB keeps that list short at no measurable
-- cost per append.
CREATE INDEX message_words_tenant_words_idx ON agentbase.message_words USING gin (tenant_id, words)
  WITH (gin_pending_list_limit = 256);

-- Whether message_words is kept for public.messages (its triggers exist and
-- are enabled: agentbase's own messages table).
CREATE FUNCTION agentbase.chat_words_indexed() RETURNS boolean
LANGUAGE sql STABLE SET search_path = '' AS $$
  SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_trigger t
                 WHERE t.tgrelid = pg_catalog.to_regclass('public.messages')
                   AND t.tgname = 'messages_index_words' AND t.tgenabled <> 'D')
$$;

-- Keeps message_words in step with messages: a new message, a change of its
-- words, tenant, conversation, time or id, a delete, a TRUNCATE. No foreign
-- key to messages: that would make TRUNCATE public.messages fail and add
-- checks to a team's own messages table, where this table exists too.
-- SECURITY DEFINER: messages are written by every role (a user's append,
-- service_role, the owner), none of which may touch message_words itself.
CREATE FUNCTION agentbase.chat_index_message_words() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = '' AS $$
BEGIN
  IF TG_OP = 'TRUNCATE' THEN
    TRUNCATE agentbase.message_words;
    RETURN NULL;
  ELSIF TG_OP = 'DELETE' THEN
    DELETE FROM agentbase.message_words w WHERE w.message_id = OLD.id;
    RETURN NULL;
  ELSIF TG_OP = 'UPDATE' THEN
    UPDATE agentbase.message_words w
       SET message_id = NEW.id, tenant_id = NEW.tenant_id, conversation_id = NEW.conversation_id,
           created_at = NEW.created_at,
           words = CASE WHEN NEW.content IS NOT DISTINCT FROM OLD.content THEN w.words
                        ELSE pg_catalog.to_tsvector('english'::regconfig, NEW.content) END
     WHERE w.message_id = OLD.id;
    IF FOUND THEN
      RETURN NULL;
    END IF;
  END IF;
  -- A new message, or one not indexed yet (written while the triggers were
  -- off); a row left behind by a delete the triggers missed is replaced.
  INSERT INTO agentbase.message_words (message_id, tenant_id, conversation_id, created_at, words)
  VALUES (NEW.id, NEW.tenant_id, NEW.conversation_id, NEW.created_at,
          pg_catalog.to_tsvector('english'::regconfig, NEW.content))
  ON CONFLICT (message_id) DO UPDATE
    SET tenant_id = excluded.tenant_id, conversation_id = excluded.conversation_id,
        created_at = excluded.created_at, words = excluded.words;
  RETURN NULL;
END
$$;

-- Indexes the messages that have no row in message_words yet: those written
-- before its triggers existed (61_chat_messages.sql runs it once, when it
-- creates them), or while triggers were skipped (`agentbase seed --scale`
-- copies with session_replication_role = replica). Where the triggers do not
-- exist (a team's own messages table) it does nothing. Returns how many it
-- added; safe to run again.
CREATE FUNCTION agentbase.chat_index_existing_messages() RETURNS bigint
LANGUAGE plpgsql SET search_path = '' AS $$
DECLARE
  added bigint := 0;
BEGIN
  IF NOT agentbase.chat_words_indexed() THEN
    RETURN 0;
  END IF;
  INSERT INTO agentbase.message_words (message_id, tenant_id, conversation_id, created_at, words)
  SELECT m.id, m.tenant_id, m.conversation_id, m.created_at, pg_catalog.to_tsvector('english'::regconfig, m.content)
  FROM public.messages m
  WHERE NOT EXISTS (SELECT 1 FROM agentbase.message_words w WHERE w.message_id = m.id)
  -- In time order, as the triggers write them: a tenant's newest messages
  -- then share pages, which is what makes the walk of a frequent word cheap.
  ORDER BY m.created_at
  ON CONFLICT (message_id) DO NOTHING;
  GET DIAGNOSTICS added = ROW_COUNT;
  -- What search's plans read: the rows' statistics (chat_search_page), and a
  -- GIN index without a pending list to read through.
  IF added > 0 THEN
    PERFORM pg_catalog.gin_clean_pending_list('agentbase.message_words_tenant_words_idx'::pg_catalog.regclass);
    ANALYZE agentbase.message_words;
  END IF;
  RETURN added;
END
$$;

-- Indexes for the conversation list ----------------------------------------------
--
-- list_conversations reads a tenant's conversations newest activity first,
-- (last_message_at, id) descending, from a keyset cursor. Unfiltered it walks
-- conversations_tenant_last_message_idx (20_missing_tables.sql) and skips
-- deleted rows; these two serve the filters, so a page is one short index
-- range scan whatever the filter. Expected plans at 100k conversations over
-- 10 tenants (RLS adds tenant_id = current tenant):
--   status = 'archived':
--     Limit -> Index Scan using conversations_tenant_status_recent_idx
--              Index Cond: tenant_id = $t AND status = 'archived'
--                          AND ROW(last_message_at, id) < ROW($at, $id)
--   agent_id = $a (mine = true alike, with conversations_tenant_user_recent_idx):
--     Limit -> Index Scan using conversations_agent_recent_idx
--              Index Cond: tenant_id = $t AND agent_id = $a
--                          AND ROW(last_message_at, id) < ROW($at, $id)
--              Filter: status <> 'deleted'
-- tenant_id leads each index: RLS always adds it, and without it the planner
-- combined the agent (or user) and tenant indexes in a bitmap and sorted all
-- of the agent's conversations (10 ms for 2,000 instead of 1 ms).
CREATE INDEX conversations_tenant_status_recent_idx
  ON public.conversations (tenant_id, status, last_message_at DESC, id DESC);
CREATE INDEX conversations_agent_recent_idx
  ON public.conversations (tenant_id, agent_id, last_message_at DESC, id DESC);
CREATE INDEX conversations_tenant_user_recent_idx
  ON public.conversations (tenant_id, user_id, last_message_at DESC, id DESC);

-- The API ---------------------------------------------------------------------------
--
-- Functions whose argument names equal their result columns (conversation_id,
-- status, agent_id) are thin SQL wrappers over a PL/pgSQL body in the
-- agentbase schema, where PL/pgSQL would refuse the clash.

-- Starts a conversation, optionally with its first (user) message, in one
-- call. A user starts their own, in their tenant; the service key starts one
-- for a user (user_id required). An empty title leaves the default, which
-- the first user message replaces.
CREATE FUNCTION public.start_conversation(
  agent_id uuid DEFAULT NULL,
  title text DEFAULT NULL,
  first_message text DEFAULT NULL,
  metadata jsonb DEFAULT NULL,
  user_id uuid DEFAULT NULL
) RETURNS public.conversations
LANGUAGE plpgsql SET search_path = '' AS $$
#variable_conflict use_column
DECLARE
  owner uuid;
  tenant uuid;
  agent_tenant uuid;
  clean_title text := pg_catalog.btrim(coalesce(start_conversation.title, ''));
  created public.conversations;
BEGIN
  IF agentbase.caller_is_platform() THEN
    IF start_conversation.user_id IS NULL THEN
      RAISE EXCEPTION 'user_id is required when the service key starts a conversation'
        USING ERRCODE = '22023', HINT = 'Name the user the conversation belongs to.';
    END IF;
    owner := start_conversation.user_id;
    SELECT p.tenant_id INTO tenant FROM public.profiles p WHERE p.id = owner;
    IF tenant IS NULL THEN
      RAISE EXCEPTION 'user % has no profile with a tenant', owner USING ERRCODE = 'PT404';
    END IF;
  ELSE
    owner := auth.uid();
    IF owner IS NULL THEN
      RAISE EXCEPTION 'sign in to start a conversation' USING ERRCODE = '42501';
    END IF;
    IF start_conversation.user_id IS NOT NULL AND start_conversation.user_id <> owner THEN
      RAISE EXCEPTION 'a user starts conversations only for themselves' USING ERRCODE = '42501';
    END IF;
    tenant := agentbase.current_tenant_id();
    IF tenant IS NULL THEN
      RAISE EXCEPTION 'user has no profile with a tenant' USING ERRCODE = '42501';
    END IF;
  END IF;
  IF start_conversation.agent_id IS NOT NULL THEN
    SELECT a.tenant_id INTO agent_tenant FROM public.agents a WHERE a.id = start_conversation.agent_id;
    IF agent_tenant IS DISTINCT FROM tenant THEN
      RAISE EXCEPTION 'agent % not found in the tenant', start_conversation.agent_id USING ERRCODE = 'PT404';
    END IF;
  END IF;
  IF pg_catalog.char_length(clean_title) > 500 THEN
    RAISE EXCEPTION 'title is longer than 500 characters' USING ERRCODE = '22023';
  END IF;
  IF start_conversation.metadata IS NOT NULL AND pg_catalog.jsonb_typeof(start_conversation.metadata) <> 'object' THEN
    RAISE EXCEPTION 'metadata must be a JSON object' USING ERRCODE = '22023';
  END IF;
  IF start_conversation.first_message IS NOT NULL AND pg_catalog.btrim(start_conversation.first_message) = '' THEN
    RAISE EXCEPTION 'first_message is empty' USING ERRCODE = '22023', HINT = 'Leave it out to start without a message.';
  END IF;

  INSERT INTO public.conversations (tenant_id, user_id, agent_id, title, metadata)
  VALUES (tenant, owner, start_conversation.agent_id,
          CASE WHEN clean_title = '' THEN agentbase.chat_default_title() ELSE clean_title END,
          coalesce(start_conversation.metadata, '{}'::jsonb))
  RETURNING * INTO created;
  IF start_conversation.first_message IS NOT NULL THEN
    PERFORM public.append_message(created.id, start_conversation.first_message, 'user');
    SELECT * INTO created FROM public.conversations c WHERE c.id = created.id;
  END IF;
  RETURN created;
END
$$;

-- Appends one message. A user appends user messages to their own
-- conversations; assistant, system and tool messages come from the service
-- key. created_at is the clock time, not the transaction's, so that messages
-- appended in one transaction keep their order. Appending to an archived
-- conversation is allowed (it stays archived); to a deleted one it is not.
CREATE FUNCTION public.append_message(
  conversation_id uuid,
  content text,
  role text DEFAULT 'user',
  tool_calls jsonb DEFAULT NULL,
  tool_call_id text DEFAULT NULL,
  metadata jsonb DEFAULT NULL
) RETURNS public.messages
LANGUAGE plpgsql SET search_path = '' AS $$
#variable_conflict use_column
DECLARE
  platform boolean := agentbase.caller_is_platform();
  conversation public.conversations;
  body text := coalesce(append_message.content, '');
  appended public.messages;
BEGIN
  IF append_message.conversation_id IS NULL THEN
    RAISE EXCEPTION 'conversation_id is required' USING ERRCODE = '22023';
  END IF;
  IF append_message.role IS NULL OR append_message.role NOT IN ('user', 'assistant', 'system', 'tool') THEN
    RAISE EXCEPTION 'role must be user, assistant, system or tool, got %', coalesce(append_message.role, 'null')
      USING ERRCODE = '22023';
  END IF;
  IF NOT platform THEN
    IF auth.uid() IS NULL THEN
      RAISE EXCEPTION 'sign in to append messages' USING ERRCODE = '42501';
    END IF;
    IF append_message.role <> 'user' THEN
      RAISE EXCEPTION 'users append only user messages, not % messages', append_message.role
        USING ERRCODE = '42501', HINT = 'Assistant, system and tool messages are appended with the service key.';
    END IF;
  END IF;
  IF pg_catalog.char_length(body) > 1000000 THEN
    RAISE EXCEPTION 'content is longer than 1000000 characters' USING ERRCODE = '22023';
  END IF;
  IF pg_catalog.btrim(body) = '' AND NOT (append_message.role = 'assistant' AND append_message.tool_calls IS NOT NULL) THEN
    RAISE EXCEPTION 'content is empty' USING ERRCODE = '22023',
      HINT = 'Only an assistant message that makes tool calls may have no text.';
  END IF;
  IF append_message.metadata IS NOT NULL AND pg_catalog.jsonb_typeof(append_message.metadata) <> 'object' THEN
    RAISE EXCEPTION 'metadata must be a JSON object' USING ERRCODE = '22023';
  END IF;

  SELECT * INTO conversation FROM public.conversations c WHERE c.id = append_message.conversation_id;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'conversation % not found', append_message.conversation_id USING ERRCODE = 'PT404';
  END IF;
  IF NOT platform AND conversation.user_id <> auth.uid() THEN
    RAISE EXCEPTION 'only the owner of conversation % appends to it', conversation.id USING ERRCODE = '42501';
  END IF;
  IF conversation.status = 'deleted' THEN
    RAISE EXCEPTION 'conversation % is deleted', conversation.id
      USING ERRCODE = 'PT409', HINT = 'Restore it first: set_conversation_status(conversation_id, ''active'').';
  END IF;

  INSERT INTO public.messages (tenant_id, conversation_id, role, content, tool_calls, tool_call_id, metadata, created_at)
  VALUES (conversation.tenant_id, conversation.id, append_message.role, body, append_message.tool_calls,
          append_message.tool_call_id, coalesce(append_message.metadata, '{}'::jsonb), pg_catalog.clock_timestamp())
  RETURNING * INTO appended;
  RETURN appended;
END
$$;

-- Archive ('archived'), restore ('active') or soft-delete ('deleted'). The
-- owner changes their own conversations; the service key any. A plain
-- UPDATE of conversations.status through /rest/v1 does the same under RLS.
CREATE FUNCTION agentbase.chat_set_status(target uuid, new_status text) RETURNS public.conversations
LANGUAGE plpgsql SET search_path = '' AS $$
DECLARE
  conversation public.conversations;
BEGIN
  IF new_status IS NULL OR new_status NOT IN ('active', 'archived', 'deleted') THEN
    RAISE EXCEPTION 'status must be active, archived or deleted, got %', coalesce(new_status, 'null')
      USING ERRCODE = '22023';
  END IF;
  SELECT * INTO conversation FROM public.conversations c WHERE c.id = target;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'conversation % not found', target USING ERRCODE = 'PT404';
  END IF;
  IF NOT agentbase.caller_is_platform() AND conversation.user_id IS DISTINCT FROM auth.uid() THEN
    RAISE EXCEPTION 'only the owner of conversation % changes its status', target USING ERRCODE = '42501';
  END IF;
  UPDATE public.conversations c SET status = new_status WHERE c.id = target RETURNING * INTO conversation;
  RETURN conversation;
END
$$;

CREATE FUNCTION public.set_conversation_status(conversation_id uuid, status text) RETURNS public.conversations
LANGUAGE sql SET search_path = '' AS $$
  SELECT * FROM agentbase.chat_set_status(set_conversation_status.conversation_id, set_conversation_status.status)
$$;

-- A tenant's conversations (RLS: the caller's tenant), newest activity first.
-- status: NULL lists active and archived ones; 'active', 'archived' or
-- 'deleted' only those. agent_id: one agent's. mine: only the caller's own.
-- after: the cursor of the last row of the previous page. The query is built
-- per call so that each filter combination gets its own index (see above).
CREATE FUNCTION agentbase.chat_list_conversations(
  status_filter text, agent_filter uuid, only_mine boolean, page_size integer, after text
) RETURNS TABLE (
  id uuid, tenant_id uuid, user_id uuid, agent_id uuid, title text, status text,
  last_message_at timestamptz, metadata jsonb, created_at timestamptz, updated_at timestamptz, cursor text
)
LANGUAGE plpgsql STABLE SET search_path = '' AS $$
DECLARE
  size integer := agentbase.chat_page_size(page_size, 50);
  pos record := agentbase.chat_decode_cursor(after, false, 'after');
  conditions text := '';
BEGIN
  IF status_filter IS NOT NULL AND status_filter NOT IN ('active', 'archived', 'deleted') THEN
    RAISE EXCEPTION 'status must be active, archived or deleted, got %', status_filter
      USING ERRCODE = '22023', HINT = 'Leave status out to list active and archived conversations.';
  END IF;
  IF only_mine AND auth.uid() IS NULL THEN
    RAISE EXCEPTION 'mine needs a signed-in user' USING ERRCODE = '42501';
  END IF;
  conditions := CASE WHEN status_filter IS NULL THEN 'c.status <> ''deleted''' ELSE 'c.status = $1' END;
  IF agent_filter IS NOT NULL THEN
    conditions := conditions || ' AND c.agent_id = $2';
  END IF;
  IF only_mine THEN
    conditions := conditions || ' AND c.user_id = $6';
  END IF;
  IF pos.id IS NOT NULL THEN
    conditions := conditions || ' AND (c.last_message_at, c.id) < ($3, $4)';
  END IF;
  RETURN QUERY EXECUTE
    'SELECT c.id, c.tenant_id, c.user_id, c.agent_id, c.title, c.status, c.last_message_at, c.metadata,'
    ' c.created_at, c.updated_at, agentbase.chat_cursor(c.last_message_at, c.id)'
    ' FROM public.conversations c WHERE ' || conditions ||
    ' ORDER BY c.last_message_at DESC, c.id DESC LIMIT $5'
    USING status_filter, agent_filter, pos.at, pos.id, size, auth.uid();
END
$$;

CREATE FUNCTION public.list_conversations(
  status text DEFAULT NULL,
  agent_id uuid DEFAULT NULL,
  mine boolean DEFAULT false,
  page_size integer DEFAULT 50,
  after text DEFAULT NULL
) RETURNS TABLE (
  id uuid, tenant_id uuid, user_id uuid, agent_id uuid, title text, status text,
  last_message_at timestamptz, metadata jsonb, created_at timestamptz, updated_at timestamptz, cursor text
)
LANGUAGE sql STABLE SET search_path = '' AS $$
  SELECT * FROM agentbase.chat_list_conversations(list_conversations.status, list_conversations.agent_id,
    coalesce(list_conversations.mine, false), list_conversations.page_size, list_conversations.after)
$$;

-- A conversation's messages, always returned oldest first. Without a cursor:
-- the latest page (a chat opens at its end); before: the page just before
-- that row (scrolling up); after: the page just after it (catching up).
-- Each page is one range scan of messages_conversation_id_idx
-- (conversation_id, created_at), read backwards for the latest page and for
-- before:
--   Sort -> Limit -> Incremental Sort (created_at DESC, id DESC)
--     -> Index Scan Backward using messages_conversation_id_idx
--          Index Cond: conversation_id = $c AND created_at <= $at
--          Filter: ROW(created_at, id) < ROW($at, $id)
CREATE FUNCTION agentbase.chat_list_messages(target uuid, page_size integer, before text, after text)
RETURNS TABLE (
  id uuid, tenant_id uuid, conversation_id uuid, role text, content text, tool_calls jsonb,
  tool_call_id text, metadata jsonb, created_at timestamptz, cursor text
)
LANGUAGE plpgsql STABLE SET search_path = '' AS $$
DECLARE
  size integer := agentbase.chat_page_size(page_size, 50);
  before_pos record := agentbase.chat_decode_cursor(before, false, 'before');
  after_pos record := agentbase.chat_decode_cursor(after, false, 'after');
  columns constant text :=
    'm.id, m.tenant_id, m.conversation_id, m.role, m.content, m.tool_calls, m.tool_call_id, m.metadata, m.created_at,'
    ' agentbase.chat_cursor(m.created_at, m.id)';
BEGIN
  IF target IS NULL THEN
    RAISE EXCEPTION 'conversation_id is required' USING ERRCODE = '22023';
  END IF;
  IF before IS NOT NULL AND after IS NOT NULL THEN
    RAISE EXCEPTION 'give before or after, not both' USING ERRCODE = '22023';
  END IF;
  PERFORM 1 FROM public.conversations c WHERE c.id = target;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'conversation % not found', target USING ERRCODE = 'PT404';
  END IF;
  IF after IS NOT NULL THEN
    RETURN QUERY EXECUTE
      'SELECT ' || columns || ' FROM public.messages m'
      ' WHERE m.conversation_id = $1 AND (m.created_at, m.id) > ($2, $3)'
      ' ORDER BY m.created_at, m.id LIMIT $4'
      USING target, after_pos.at, after_pos.id, size;
  ELSE
    RETURN QUERY EXECUTE
      'SELECT p.* FROM (SELECT ' || columns || ' FROM public.messages m WHERE m.conversation_id = $1'
      || CASE WHEN before IS NOT NULL THEN ' AND (m.created_at, m.id) < ($2, $3)' ELSE '' END ||
      ' ORDER BY m.created_at DESC, m.id DESC LIMIT $4) p ORDER BY p.created_at, p.id'
      USING target, before_pos.at, before_pos.id, size;
  END IF;
END
$$;

CREATE FUNCTION public.list_messages(
  conversation_id uuid,
  page_size integer DEFAULT 50,
  before text DEFAULT NULL,
  after text DEFAULT NULL
) RETURNS TABLE (
  id uuid, tenant_id uuid, conversation_id uuid, role text, content text, tool_calls jsonb,
  tool_call_id text, metadata jsonb, created_at timestamptz, cursor text
)
LANGUAGE sql STABLE SET search_path = '' AS $$
  SELECT * FROM agentbase.chat_list_messages(list_messages.conversation_id, list_messages.page_size,
    list_messages.before, list_messages.after)
$$;

-- Full-text search over the messages the caller may read, soft-deleted
-- conversations left out. query is web search syntax ("quoted phrase", or,
-- -not); the 'english' configuration stems (deploy finds deployed,
-- deploying) and drops stop words, which also keeps "the" from matching
-- every message. Results are ranked by ts_rank, newest first among equal
-- ranks; snippet is the message HTML-escaped with matches in <mark>...</mark>
-- (computed only for the page's rows).
--
-- Two steps, because under RLS PostgreSQL may not use an index for @@ (the
-- operator is not leakproof, so it cannot run before the policy's checks, and
-- a scan of the tenant's every message follows): chat_search_page, SECURITY
-- DEFINER, finds one page of ids in message_words, within the caller's
-- tenant only (every tenant for the platform); then search_messages reads
-- those rows as the caller, so RLS still decides what comes back. The
-- candidates are the 500 most recent matches, ranked from their stored
-- tsvector: a query that matches more finds its best among the recent ones;
-- narrow it (more words, a phrase, conversation_id) to reach older ones.
--
-- The 500 most recent matches of a tenant are found one of two ways, each
-- pinned by its function's settings (the planner's own guess of how many
-- messages a query matches is off for phrases and for words that go
-- together, and a wrong guess costs a walk of the whole tenant):
--   chat_search_recent walks the tenant's messages newest first and stops at
--   the 500th match: cheap when the query matches often;
--   chat_search_indexed takes the tenant's matches from the GIN index and
--   keeps the newest 500: cheap when it matches rarely.
-- Which one: the matches among the tenant's 1,000 newest messages (walked
-- first in any case; a query matching half of them is done there) give its
-- density d; a walk reads about 500/d messages, the index fetches d times the
-- tenant's messages (estimated from the table's statistics), and a match
-- fetched through the index costs about as much as five messages walked
-- (measured: with 100k messages in the tenant, the two cost the same for a
-- word in about 3% of them; the walk wins above, by far for a frequent word,
-- the index below, by far for a rare one).
-- A walk that reads twice its expected length without finding 500 (the query
-- matched the newest messages more than the older ones) gives way to the
-- index. Plans at 1M messages in 100k conversations over 10 tenants, a
-- tenant of 100k (bench/chat/run.sh; docs/benchmarks.md has the timings):
--   the most frequent word, in 1 message of 5: 175 to 209 matches among the
--   1,000 newest, so a walk of at most about 5,000, which stops at the 500th
--   match after 2,500 to 2,800 messages (chat_search_recent):
--     Limit -> Subquery Scan on r
--                Filter: words @@ $q AND NOT (hashed SubPlan 1: deleted conversations)
--       -> Limit -> Index Scan using message_words_tenant_recent_idx
--                     Index Cond: tenant_id = $t
--   a rare word (an account number, in 1 message): none among the 1,000
--   newest, so the index (chat_search_indexed):
--     Limit -> Sort (created_at DESC)
--       -> Bitmap Heap Scan on message_words (Filter: NOT (hashed SubPlan 1))
--         -> Bitmap Index Scan on message_words_tenant_words_idx
--              Index Cond: tenant_id = $t AND words @@ $q
--   a word in 1 message of 33 (27 to 33 among the 1,000 newest): the two cost
--   about the same, either is taken (the index fetches about 3,000 matches);
--   one conversation (chat_search_conversation), its messages newest first:
--     Limit -> Nested Loop
--       -> Index Scan Backward using messages_conversation_id_idx (conversation_id = $c)
--       -> Index Scan using message_words_pkey (Filter: words @@ $q)
CREATE FUNCTION agentbase.chat_search_recent(words tsquery, tenant uuid, walk integer)
RETURNS TABLE (id uuid, created_at timestamptz, rank real)
LANGUAGE plpgsql STABLE SET search_path = '' SET enable_seqscan = off SET enable_bitmapscan = off AS $$
BEGIN
  RETURN QUERY
    SELECT r.message_id, r.created_at, pg_catalog.ts_rank(r.words, chat_search_recent.words)
    FROM (SELECT w.message_id, w.created_at, w.words, w.conversation_id FROM agentbase.message_words w
          WHERE w.tenant_id = tenant ORDER BY w.created_at DESC LIMIT walk) r
    WHERE r.words @@ chat_search_recent.words
      AND r.conversation_id NOT IN (SELECT c.id FROM public.conversations c
                                    WHERE c.tenant_id = tenant AND c.status = 'deleted')
    ORDER BY r.created_at DESC LIMIT 500;
END
$$;

-- tenant NULL: every tenant's (the platform).
CREATE FUNCTION agentbase.chat_search_indexed(words tsquery, tenant uuid)
RETURNS TABLE (id uuid, created_at timestamptz, rank real)
LANGUAGE plpgsql STABLE SET search_path = '' SET enable_seqscan = off SET enable_indexscan = off AS $$
BEGIN
  IF tenant IS NULL THEN
    RETURN QUERY
      SELECT r.message_id, r.created_at, pg_catalog.ts_rank(r.words, chat_search_indexed.words)
      FROM (SELECT w.message_id, w.created_at, w.words FROM agentbase.message_words w
            WHERE w.words @@ chat_search_indexed.words
              AND w.conversation_id NOT IN (SELECT c.id FROM public.conversations c WHERE c.status = 'deleted')
            ORDER BY w.created_at DESC LIMIT 500) r;
  ELSE
    RETURN QUERY
      SELECT r.message_id, r.created_at, pg_catalog.ts_rank(r.words, chat_search_indexed.words)
      FROM (SELECT w.message_id, w.created_at, w.words FROM agentbase.message_words w
            WHERE w.tenant_id = tenant AND w.words @@ chat_search_indexed.words
              AND w.conversation_id NOT IN (SELECT c.id FROM public.conversations c
                                            WHERE c.tenant_id = tenant AND c.status = 'deleted')
            ORDER BY w.created_at DESC LIMIT 500) r;
  END IF;
END
$$;

-- One conversation's matches: its messages newest first (a conversation is
-- short enough to walk), through messages' own (conversation_id, created_at)
-- index. tenant NULL: the platform, any tenant's conversation.
CREATE FUNCTION agentbase.chat_search_conversation(words tsquery, tenant uuid, target uuid)
RETURNS TABLE (id uuid, created_at timestamptz, rank real)
LANGUAGE plpgsql STABLE SET search_path = '' SET enable_seqscan = off SET enable_bitmapscan = off AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM public.conversations c WHERE c.id = target AND c.status = 'deleted') THEN
    RETURN;
  END IF;
  RETURN QUERY
    SELECT w.message_id, w.created_at, pg_catalog.ts_rank(w.words, chat_search_conversation.words)
    FROM public.messages m JOIN agentbase.message_words w ON w.message_id = m.id
    WHERE m.conversation_id = target AND w.conversation_id = target
      AND w.tenant_id = coalesce(tenant, w.tenant_id) AND w.words @@ chat_search_conversation.words
    ORDER BY m.created_at DESC LIMIT 500;
END
$$;

-- About how many message_words rows a tenant has: the planner's own
-- estimate, from the statistics of the table's last ANALYZE. Reading
-- pg_stats instead took 2 ms a call; EXPLAIN takes 0.1 ms, but PostgreSQL
-- runs EXPLAIN in VOLATILE functions only (it changes nothing).
CREATE FUNCTION agentbase.chat_tenant_words_estimate(tenant uuid) RETURNS double precision
LANGUAGE plpgsql SET search_path = '' AS $$
DECLARE
  plan json;
BEGIN
  EXECUTE pg_catalog.format('EXPLAIN (FORMAT JSON) SELECT FROM agentbase.message_words w WHERE w.tenant_id = %L',
                            tenant)
    INTO plan;
  RETURN (plan -> 0 -> 'Plan' ->> 'Plan Rows')::double precision;
END
$$;

CREATE FUNCTION agentbase.chat_search_page(
  words tsquery, target uuid, page_size integer, after_rank real, after_at timestamptz, after_id uuid
) RETURNS TABLE (id uuid, rank real)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = '' SET jit = off AS $$
DECLARE
  platform boolean := agentbase.caller_is_platform();
  tenant uuid := agentbase.current_tenant_id();
  ids uuid[];
  times timestamptz[];
  ranks real[];
  hits integer;
BEGIN
  IF NOT platform AND tenant IS NULL THEN
    RETURN;
  END IF;
  IF platform THEN
    tenant := NULL;
  END IF;
  IF NOT agentbase.chat_words_indexed() THEN
    -- A team's own messages table: message_words is not kept, read messages.
    RETURN QUERY EXECUTE
      'SELECT p.id, p.rank FROM ('
      '  SELECT r.id, r.created_at, pg_catalog.ts_rank(pg_catalog.to_tsvector(''english''::regconfig, r.content), $1) AS rank'
      '  FROM (SELECT m.id, m.created_at, m.content FROM public.messages m'
      '        WHERE pg_catalog.to_tsvector(''english''::regconfig, m.content) @@ $1'
      || CASE WHEN platform THEN '' ELSE ' AND m.tenant_id = $2' END
      || CASE WHEN target IS NOT NULL THEN ' AND m.conversation_id = $3' ELSE '' END ||
      '          AND m.conversation_id NOT IN (SELECT c.id FROM public.conversations c WHERE c.status = ''deleted'''
      || CASE WHEN platform THEN '' ELSE ' AND c.tenant_id = $2' END || ')'
      '        ORDER BY m.created_at DESC LIMIT 500) r) p'
      || CASE WHEN after_id IS NOT NULL THEN ' WHERE (p.rank, p.created_at, p.id) < ($4, $5, $6)' ELSE '' END ||
      ' ORDER BY p.rank DESC, p.created_at DESC, p.id DESC LIMIT $7'
      USING words, tenant, target, after_rank, after_at, after_id, page_size;
    RETURN;
  END IF;

  IF target IS NOT NULL THEN
    SELECT pg_catalog.array_agg(c.id), pg_catalog.array_agg(c.created_at), pg_catalog.array_agg(c.rank)
      INTO ids, times, ranks FROM agentbase.chat_search_conversation(words, tenant, target) c;
  ELSIF platform THEN
    SELECT pg_catalog.array_agg(c.id), pg_catalog.array_agg(c.created_at), pg_catalog.array_agg(c.rank)
      INTO ids, times, ranks FROM agentbase.chat_search_indexed(words, NULL) c;
  ELSE
    -- The 1,000 newest messages first (see above for the choice that follows).
    SELECT pg_catalog.array_agg(c.id), pg_catalog.array_agg(c.created_at), pg_catalog.array_agg(c.rank)
      INTO ids, times, ranks FROM agentbase.chat_search_recent(words, tenant, 1000) c;
    hits := coalesce(pg_catalog.cardinality(ids), 0);
    IF hits < 500 THEN
      ids := NULL;
      -- walk: 500 / d messages; index: d * tenant rows matches at 5 each.
      IF 500.0 * 1000 / greatest(hits, 1)
         < 5 * hits / 1000.0 * coalesce(agentbase.chat_tenant_words_estimate(tenant), 0) THEN
        SELECT pg_catalog.array_agg(c.id), pg_catalog.array_agg(c.created_at), pg_catalog.array_agg(c.rank)
          INTO ids, times, ranks FROM agentbase.chat_search_recent(words, tenant, 2 * 500 * 1000 / hits) c;
      END IF;
      IF coalesce(pg_catalog.cardinality(ids), 0) < 500 THEN
        SELECT pg_catalog.array_agg(c.id), pg_catalog.array_agg(c.created_at), pg_catalog.array_agg(c.rank)
          INTO ids, times, ranks FROM agentbase.chat_search_indexed(words, tenant) c;
      END IF;
    END IF;
  END IF;
  RETURN QUERY
    SELECT p.id, p.rank
    FROM ROWS FROM (pg_catalog.unnest(ids), pg_catalog.unnest(times), pg_catalog.unnest(ranks)) AS p(id, created_at, rank)
    WHERE after_id IS NULL OR (p.rank, p.created_at, p.id) < (after_rank, after_at, after_id)
    ORDER BY p.rank DESC, p.created_at DESC, p.id DESC LIMIT page_size;
END
$$;

CREATE FUNCTION agentbase.chat_search_messages(search text, target uuid, page_size integer, after text)
RETURNS TABLE (
  id uuid, conversation_id uuid, conversation_title text, role text, content text, created_at timestamptz,
  rank real, snippet text, cursor text
)
LANGUAGE plpgsql STABLE SET search_path = '' AS $$
DECLARE
  size integer := agentbase.chat_page_size(page_size, 20);
  pos record := agentbase.chat_decode_cursor(after, true, 'after');
  words tsquery;
BEGIN
  IF search IS NULL OR pg_catalog.btrim(search) = '' THEN
    RAISE EXCEPTION 'query is empty' USING ERRCODE = '22023';
  END IF;
  IF pg_catalog.char_length(search) > 1000 THEN
    RAISE EXCEPTION 'query is longer than 1000 characters' USING ERRCODE = '22023';
  END IF;
  words := pg_catalog.websearch_to_tsquery('english'::regconfig, search);
  -- Only stop words (or punctuation): nothing can match.
  IF pg_catalog.numnode(words) = 0 THEN
    RETURN;
  END IF;
  RETURN QUERY
    SELECT m.id, m.conversation_id, c.title, m.role, m.content, m.created_at, p.rank,
           pg_catalog.ts_headline('english'::regconfig, agentbase.html_escape(pg_catalog.left(m.content, 100000)), words,
             'StartSel=<mark>, StopSel=</mark>, MaxWords=30, MinWords=12, MaxFragments=2, FragmentDelimiter=" … "'),
           agentbase.chat_cursor(m.created_at, m.id, p.rank)
    FROM agentbase.chat_search_page(words, target, size, pos.rank, pos.at, pos.id) p
    JOIN public.messages m ON m.id = p.id
    JOIN public.conversations c ON c.id = m.conversation_id
    ORDER BY p.rank DESC, m.created_at DESC, m.id DESC;
END
$$;

CREATE FUNCTION public.search_messages(
  query text,
  conversation_id uuid DEFAULT NULL,
  page_size integer DEFAULT 20,
  after text DEFAULT NULL
) RETURNS TABLE (
  id uuid, conversation_id uuid, conversation_title text, role text, content text, created_at timestamptz,
  rank real, snippet text, cursor text
)
LANGUAGE sql STABLE SET search_path = '' AS $$
  SELECT * FROM agentbase.chat_search_messages(search_messages.query, search_messages.conversation_id,
    search_messages.page_size, search_messages.after)
$$;
