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

-- Full-text search (search_messages in 60_chat.sql) reads each message's
-- words from agentbase.message_words, which these triggers keep in step with
-- messages (agentbase.chat_index_message_words). The insert trigger comes
-- last: search reads message_words only once it exists
-- (agentbase.chat_words_indexed), and by then so do the others.
CREATE TRIGGER messages_reindex_words AFTER UPDATE ON public.messages
  FOR EACH ROW
  WHEN (OLD.content IS DISTINCT FROM NEW.content OR OLD.tenant_id IS DISTINCT FROM NEW.tenant_id
        OR OLD.conversation_id IS DISTINCT FROM NEW.conversation_id OR OLD.created_at IS DISTINCT FROM NEW.created_at
        OR OLD.id IS DISTINCT FROM NEW.id)
  EXECUTE FUNCTION agentbase.chat_index_message_words();
CREATE TRIGGER messages_unindex_words AFTER DELETE ON public.messages
  FOR EACH ROW EXECUTE FUNCTION agentbase.chat_index_message_words();
CREATE TRIGGER messages_unindex_all_words AFTER TRUNCATE ON public.messages
  FOR EACH STATEMENT EXECUTE FUNCTION agentbase.chat_index_message_words();
CREATE TRIGGER messages_index_words AFTER INSERT ON public.messages
  FOR EACH ROW EXECUTE FUNCTION agentbase.chat_index_message_words();
-- The messages already there when the trigger is created (a database pushed
-- with an older schema): indexed once, in the push's transaction. Creating
-- the trigger locked out writers of messages until the push commits, so none
-- is missed in between.
SELECT agentbase.chat_index_existing_messages();
