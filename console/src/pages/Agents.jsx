import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from 'preact/hooks';
import { rpc, run, schemaViolations, supabase } from '../api.js';
import { ErrorMessage, LoadMore, Spinner, Time } from '../components.jsx';
import { takeFirstData, useFirstDataEffect } from '../firstData.js';
import { Link, navigate } from '../router.jsx';
import { SchemaFields } from './agents/schemaForm.jsx';
import { UsageChart } from './agents/UsageChart.jsx';
import './agents/agents.css';

const wideScreen = window.matchMedia('(min-width: 761px)');
// A tenant may have thousands of agents; drawing 2,000 rows took half a
// second of a cold load, so the list draws this many more each time its end
// scrolls into view (the filter finds any agent).
const listStep = 50;

// The tool catalog (public) with each tool's schemas and default config.
function useCatalog() {
  const [catalog, setCatalog] = useState({ tools: new Map(), error: null, loading: true });
  useFirstDataEffect(() => {
    takeFirstData('toolCatalog')
      .then((tools) => setCatalog({ tools, error: null, loading: false }))
      .catch((error) => setCatalog({ tools: new Map(), error, loading: false }));
  }, []);
  return catalog;
}

function percent(rate) {
  return rate === null || rate === undefined ? '' : ` (${Math.round(rate * 1000) / 10}%)`;
}

// The last 7 days of a tool's use, from tool_usage.
function UsageFigures({ usage }) {
  if (!usage || (Number(usage.calls) === 0 && Number(usage.dry_runs) === 0)) {
    return <p class="usage-figures muted small">No calls in the last 7 days.</p>;
  }
  return (
    <dl class="usage-figures small" aria-label="Use in the last 7 days">
      <div>
        <dt>Calls</dt>
        <dd>{usage.calls}</dd>
      </div>
      <div>
        <dt>Errors</dt>
        <dd class={Number(usage.errors) > 0 ? 'has-errors' : undefined}>
          {usage.errors}
          {percent(usage.error_rate)}
        </dd>
      </div>
      <div>
        <dt>p95</dt>
        <dd>{usage.p95_ms === null ? '–' : `${usage.p95_ms} ms`}</dd>
      </div>
      <div>
        <dt>Last used</dt>
        <dd>{usage.last_used_at ? <Time iso={usage.last_used_at} /> : 'never'}</dd>
      </div>
      {Number(usage.dry_runs) > 0 && (
        <div>
          <dt>Test calls</dt>
          <dd>{usage.dry_runs}</dd>
        </div>
      )}
    </dl>
  );
}

// Saves `value` with `save`; a refusal with schema violations places them
// at their fields, any other failure is a sentence.
function useSchemaSubmit(save) {
  const [state, setState] = useState({ busy: false, error: null, violations: null });
  const submit = useCallback(
    async (value) => {
      setState({ busy: true, error: null, violations: null });
      try {
        const result = await save(value);
        setState({ busy: false, error: null, violations: null });
        return result;
      } catch (error) {
        const violations = schemaViolations(error);
        setState({ busy: false, error, violations });
        return undefined;
      }
    },
    [save],
  );
  return [state, submit, () => setState({ busy: false, error: null, violations: null })];
}

function RefusedSummary({ violations, what }) {
  return (
    <div class="error-message" role="alert">
      <span>
        The server refused {what}: {violations.length} problem{violations.length === 1 ? '' : 's'} with the tool’s JSON
        Schema, shown at {violations.length === 1 ? 'its field' : 'their fields'}.
      </span>
    </div>
  );
}

function ToolConfig({ agentId, row, tool, onSaved, onClose }) {
  const [value, setValue] = useState(row.config ?? {});
  const [valid, setValid] = useState(true);
  const [saved, setSaved] = useState(false);
  const save = useCallback(
    (config) => rpc('configure_tool', { agent_id: agentId, tool_id: row.tool_id, config, merge: false }, `save ${tool.name}’s configuration`),
    [agentId, row.tool_id, tool.name],
  );
  const [state, submit] = useSchemaSubmit(save);
  return (
    <form
      class="tool-panel"
      noValidate
      aria-label={`Configuration of ${tool.name}`}
      onSubmit={async (event) => {
        event.preventDefault();
        setSaved(false);
        const updated = await submit(value);
        if (updated) {
          setSaved(true);
          onSaved(updated);
        }
      }}
    >
      <p class="muted small">
        What this agent sets; a field left unset takes the tool’s default. Checked against the tool’s JSON Schema when saved.
      </p>
      <SchemaFields
        idPrefix={`config-${row.id}`}
        schema={tool.configSchema}
        defaults={tool.defaultConfig}
        value={value}
        onChange={(next) => {
          setValue(next);
          setSaved(false);
        }}
        onValidity={setValid}
        violations={state.violations}
      />
      {state.violations ? <RefusedSummary violations={state.violations} what="this configuration" /> : <ErrorMessage error={state.error} />}
      <p role="status" class="small saved-note">
        {saved ? 'Saved.' : ''}
      </p>
      <div class="actions">
        <button type="submit" class="button primary small" disabled={state.busy || !valid}>
          {state.busy ? 'Saving…' : 'Save configuration'}
        </button>
        <button type="button" class="button ghost small" onClick={() => setValue({})}>
          Clear to defaults
        </button>
        <button type="button" class="button ghost small" onClick={onClose}>
          Close
        </button>
      </div>
    </form>
  );
}

function ToolTest({ agentId, tool, onTested }) {
  const [value, setValue] = useState({});
  const [valid, setValid] = useState(true);
  const [result, setResult] = useState(null);
  const [state, setState] = useState({ busy: false, error: null });
  return (
    <form
      class="tool-panel"
      noValidate
      aria-label={`Test call of ${tool.name}`}
      onSubmit={async (event) => {
        event.preventDefault();
        setState({ busy: true, error: null });
        setResult(null);
        try {
          const outcome = await rpc('test_tool_call', { agent_id: agentId, tool_id: tool.id, arguments: value }, `test ${tool.name}`);
          setResult(outcome);
          setState({ busy: false, error: null });
          onTested();
        } catch (error) {
          setState({ busy: false, error });
        }
      }}
    >
      <p class="muted small">
        Arguments for a call of {tool.name}, checked against its input schema by the server and recorded as a test call
        (nothing is run).
      </p>
      <SchemaFields
        idPrefix={`test-${tool.id}`}
        schema={tool.inputSchema}
        defaults={{}}
        value={value}
        onChange={(next) => {
          setValue(next);
          setResult(null);
        }}
        onValidity={setValid}
        violations={result && !result.valid ? result.errors : null}
      />
      <ErrorMessage error={state.error} />
      <p role="status" class={result ? (result.valid ? 'test-result valid' : 'test-result invalid') : 'test-result'}>
        {result &&
          (result.valid
            ? 'Valid: these arguments match the input schema.'
            : `Not valid: ${result.errors.length} problem${result.errors.length === 1 ? '' : 's'} with the input schema, shown at the fields.`)}
      </p>
      <div class="actions">
        <button type="submit" class="button primary small" disabled={state.busy || !valid}>
          {state.busy ? 'Checking…' : 'Check the arguments'}
        </button>
      </div>
    </form>
  );
}

function GripIcon() {
  return (
    <svg width="12" height="18" viewBox="0 0 12 18" aria-hidden="true" focusable="false">
      {[3, 9].map((x) => [3, 9, 15].map((y) => <circle key={`${x}-${y}`} cx={x} cy={y} r="1.6" fill="currentColor" />))}
    </svg>
  );
}

function ToolRow({ agentId, row, tool, usage, index, count, shift, dragged, onDragStart, onMove, onToggle, onDetach, onSaved, onTested }) {
  const [panel, setPanel] = useState(null);
  const name = tool?.name ?? row.tool_id;
  const toggle = (which) => setPanel((current) => (current === which ? null : which));
  const style = dragged ? { transform: `translateY(${dragged.dy}px)` } : shift ? { transform: `translateY(${shift}px)` } : undefined;
  return (
    <li
      class={`tool-row card${row.enabled ? '' : ' disabled'}${dragged ? ' dragging' : ''}`}
      data-tool-id={row.tool_id}
      style={style}
      onKeyDown={(event) => {
        // Alt+Arrow moves the tool wherever focus is in its row.
        if (!event.altKey || (event.key !== 'ArrowUp' && event.key !== 'ArrowDown')) return;
        if (event.target.closest('.tool-panel, .usage-chart')) return;
        event.preventDefault();
        onMove(row.tool_id, index + (event.key === 'ArrowUp' ? -1 : 1), event.target.dataset.control ?? 'handle');
      }}
    >
      <div class="tool-head">
        <button
          type="button"
          class="drag-handle"
          data-control="handle"
          aria-label={`Reorder ${name}, position ${index + 1} of ${count}`}
          aria-describedby="reorder-help"
          onPointerDown={(event) => onDragStart(event, index)}
        >
          <GripIcon />
        </button>
        <span class="priority" aria-hidden="true">
          {index + 1}
        </span>
        <div class="tool-title">
          <h3>{name}</h3>
          <code class="muted small">{tool?.slug}</code>
        </div>
        <label class="switch">
          <input
            type="checkbox"
            role="switch"
            data-control="switch"
            checked={row.enabled}
            aria-label={`${name} enabled`}
            onChange={(event) => onToggle(row, event.currentTarget.checked)}
          />
          <span aria-hidden="true">{row.enabled ? 'Enabled' : 'Disabled'}</span>
        </label>
        <div class="move-buttons">
          <button
            type="button"
            class="button ghost small icon"
            data-control="up"
            aria-label={`Move ${name} up`}
            disabled={index === 0}
            onClick={() => onMove(row.tool_id, index - 1, 'up')}
          >
            ↑
          </button>
          <button
            type="button"
            class="button ghost small icon"
            data-control="down"
            aria-label={`Move ${name} down`}
            disabled={index === count - 1}
            onClick={() => onMove(row.tool_id, index + 1, 'down')}
          >
            ↓
          </button>
        </div>
      </div>
      {tool?.description && <p class="tool-description">{tool.description}</p>}
      <UsageFigures usage={usage} />
      <div class="tool-actions">
        {[
          ['config', 'Configure'],
          ['usage', 'Usage over time'],
          ['test', 'Test call'],
        ].map(([which, label]) => (
          <button
            key={which}
            type="button"
            class={panel === which ? 'button small active' : 'button small'}
            aria-expanded={panel === which}
            aria-label={`${label}: ${name}`}
            onClick={() => toggle(which)}
          >
            {label}
          </button>
        ))}
        <button type="button" class="button ghost small danger" aria-label={`Detach ${name}`} onClick={() => onDetach(row)}>
          Detach
        </button>
      </div>
      {panel === 'config' && tool && (
        <ToolConfig agentId={agentId} row={row} tool={tool} onSaved={onSaved} onClose={() => setPanel(null)} />
      )}
      {panel === 'usage' && <UsageChart agentId={agentId} toolId={row.tool_id} toolName={name} />}
      {panel === 'test' && tool && <ToolTest agentId={agentId} tool={tool} onTested={onTested} />}
    </li>
  );
}

function AttachTool({ agentId, catalog, attached, onAttached }) {
  const available = [...catalog.values()].filter((tool) => !attached.has(tool.id));
  const [toolId, setToolId] = useState('');
  const [value, setValue] = useState({});
  const [valid, setValid] = useState(true);
  const tool = catalog.get(toolId);
  const save = useCallback(
    (config) => rpc('attach_tool', { agent_id: agentId, tool_id: toolId, config }, `attach ${tool?.name ?? 'the tool'}`),
    [agentId, toolId, tool],
  );
  const [state, submit, reset] = useSchemaSubmit(save);
  if (available.length === 0) return <p class="muted small">Every tool of the catalog is attached to this agent.</p>;
  return (
    <form
      class="attach-tool card"
      noValidate
      aria-labelledby="attach-title"
      onSubmit={async (event) => {
        event.preventDefault();
        const row = await submit(value);
        if (row) {
          setToolId('');
          setValue({});
          onAttached(row);
        }
      }}
    >
      <h3 id="attach-title">Attach a tool</h3>
      <div class="field">
        <label for="attach-tool-choice">Tool</label>
        <select
          id="attach-tool-choice"
          value={toolId}
          onChange={(event) => {
            setToolId(event.currentTarget.value);
            setValue({});
            reset();
          }}
        >
          <option value="">Choose a tool…</option>
          {available.map((entry) => (
            <option key={entry.id} value={entry.id}>
              {entry.name} ({entry.slug})
            </option>
          ))}
        </select>
      </div>
      {tool && (
        <>
          {tool.description && <p class="muted small">{tool.description}</p>}
          <SchemaFields
            key={tool.id}
            idPrefix={`attach-${tool.id}`}
            schema={tool.configSchema}
            defaults={tool.defaultConfig}
            value={value}
            onChange={setValue}
            onValidity={setValid}
            violations={state.violations}
          />
          {state.violations ? <RefusedSummary violations={state.violations} what="this configuration" /> : <ErrorMessage error={state.error} />}
          <div class="actions">
            <button type="submit" class="button primary small" disabled={state.busy || !valid}>
              {state.busy ? 'Attaching…' : `Attach ${tool.name} last`}
            </button>
          </div>
        </>
      )}
    </form>
  );
}

// One agent's tools in priority order: reorder (drag, buttons, Alt+Arrow),
// enable, configure, detach, attach, usage and test calls.
function AgentTools({ agent, catalog, onCountsChanged }) {
  const [rows, setRows] = useState(null);
  const [usage, setUsage] = useState(new Map());
  const [error, setError] = useState(null);
  const [announcement, setAnnouncement] = useState('');
  const [drag, setDrag] = useState(null);
  const list = useRef(null);
  const focusAfter = useRef(null);
  const queue = useRef(Promise.resolve());
  const latestMove = useRef(0);

  const loadUsage = useCallback(() => {
    rpc('tool_usage', { agent_id: agent.id }, 'load the tools’ usage')
      .then((found) => setUsage(new Map(found.map((entry) => [entry.tool_id, entry]))))
      .catch(setError);
  }, [agent.id]);

  useEffect(() => {
    setRows(null);
    run(
      supabase.from('agent_tools').select('id, agent_id, tool_id, enabled, priority, config').eq('agent_id', agent.id).order('priority'),
      'load the agent’s tools',
    )
      .then(setRows)
      .catch(setError);
    loadUsage();
  }, [agent.id, loadUsage]);

  useEffect(() => {
    if (rows) onCountsChanged(agent.id, rows);
  }, [rows, agent.id, onCountsChanged]);

  // Moving a row moves its element, which loses focus: give it back.
  useLayoutEffect(() => {
    const wanted = focusAfter.current;
    if (!wanted || !list.current) return;
    focusAfter.current = null;
    const item = list.current.querySelector(`[data-tool-id="${wanted.toolId}"]`);
    const controls = [wanted.control, 'handle'].map((control) => item?.querySelector(`[data-control="${control}"]`));
    controls.find((control) => control && !control.disabled)?.focus();
  }, [rows]);

  const nameOf = (toolId) => catalog.get(toolId)?.name ?? 'the tool';

  function move(toolId, to, control) {
    const from = rows.findIndex((row) => row.tool_id === toolId);
    if (from < 0 || to < 0 || to >= rows.length || to === from) return;
    const previous = rows;
    const next = [...rows];
    const [moved] = next.splice(from, 1);
    next.splice(to, 0, moved);
    focusAfter.current = { toolId, control };
    setRows(next.map((row, position) => ({ ...row, priority: position + 1 })));
    setAnnouncement(`${nameOf(toolId)} moved to position ${to + 1} of ${rows.length}.`);
    setError(null);
    // One move at a time, in the order asked; only the last answer is shown.
    const mine = ++latestMove.current;
    queue.current = queue.current
      .then(() => rpc('move_tool', { agent_id: agent.id, tool_id: toolId, priority: to + 1 }, `move ${nameOf(toolId)}`))
      .then((ordered) => {
        if (mine === latestMove.current) setRows(ordered);
      })
      .catch((failed) => {
        if (mine === latestMove.current) setRows(previous);
        setError(failed);
        setAnnouncement(`${nameOf(toolId)} was not moved.`);
      });
  }

  // Dragging by the handle, with the pointer (mouse, pen or touch).
  function startDrag(event, from) {
    if (event.pointerType === 'mouse' && event.button !== 0) return;
    event.preventDefault();
    const handle = event.currentTarget;
    handle.setPointerCapture(event.pointerId);
    handle.focus();
    const boxes = [...list.current.children].map((item) => item.getBoundingClientRect());
    const gap = boxes.length > 1 ? boxes[1].top - boxes[0].bottom : 0;
    const startY = event.clientY;
    const toolId = rows[from].tool_id;
    let state = { from, to: from, dy: 0, shift: boxes[from].height + gap };
    setDrag(state);
    const moveTo = (pointer) => {
      const dy = pointer.clientY - startY;
      const centre = boxes[from].top + boxes[from].height / 2 + dy;
      const to = boxes.filter((box, index) => index !== from && box.top + box.height / 2 < centre).length;
      state = { ...state, dy, to };
      setDrag(state);
    };
    const finish = (dropped) => {
      handle.removeEventListener('pointermove', moveTo);
      handle.removeEventListener('pointerup', onUp);
      handle.removeEventListener('pointercancel', onCancel);
      setDrag(null);
      if (dropped && state.to !== from) move(toolId, state.to, 'handle');
    };
    const onUp = () => finish(true);
    const onCancel = () => finish(false);
    handle.addEventListener('pointermove', moveTo);
    handle.addEventListener('pointerup', onUp);
    handle.addEventListener('pointercancel', onCancel);
  }

  function shiftOf(index) {
    if (!drag || index === drag.from) return 0;
    if (drag.from < drag.to && index > drag.from && index <= drag.to) return -drag.shift;
    if (drag.to < drag.from && index >= drag.to && index < drag.from) return drag.shift;
    return 0;
  }

  async function toggle(row, enabled) {
    setRows((current) => current.map((entry) => (entry.id === row.id ? { ...entry, enabled } : entry)));
    try {
      const updated = await rpc(
        'set_tool_enabled',
        { agent_id: agent.id, tool_id: row.tool_id, enabled },
        `${enabled ? 'enable' : 'disable'} ${nameOf(row.tool_id)}`,
      );
      setRows((current) => current.map((entry) => (entry.id === row.id ? updated : entry)));
      setAnnouncement(`${nameOf(row.tool_id)} ${enabled ? 'enabled' : 'disabled'}.`);
    } catch (failed) {
      setRows((current) => current.map((entry) => (entry.id === row.id ? row : entry)));
      setError(failed);
    }
  }

  async function detach(row) {
    if (!window.confirm(`Detach ${nameOf(row.tool_id)} from ${agent.name}? Its configuration is removed.`)) return;
    try {
      await rpc('detach_tool', { agent_id: agent.id, tool_id: row.tool_id }, `detach ${nameOf(row.tool_id)}`);
      setRows((current) => current.filter((entry) => entry.id !== row.id).map((entry, index) => ({ ...entry, priority: index + 1 })));
      setAnnouncement(`${nameOf(row.tool_id)} detached.`);
    } catch (failed) {
      setError(failed);
    }
  }

  const replace = (updated) => setRows((current) => current.map((entry) => (entry.id === updated.id ? updated : entry)));
  const attached = useMemo(() => new Set((rows ?? []).map((row) => row.tool_id)), [rows]);
  const enabledCount = (rows ?? []).filter((row) => row.enabled).length;

  return (
    <div class="agent-tools">
      <div class="agent-head">
        <Link href="/agents" class="back-link">
          ← Agents
        </Link>
        <div>
          <h2>{agent.name}</h2>
          <p class="muted small">
            {agent.description ? `${agent.description} · ` : ''}
            {rows ? `${rows.length} tool${rows.length === 1 ? '' : 's'}, ${enabledCount} enabled` : ''}
          </p>
        </div>
      </div>
      <p id="reorder-help" class="muted small">
        In priority order, first tried first. Drag a tool by its handle, or press Alt+↑ or Alt+↓ anywhere in its row, to move it.
      </p>
      <p class="visually-hidden" role="status" aria-live="polite">
        {announcement}
      </p>
      <ErrorMessage error={error} onDismiss={() => setError(null)} />
      {!rows && !error && <Spinner label="Loading tools" />}
      {rows && rows.length === 0 && <p class="empty">No tools attached to {agent.name} yet.</p>}
      {rows && rows.length > 0 && (
        <ol class={drag ? 'tool-list dragging' : 'tool-list'} ref={list} aria-label={`Tools of ${agent.name}, in priority order`}>
          {rows.map((row, index) => (
            <ToolRow
              key={row.id}
              agentId={agent.id}
              row={row}
              tool={catalog.get(row.tool_id)}
              usage={usage.get(row.tool_id)}
              index={index}
              count={rows.length}
              shift={shiftOf(index)}
              dragged={drag && drag.from === index ? drag : null}
              onDragStart={startDrag}
              onMove={move}
              onToggle={toggle}
              onDetach={detach}
              onSaved={replace}
              onTested={loadUsage}
            />
          ))}
        </ol>
      )}
      {rows && (
        <AttachTool
          agentId={agent.id}
          catalog={catalog}
          attached={attached}
          onAttached={(row) => {
            setRows((current) => [...current, row]);
            setAnnouncement(`${nameOf(row.tool_id)} attached at position ${row.priority}.`);
          }}
        />
      )}
    </div>
  );
}

export function AgentsPage({ path }) {
  const agentId = path[1] ?? null;
  const [agents, setAgents] = useState(null);
  const [counts, setCounts] = useState(new Map());
  const [error, setError] = useState(null);
  const catalog = useCatalog();

  useFirstDataEffect(() => {
    takeFirstData('agentList')
      .then((list) => {
        setAgents(list.agents);
        setCounts(list.counts);
      })
      .catch(setError);
  }, []);

  // On a wide screen the first agent opens at once; on a phone the list comes first.
  useEffect(() => {
    if (!agentId && agents?.length && wideScreen.matches) navigate(`/agents/${agents[0].id}`, { replace: true });
  }, [agentId, agents]);

  const onCountsChanged = useCallback((id, rows) => {
    setCounts((current) => new Map(current).set(id, { tools: rows.length, enabled: rows.filter((row) => row.enabled).length }));
  }, []);

  const agent = agents?.find((entry) => entry.id === agentId);
  const [filter, setFilter] = useState('');
  const shownAgents = useMemo(() => {
    const wanted = filter.trim().toLowerCase();
    return wanted ? (agents ?? []).filter((entry) => entry.name.toLowerCase().includes(wanted)) : (agents ?? []);
  }, [agents, filter]);
  // Drawn a step at a time as the list scrolls, and always down to the chosen agent.
  const [listLength, setListLength] = useState(listStep);
  const chosenIndex = agentId ? shownAgents.findIndex((entry) => entry.id === agentId) : -1;
  const drawnAgents = shownAgents.slice(0, Math.max(listLength, chosenIndex + 1));
  const drawMore = useCallback(() => setListLength((length) => length + listStep), []);
  const sidebar = useRef(null);

  return (
    <div class={agentId ? 'agents has-selection' : 'agents'}>
      <section class="agents-sidebar" aria-labelledby="agents-title" ref={sidebar}>
        <div class="sidebar-head">
          <h1 id="agents-title">Agents &amp; tools</h1>
        </div>
        {agents && agents.length > 8 && (
          <div class="search-form">
            <label class="visually-hidden" for="agent-filter">
              Filter the agents by name
            </label>
            <input
              id="agent-filter"
              type="search"
              placeholder="Filter the agents by name"
              value={filter}
              onInput={(event) => {
                setFilter(event.currentTarget.value);
                setListLength(listStep);
              }}
            />
          </div>
        )}
        <ErrorMessage error={error} />
        {!agents && !error && <Spinner label="Loading agents" />}
        {agents && agents.length === 0 && <p class="empty">This tenant has no agents yet.</p>}
        {agents && agents.length > 0 && shownAgents.length === 0 && <p class="empty">No agent’s name has “{filter}”.</p>}
        <ul class="agent-list" aria-label="Agents">
          {drawnAgents.map((entry) => {
            const count = counts.get(entry.id) ?? { tools: 0, enabled: 0 };
            return (
              <li key={entry.id}>
                <Link
                  href={`/agents/${entry.id}`}
                  class={entry.id === agentId ? 'agent-item selected' : 'agent-item'}
                  aria-current={entry.id === agentId ? 'page' : undefined}
                >
                  <span class="agent-name">{entry.name}</span>
                  <span class="agent-meta">
                    {count.tools} tool{count.tools === 1 ? '' : 's'}, {count.enabled} enabled
                    {entry.model ? ` · ${entry.model}` : ''}
                  </span>
                </Link>
              </li>
            );
          })}
        </ul>
        <LoadMore onVisible={drawMore} active={drawnAgents.length < shownAgents.length} root={sidebar} />
      </section>
      <section class="agents-main" aria-label="Agent’s tools">
        <ErrorMessage error={catalog.error} />
        {agentId && agents && !agent && <p class="empty">This agent does not exist, or is not visible to you.</p>}
        {agent && !catalog.loading && (
          <AgentTools key={agent.id} agent={agent} catalog={catalog.tools} onCountsChanged={onCountsChanged} />
        )}
        {!agentId && (
          <div class="empty-state">
            <h2>No agent chosen</h2>
            <p class="muted">Pick an agent to see its tools.</p>
          </div>
        )}
      </section>
    </div>
  );
}
