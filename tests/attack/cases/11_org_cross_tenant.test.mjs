// Cross-tenant attacks on the organisation (database/schema/91_org.sql):
// tenant B's member (b1), B's owner (b2) and anon against tenant A's agent,
// its role and business function mappings, through the org RPCs, the
// hierarchy columns and agent_business_functions. Each case names who, the
// request, the exact answer, and the tables that must be unchanged.
//
// The rules (README, "Organisation"): organisation rows are read by all and
// written by the owners and admins of the tenant that created them (the
// service key any); an agent, its role and its business functions are its
// tenant's, and another tenant's agent is "not found" (PT404), never
// "forbidden"; the charts show only the caller's tenant's agents.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { assertAnswer, databaseFingerprint, request, serviceKey } from '../lib.mjs';
import { createFixtures } from './fixtures.mjs';

let fx;
let roleB;
before(async () => {
  fx = await createFixtures();
  // B's owner builds its own role under A's role: shared rows may be
  // referred to by any tenant.
  const made = await request('POST', '/rest/v1/organizational_roles', {
    token: fx.b2.token, headers: { prefer: 'return=representation' },
    body: { name: 'B analyst', slug: `b-analyst-${fx.stamp}`, reports_to_role_id: fx.ids.organizational_roles },
  });
  assert.equal(made.status, 201, made.text);
  roleB = made.json[0];
  // A skill on A's role, for find_by_skill.
  const skilled = await request('PATCH', `/rest/v1/organizational_roles?id=eq.${fx.ids.organizational_roles}`, {
    token: serviceKey, body: { required_skills: ['Analysis'] },
  });
  assert.equal(skilled.status, 204, skilled.text);
});

const actors = {
  b1: () => fx.b1.token,
  b2: () => fx.b2.token,
  anon: () => undefined,
};
const notFound = { status: 404, code: 'PT404' };
const anonRefused = { status: 401, code: '42501' };

// The org RPCs that write: an agent of another tenant is not found.
const writeCases = [
  {
    name: 'set_agent_role on A\'s agent', fn: 'set_agent_role',
    body: () => ({ agent_id: fx.ids.agents, role_id: roleB.id }),
    b1: notFound, b2: notFound, anon: anonRefused,
  },
  {
    name: 'set_agent_role taking A\'s agent off its role', fn: 'set_agent_role',
    body: () => ({ agent_id: fx.ids.agents, role_id: null }),
    b1: notFound, b2: notFound, anon: anonRefused,
  },
  {
    name: 'set_agent_functions on A\'s agent', fn: 'set_agent_functions',
    body: () => ({ agent_id: fx.ids.agents, function_ids: [] }),
    b1: notFound, b2: notFound, anon: anonRefused,
  },
];
for (const who of ['b1', 'b2', 'anon']) {
  for (const c of writeCases) {
    test(`org cross-tenant rpc: ${who} ${c.name}`, async () => {
      const touched = ['agents', 'agent_business_functions'];
      const before = await databaseFingerprint(touched);
      const answer = await request('POST', `/rest/v1/rpc/${c.fn}`, { token: actors[who](), body: c.body() });
      assertAnswer(answer, c[who], `${who} ${c.name}`);
      assert.ok(!answer.text.includes(fx.marker), `${who} ${c.name}: leaked A's data`);
      assert.equal(await databaseFingerprint(touched), before, `${who} ${c.name}: the database changed`);
    });
  }
}

// The org RPCs that read: shared rows, but never A's agent.
const readCases = [
  { name: 'org_chart of A\'s department', fn: 'org_chart', body: () => ({ department_id: fx.ids.departments }) },
  { name: 'org_chart of everything', fn: 'org_chart', body: () => ({}) },
  { name: 'business_function_tree of A\'s function', fn: 'business_function_tree', body: () => ({ function_id: fx.ids.business_functions }) },
  { name: 'business_function_tree of everything', fn: 'business_function_tree', body: () => ({}) },
  { name: 'find_by_skill', fn: 'find_by_skill', body: () => ({ skill: 'analysis' }) },
];
for (const who of ['b1', 'b2', 'anon']) {
  for (const c of readCases) {
    test(`org cross-tenant rpc: ${who} ${c.name} shows no agent of A`, async () => {
      const answer = await request('POST', `/rest/v1/rpc/${c.fn}`, { token: actors[who](), body: c.body() });
      assert.equal(answer.status, 200, answer.text);
      assert.ok(!answer.text.includes(fx.ids.agents), `${who} ${c.name}: A's agent id in ${answer.text.slice(0, 300)}`);
      assert.ok(!answer.text.includes('Planner A'), `${who} ${c.name}: A's agent's name`);
      assert.ok(!answer.text.includes(fx.marker), `${who} ${c.name}: leaked A's data`);
    });
  }
}

test('org cross-tenant rpc: A\'s role and function are in B\'s chart and tree, vacant and without agents', async () => {
  const chart = await request('POST', '/rest/v1/rpc/org_chart', { token: fx.b1.token, body: { department_id: fx.ids.departments } });
  assert.equal(chart.status, 200, chart.text);
  const role = chart.json.roles.find((r) => r.id === fx.ids.organizational_roles);
  assert.deepEqual([role.agents, role.vacant], [[], true], 'A\'s agent fills A\'s role for A only');
  assert.deepEqual(chart.json.counts.agents, 0);
  const tree = await request('POST', '/rest/v1/rpc/business_function_tree', {
    token: fx.b1.token, body: { function_id: fx.ids.business_functions },
  });
  assert.equal(tree.status, 200, tree.text);
  assert.deepEqual([tree.json[0].agents, tree.json[0].roles], [[], []]);
  const skilled = await request('POST', '/rest/v1/rpc/find_by_skill', { token: fx.b1.token, body: { skill: 'ANALYSIS' } });
  assertAnswer(skilled, { status: 200 }, 'b1 find_by_skill');
  assert.deepEqual(skilled.json.map((r) => [r.kind, r.id]), [['role', fx.ids.organizational_roles]], 'the role, not A\'s agent on it');
  // The same calls by GET, as supabase-js sends them with { get: true }.
  const get = await request('GET', `/rest/v1/rpc/org_chart?department_id=${fx.ids.departments}`, {});
  assert.equal(get.status, 200, get.text);
  assert.equal(get.json.counts.agents, 0);
});

// Re-parenting A's rows: row level security leaves them out of B's
// updates, so B cannot move them, nor build a cycle through them.
const hierarchyCases = [
  {
    name: 'A\'s role under B\'s role (which reports to A\'s: a cycle through A\'s row)', table: 'organizational_roles',
    id: () => fx.ids.organizational_roles, body: () => ({ reports_to_role_id: roleB.id }),
  },
  {
    name: 'A\'s role to the top', table: 'organizational_roles', id: () => fx.ids.organizational_roles,
    body: () => ({ reports_to_role_id: null, department_id: null }),
  },
  {
    name: 'A\'s department under itself', table: 'departments', id: () => fx.ids.departments,
    body: () => ({ parent_department_id: fx.ids.departments }),
  },
  {
    name: 'A\'s business function under itself', table: 'business_functions', id: () => fx.ids.business_functions,
    body: () => ({ parent_function_id: fx.ids.business_functions }),
  },
];
for (const who of ['b1', 'b2', 'anon']) {
  for (const c of hierarchyCases) {
    test(`org cross-tenant hierarchy: ${who} moves ${c.name}`, async () => {
      const touched = [c.table, 'agentbase.org_row_owners'];
      const before = await databaseFingerprint(touched);
      const answer = await request('PATCH', `/rest/v1/${c.table}?id=eq.${c.id()}`, {
        token: actors[who](), headers: { prefer: 'return=representation' }, body: c.body(),
      });
      assertAnswer(answer, { status: 200, body: [] }, `${who} ${c.name}`);
      assert.equal(await databaseFingerprint(touched), before, `${who} ${c.name}: the database changed`);
    });
  }
}

test('org cross-tenant hierarchy: a cycle through B\'s own row and A\'s is refused for the service key too (23514)', async () => {
  const before = await databaseFingerprint(['organizational_roles']);
  const answer = await request('PATCH', `/rest/v1/organizational_roles?id=eq.${fx.ids.organizational_roles}`, {
    token: serviceKey, body: { reports_to_role_id: roleB.id },
  });
  assertAnswer(answer, { status: 400, code: '23514' }, 'service key closes a cycle');
  assert.equal(answer.json.message,
    `role "analyst-${fx.stamp}" cannot report to "b-analyst-${fx.stamp}": "b-analyst-${fx.stamp}" reports to "analyst-${fx.stamp}"`);
  assert.equal(await databaseFingerprint(['organizational_roles']), before);
});

// agent_business_functions: B's own mapping may not be moved onto A's agent,
// and embeds from shared rows reach no mapping of A's.
test('org cross-tenant: b1 moves B\'s mapping onto A\'s agent (42501)', async () => {
  const own = await request('POST', '/rest/v1/agent_business_functions', {
    token: fx.b1.token, headers: { prefer: 'return=representation' },
    body: { agent_id: fx.agentB.id, business_function_id: fx.ids.business_functions },
  });
  assert.equal(own.status, 201, own.text);
  const before = await databaseFingerprint(['agent_business_functions']);
  const moved = await request('PATCH', `/rest/v1/agent_business_functions?id=eq.${own.json[0].id}`, {
    token: fx.b1.token, headers: { prefer: 'return=representation' }, body: { agent_id: fx.ids.agents },
  });
  assertAnswer(moved, { status: 403, code: '42501' }, 'b1 moves its mapping to A\'s agent');
  assert.equal(await databaseFingerprint(['agent_business_functions']), before);
});

test('org cross-tenant: A\'s owner cannot delete its business function while B\'s agent is mapped to it (42501)', async () => {
  const before = await databaseFingerprint(['business_functions', 'agent_business_functions', 'agentbase.org_row_owners']);
  const answer = await request('DELETE', `/rest/v1/business_functions?id=eq.${fx.ids.business_functions}`, { token: fx.a1.token });
  assertAnswer(answer, { status: 403, code: '42501' }, 'a1 deletes a function B\'s agent serves');
  assert.match(answer.json.message, /public\.agent_business_functions\.business_function_id of another tenant/);
  assert.equal(await databaseFingerprint(['business_functions', 'agent_business_functions', 'agentbase.org_row_owners']), before);
});

const embedCases = [
  {
    name: 'business_functions → agent_business_functions → agents',
    path: () => `/rest/v1/business_functions?select=id,agent_business_functions(agent_id,agents(system_prompt))&id=eq.${fx.ids.business_functions}`,
    body: (who) => [{
      id: fx.ids.business_functions,
      // B's member sees B's own mapping (made above), never A's.
      agent_business_functions: who === 'anon' ? [] : [{ agent_id: fx.agentB.id, agents: { system_prompt: null } }],
    }],
  },
  {
    name: 'agent_business_functions!inner from A\'s function, filtered on A\'s agent',
    path: () => `/rest/v1/business_functions?select=id,agent_business_functions!inner(id)&agent_business_functions.agent_id=eq.${fx.ids.agents}`,
    body: () => [],
  },
  {
    name: 'agent_business_functions(count) of A\'s function',
    path: () => `/rest/v1/business_functions?select=id,agent_business_functions(count)&id=eq.${fx.ids.business_functions}`,
    body: (who) => [{ id: fx.ids.business_functions, agent_business_functions: [{ count: who === 'anon' ? 0 : 1 }] }],
  },
];
for (const who of ['b1', 'anon']) {
  for (const c of embedCases) {
    test(`org cross-tenant embed: ${who} ${c.name}`, async () => {
      const answer = await request('GET', c.path(), { token: actors[who]() });
      assertAnswer(answer, { status: 200, body: c.body(who) }, `${who} ${c.name}`);
      assert.ok(!answer.text.includes(fx.marker));
    });
  }
}

test('org cross-tenant: the organisation\'s helpers and lock rows are out of the API\'s reach', async () => {
  for (const who of ['b1', 'anon']) {
    for (const helper of ['org_tree_order', 'refuse_org_cycle', 'org_skill_keys', 'org_require_signed_in']) {
      const answer = await request('POST', `/rest/v1/rpc/${helper}`, { token: actors[who](), body: {} });
      assertAnswer(answer, { status: 404, code: 'PGRST202' }, `${who} rpc/${helper}`);
    }
    const locks = await request('GET', '/rest/v1/org_hierarchy_locks', { token: actors[who](), headers: { 'accept-profile': 'agentbase' } });
    assertAnswer(locks, { status: 406, code: 'PGRST106' }, `${who} agentbase.org_hierarchy_locks`);
  }
});

test('org cross-tenant: A\'s agent keeps its role and functions after every attack', async () => {
  const agent = await request('GET', `/rest/v1/agents?select=organizational_role_id,business_function_id&id=eq.${fx.ids.agents}`,
    { token: serviceKey });
  assert.deepEqual(agent.json, [{ organizational_role_id: fx.ids.organizational_roles, business_function_id: fx.ids.business_functions }]);
  const mappings = await request('GET', `/rest/v1/agent_business_functions?select=id&agent_id=eq.${fx.ids.agents}`, { token: serviceKey });
  assert.deepEqual(mappings.json, [{ id: fx.ids.agent_business_functions }]);
});
