import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from 'preact/hooks';
import { rpc, run, supabase } from '../api.js';
import { AgentSelect, ErrorMessage, Spinner, Time } from '../components.jsx';
import { Link } from '../router.jsx';

const pageSize = 100;
const typingShownMs = 4000;
const typingSentEveryMs = 2000;

const byTime = (a, b) => Date.parse(a.created_at) - Date.parse(b.created_at) || a.id.localeCompare(b.id);

function mergeMessages(current, incoming) {
  const seen = new Map(current.map((message) => [message.id, message]));
  for (const message of incoming) seen.set(message.id, { ...seen.get(message.id), ...message });
  return [...seen.values()].sort(byTime);
}

// Arguments and results are JSON more often than not: shown indented when they parse.
function pretty(text) {
  if (typeof text !== 'string') return JSON.stringify(text, null, 2);
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}

function ToolCalls({ calls }) {
  return (
    <ul class="tool-calls" aria-label="Tool calls">
      {calls.map((call) => (
        <li key={call.id} class="tool-call">
          <div class="tool-call-head">
            <span class="tool-icon" aria-hidden="true">
              ƒ
            </span>
            Calls <code>{call.function?.name ?? 'a tool'}</code>
            <span class="muted small">{call.id}</span>
          </div>
          <pre>{pretty(call.function?.arguments ?? '')}</pre>
        </li>
      ))}
    </ul>
  );
}

const roleNames = { user: 'User', assistant: 'Assistant', system: 'System', tool: 'Tool result' };

function Message({ message, callNames, ownerName }) {
  const toolCallId = message.tool_call_id ?? message.metadata?.tool_call_id;
  return (
    <article class={`message ${message.role}`} aria-label={`${roleNames[message.role] ?? message.role} message`}>
      <header class="message-head">
        <span class={`role-tag ${message.role}`}>{message.role === 'user' ? ownerName : roleNames[message.role]}</span>
        {message.role === 'tool' && toolCallId && (
          <span class="muted small">
            for <code>{callNames.get(toolCallId) ?? 'call'}</code> {toolCallId}
          </span>
        )}
        <Time iso={message.created_at} />
      </header>
      {message.role === 'tool' ? (
        <pre class="tool-result">{pretty(message.content)}</pre>
      ) : (
        message.content && <div class="message-body">{message.content}</div>
      )}
      {Array.isArray(message.tool_calls) && message.tool_calls.length > 0 && <ToolCalls calls={message.tool_calls} />}
    </article>
  );
}

function useConversationChannel(id, session, onMessage, onConversation) {
  const [typing, setTyping] = useState({});
  const [present, setPresent] = useState([]);
  const channelRef = useRef(null);
  const lastTypingSent = useRef(0);
  // The channel lives as long as the conversation is open; its handlers
  // call whatever the page's current callbacks are (the list's filters change).
  const handlers = useRef({ onMessage, onConversation });
  handlers.current = { onMessage, onConversation };

  useEffect(() => {
    if (!id) return undefined;
    const me = session.user;
    const channel = supabase.channel(`conversation:${id}`, {
      config: { presence: { key: me.id }, broadcast: { self: false } },
    });
    const timers = new Map();
    channel
      .on('postgres_changes', { event: 'INSERT', schema: 'public', table: 'messages', filter: `conversation_id=eq.${id}` }, ({ new: row }) =>
        handlers.current.onMessage(row),
      )
      .on('postgres_changes', { event: 'UPDATE', schema: 'public', table: 'conversations', filter: `id=eq.${id}` }, ({ new: row }) =>
        handlers.current.onConversation(row),
      )
      .on('broadcast', { event: 'typing' }, ({ payload }) => {
        if (!payload?.user_id || payload.user_id === me.id) return;
        setTyping((current) => ({ ...current, [payload.user_id]: payload.email }));
        clearTimeout(timers.get(payload.user_id));
        timers.set(
          payload.user_id,
          setTimeout(() => setTyping(({ [payload.user_id]: _gone, ...rest }) => rest), typingShownMs),
        );
      })
      .on('presence', { event: 'sync' }, () => {
        const state = channel.presenceState();
        const others = Object.entries(state)
          .filter(([key]) => key !== me.id)
          .map(([key, metas]) => ({ user_id: key, email: metas[0]?.email ?? key }));
        setPresent(others);
      })
      .subscribe((status) => {
        if (status === 'SUBSCRIBED') channel.track({ email: me.email, user_id: me.id });
      });
    channelRef.current = channel;
    return () => {
      timers.forEach(clearTimeout);
      channelRef.current = null;
      supabase.removeChannel(channel);
    };
  }, [id]);

  const announceTyping = useCallback(() => {
    const now = Date.now();
    if (!channelRef.current || now - lastTypingSent.current < typingSentEveryMs) return;
    lastTypingSent.current = now;
    channelRef.current.send({
      type: 'broadcast',
      event: 'typing',
      payload: { user_id: session.user.id, email: session.user.email },
    });
  }, [session]);

  return { typing: Object.values(typing), present, announceTyping };
}

function Composer({ disabled, disabledReason, onSend, onTyping, agents, starting }) {
  const [text, setText] = useState('');
  const [agentId, setAgentId] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);

  async function send(event) {
    event?.preventDefault();
    if (!text.trim() || busy) return;
    setBusy(true);
    setError(null);
    try {
      await onSend(text, agentId || null);
      setText('');
    } catch (thrown) {
      setError(thrown);
    } finally {
      setBusy(false);
    }
  }

  if (disabled) return <p class="composer-note muted">{disabledReason}</p>;
  return (
    <form class="composer" onSubmit={send}>
      <ErrorMessage error={error} onDismiss={() => setError(null)} />
      {starting && <AgentSelect agents={agents} value={agentId} onChange={setAgentId} none="No agent" />}
      <div class="composer-row">
        <label class="visually-hidden" for="composer-text">
          Message
        </label>
        <textarea
          id="composer-text"
          rows={2}
          placeholder={starting ? 'Write the first message…' : 'Write a message…  (Enter sends, Shift+Enter adds a line)'}
          value={text}
          onInput={(event) => {
            setText(event.currentTarget.value);
            onTyping?.();
          }}
          onKeyDown={(event) => {
            if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) send(event);
          }}
        />
        <button type="submit" class="button primary" disabled={busy || !text.trim()}>
          {busy ? 'Sending…' : starting ? 'Start' : 'Send'}
        </button>
      </div>
    </form>
  );
}

function NewConversation({ agents, onStarted }) {
  async function start(text, agentId) {
    const conversation = await rpc(
      'start_conversation',
      { first_message: text, agent_id: agentId },
      'start the conversation',
    );
    onStarted(conversation);
  }
  return (
    <div class="conversation">
      <header class="conversation-head">
        <Link href="/chat" class="back-link">
          ← Conversations
        </Link>
        <h2>New conversation</h2>
      </header>
      <div class="messages empty-state">
        <p class="muted">The first message names the conversation. Choose an agent to talk to, or none.</p>
      </div>
      <Composer agents={agents} starting onSend={start} />
    </div>
  );
}

export function ConversationView({ id, session, agents, agentNames, onChanged, onStarted }) {
  if (id === 'new') return <NewConversation agents={agents} onStarted={onStarted} />;
  return <OpenConversation id={id} session={session} agentNames={agentNames} onChanged={onChanged} />;
}

function OpenConversation({ id, session, agentNames, onChanged }) {
  const [conversation, setConversation] = useState(null);
  const [messages, setMessages] = useState([]);
  const [olderCursor, setOlderCursor] = useState(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState(null);
  const [actionError, setActionError] = useState(null);
  const scroller = useRef(null);
  // Where the view was before older messages were added above: kept in place.
  const anchor = useRef(null);
  const stickToEnd = useRef(true);

  const addMessage = useCallback((row) => setMessages((current) => mergeMessages(current, [row])), []);
  const updateConversation = useCallback(
    (row) => {
      setConversation((current) => ({ ...current, ...row }));
      onChanged({ ...row });
    },
    [onChanged],
  );
  const { typing, present, announceTyping } = useConversationChannel(id, session, addMessage, updateConversation);

  useEffect(() => {
    let cancelled = false;
    (async () => {
      try {
        const row = await run(supabase.from('conversations').select('*').eq('id', id).maybeSingle(), 'open the conversation');
        if (cancelled) return;
        if (!row) throw new Error('This conversation does not exist, or is not visible to you.');
        const page = await rpc('list_messages', { conversation_id: id, page_size: pageSize }, 'load the messages');
        if (cancelled) return;
        setConversation(row);
        setMessages((current) => mergeMessages(current, page));
        setOlderCursor(page.length === pageSize ? page[0].cursor : null);
      } catch (thrown) {
        if (!cancelled) setError(thrown);
      } finally {
        if (!cancelled) setLoading(false);
      }
    })();
    return () => {
      cancelled = true;
    };
  }, [id]);

  const loadOlder = useCallback(async () => {
    if (!olderCursor) return;
    const cursor = olderCursor;
    setOlderCursor(null);
    try {
      const page = await rpc('list_messages', { conversation_id: id, page_size: pageSize, before: cursor }, 'load older messages');
      const box = scroller.current;
      anchor.current = box ? box.scrollHeight - box.scrollTop : null;
      setMessages((current) => mergeMessages(current, page));
      setOlderCursor(page.length === pageSize ? page[0].cursor : null);
    } catch (thrown) {
      setError(thrown);
    }
  }, [id, olderCursor]);

  // A first page too short to scroll gives no scroll event to load the next.
  useEffect(() => {
    const box = scroller.current;
    if (box && olderCursor && box.scrollHeight <= box.clientHeight) loadOlder();
  }, [olderCursor, loadOlder]);

  useLayoutEffect(() => {
    const box = scroller.current;
    if (!box) return;
    if (anchor.current !== null) {
      box.scrollTop = box.scrollHeight - anchor.current;
      anchor.current = null;
    } else if (stickToEnd.current) {
      box.scrollTop = box.scrollHeight;
    }
  }, [messages, loading]);

  const callNames = useMemo(() => {
    const names = new Map();
    for (const message of messages) {
      for (const call of message.tool_calls ?? []) names.set(call.id, call.function?.name);
    }
    return names;
  }, [messages]);

  async function send(text) {
    stickToEnd.current = true;
    const row = await rpc('append_message', { conversation_id: id, content: text }, 'send the message');
    addMessage(row);
  }

  async function setStatus(status) {
    setActionError(null);
    if (status === 'deleted' && !window.confirm('Delete this conversation? It can be restored from the Deleted filter.')) return;
    try {
      const row = await rpc('set_conversation_status', { conversation_id: id, status }, `mark the conversation ${status}`);
      updateConversation(row);
    } catch (thrown) {
      setActionError(thrown);
    }
  }

  if (loading) return <Spinner label="Loading the conversation" />;
  if (!conversation) {
    return (
      <div class="conversation">
        <Link href="/chat" class="back-link">
          ← Conversations
        </Link>
        <ErrorMessage error={error ?? new Error('This conversation could not be opened.')} />
      </div>
    );
  }

  const mine = conversation.user_id === session.user.id;
  const ownerName = mine ? 'You' : 'User';
  return (
    <div class="conversation">
      <header class="conversation-head">
        <Link href="/chat" class="back-link">
          ← Conversations
        </Link>
        <div class="conversation-heading">
          <h2>{conversation.title}</h2>
          <p class="muted small">
            {agentNames.get(conversation.agent_id) ?? 'No agent'}
            {conversation.status !== 'active' && (
              <span class={`status ${conversation.status}`}>{conversation.status}</span>
            )}
            {present.length > 0 && (
              <span class="presence" aria-live="polite">
                Also here: {present.map((person) => person.email).join(', ')}
              </span>
            )}
          </p>
        </div>
        {mine && (
          <div class="conversation-actions">
            {conversation.status === 'active' && (
              <button type="button" class="button small" onClick={() => setStatus('archived')}>
                Archive
              </button>
            )}
            {conversation.status !== 'active' && (
              <button type="button" class="button small" onClick={() => setStatus('active')}>
                Restore
              </button>
            )}
            {conversation.status !== 'deleted' && (
              <button type="button" class="button small danger" onClick={() => setStatus('deleted')}>
                Delete
              </button>
            )}
          </div>
        )}
      </header>
      <ErrorMessage error={actionError} onDismiss={() => setActionError(null)} />
      <ErrorMessage error={error} onDismiss={() => setError(null)} />
      <div
        class="messages"
        ref={scroller}
        role="log"
        aria-label="Messages"
        tabIndex={0}
        onScroll={(event) => {
          const box = event.currentTarget;
          stickToEnd.current = box.scrollHeight - box.scrollTop - box.clientHeight < 80;
          if (box.scrollTop < 400) loadOlder();
        }}
      >
        {olderCursor && <Spinner label="Loading older messages" />}
        {messages.length === 0 && <p class="empty">No messages yet.</p>}
        {messages.map((message) => (
          <Message key={message.id} message={message} callNames={callNames} ownerName={ownerName} />
        ))}
      </div>
      <p class="typing muted small" aria-live="polite">
        {typing.length > 0 ? `${typing.join(', ')} ${typing.length === 1 ? 'is' : 'are'} typing…` : ''}
      </p>
      <Composer
        disabled={!mine || conversation.status === 'deleted'}
        disabledReason={
          !mine
            ? 'Only the person who started this conversation writes to it.'
            : 'This conversation is deleted: restore it to write to it.'
        }
        onSend={send}
        onTyping={announceTyping}
      />
    </div>
  );
}
