import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { rpc, supabase } from '../api.js';
import { AgentSelect, ErrorMessage, Highlighted, LoadMore, Spinner, Time } from '../components.jsx';
import { conversationPageSize, takeFirstData, useFirstDataEffect } from '../firstData.js';
import { Link, navigate } from '../router.jsx';
import { ConversationView } from './Conversation.jsx';

const pageSize = conversationPageSize;
let listSubscriptions = 0;
const statusChoices = [
  ['', 'Active and archived'],
  ['active', 'Active'],
  ['archived', 'Archived'],
  ['deleted', 'Deleted'],
];

const newestFirst = (a, b) => b.last_message_at.localeCompare(a.last_message_at) || b.id.localeCompare(a.id);

function matchesFilters(conversation, status, agentId) {
  const statusOk = status ? conversation.status === status : conversation.status !== 'deleted';
  return statusOk && (!agentId || conversation.agent_id === agentId);
}

// The tenant's conversations, newest activity first, page by page through
// list_conversations' cursor; kept current by the conversations table's changes.
function useConversations(status, agentId) {
  const [state, setState] = useState({ rows: [], cursor: null, done: false, loading: false, error: null });
  const generation = useRef(0);

  const loadPage = useCallback(
    async (after) => {
      const mine = ++generation.current;
      setState((current) => ({ ...current, loading: true, error: null }));
      try {
        const rows =
          !after && !status && !agentId
            ? await takeFirstData('conversations')
            : await rpc(
                'list_conversations',
                { status: status || null, agent_id: agentId || null, page_size: pageSize, after },
                'load the conversations',
              );
        if (mine !== generation.current) return;
        setState((current) => {
          const known = new Set(after ? current.rows.map((row) => row.id) : []);
          const merged = [...(after ? current.rows : []), ...rows.filter((row) => !known.has(row.id))];
          return { rows: merged, cursor: rows.at(-1)?.cursor ?? null, done: rows.length < pageSize, loading: false };
        });
      } catch (error) {
        if (mine === generation.current) setState((current) => ({ ...current, loading: false, error }));
      }
    },
    [status, agentId],
  );

  useFirstDataEffect(() => {
    loadPage(null);
  }, [loadPage]);

  useEffect(() => {
    // A new topic each time: supabase-js hands back a channel of the same
    // topic while the previous one is still leaving.
    const channel = supabase
      .channel(`console:conversations:${++listSubscriptions}`)
      .on('postgres_changes', { event: '*', schema: 'public', table: 'conversations' }, ({ eventType, new: row, old }) => {
        setState((current) => {
          const others = current.rows.filter((entry) => entry.id !== (row?.id ?? old?.id));
          if (eventType === 'DELETE' || !matchesFilters(row, status, agentId)) return { ...current, rows: others };
          return { ...current, rows: [...others, row].sort(newestFirst) };
        });
      })
      .subscribe();
    return () => supabase.removeChannel(channel);
  }, [status, agentId]);

  const loadMore = useCallback(() => {
    if (!state.loading && !state.done && state.cursor) loadPage(state.cursor);
  }, [state.loading, state.done, state.cursor, loadPage]);

  const replace = useCallback(
    (row) =>
      setState((current) => {
        const others = current.rows.filter((entry) => entry.id !== row.id);
        return { ...current, rows: matchesFilters(row, status, agentId) ? [...others, row].sort(newestFirst) : others };
      }),
    [status, agentId],
  );

  return { ...state, loadMore, replace };
}

function useMessageSearch() {
  const [query, setQuery] = useState('');
  const [state, setState] = useState({ hits: [], cursor: null, done: true, loading: false, error: null });

  const search = useCallback(async (text, after = null) => {
    setQuery(text);
    if (!text.trim()) {
      setState({ hits: [], cursor: null, done: true, loading: false, error: null });
      return;
    }
    setState((current) => ({ ...current, loading: true, error: null }));
    try {
      const hits = await rpc('search_messages', { query: text, page_size: 20, after }, 'search the messages');
      setState((current) => ({
        hits: after ? [...current.hits, ...hits] : hits,
        cursor: hits.at(-1)?.cursor ?? null,
        done: hits.length < 20,
        loading: false,
        error: null,
      }));
    } catch (error) {
      setState((current) => ({ ...current, loading: false, error }));
    }
  }, []);

  return { query, ...state, search };
}

function ConversationList({ conversations, agentNames, selectedId }) {
  const scroller = useRef(null);
  return (
    <div class="list-scroll" ref={scroller}>
      {conversations.rows.length === 0 && !conversations.loading && !conversations.error && (
        <p class="empty">No conversations here yet.</p>
      )}
      <ul class="conversation-list" aria-label="Conversations">
        {conversations.rows.map((conversation) => (
          <li key={conversation.id}>
            <Link
              href={`/chat/${conversation.id}`}
              class={conversation.id === selectedId ? 'conversation-item selected' : 'conversation-item'}
              aria-current={conversation.id === selectedId ? 'page' : undefined}
            >
              <span class="conversation-title">{conversation.title}</span>
              <span class="conversation-meta">
                <span>{agentNames.get(conversation.agent_id) ?? 'No agent'}</span>
                {conversation.status !== 'active' && <span class={`status ${conversation.status}`}>{conversation.status}</span>}
                <Time iso={conversation.last_message_at} />
              </span>
            </Link>
          </li>
        ))}
      </ul>
      <ErrorMessage error={conversations.error} />
      {conversations.loading && <Spinner label="Loading conversations" />}
      <LoadMore onVisible={conversations.loadMore} active={!conversations.done && !conversations.error} root={scroller} />
    </div>
  );
}

function SearchResults({ results }) {
  const scroller = useRef(null);
  const more = useCallback(() => {
    if (!results.loading && !results.done) results.search(results.query, results.cursor);
  }, [results]);
  return (
    <div class="list-scroll" ref={scroller}>
      <p class="muted small" role="status">
        {results.loading && results.hits.length === 0
          ? 'Searching…'
          : `${results.hits.length}${results.done ? '' : '+'} message${results.hits.length === 1 ? '' : 's'} match “${results.query}”`}
      </p>
      <ul class="conversation-list" aria-label="Messages found">
        {results.hits.map((hit) => (
          <li key={hit.id}>
            <Link href={`/chat/${hit.conversation_id}`} class="conversation-item search-hit">
              <span class="conversation-title">{hit.conversation_title}</span>
              <span class="snippet">
                <span class={`role-tag ${hit.role}`}>{hit.role}</span> <Highlighted snippet={hit.snippet} />
              </span>
              <span class="conversation-meta">
                <Time iso={hit.created_at} />
              </span>
            </Link>
          </li>
        ))}
      </ul>
      <ErrorMessage error={results.error} />
      <LoadMore onVisible={more} active={!results.done && !results.loading && !results.error} root={scroller} />
    </div>
  );
}

export function ChatPage({ session, path }) {
  const selectedId = path[1] ?? null;
  const [status, setStatus] = useState('');
  const [agentId, setAgentId] = useState('');
  const [agents, setAgents] = useState([]);
  const [agentsError, setAgentsError] = useState(null);
  const [searchText, setSearchText] = useState('');
  const conversations = useConversations(status, agentId);
  const results = useMessageSearch();

  useFirstDataEffect(() => {
    takeFirstData('chatAgents')
      .then(setAgents)
      .catch(setAgentsError);
  }, []);
  const agentNames = useMemo(() => new Map(agents.map((agent) => [agent.id, agent.name])), [agents]);

  function submitSearch(event) {
    event.preventDefault();
    results.search(searchText);
  }

  function clearSearch() {
    setSearchText('');
    results.search('');
  }

  const searching = results.query.trim() !== '';

  return (
    <div class={selectedId ? 'chat has-selection' : 'chat'}>
      <section class="chat-sidebar" aria-label="Conversations and search">
        <div class="sidebar-head">
          <h1>Chat</h1>
          <Link href="/chat/new" class="button primary small">
            New conversation
          </Link>
        </div>
        <form class="search-form" role="search" onSubmit={submitSearch}>
          <label class="visually-hidden" for="message-search">
            Search all messages
          </label>
          <input
            id="message-search"
            type="search"
            placeholder="Search all messages"
            value={searchText}
            onInput={(event) => {
              setSearchText(event.currentTarget.value);
              if (!event.currentTarget.value) results.search('');
            }}
          />
          <button type="submit" class="button small">
            Search
          </button>
          {searching && (
            <button type="button" class="button ghost small" onClick={clearSearch}>
              Clear
            </button>
          )}
        </form>
        {!searching && (
          <div class="filters">
            <label class="field inline">
              <span>Status</span>
              <select value={status} onChange={(event) => setStatus(event.currentTarget.value)}>
                {statusChoices.map(([value, label]) => (
                  <option key={value} value={value}>
                    {label}
                  </option>
                ))}
              </select>
            </label>
            <AgentSelect agents={agents} value={agentId} onChange={setAgentId} none="All agents" />
          </div>
        )}
        <ErrorMessage error={agentsError} />
        {searching ? (
          <SearchResults results={results} />
        ) : (
          <ConversationList conversations={conversations} agentNames={agentNames} selectedId={selectedId} />
        )}
      </section>
      <section class="chat-main" aria-label="Conversation">
        {selectedId ? (
          <ConversationView
            key={selectedId}
            id={selectedId}
            session={session}
            agents={agents}
            agentNames={agentNames}
            onChanged={conversations.replace}
            onStarted={(conversation) => {
              conversations.replace(conversation);
              navigate(`/chat/${conversation.id}`, { replace: true });
            }}
          />
        ) : (
          <div class="empty-state">
            <h2>No conversation open</h2>
            <p class="muted">Pick one from the list, search the messages, or start a new one.</p>
          </div>
        )}
      </section>
    </div>
  );
}
