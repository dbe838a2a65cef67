// The organisation through the official supabase-js client: the RPCs of
// database/schema/91_org.sql (org_chart, business_function_tree,
// find_by_skill, set_agent_role, set_agent_functions), the cycle errors as a
// client sees them, agent_business_functions under row level security, and
// re-parentings at the same time that must not make a cycle, against
// `agentbase serve` (tests/js/run.sh starts it and exports the keys and users).
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { addUser } from './lib/agentbase.js';
import { client, serviceKey, signedIn } from './lib/memory.js';

const stamp = `${Date.now()}`;
let a1, a2, b1, b2, service;
let tenantA, tenantB;
// Tenant A's owner (a1) builds the organisation: department `eng` with
// `platform` inside it; cto (eng) > lead (platform) > dev (platform). Tenant
// A's agent is on dev, tenant B's on cto.
let eng, platform, cto, lead, dev, agentA, agentB, agentA2;

const slug = (name) => `${name}-${stamp}`;

async function ok(promise, context) {
  const answer = await promise;
  assert.equal(answer.error, null, `${context}: ${JSON.stringify(answer.error)}`);
  return answer.data;
}

async function insertRow(supabase, table, row) {
  return ok(supabase.from(table).insert(row).select().single(), `insert into ${table}`);
}

// A node anywhere in a nested chart or tree, by id.
function findNode(nodes, id) {
  for (const node of nodes ?? []) {
    if (node.id === id) return node;
    const below = findNode(node.reports ?? node.departments ?? node.functions, id);
    if (below) return below;
  }
  return undefined;
}

before(async () => {
  a1 = await signedIn('A1');
  a2 = await signedIn('A2');
  b1 = await signedIn('B1');
  tenantA = a1.tenant;
  tenantB = b1.tenant;
  // An owner of tenant B, who may write shared organisation rows of its own.
  const owner = await addUser(`org-b-owner-${stamp}@tenant-b.test`, 'tenant-b', 'owner');
  assert.equal(owner.tenant, tenantB);
  b2 = { supabase: client(undefined, { token: owner.token }), user: { id: owner.id } };
  service = client(serviceKey);

  eng = await insertRow(a1.supabase, 'departments', { name: 'Engineering', slug: slug('eng') });
  platform = await insertRow(a1.supabase, 'departments', { name: 'Platform', slug: slug('platform'), parent_department_id: eng.id });
  cto = await insertRow(a1.supabase, 'organizational_roles', {
    name: 'CTO', slug: slug('cto'), level: 'executive', department_id: eng.id,
    responsibilities: ['Technical strategy'], required_skills: ['Leadership', 'Architecture'],
  });
  lead = await insertRow(a1.supabase, 'organizational_roles', {
    name: 'Tech lead', slug: slug('lead'), level: 'senior', department_id: platform.id, reports_to_role_id: cto.id,
    required_skills: ['PostgreSQL', 'Code review'],
  });
  dev = await insertRow(a1.supabase, 'organizational_roles', {
    name: 'Developer', slug: slug('dev'), level: 'mid', department_id: platform.id, reports_to_role_id: lead.id,
    required_skills: [' postgresql ', 'TypeScript'],
  });
  agentA = await insertRow(a1.supabase, 'agents', { tenant_id: tenantA, name: 'Builder A', organizational_role_id: dev.id });
  agentA2 = await insertRow(a2.supabase, 'agents', { tenant_id: tenantA, name: 'Spare A' });
  agentB = await insertRow(service, 'agents', { tenant_id: tenantB, name: 'Chief B', organizational_role_id: cto.id });
});

test('org_chart: nested departments and reporting lines, the caller\'s agents on each role, vacancies', async () => {
  const chart = await ok(a1.supabase.rpc('org_chart', { department_id: eng.id }), 'a1 org_chart');
  assert.equal(chart.department_id, eng.id);
  assert.deepEqual(chart.departments.map((d) => d.id), [eng.id]);
  assert.deepEqual(chart.departments[0].departments.map((d) => d.id), [platform.id]);
  assert.equal(chart.departments[0].departments[0].parent_department_id, eng.id);
  assert.deepEqual([chart.departments[0].role_count, chart.departments[0].vacancy_count], [1, 1]);
  assert.deepEqual([chart.departments[0].departments[0].role_count, chart.departments[0].departments[0].vacancy_count], [2, 1]);

  assert.deepEqual(chart.roles.map((r) => r.id), [cto.id], 'the CTO is the top of the chart');
  assert.deepEqual(chart.roles[0].reports.map((r) => r.id), [lead.id]);
  assert.deepEqual(chart.roles[0].reports[0].reports.map((r) => r.id), [dev.id]);
  const developer = chart.roles[0].reports[0].reports[0];
  assert.deepEqual(developer.agents, [{ id: agentA.id, name: 'Builder A' }]);
  assert.equal(developer.vacant, false);
  assert.deepEqual(developer.required_skills, [' postgresql ', 'TypeScript']);
  assert.equal(developer.reports_to_role_id, lead.id);
  assert.equal(developer.department_id, platform.id);
  assert.deepEqual(chart.roles[0].agents, [], 'tenant B\'s agent on the CTO role is not tenant A\'s');
  assert.equal(chart.roles[0].vacant, true);
  assert.deepEqual(chart.vacancies.map((v) => v.id), [cto.id, lead.id]);
  assert.deepEqual(chart.vacancies[0], { id: cto.id, name: 'CTO', slug: slug('cto'), level: 'executive', department_id: eng.id });
  assert.deepEqual(chart.counts, { departments: 2, roles: 3, agents: 1, vacancies: 2 });
  assert.ok(!JSON.stringify(chart).includes(agentB.id), 'no trace of tenant B\'s agent');

  const theirs = await ok(b1.supabase.rpc('org_chart', { department_id: eng.id }), 'b1 org_chart');
  assert.deepEqual(theirs.roles[0].agents, [{ id: agentB.id, name: 'Chief B' }]);
  assert.deepEqual(theirs.vacancies.map((v) => v.id), [lead.id, dev.id]);

  const anon = await ok(client().rpc('org_chart', { department_id: eng.id }, { get: true }), 'anon org_chart by GET');
  assert.deepEqual(anon.counts, { departments: 2, roles: 3, agents: 0, vacancies: 3 });

  const platformOnly = await ok(a1.supabase.rpc('org_chart', { department_id: platform.id }), 'platform chart');
  assert.deepEqual(platformOnly.roles.map((r) => r.id), [lead.id], 'the lead is the top of its department\'s chart');
  assert.equal(platformOnly.roles[0].reports_to_role_id, cto.id, 'and still says whom it reports to');

  const whole = await ok(a1.supabase.rpc('org_chart'), 'the whole chart');
  assert.ok(findNode(whole.roles, dev.id), 'the whole chart holds the developer');
  assert.ok(findNode(whole.departments, platform.id));

  const unknown = await a1.supabase.rpc('org_chart', { department_id: '00000000-0000-0000-0000-000000000000' });
  assert.equal(unknown.status, 404);
  assert.equal(unknown.error.code, 'PT404');
  assert.match(unknown.error.message, /department .* not found/);
});

test('cycles: refused with 400, SQLSTATE 23514 and a message naming the rows', async () => {
  const below = await a1.supabase.from('organizational_roles').update({ reports_to_role_id: dev.id }).eq('id', cto.id).select();
  assert.equal(below.status, 400);
  assert.equal(below.error.code, '23514');
  assert.equal(below.error.message,
    `role "${slug('cto')}" cannot report to "${slug('dev')}": "${slug('dev')}" reports to "${slug('cto')}"`);
  assert.equal(below.error.details, `The line upwards: "${slug('dev')}" → "${slug('lead')}" → "${slug('cto')}".`);
  assert.match(below.error.hint, /choose a manager outside that line/);

  const itself = await a1.supabase.from('organizational_roles').update({ reports_to_role_id: lead.id }).eq('id', lead.id);
  assert.equal(itself.status, 400);
  assert.equal(itself.error.message, `role "${slug('lead')}" cannot report to itself`);

  const department = await a1.supabase.from('departments').update({ parent_department_id: platform.id }).eq('id', eng.id);
  assert.equal(department.status, 400);
  assert.equal(department.error.code, '23514');
  assert.equal(department.error.message,
    `department "${slug('eng')}" cannot be part of "${slug('platform')}": "${slug('platform')}" is part of "${slug('eng')}"`);

  const top = await insertRow(a1.supabase, 'business_functions', { name: 'Revenue', slug: slug('revenue') });
  const sub = await insertRow(a1.supabase, 'business_functions', { name: 'Renewals', slug: slug('renewals'), parent_function_id: top.id });
  const fn = await a1.supabase.from('business_functions').update({ parent_function_id: sub.id }).eq('id', top.id);
  assert.equal(fn.status, 400);
  assert.equal(fn.error.message,
    `business function "${slug('revenue')}" cannot be part of "${slug('renewals')}": "${slug('renewals')}" is part of "${slug('revenue')}"`);

  // Nothing changed.
  const roles = await ok(client().from('organizational_roles').select('id, reports_to_role_id').in('id', [cto.id, lead.id]).order('name'), 'roles');
  assert.deepEqual(roles, [{ id: cto.id, reports_to_role_id: null }, { id: lead.id, reports_to_role_id: cto.id }]);

  // Tenant B's owner cannot move tenant A's rows at all: row level security
  // filters them out before any cycle check.
  const theirs = await b2.supabase.from('organizational_roles').update({ reports_to_role_id: dev.id }).eq('id', cto.id).select();
  assert.equal(theirs.error, null);
  assert.deepEqual(theirs.data, []);
});

// Two writers re-parent X under Y and Y under X at the same moment. Each
// alone is fine; together they would be a cycle.
test('re-parentings at the same time through the API: never both, never a cycle', async () => {
  for (let round = 0; round < 12; round++) {
    const x = await insertRow(a1.supabase, 'organizational_roles', { name: `X${round}`, slug: slug(`race-x-${round}`) });
    const y = await insertRow(a1.supabase, 'organizational_roles', { name: `Y${round}`, slug: slug(`race-y-${round}`) });
    const [first, second] = await Promise.all([
      a1.supabase.from('organizational_roles').update({ reports_to_role_id: y.id }).eq('id', x.id).select('id'),
      a1.supabase.from('organizational_roles').update({ reports_to_role_id: x.id }).eq('id', y.id).select('id'),
    ]);
    const outcomes = [first, second].map((a) => (a.error ? `${a.status} ${a.error.code}` : `${a.status} ${a.data.length}`)).sort();
    assert.deepEqual(outcomes, ['200 1', '400 23514'], `round ${round}: exactly one re-parenting wins`);
    const rows = await ok(client().from('organizational_roles').select('id, reports_to_role_id').in('id', [x.id, y.id]), 'rows');
    assert.equal(rows.filter((r) => r.reports_to_role_id !== null).length, 1, `round ${round}: one manager set, no cycle`);
  }
});

// psql as a signed-in user of tenant A, one transaction held open across
// commands: run(sql) resolves with what the commands printed and the errors.
function userSession(userId) {
  const child = spawn('psql', ['-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=0', process.env.AGENTBASE_PSQL],
    { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  let waiting;
  child.stdout.on('data', (chunk) => {
    out += chunk;
    const end = out.indexOf('__done__\n');
    if (end >= 0 && waiting) {
      const result = { out: out.slice(0, end), err };
      out = out.slice(end + 9);
      err = '';
      const resolve = waiting;
      waiting = undefined;
      resolve(result);
    }
  });
  child.stderr.on('data', (chunk) => { err += chunk; });
  const run = (sql) => new Promise((resolve) => {
    waiting = resolve;
    child.stdin.write(`${sql}\n\\echo __done__\n`);
  });
  const claims = JSON.stringify({ sub: userId, role: 'authenticated' });
  return {
    begin: (isolation = 'READ COMMITTED') => run(`BEGIN ISOLATION LEVEL ${isolation}; SET LOCAL ROLE authenticated; `
      + `SELECT set_config('request.jwt.claims', '${claims}', true) IS NULL;`),
    run,
    close: () => new Promise((resolve) => { child.on('exit', resolve); child.stdin.end('\\q\n'); }),
  };
}

test('two open transactions re-parenting X under Y and Y under X: the second waits for the first, then is refused', async () => {
  const x = await insertRow(a1.supabase, 'organizational_roles', { name: 'X', slug: slug('tx-x') });
  const y = await insertRow(a1.supabase, 'organizational_roles', { name: 'Y', slug: slug('tx-y') });
  const first = userSession(a1.user.id);
  const second = userSession(a1.user.id);
  try {
    await first.begin();
    await second.begin();
    const moved = await first.run(`UPDATE public.organizational_roles SET reports_to_role_id = '${y.id}' WHERE id = '${x.id}';`);
    assert.equal(moved.err, '', 'the first re-parenting passes its check');
    let secondDone = false;
    const secondMove = second.run(`UPDATE public.organizational_roles SET reports_to_role_id = '${x.id}' WHERE id = '${y.id}';`)
      .then((result) => { secondDone = true; return result; });
    await new Promise((resolve) => setTimeout(resolve, 400));
    assert.equal(secondDone, false, 'the second waits while the first is open (its own snapshot would see no cycle)');
    const committed = await first.run('COMMIT;');
    assert.equal(committed.err, '');
    const refused = await secondMove;
    assert.match(refused.err,
      new RegExp(`ERROR:  role "${slug('tx-y')}" cannot report to "${slug('tx-x')}": "${slug('tx-x')}" reports to "${slug('tx-y')}"`));
    await second.run('ROLLBACK;');
  } finally {
    await first.close();
    await second.close();
  }
  const rows = await ok(client().from('organizational_roles').select('id, reports_to_role_id').in('id', [x.id, y.id]).order('name'), 'rows');
  assert.deepEqual(rows, [{ id: x.id, reports_to_role_id: y.id }, { id: y.id, reports_to_role_id: null }]);
});

test('under REPEATABLE READ the second re-parenting fails with 40001, and its retry sees the cycle', async () => {
  const x = await insertRow(a1.supabase, 'organizational_roles', { name: 'X', slug: slug('rr-x') });
  const y = await insertRow(a1.supabase, 'organizational_roles', { name: 'Y', slug: slug('rr-y') });
  const first = userSession(a1.user.id);
  const second = userSession(a1.user.id);
  try {
    await first.begin();
    await second.begin('REPEATABLE READ');  // its snapshot is taken here, before the first commits
    assert.equal((await first.run(`UPDATE public.organizational_roles SET reports_to_role_id = '${y.id}' WHERE id = '${x.id}';`)).err, '');
    const secondMove = second.run(`UPDATE public.organizational_roles SET reports_to_role_id = '${x.id}' WHERE id = '${y.id}';`);
    assert.equal((await first.run('COMMIT;')).err, '');
    const failed = await secondMove;
    assert.match(failed.err, /ERROR:  could not serialize access due to concurrent update/,
      'its snapshot cannot see the first change, so it may not decide on it');
    await second.run('ROLLBACK;');
    await second.begin('REPEATABLE READ');
    const retried = await second.run(`UPDATE public.organizational_roles SET reports_to_role_id = '${x.id}' WHERE id = '${y.id}';`);
    assert.match(retried.err, /ERROR:  role ".*" cannot report to ".*"/, 'the retry sees the cycle');
    await second.run('ROLLBACK;');
  } finally {
    await first.close();
    await second.close();
  }
});

test('set_agent_role: a user of the tenant puts its agent on a role; another tenant\'s agent is not found', async () => {
  const placed = await ok(a2.supabase.rpc('set_agent_role', { agent_id: agentA2.id, role_id: lead.id }), 'a2 set_agent_role');
  assert.equal(placed.id, agentA2.id);
  assert.equal(placed.organizational_role_id, lead.id);
  const chart = await ok(a1.supabase.rpc('org_chart', { department_id: platform.id }), 'chart');
  assert.deepEqual(findNode(chart.roles, lead.id).agents, [{ id: agentA2.id, name: 'Spare A' }]);

  const theirs = await b1.supabase.rpc('set_agent_role', { agent_id: agentA.id, role_id: cto.id });
  assert.equal(theirs.status, 404);
  assert.equal(theirs.error.code, 'PT404');
  assert.equal(theirs.error.message, `agent ${agentA.id} not found`);
  const noRole = await a1.supabase.rpc('set_agent_role', { agent_id: agentA.id, role_id: '00000000-0000-0000-0000-000000000000' });
  assert.equal(noRole.status, 404);
  assert.match(noRole.error.message, /organizational role .* not found/);
  const anon = await client().rpc('set_agent_role', { agent_id: agentA.id, role_id: null });
  assert.equal(anon.status, 401);
  assert.equal(anon.error.code, '42501');
  const still = await ok(a1.supabase.from('agents').select('organizational_role_id').eq('id', agentA.id).single(), 'agent');
  assert.equal(still.organizational_role_id, dev.id);

  const off = await ok(a1.supabase.rpc('set_agent_role', { agent_id: agentA2.id, role_id: null }), 'off');
  assert.equal(off.organizational_role_id, null);
});

test('set_agent_functions and business_function_tree: the agents and roles serving each function', async () => {
  const ops = await insertRow(a1.supabase, 'business_functions', { name: 'Operations', slug: slug('ops'), category: 'operational',
    key_activities: ['Deploys'], success_metrics: ['Uptime'] });
  const oncall = await insertRow(a1.supabase, 'business_functions', { name: 'On-call', slug: slug('oncall'), parent_function_id: ops.id });
  const mapped = await ok(a2.supabase.rpc('set_agent_functions', { agent_id: agentA.id, function_ids: [oncall.id, ops.id, oncall.id] }),
    'a2 set_agent_functions');
  assert.deepEqual(mapped.map((m) => [m.agent_id, m.business_function_id]), [[agentA.id, oncall.id], [agentA.id, ops.id]]);
  const agent = await ok(a1.supabase.from('agents').select('business_function_id').eq('id', agentA.id).single(), 'agent');
  assert.equal(agent.business_function_id, oncall.id, 'the first function is the agent\'s primary one');
  await ok(service.rpc('set_agent_functions', { agent_id: agentB.id, function_ids: [ops.id] }), 'service maps B\'s agent');

  const tree = await ok(a1.supabase.rpc('business_function_tree', { function_id: ops.id }), 'a1 tree');
  assert.deepEqual(tree.map((f) => f.id), [ops.id]);
  assert.deepEqual(tree[0].functions.map((f) => f.id), [oncall.id]);
  assert.deepEqual(tree[0].key_activities, ['Deploys']);
  assert.deepEqual(tree[0].success_metrics, ['Uptime']);
  assert.equal(tree[0].category, 'operational');
  assert.deepEqual(tree[0].agents, [{ id: agentA.id, name: 'Builder A', role_id: dev.id, primary: false }]);
  assert.deepEqual(tree[0].roles, [{ id: dev.id, name: 'Developer', slug: slug('dev'), agent_count: 1 }]);
  assert.deepEqual(tree[0].functions[0].agents, [{ id: agentA.id, name: 'Builder A', role_id: dev.id, primary: true }]);

  const theirs = await ok(b1.supabase.rpc('business_function_tree', { function_id: ops.id }), 'b1 tree');
  assert.deepEqual(theirs[0].agents, [{ id: agentB.id, name: 'Chief B', role_id: cto.id, primary: true }]);
  assert.deepEqual(theirs[0].roles, [{ id: cto.id, name: 'CTO', slug: slug('cto'), agent_count: 1 }]);
  assert.deepEqual(theirs[0].functions[0].agents, []);
  const anon = await ok(client().rpc('business_function_tree', { function_id: ops.id }, { get: true }), 'anon tree');
  assert.deepEqual([anon[0].agents, anon[0].functions[0].agents], [[], []]);
  const whole = await ok(a1.supabase.rpc('business_function_tree'), 'the whole tree');
  assert.ok(findNode(whole, oncall.id));

  const notMine = await b1.supabase.rpc('set_agent_functions', { agent_id: agentA.id, function_ids: [] });
  assert.equal(notMine.status, 404);
  assert.equal(notMine.error.code, 'PT404');
  const badId = await a1.supabase.rpc('set_agent_functions', { agent_id: agentA.id, function_ids: [ops.id, '00000000-0000-0000-0000-000000000000'] });
  assert.equal(badId.status, 404);
  assert.match(badId.error.message, /business function 0{8}-.* not found/);
  const missing = await a1.supabase.rpc('set_agent_functions', { agent_id: agentA.id, function_ids: null });
  assert.equal(missing.status, 400);
  assert.equal(missing.error.code, '22023');
  assert.equal(missing.error.message, 'function_ids is required');
  assert.match(missing.error.hint, /empty array/);
  const unnamed = await a1.supabase.rpc('set_agent_functions', { agent_id: agentA.id });
  assert.equal(unnamed.status, 404, 'without function_ids no function matches the call (PostgREST\'s PGRST202)');
  assert.equal(unnamed.error.code, 'PGRST202');
  const stillMapped = await ok(a1.supabase.from('agent_business_functions').select('business_function_id').eq('agent_id', agentA.id), 'rows');
  assert.equal(stillMapped.length, 2, 'the refused calls changed nothing');
  const unknown = await a1.supabase.rpc('business_function_tree', { function_id: '00000000-0000-0000-0000-000000000000' });
  assert.equal(unknown.status, 404);
  assert.equal(unknown.error.code, 'PT404');

  const cleared = await ok(a1.supabase.rpc('set_agent_functions', { agent_id: agentA.id, function_ids: [] }), 'clear');
  assert.deepEqual(cleared, []);
});

test('agent_business_functions through /rest/v1: tenant-isolated; a function other tenants\' agents serve cannot be deleted', async () => {
  const fn = await insertRow(a1.supabase, 'business_functions', { name: 'Billing', slug: slug('billing') });
  const mine = await insertRow(a2.supabase, 'agent_business_functions', { agent_id: agentA.id, business_function_id: fn.id });
  const embedded = await ok(a1.supabase.from('agents').select('name, agent_business_functions(business_functions(slug))').eq('id', agentA.id).single(),
    'embed');
  assert.deepEqual(embedded.agent_business_functions, [{ business_functions: { slug: slug('billing') } }]);
  assert.deepEqual(await ok(b1.supabase.from('agent_business_functions').select('id').eq('id', mine.id), 'b1 read'), []);
  assert.deepEqual(await ok(client().from('agent_business_functions').select('id'), 'anon read'), []);

  const intruder = await b1.supabase.from('agent_business_functions').insert({ agent_id: agentA.id, business_function_id: fn.id });
  assert.equal(intruder.status, 403);
  assert.equal(intruder.error.code, '42501');
  const gone = await ok(b1.supabase.from('agent_business_functions').delete().eq('id', mine.id).select(), 'b1 delete');
  assert.deepEqual(gone, []);

  // Tenant B maps its agent to tenant A's function: tenant A's owner may no
  // longer delete it (the cascade would remove tenant B's mapping).
  await insertRow(b1.supabase, 'agent_business_functions', { agent_id: agentB.id, business_function_id: fn.id });
  const refused = await a1.supabase.from('business_functions').delete().eq('id', fn.id);
  assert.equal(refused.status, 403);
  assert.equal(refused.error.code, '42501');
  assert.equal(refused.error.message,
    `cannot delete public.business_functions "${slug('billing')}": public.agent_business_functions.business_function_id of another tenant (or of the platform) refers to it`);
  const kept = await ok(service.from('agent_business_functions').select('agent_id').eq('business_function_id', fn.id).order('agent_id'), 'kept');
  assert.equal(kept.length, 2);
});

test('find_by_skill: roles requiring a skill, any case, then the caller\'s agents on them', async () => {
  const found = await ok(a1.supabase.rpc('find_by_skill', { skill: 'POSTGRESQL' }), 'a1 find_by_skill');
  const ours = found.filter((r) => r.role_id === lead.id || r.role_id === dev.id);
  assert.deepEqual(ours.map((r) => [r.kind, r.id]), [['role', lead.id], ['role', dev.id], ['agent', agentA.id]]);
  assert.deepEqual(ours[2], {
    kind: 'agent', id: agentA.id, name: 'Builder A', role_id: dev.id, role_slug: slug('dev'), role_name: 'Developer',
    level: 'mid', department_id: platform.id, required_skills: [' postgresql ', 'TypeScript'],
  });
  const theirs = await ok(b1.supabase.rpc('find_by_skill', { skill: 'leadership' }).eq('role_id', cto.id), 'b1');
  assert.deepEqual(theirs.map((r) => [r.kind, r.id]), [['role', cto.id], ['agent', agentB.id]]);
  const mineOnly = await ok(a1.supabase.rpc('find_by_skill', { skill: 'leadership' }).eq('role_id', cto.id), 'a1');
  assert.deepEqual(mineOnly.map((r) => r.kind), ['role'], 'tenant B\'s agent is not found by tenant A');
  const agentsOnly = await ok(a1.supabase.rpc('find_by_skill', { skill: 'typescript' }).eq('kind', 'agent').select('id'), 'filtered');
  assert.ok(agentsOnly.some((r) => r.id === agentA.id));
  const empty = await a1.supabase.rpc('find_by_skill', { skill: '   ' });
  assert.equal(empty.status, 400);
  assert.equal(empty.error.code, '22023');
  assert.equal(empty.error.message, 'skill is empty');
});
