import { useCallback, useMemo, useRef, useState } from 'preact/hooks';
import { rpc, run, supabase } from '../api.js';
import { ErrorMessage, LoadMore, Spinner, Time } from '../components.jsx';
import { memoryPageSize, takeFirstData, useFirstDataEffect } from '../firstData.js';

const memoryTypes = ['preference', 'context', 'fact', 'goal', 'history'];
const typeTitles = {
  preference: 'Preferences',
  context: 'Context',
  fact: 'Facts',
  goal: 'Goals',
  history: 'History',
};
const pageSize = memoryPageSize;

function percent(value) {
  return `${Math.round(value * 100)}%`;
}

function Expiry({ iso }) {
  if (!iso) return <span class="muted">Never expires</span>;
  return (
    <span>
      Expires <Time iso={iso} />
    </span>
  );
}

// datetime-local wants local time without a zone.
function toLocalInput(iso) {
  if (!iso) return '';
  const date = new Date(iso);
  return new Date(date.getTime() - date.getTimezoneOffset() * 60000).toISOString().slice(0, 16);
}

function EditMemory({ memory, onSaved, onCancel }) {
  const [value, setValue] = useState(memory.value);
  const [type, setType] = useState(memory.memory_type);
  const [confidence, setConfidence] = useState(memory.confidence_score);
  const [expires, setExpires] = useState(toLocalInput(memory.expires_at));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);

  async function save(event) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    const changes = {
      memory_type: type,
      confidence_score: Number(confidence),
      expires_at: expires ? new Date(expires).toISOString() : null,
    };
    try {
      if (value !== memory.value) changes.value = value;
      const row = await run(
        supabase.from('user_memory').update(changes).eq('id', memory.id).select().single(),
        'save the memory',
      );
      // The stored embedding was made from the old text: remember the same
      // key again so that the server embeds the new one.
      if (changes.value !== undefined) {
        await rpc(
          'remember',
          {
            key: row.key,
            value: row.value,
            memory_type: row.memory_type,
            confidence_score: row.confidence_score,
            source: row.source,
            source_conversation_id: row.source_conversation_id,
            expires_at: row.expires_at,
            metadata: row.metadata,
          },
          'update the memory’s embedding',
        );
      }
      onSaved({ ...memory, ...row });
    } catch (thrown) {
      setError(thrown);
      setBusy(false);
    }
  }

  return (
    <form class="memory-edit" onSubmit={save} aria-label={`Edit memory ${memory.key}`}>
      <label class="field">
        <span>Value</span>
        <textarea rows={3} value={value} required onInput={(event) => setValue(event.currentTarget.value)} />
      </label>
      <div class="field-row">
        <label class="field">
          <span>Type</span>
          <select value={type} onChange={(event) => setType(event.currentTarget.value)}>
            {memoryTypes.map((name) => (
              <option key={name} value={name}>
                {name}
              </option>
            ))}
          </select>
        </label>
        <label class="field">
          <span>Confidence ({percent(confidence)})</span>
          <input
            type="range"
            min="0"
            max="1"
            step="0.05"
            value={confidence}
            onInput={(event) => setConfidence(Number(event.currentTarget.value))}
          />
        </label>
        <label class="field">
          <span>Expires</span>
          <input type="datetime-local" value={expires} onInput={(event) => setExpires(event.currentTarget.value)} />
        </label>
      </div>
      <ErrorMessage error={error} />
      <div class="actions">
        <button type="submit" class="button primary small" disabled={busy}>
          {busy ? 'Saving…' : 'Save'}
        </button>
        <button type="button" class="button ghost small" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}

function MemoryCard({ memory, similarity, onChanged, onForgotten }) {
  const [editing, setEditing] = useState(false);
  const [error, setError] = useState(null);

  async function forget() {
    if (!window.confirm(`Forget “${memory.key}”? This cannot be undone.`)) return;
    try {
      await rpc('forget', { memory_id: memory.id }, 'forget the memory');
      onForgotten(memory.id);
    } catch (thrown) {
      setError(thrown);
    }
  }

  return (
    <li class="memory card">
      <div class="memory-head">
        <span class={`type-tag ${memory.memory_type}`}>{memory.memory_type}</span>
        <h3 class="memory-key">{memory.key}</h3>
        {similarity !== undefined && (
          <>
            <span class="similarity-label muted small">similarity</span>
            <span class="similarity" title="Cosine similarity to the search">
              <meter min="0" max="1" value={Math.max(0, similarity ?? 0)} aria-label="Similarity" />
              {(similarity ?? 0).toFixed(3)}
            </span>
          </>
        )}
      </div>
      {editing ? (
        <EditMemory
          memory={memory}
          onCancel={() => setEditing(false)}
          onSaved={(row) => {
            setEditing(false);
            onChanged(row);
          }}
        />
      ) : (
        <p class="memory-value">{memory.value}</p>
      )}
      <div class="memory-meta small">
        <span class="confidence">
          <meter min="0" max="1" value={memory.confidence_score} aria-label="Confidence" /> {percent(memory.confidence_score)}{' '}
          confident
        </span>
        <Expiry iso={memory.expires_at} />
        {memory.source && <span class="muted">from {memory.source}</span>}
        <span class="muted">
          changed <Time iso={memory.updated_at} />
        </span>
      </div>
      <ErrorMessage error={error} onDismiss={() => setError(null)} />
      {!editing && (
        <div class="actions">
          <button type="button" class="button small" onClick={() => setEditing(true)} aria-label={`Edit ${memory.key}`}>
            Edit
          </button>
          <button type="button" class="button small danger" onClick={forget} aria-label={`Forget ${memory.key}`}>
            Forget
          </button>
        </div>
      )}
    </li>
  );
}

async function exportMemories() {
  const document_ = await rpc('export_memories', {}, 'export the memories');
  const blob = new Blob([JSON.stringify(document_, null, 2)], { type: 'application/json' });
  const link = document.createElement('a');
  link.href = URL.createObjectURL(blob);
  link.download = `memories-${new Date().toISOString().slice(0, 10)}.json`;
  link.click();
  setTimeout(() => URL.revokeObjectURL(link.href), 1000);
  return document_.memories.length;
}

export function MemoryPage() {
  const [type, setType] = useState('');
  const [list, setList] = useState({ rows: [], cursor: null, done: false, loading: true, error: null });
  const [query, setQuery] = useState('');
  const [hits, setHits] = useState(null);
  const [searching, setSearching] = useState(false);
  const [searchError, setSearchError] = useState(null);
  const [exportNote, setExportNote] = useState(null);
  const [exportError, setExportError] = useState(null);
  const scroller = useRef(null);

  const load = useCallback(
    async (after) => {
      setList((current) => ({ ...current, loading: true, error: null }));
      try {
        const rows =
          !after && !type
            ? await takeFirstData('memories')
            : await rpc('recall', { memory_types: type ? [type] : null, page_size: pageSize, after }, 'load the memories');
        setList((current) => ({
          rows: after ? [...current.rows, ...rows] : rows,
          cursor: rows.at(-1)?.cursor ?? null,
          done: rows.length < pageSize,
          loading: false,
          error: null,
        }));
      } catch (error) {
        setList((current) => ({ ...current, loading: false, error }));
      }
    },
    [type],
  );

  useFirstDataEffect(() => {
    load(null);
  }, [load]);

  const more = useCallback(() => {
    if (!list.loading && !list.done) load(list.cursor);
  }, [list, load]);

  async function search(event) {
    event.preventDefault();
    if (!query.trim()) {
      setHits(null);
      return;
    }
    setSearching(true);
    setSearchError(null);
    try {
      const found = await rpc(
        'search_memories',
        { query_text: query, match_count: 10, memory_types: type ? [type] : null },
        'search the memories',
      );
      setHits(found);
    } catch (error) {
      setSearchError(error);
    } finally {
      setSearching(false);
    }
  }

  const counts = useMemo(() => {
    const byType = Object.fromEntries(memoryTypes.map((name) => [name, 0]));
    for (const row of list.rows) byType[row.memory_type] = (byType[row.memory_type] ?? 0) + 1;
    return byType;
  }, [list.rows]);

  const changed = (row) => {
    setList((current) => ({ ...current, rows: current.rows.map((entry) => (entry.id === row.id ? row : entry)) }));
    setHits((current) => current?.map((entry) => (entry.id === row.id ? { ...entry, ...row } : entry)) ?? null);
  };
  const forgotten = (id) => {
    setList((current) => ({ ...current, rows: current.rows.filter((entry) => entry.id !== id) }));
    setHits((current) => current?.filter((entry) => entry.id !== id) ?? null);
  };

  async function runExport() {
    setExportError(null);
    try {
      const count = await exportMemories();
      setExportNote(`Exported ${count} memor${count === 1 ? 'y' : 'ies'} as JSON.`);
    } catch (error) {
      setExportError(error);
    }
  }

  return (
    <div class="memory-page" ref={scroller}>
      <div class="page-head">
        <div>
          <h1>Memory</h1>
          <p class="muted">What agents remember about you: your own memories only.</p>
        </div>
        <button type="button" class="button" onClick={runExport}>
          Export as JSON
        </button>
      </div>
      <p role="status" class="muted small">
        {exportNote}
      </p>
      <ErrorMessage error={exportError} onDismiss={() => setExportError(null)} />

      <form class="search-form" role="search" onSubmit={search}>
        <label class="visually-hidden" for="memory-search">
          Search memories by meaning
        </label>
        <input
          id="memory-search"
          type="search"
          placeholder="Search memories by meaning, e.g. “what does the user drink?”"
          value={query}
          onInput={(event) => {
            setQuery(event.currentTarget.value);
            if (!event.currentTarget.value) setHits(null);
          }}
        />
        <button type="submit" class="button primary" disabled={searching}>
          {searching ? 'Searching…' : 'Search'}
        </button>
      </form>
      <ErrorMessage error={searchError} onDismiss={() => setSearchError(null)} />

      <div class="type-filter" role="group" aria-label="Memory type">
        {['', ...memoryTypes].map((name) => (
          <button
            key={name || 'all'}
            type="button"
            class={type === name ? 'chip active' : 'chip'}
            aria-pressed={type === name}
            onClick={() => setType(name)}
          >
            {name || 'All types'}
            {name && !type && <span class="chip-count">{counts[name]}</span>}
          </button>
        ))}
      </div>

      {hits ? (
        <section aria-labelledby="hits-title">
          <h2 id="hits-title" class="section-title">
            {hits.length} closest memor{hits.length === 1 ? 'y' : 'ies'} to “{query}”
          </h2>
          <ol class="memory-list" aria-label="Search results">
            {hits.map((hit) => (
              <MemoryCard key={hit.id} memory={hit} similarity={hit.similarity} onChanged={changed} onForgotten={forgotten} />
            ))}
          </ol>
        </section>
      ) : (
        <section aria-label="Memories">
          {list.rows.length === 0 && !list.loading && !list.error && <p class="empty">No memories of this type.</p>}
          {memoryTypes
            .filter((name) => list.rows.some((memory) => memory.memory_type === name))
            .map((name) => (
              <section key={name} class="memory-group" aria-labelledby={`group-${name}`}>
                <h2 id={`group-${name}`} class="section-title">
                  {typeTitles[name]} <span class="muted">{counts[name]}</span>
                </h2>
                <ul class="memory-list">
                  {list.rows
                    .filter((memory) => memory.memory_type === name)
                    .map((memory) => (
                      <MemoryCard key={memory.id} memory={memory} onChanged={changed} onForgotten={forgotten} />
                    ))}
                </ul>
              </section>
            ))}
          <ErrorMessage error={list.error} />
          {list.loading && <Spinner label="Loading memories" />}
          <LoadMore onVisible={more} active={!list.done && !list.loading && !list.error} root={scroller} />
        </section>
      )}
    </div>
  );
}
