import { useCallback, useMemo, useRef, useState } from 'preact/hooks';
import { rpc } from '../api.js';
import { ErrorMessage, Spinner } from '../components.jsx';
import { takeFirstData, useFirstDataEffect } from '../firstData.js';
import { layoutChart } from './org/layout.js';
import { OrgDiagram } from './org/OrgDiagram.jsx';
import './org/org.css';

const departmentColours = 8;

// Every department of the (nested) chart, in tree order, with its depth.
function flattenDepartments(departments, depth = 0, into = []) {
  for (const department of departments ?? []) {
    into.push({ ...department, depth });
    flattenDepartments(department.departments, depth + 1, into);
  }
  return into;
}

function flattenFunctions(functions, into = []) {
  for (const entry of functions ?? []) {
    into.push(entry);
    flattenFunctions(entry.functions, into);
  }
  return into;
}

function List({ title, items, empty }) {
  return (
    <>
      <h3>{title}</h3>
      {items?.length ? (
        <ul class="detail-list">
          {items.map((item, index) => (
            <li key={index}>{item}</li>
          ))}
        </ul>
      ) : (
        <p class="muted small">{empty}</p>
      )}
    </>
  );
}

function RoleDetails({ node, layout, departments, functionsByRole, onSelectRole, onSearchSkill }) {
  const role = node.role;
  const manager = layout.byId.get(role.reports_to_role_id);
  const department = departments.get(role.department_id);
  const served = functionsByRole.get(role.id) ?? [];
  return (
    <div class="org-details-body">
      <p class="detail-kind">Role</p>
      <h2 id="org-details-title" tabIndex={-1}>
        {role.name}
      </h2>
      <p class="muted small">
        <span class="level-tag">{role.level}</span> {department ? department.name : 'No department'} · <code>{role.slug}</code>
      </p>
      <dl class="detail-facts small">
        <div>
          <dt>Reports to</dt>
          <dd>
            {manager ? (
              <button type="button" class="link-button" onClick={() => onSelectRole(manager.id)}>
                {manager.role.name}
              </button>
            ) : role.reports_to_role_id ? (
              'a role outside this chart'
            ) : (
              'nobody (a top role)'
            )}
          </dd>
        </div>
        <div>
          <dt>Direct reports</dt>
          <dd>{role.reports?.length ?? 0}</dd>
        </div>
      </dl>
      <h3>Agents on this role</h3>
      {role.agents?.length ? (
        <ul class="detail-list agents-on-role">
          {role.agents.map((agent) => (
            <li key={agent.id}>{agent.name}</li>
          ))}
        </ul>
      ) : (
        <p class="vacancy-note small">Vacant: none of your tenant’s agents holds this role.</p>
      )}
      <List title="Responsibilities" items={role.responsibilities} empty="None recorded." />
      <h3>Required skills</h3>
      {role.required_skills?.length ? (
        <ul class="skill-list">
          {role.required_skills.map((skill) => (
            <li key={skill}>
              <button type="button" class="chip" onClick={() => onSearchSkill(skill)} aria-label={`Find roles needing ${skill}`}>
                {skill}
              </button>
            </li>
          ))}
        </ul>
      ) : (
        <p class="muted small">None recorded.</p>
      )}
      <h3>Business functions its agents serve</h3>
      {served.length ? (
        served.map((entry) => (
          <div key={entry.id} class="served-function">
            <h4>
              {entry.name} <span class="category-tag">{entry.category}</span>
            </h4>
            <List title="Key activities" items={entry.key_activities} empty="None recorded." />
            <List title="Success metrics" items={entry.success_metrics} empty="None recorded." />
          </div>
        ))
      ) : (
        <p class="muted small">None: no agent on this role serves a business function.</p>
      )}
    </div>
  );
}

function FunctionDetails({ entry, layout, onSelectRole }) {
  return (
    <div class="org-details-body">
      <p class="detail-kind">Business function</p>
      <h2 id="org-details-title" tabIndex={-1}>
        {entry.name}
      </h2>
      <p class="muted small">
        <span class="category-tag">{entry.category}</span> <code>{entry.slug}</code>
      </p>
      {entry.description && <p>{entry.description}</p>}
      <List title="Key activities" items={entry.key_activities} empty="None recorded." />
      <List title="Success metrics" items={entry.success_metrics} empty="None recorded." />
      <h3>Agents serving it</h3>
      {entry.agents.length ? (
        <ul class="detail-list">
          {entry.agents.map((agent) => (
            <li key={agent.id}>
              {agent.name}
              {agent.primary && <span class="muted small"> (primary function)</span>}
            </li>
          ))}
        </ul>
      ) : (
        <p class="muted small">None of your tenant’s agents.</p>
      )}
      <h3>Their roles</h3>
      {entry.roles.length ? (
        <ul class="detail-list">
          {entry.roles.map((role) => (
            <li key={role.id}>
              {layout.byId.has(role.id) ? (
                <button type="button" class="link-button" onClick={() => onSelectRole(role.id)}>
                  {role.name}
                </button>
              ) : (
                role.name
              )}{' '}
              <span class="muted small">
                ({role.agent_count} agent{role.agent_count === 1 ? '' : 's'})
              </span>
            </li>
          ))}
        </ul>
      ) : (
        <p class="muted small">None.</p>
      )}
    </div>
  );
}

function FunctionItem({ entry, depth, selectedId, onSelect }) {
  const [open, setOpen] = useState(depth < 2);
  const children = entry.functions ?? [];
  const listId = `functions-under-${entry.id}`;
  return (
    <li>
      <div class={entry.id === selectedId ? 'function-item selected' : 'function-item'}>
        {children.length > 0 ? (
          <button
            type="button"
            class="disclosure"
            aria-expanded={open}
            aria-controls={listId}
            aria-label={`${open ? 'Hide' : 'Show'} the functions under ${entry.name}`}
            onClick={() => setOpen(!open)}
          >
            <span aria-hidden="true">{open ? '▾' : '▸'}</span>
          </button>
        ) : (
          <span class="disclosure-space" aria-hidden="true" />
        )}
        <button
          type="button"
          class="function-name"
          aria-current={entry.id === selectedId ? 'true' : undefined}
          onClick={() => onSelect(entry.id)}
        >
          {entry.name}
        </button>
        <span class="function-count small" title="Agents of your tenant serving it">
          {entry.agents.length} agent{entry.agents.length === 1 ? '' : 's'}
        </span>
      </div>
      {children.length > 0 && open && (
        <ul id={listId} class="function-tree">
          {children.map((child) => (
            <FunctionItem key={child.id} entry={child} depth={depth + 1} selectedId={selectedId} onSelect={onSelect} />
          ))}
        </ul>
      )}
    </li>
  );
}

// The departments as nested lists: colour, name, roles and vacancies; a
// department's button shows its own chart (pressed again, all of them).
function DepartmentTree({ departments, label, colourOf, chosenId, onChoose }) {
  return (
    <ul class="department-tree small" aria-label={label}>
      {departments.map((entry) => (
        <li key={entry.id}>
          <span class={`swatch department-${colourOf(entry.id)}`} aria-hidden="true" />
          <button type="button" class="link-button" aria-pressed={entry.id === chosenId} onClick={() => onChoose(entry.id)}>
            {entry.name}
          </button>
          <span class="muted">
            {' '}
            {entry.role_count} role{entry.role_count === 1 ? '' : 's'}, {entry.vacancy_count} vacant
          </span>
          {entry.departments?.length > 0 && (
            <DepartmentTree
              departments={entry.departments}
              label={`Departments of ${entry.name}`}
              colourOf={colourOf}
              chosenId={chosenId}
              onChoose={onChoose}
            />
          )}
        </li>
      ))}
    </ul>
  );
}

function SearchResults({ results, layout, departments, onPick }) {
  const groups = [
    ['Roles by name', results.byName.map((node) => ({ node, note: null }))],
    [`Roles needing the skill “${results.text}”`, results.bySkill.map((node) => ({ node, note: null }))],
    ['Agents', results.byAgent.map(({ node, agent }) => ({ node, note: agent.name }))],
  ].filter(([, entries]) => entries.length);
  return (
    <section class="org-results" aria-labelledby="org-results-title">
      <h2 id="org-results-title" class="visually-hidden">
        Found
      </h2>
      <p role="status" class="small muted">
        {groups.length === 0 ? `Nothing matches “${results.text}”.` : `Matches for “${results.text}”: pick one to centre the chart on it.`}
      </p>
      {groups.map(([title, entries]) => (
        <div key={title} class="result-group">
          <h3>{title}</h3>
          <ul>
            {entries.map(({ node, note }) => (
              <li key={`${node.id}-${note}`}>
                <button type="button" class="result-button" onClick={() => onPick(node.id)}>
                  {note ? (
                    <>
                      <strong>{note}</strong> on {node.role.name}
                    </>
                  ) : (
                    <strong>{node.role.name}</strong>
                  )}
                  <span class="muted small"> · {departments.get(node.role.department_id)?.name ?? 'No department'}</span>
                </button>
              </li>
            ))}
          </ul>
        </div>
      ))}
    </section>
  );
}

// Departments, roles and reporting lines as a diagram with the tenant's
// agents on each role (org_chart), the business-function tree beside it
// (business_function_tree), a search by role, skill (find_by_skill) or
// agent that centres the chart on what it finds, and each node's details.
export function OrgPage() {
  const [departmentId, setDepartmentId] = useState('');
  const [chart, setChart] = useState(null);
  const [departmentTree, setDepartmentTree] = useState([]);
  const allDepartments = useMemo(() => flattenDepartments(departmentTree), [departmentTree]);
  const [functions, setFunctions] = useState(null);
  const [error, setError] = useState(null);
  const [functionsError, setFunctionsError] = useState(null);
  const [selection, setSelection] = useState(null);
  const [query, setQuery] = useState('');
  const [results, setResults] = useState(null);
  const [searchError, setSearchError] = useState(null);
  const [announcement, setAnnouncement] = useState('');
  const controls = useRef(null);

  useFirstDataEffect(() => {
    let current = true;
    setChart(null);
    setError(null);
    (departmentId ? rpc('org_chart', { department_id: departmentId }, 'load the org chart') : takeFirstData('orgChart'))
      .then((loaded) => {
        if (!current) return;
        setChart(loaded);
        if (!departmentId) setDepartmentTree(loaded.departments);
      })
      .catch((failed) => current && setError(failed));
    return () => {
      current = false;
    };
  }, [departmentId]);

  useFirstDataEffect(() => {
    takeFirstData('businessFunctions').then(setFunctions).catch(setFunctionsError);
  }, []);

  const layout = useMemo(() => (chart ? layoutChart(chart.roles) : null), [chart]);
  const departments = useMemo(() => new Map(allDepartments.map((entry) => [entry.id, entry])), [allDepartments]);
  const colourOf = useCallback(
    (id) => {
      const index = allDepartments.findIndex((entry) => entry.id === id);
      return index < 0 ? 'none' : index % departmentColours;
    },
    [allDepartments],
  );
  const functionList = useMemo(() => flattenFunctions(functions), [functions]);
  const functionsByRole = useMemo(() => {
    const map = new Map();
    for (const entry of functionList) {
      for (const role of entry.roles) map.set(role.id, [...(map.get(role.id) ?? []), entry]);
    }
    return map;
  }, [functionList]);
  const matchedIds = useMemo(
    () => new Set(results ? [...results.byName, ...results.bySkill, ...results.byAgent.map((hit) => hit.node)].map((node) => node.id) : []),
    [results],
  );

  const describe = useCallback(
    (node) => {
      const role = node.role;
      const agents = role.agents?.length ? `Agents: ${role.agents.map((agent) => agent.name).join(', ')}.` : 'Vacant.';
      const department = departments.get(role.department_id)?.name ?? 'no department';
      return `${role.name}, ${role.level}, ${department}. ${agents} ${role.reports?.length ?? 0} direct reports.`;
    },
    [departments],
  );

  const selectRole = useCallback(
    (id, { centre = false } = {}) => {
      const node = layout?.byId.get(id);
      if (!node) return;
      setSelection({ kind: 'role', id });
      setAnnouncement(describe(node));
      if (centre) controls.current?.centreOn(id);
    },
    [layout, describe],
  );

  async function search(text) {
    const wanted = text.trim();
    setSearchError(null);
    if (!wanted || !layout) {
      setResults(null);
      return;
    }
    const lower = wanted.toLowerCase();
    const byName = layout.nodes.filter((node) => node.role.name.toLowerCase().includes(lower) || node.role.slug.includes(lower)).slice(0, 20);
    const byAgent = layout.nodes
      .flatMap((node) => (node.role.agents ?? []).filter((agent) => agent.name.toLowerCase().includes(lower)).map((agent) => ({ node, agent })))
      .slice(0, 20);
    let bySkill = [];
    try {
      const found = await rpc('find_by_skill', { skill: wanted }, 'find roles by skill');
      bySkill = found.filter((row) => row.kind === 'role' && layout.byId.has(row.id)).map((row) => layout.byId.get(row.id));
    } catch (failed) {
      setSearchError(failed);
    }
    const next = { text: wanted, byName, bySkill, byAgent };
    setResults(next);
    const ids = new Set([...byName, ...bySkill, ...byAgent.map((hit) => hit.node)].map((node) => node.id));
    if (ids.size === 1) selectRole([...ids][0], { centre: true });
  }

  const selectedNode = selection?.kind === 'role' ? layout?.byId.get(selection.id) : null;
  const selectedFunction = selection?.kind === 'function' ? functionList.find((entry) => entry.id === selection.id) : null;
  const counts = chart?.counts;

  return (
    <div class="org">
      <div class="org-main">
        <div class="org-toolbar">
          <div class="org-title">
            <h1>Org chart</h1>
            {counts && (
              <p class="muted small">
                {counts.departments} departments · {counts.roles} roles · {counts.agents} of your agents on them · {counts.vacancies} vacant
              </p>
            )}
          </div>
          <form
            class="search-form org-search"
            role="search"
            onSubmit={(event) => {
              event.preventDefault();
              search(query);
            }}
          >
            <label class="visually-hidden" for="org-search">
              Find a role, skill or agent
            </label>
            <input
              id="org-search"
              type="search"
              placeholder="Find a role, skill or agent"
              value={query}
              onInput={(event) => {
                setQuery(event.currentTarget.value);
                if (!event.currentTarget.value) setResults(null);
              }}
            />
            <button type="submit" class="button small">
              Find
            </button>
          </form>
          <label class="field inline department-filter">
            <span>Department</span>
            <select value={departmentId} onChange={(event) => setDepartmentId(event.currentTarget.value)}>
              <option value="">All departments</option>
              {allDepartments.map((entry) => (
                <option key={entry.id} value={entry.id}>
                  {`${'\u00a0\u00a0'.repeat(entry.depth)}${entry.name} (${entry.role_count})`}
                </option>
              ))}
            </select>
          </label>
          <div class="zoom-buttons" role="group" aria-label="Zoom">
            <button type="button" class="button small icon" aria-label="Zoom out" onClick={() => controls.current?.zoomBy(0.8)}>
              −
            </button>
            <button type="button" class="button small icon" aria-label="Zoom in" onClick={() => controls.current?.zoomBy(1.25)}>
              +
            </button>
            <button type="button" class="button small" onClick={() => controls.current?.fit()}>
              Fit
            </button>
          </div>
        </div>
        <ErrorMessage error={searchError} onDismiss={() => setSearchError(null)} />
        {results && (
          <SearchResults results={results} layout={layout} departments={departments} onPick={(id) => selectRole(id, { centre: true })} />
        )}
        <p id="org-help" class="muted small org-help">
          Drag to pan; wheel, pinch or + and − to zoom. With the chart focused, the arrow keys move between roles, Enter goes
          to the role’s details, Shift and an arrow pans, 0 shows it all.
        </p>
        <ErrorMessage error={error} />
        {!chart && !error && <Spinner label="Loading the org chart" />}
        {layout && layout.nodes.length === 0 && <p class="empty">No roles in this organisation yet.</p>}
        {layout && layout.nodes.length > 0 && (
          <OrgDiagram
            layout={layout}
            departments={departments}
            colourOf={colourOf}
            selectedId={selectedNode?.id ?? null}
            matchedIds={matchedIds}
            onSelect={selectRole}
            onOpen={() => document.getElementById('org-details-title')?.focus()}
            label={`Org chart: ${counts.roles} roles in ${counts.departments} departments`}
            helpId="org-help"
            controls={controls}
          />
        )}
        <p class="visually-hidden" role="status">
          {announcement}
        </p>
      </div>
      <aside class="org-side">
        <section class="org-details card" aria-labelledby={selectedNode || selectedFunction ? 'org-details-title' : 'org-details-empty'}>
          {selectedNode ? (
            <RoleDetails
              node={selectedNode}
              layout={layout}
              departments={departments}
              functionsByRole={functionsByRole}
              onSelectRole={(id) => selectRole(id, { centre: true })}
              onSearchSkill={(skill) => {
                setQuery(skill);
                search(skill);
              }}
            />
          ) : selectedFunction ? (
            <FunctionDetails
              entry={selectedFunction}
              layout={layout ?? { byId: new Map() }}
              onSelectRole={(id) => selectRole(id, { centre: true })}
            />
          ) : (
            <p id="org-details-empty" class="muted small">
              Pick a role in the chart or a business function below to see its details.
            </p>
          )}
        </section>
        {departmentTree.length > 0 && (
          <section class="org-departments" aria-labelledby="departments-title">
            <h2 id="departments-title">Departments</h2>
            <p class="muted small">Each department’s colour in the chart; pick one for its own chart.</p>
            <DepartmentTree
              departments={departmentTree}
              label="Departments"
              colourOf={colourOf}
              chosenId={departmentId}
              onChoose={(id) => setDepartmentId(id === departmentId ? '' : id)}
            />
          </section>
        )}
        <section class="org-functions" aria-labelledby="functions-title">
          <h2 id="functions-title">Business functions</h2>
          <ErrorMessage error={functionsError} />
          {!functions && !functionsError && <Spinner label="Loading the business functions" />}
          {functions && functions.length === 0 && <p class="muted small">No business functions yet.</p>}
          {functions && functions.length > 0 && (
            <ul class="function-tree" aria-label="Business functions">
              {functions.map((entry) => (
                <FunctionItem
                  key={entry.id}
                  entry={entry}
                  depth={0}
                  selectedId={selectedFunction?.id}
                  onSelect={(id) => setSelection({ kind: 'function', id })}
                />
              ))}
            </ul>
          )}
        </section>
      </aside>
    </div>
  );
}
