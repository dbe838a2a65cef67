-- agentbase:mode if-absent
-- The parts of chat that need the columns of the messages table agentbase
-- creates (10_existing_tables.sql): like that file, each object here is
-- created only on a messages table agentbase created, never on a team's own
-- (whose columns may differ; there the chat functions that read a missing
-- column answer with SQLSTATE 42703).

-- A tool message's link to the call it answers (OpenAI's tool_call_id):
-- messages.tool_calls[].id of an earlier assistant message of the same
-- conversation, checked by agentbase.check_message() (60_chat.sql).
ALTER TABLE public.messages ADD COLUMN tool_call_id text;
ALTER TABLE public.messages ADD CONSTRAINT messages_tool_call_id_length_check
  CHECK (tool_call_id IS NULL OR char_length(tool_call_id) BETWEEN 1 AND 200);

-- One result per call: a second tool message for the same call is refused
-- (23505), so that a call's outcome is never ambiguous.
CREATE UNIQUE INDEX messages_one_result_per_tool_call_idx
  ON public.messages (conversation_id, tool_call_id) WHERE tool_call_id IS NOT NULL;

-- The assistant messages that made tool calls, per conversation: the checks
-- of check_message() look a call id up among these only.
CREATE INDEX messages_tool_calls_idx ON public.messages (conversation_id) WHERE tool_calls IS NOT NULL;

-- Full-text search (search_messages in 60_chat.sql). An expression index
-- rather than a stored tsvector column: no new column in every REST answer,
-- and no table rewrite where messages already holds many rows.
CREATE INDEX messages_content_search_idx ON public.messages USING gin (to_tsvector('english'::regconfig, content));
