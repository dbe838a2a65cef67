// Cross-tenant attacks: tenant B's users (a member, b1, and an owner, b2) and
// anon against tenant A's rows, on every table and function the API
// exposes, through plain requests, embeds, `or=` filters, counts, upserts,
// PUT and RPC. Each case names who, the request, the exact answer
// (status, PostgREST code or body), and the database must be unchanged
// afterwards (psql fingerprint of every table, taken as the owner).
//
// The expectations are the README's isolation rules: private rows (tenants,
// profiles, agents, messages, conversations, agent_tools, user_memory) are
// invisible and untouchable across tenants and to anon (agent_tools' config
// included); shared organisation data (tools, departments,
// organizational_roles, business_functions) is readable by all and written
// only by owners/admins on their own tenant's rows.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import {
  assertAnswer, databaseFingerprint, exposedTables, request, serviceKey, toolTables,
} from '../lib.mjs';
import { axis, createFixtures } from './fixtures.mjs';
import { createClient } from '@supabase/supabase-js';
import WebSocket from 'ws';

let fx;
before(async () => { fx = await createFixtures(); });

const actors = {
  b1: () => fx.b1.token,   // member of tenant B
  b2: () => fx.b2.token,   // owner of tenant B: may write shared org data, its own rows only
  anon: () => undefined,
};
// PostgreSQL's 42501 is 403 for a signed-in role, 401 for anon (PostgREST's rule).
const refused = (who) => ({ status: who === 'anon' ? 401 : 403, code: '42501' });
const nothing = { status: 200, body: [] };

const publicTables = new Set(['tools', 'departments', 'organizational_roles', 'business_functions']);
const orgTables = new Set(['departments', 'organizational_roles', 'business_functions']);

// A harmless change of A's row, and a new row claiming tenant A (or, for
// tables without a tenant, simply a new row), per table.
const changes = {
  tenants: () => ({ name: 'pwned' }),
  profiles: () => ({ display_name: 'pwned' }),
  agents: () => ({ name: 'pwned' }),
  tools: () => ({ name: 'pwned' }),
  departments: () => ({ name: 'pwned' }),
  messages: () => ({ content: 'pwned' }),
  conversations: () => ({ title: 'pwned' }),
  agent_tools: () => ({ config: { api_key: 'pwned' } }),
  organizational_roles: () => ({ name: 'pwned' }),
  business_functions: () => ({ name: 'pwned' }),
  user_memory: () => ({ value: 'pwned' }),
  agent_business_functions: () => ({ business_function_id: fx.ids.business_functions }),
};
const intruders = {
  tenants: () => ({ name: 'evil', slug: `evil-${fx.stamp}` }),
  // Joining tenant A as its owner.
  profiles: (who) => ({ id: who === 'anon' ? fx.b1.user.id : fx[who].user.id, tenant_id: fx.tenantA, role: 'owner' }),
  agents: () => ({ tenant_id: fx.tenantA, name: 'evil' }),
  tools: () => ({ name: 'evil', slug: `evil-${fx.stamp}` }),
  departments: () => ({ name: 'evil', slug: `evil-${fx.stamp}` }),
  messages: () => ({ tenant_id: fx.tenantA, conversation_id: fx.ids.conversations, role: 'user', content: 'evil' }),
  conversations: (who) => ({ tenant_id: fx.tenantA, user_id: fx.a1.user.id, title: `evil by ${who}` }),
  agent_tools: () => ({ agent_id: fx.ids.agents, tool_id: fx.spareTool.id, config: { api_key: 'evil' } }),
  organizational_roles: () => ({ name: 'evil', slug: `evil-${fx.stamp}` }),
  business_functions: () => ({ name: 'evil', slug: `evil-${fx.stamp}` }),
  user_memory: () => ({ tenant_id: fx.tenantA, user_id: fx.a1.user.id, key: 'evil', value: 'evil' }),
  agent_business_functions: () => ({ agent_id: fx.ids.agents, business_function_id: fx.ids.business_functions }),
};

// What each actor may see and do with A's row of `table`, from the README.
function expectations(table, who) {
  const visible = publicTables.has(table);
  const row = () => [{ id: fx.ids[table] }];
  const read = visible ? { status: 200, body: 'row' } : nothing;
  // profiles: authenticated may only UPDATE (display_name, avatar_url) of its
  // own row and has no INSERT or DELETE grant; anon may only read.
  const profileWriteRefused = table === 'profiles';
  return {
    select: read,
    count: { status: 200, contentRange: visible ? '0-0/1' : '*/0' },
    or: read,
    insert: refused(who),
    patch: profileWriteRefused && who === 'anon' ? refused(who) : nothing,
    put: refused(who),
    upsertMerge: refused(who),
    // An owner passes the INSERT check of shared org data; the conflicting
    // row of A's is then left alone: nothing inserted, nothing changed.
    upsertIgnore: who === 'b2' && orgTables.has(table) ? { status: 201, body: [] } : refused(who),
    delete: profileWriteRefused ? refused(who) : nothing,
    row,
  };
}

function casesFor(table, who) {
  const id = () => fx.ids[table];
  const representation = { prefer: 'return=representation' };
  const fullRowChanged = () => ({ ...fx.rows[table], ...changes[table]() });
  const base = `/rest/v1/${table}`;
  return [
    { op: 'select', method: 'GET', path: () => `${base}?select=id&id=eq.${id()}` },
    { op: 'count', method: 'GET', path: () => `${base}?select=id&id=eq.${id()}`, headers: { prefer: 'count=exact' } },
    { op: 'or', method: 'GET', path: () => `${base}?select=id&or=(id.eq.${id()},id.is.null)` },
    { op: 'insert', method: 'POST', path: () => base, body: () => intruders[table](who), headers: representation },
    { op: 'patch', method: 'PATCH', path: () => `${base}?id=eq.${id()}`, body: () => changes[table](), headers: representation },
    { op: 'put', method: 'PUT', path: () => `${base}?id=eq.${id()}`, body: fullRowChanged, headers: representation },
    {
      op: 'upsertMerge', method: 'POST', path: () => base, body: fullRowChanged,
      headers: { prefer: 'return=representation,resolution=merge-duplicates' },
    },
    {
      op: 'upsertIgnore', method: 'POST', path: () => base, body: fullRowChanged,
      headers: { prefer: 'return=representation,resolution=ignore-duplicates' },
    },
    { op: 'delete', method: 'DELETE', path: () => `${base}?id=eq.${id()}`, headers: representation },
  ];
}

// Every answer to another tenant or anon: no marker of A's private rows.
function assertNoSecret(answer, context) {
  assert.ok(!answer.text.includes(fx.marker), `${context}: leaked A's data: ${answer.text.slice(0, 300)}`);
}

async function runCase(who, c, expected, context) {
  const writes = c.method !== 'GET' && c.method !== 'HEAD';
  // The attacked table, and what its triggers write to.
  const touched = [c.table, 'agentbase.org_row_owners', ...(c.table === 'messages' ? ['conversations'] : [])];
  const before = writes ? await databaseFingerprint(touched) : undefined;
  const answer = await request(c.method, c.path(), {
    token: actors[who](), headers: c.headers ?? {}, body: c.body?.(),
  });
  const wanted = { ...expected };
  if (wanted.body === 'row') wanted.body = [{ id: fx.ids[c.table] }];
  assertAnswer(answer, wanted, context);
  assertNoSecret(answer, context);
  if (writes) assert.equal(await databaseFingerprint(touched), before, `${context}: the database changed`);
}

for (const table of exposedTables) {
  // B's owner too where a role could matter: shared org data, and the tables
  // that describe the tenant and its people.
  const ownerMatters = orgTables.has(table) || ['tenants', 'profiles', 'agents'].includes(table);
  const who = ['b1', 'anon', ...(ownerMatters ? ['b2'] : [])];
  for (const actor of who) {
    for (const c of casesFor(table, actor)) {
      // An owner of B inserting a new org row is the rule working, not an attack.
      if (actor === 'b2' && c.op === 'insert' && orgTables.has(table)) continue;
      c.table = table;
      const context = `${actor} ${c.op} ${table}`;
      test(`cross-tenant: ${context}`, async () => {
        await runCase(actor, c, expectations(table, actor)[c.op], `${context} (${c.method} ${c.path()})`);
      });
    }
  }
}

test('cross-tenant: the API exposes exactly the tables and functions this suite attacks', async () => {
  const answer = await request('GET', '/rest/v1/', { token: serviceKey });
  assert.equal(answer.status, 200);
  const paths = Object.keys(answer.json.paths);
  const tables = paths.filter((p) => p !== '/' && !p.startsWith('/rpc/')).map((p) => p.slice(1)).sort();
  const functions = paths.filter((p) => p.startsWith('/rpc/')).map((p) => p.slice(5)).sort();
  assert.deepEqual(tables, [...exposedTables, ...toolTables].sort(), 'a new table needs its cross-tenant cases');
  assert.deepEqual(functions, [
    'append_message', 'attach_tool', 'business_function_tree', 'configure_tool', 'detach_tool', 'effective_tools',
    'export_memories', 'find_by_skill', 'forget', 'forget_all', 'list_conversations', 'list_messages',
    'match_user_memory', 'move_tool', 'org_chart', 'prune_tool_calls', 'recall', 'record_tool_call', 'remember',
    'search_memories', 'search_messages', 'set_agent_functions', 'set_agent_role', 'set_conversation_status',
    'set_tool_enabled', 'start_conversation', 'test_tool_call', 'tool_usage',
  ], 'a new function needs its cross-tenant cases (tools: 12_tools_cross_tenant, organisation: 11_org_cross_tenant)');
});

// Joins: from rows the attacker can see into rows it cannot.
const embedCases = [
  {
    name: 'tools → agent_tools (config)', path: () => `/rest/v1/tools?select=id,agent_tools(id,config)&id=eq.${fx.tool.id}`,
    body: () => [{ id: fx.tool.id, agent_tools: [] }],
  },
  {
    name: 'tools → agent_tools!inner', path: () => `/rest/v1/tools?select=id,agent_tools!inner(id)&id=eq.${fx.tool.id}`,
    body: () => [],
  },
  {
    // An oracle: does some agent_tools row hold this secret? Must not answer.
    name: 'tools filtered on the embedded config', body: () => [],
    path: () => `/rest/v1/tools?select=id,agent_tools!inner()&agent_tools.config->>api_key=eq.${fx.marker}`,
  },
  {
    name: 'tools → agent_tools(count)', path: () => `/rest/v1/tools?select=id,agent_tools(count)&id=eq.${fx.tool.id}`,
    body: () => [{ id: fx.tool.id, agent_tools: [{ count: 0 }] }],
  },
  {
    name: 'organizational_roles → agents → conversations → messages',
    path: () => `/rest/v1/organizational_roles?select=id,agents(id,conversations(*,messages(*)))&id=eq.${fx.ids.organizational_roles}`,
    body: () => [{ id: fx.ids.organizational_roles, agents: [] }],
  },
  {
    name: 'organizational_roles → agents!inner',
    path: () => `/rest/v1/organizational_roles?select=id,agents!inner(id)&id=eq.${fx.ids.organizational_roles}`,
    body: () => [],
  },
  {
    name: 'business_functions → agents(count)',
    path: () => `/rest/v1/business_functions?select=id,agents(count)&id=eq.${fx.ids.business_functions}`,
    body: () => [{ id: fx.ids.business_functions, agents: [{ count: 0 }] }],
  },
  {
    name: 'departments → organizational_roles → agents',
    path: () => `/rest/v1/departments?select=id,organizational_roles(id,agents(id,system_prompt))&id=eq.${fx.ids.departments}`,
    body: () => [{ id: fx.ids.departments, organizational_roles: [{ id: fx.ids.organizational_roles, agents: [] }] }],
  },
  {
    name: 'agent_tools config read directly', path: () => `/rest/v1/agent_tools?select=id,config,agent_id`, body: () => [],
  },
  {
    name: 'agent_tools config of A\'s row by id', path: () => `/rest/v1/agent_tools?select=config&id=eq.${fx.ids.agent_tools}`,
    body: () => [],
  },
  {
    name: 'agent_tools with a spread agent', path: () => `/rest/v1/agent_tools?select=id,...agents(name)`, body: () => [],
  },
  {
    name: 'conversations or= on tenant and title',
    path: () => `/rest/v1/conversations?select=id&or=(tenant_id.eq.${fx.tenantA},title.eq.${fx.marker})`, body: () => [],
  },
  {
    name: 'messages not.and= negation', body: () => [],
    path: () => `/rest/v1/messages?select=id&not.and=(tenant_id.neq.${fx.tenantA},content.neq.${fx.marker})`,
  },
  {
    name: 'user_memory → conversations', body: () => [],
    path: () => `/rest/v1/user_memory?select=id,conversations(*)&tenant_id=eq.${fx.tenantA}`,
  },
  {
    name: 'tenants → profiles, agents, conversations', body: () => [],
    path: () => `/rest/v1/tenants?select=id,profiles(*),agents(*),conversations(*)&id=eq.${fx.tenantA}`,
  },
];
for (const who of ['b1', 'anon']) {
  for (const c of embedCases) {
    test(`cross-tenant embed: ${who} ${c.name}`, async () => {
      const answer = await request('GET', c.path(), { token: actors[who]() });
      assertAnswer(answer, { status: 200, body: c.body() }, `${who} ${c.name}`);
      assertNoSecret(answer, c.name);
    });
  }
}

// PostgreSQL's planner estimates rows from table statistics, not from what
// row level security lets through: a planned or estimated count must not
// turn into a count of another tenant's rows.
for (const who of ['b1', 'anon']) {
  for (const count of ['planned', 'estimated']) {
    test(`cross-tenant counts: ${who} count=${count} of A's conversations reveals nothing`, async () => {
      const answer = await request('GET', `/rest/v1/conversations?select=id&tenant_id=eq.${fx.tenantA}`, {
        token: actors[who](), headers: { prefer: `count=${count}` },
      });
      assert.equal(answer.status, 200, answer.text);
      assert.deepEqual(answer.json, []);
      assert.match(answer.headers.get('content-range'), /^\*\/(\*|0)$/, `${count}: ${answer.headers.get('content-range')}`);
    });
  }
}

test('cross-tenant: the official client signed in as B reads no config through an embed', async () => {
  const supabase = createClient(process.env.AGENTBASE_URL, process.env.AGENTBASE_ANON_KEY, {
    realtime: { transport: WebSocket },
    auth: { persistSession: false, autoRefreshToken: false },
    global: { headers: { authorization: `Bearer ${fx.b1.token}` } },
  });
  const { data, error, count } = await supabase.from('tools')
    .select('id, agent_tools(config, agents(system_prompt, conversations(title)))', { count: 'exact' })
    .eq('id', fx.tool.id);
  assert.equal(error, null);
  assert.equal(count, 1);
  assert.deepEqual(data, [{ id: fx.tool.id, agent_tools: [] }]);
  const memories = await supabase.rpc('match_user_memory', { query_embedding: axis(3), match_count: 200 });
  assert.deepEqual(memories.data, []);
});

test('cross-tenant: CSV answers hold no row of A either', async () => {
  for (const who of ['b1', 'anon']) {
    const answer = await request('GET', `/rest/v1/conversations?select=title&tenant_id=eq.${fx.tenantA}`, {
      token: actors[who](), headers: { accept: 'text/csv' },
    });
    assert.equal(answer.status, 200, answer.text);
    // No rows: no header either (it comes from the first row's keys).
    assert.equal(answer.text.trim(), '', `${who}: no row`);
  }
});

test('cross-tenant: B\'s own view through embeds holds only B\'s rows', async () => {
  const answer = await request('GET', '/rest/v1/profiles?select=id,tenant_id,tenants(id,settings)', { token: fx.b1.token });
  assert.equal(answer.status, 200);
  assert.ok(answer.json.length >= 1);
  for (const profile of answer.json) {
    assert.equal(profile.tenant_id, fx.tenantB);
    assert.equal(profile.tenants.id, fx.tenantB);
  }
  assertNoSecret(answer, 'profiles → tenants');
});

test('cross-tenant counts: count=exact tells B only the number of its own rows', async () => {
  for (const table of ['conversations', 'messages', 'agents', 'agent_tools', 'user_memory', 'profiles', 'tenants']) {
    const answer = await request('GET', `/rest/v1/${table}?select=id`, { token: fx.b1.token, headers: { prefer: 'count=exact' } });
    assert.equal(answer.status, 200, table);
    const total = Number(answer.headers.get('content-range').split('/')[1]);
    assert.equal(total, answer.json.length, `${table}: the count is of visible rows`);
    const anon = await request('HEAD', `/rest/v1/${table}?select=id`, { headers: { prefer: 'count=exact' } });
    assert.equal(anon.status, 200, `anon HEAD ${table}`);
    assert.equal(anon.headers.get('content-range'), '*/0', `anon counts nothing in ${table}`);
  }
});

// Rows of B's own that point into tenant A: refused by the WITH CHECK policies.
const referenceCases = [
  {
    name: 'B\'s conversation on A\'s agent', path: '/rest/v1/conversations',
    body: () => ({ tenant_id: fx.tenantB, user_id: fx.b1.user.id, agent_id: fx.ids.agents, title: 'hijack' }),
  },
  {
    name: 'B\'s message in A\'s conversation', path: '/rest/v1/messages',
    body: () => ({ tenant_id: fx.tenantB, conversation_id: fx.ids.conversations, role: 'user', content: 'x' }),
  },
  {
    name: 'B\'s memory citing A\'s conversation', path: '/rest/v1/user_memory',
    body: () => ({ tenant_id: fx.tenantB, user_id: fx.b1.user.id, key: 'k', value: 'v', source_conversation_id: fx.ids.conversations }),
  },
  {
    name: 'B linking a tool to A\'s agent', path: '/rest/v1/agent_tools',
    body: () => ({ agent_id: fx.ids.agents, tool_id: fx.spareTool.id }),
  },
  {
    name: 'B moving its conversation into tenant A', method: 'PATCH',
    path: () => `/rest/v1/conversations?id=eq.${fx.conversationB.id}`, body: () => ({ tenant_id: fx.tenantA }),
  },
];
for (const c of referenceCases) {
  test(`cross-tenant reference: ${c.name}`, async () => {
    const path = typeof c.path === 'function' ? c.path() : c.path;
    const before = await databaseFingerprint();
    const answer = await request(c.method ?? 'POST', path, { token: fx.b1.token, body: c.body() });
    assertAnswer(answer, { status: 403, code: '42501' }, c.name);
    assert.equal(await databaseFingerprint(), before, `${c.name}: the database changed`);
  });
}

test('cross-tenant: B\'s owner changes shared org rows of its own tenant only', async () => {
  // Its own new row: allowed (the default owner_admin rule) ...
  const made = await request('POST', '/rest/v1/business_functions', {
    token: fx.b2.token, headers: { prefer: 'return=representation' }, body: { name: 'B ops', slug: `b-ops-${fx.stamp}` },
  });
  assert.equal(made.status, 201, made.text);
  // ... but not making it A's child in a way that rewrites A's row, nor A's row itself.
  const before = await databaseFingerprint();
  const renamed = await request('PATCH', `/rest/v1/business_functions?slug=eq.sales-${fx.stamp}`, {
    token: fx.b2.token, headers: { prefer: 'return=representation' }, body: { slug: 'stolen' },
  });
  assertAnswer(renamed, nothing, 'b2 renames A\'s business function');
  assert.equal(await databaseFingerprint(), before);
  // A member of A may not write shared org data either.
  const member = await request('PATCH', `/rest/v1/business_functions?id=eq.${fx.ids.business_functions}`, {
    token: fx.a2.token, headers: { prefer: 'return=representation' }, body: { name: 'member edit' },
  });
  assertAnswer(member, nothing, 'a2 (member) edits A\'s business function');
  assert.equal(await databaseFingerprint(), before);
});

test('shared org data: platform rows are changed by service_role only, not by a tenant\'s owner', async () => {
  const platform = await request('POST', '/rest/v1/business_functions', {
    token: serviceKey, headers: { prefer: 'return=representation' }, body: { name: 'Platform', slug: `platform-${fx.stamp}` },
  });
  assert.equal(platform.status, 201, platform.text);
  const id = platform.json[0].id;
  const before = await databaseFingerprint(['business_functions', 'agentbase.org_row_owners']);
  for (const [who, token] of [['a1', fx.a1.token], ['b2', fx.b2.token]]) {
    const patch = await request('PATCH', `/rest/v1/business_functions?id=eq.${id}`, {
      token, headers: { prefer: 'return=representation' }, body: { name: 'taken' },
    });
    assertAnswer(patch, nothing, `${who} renames a platform row`);
    const removed = await request('DELETE', `/rest/v1/business_functions?id=eq.${id}`, {
      token, headers: { prefer: 'return=representation' },
    });
    assertAnswer(removed, nothing, `${who} deletes a platform row`);
  }
  assert.equal(await databaseFingerprint(['business_functions', 'agentbase.org_row_owners']), before);
});

test('shared org data: A\'s owner cannot delete or re-slug its own row that B\'s agent refers to (42501)', async () => {
  const made = await request('POST', '/rest/v1/business_functions', {
    token: fx.a1.token, headers: { prefer: 'return=representation' }, body: { name: 'Shared', slug: `shared-${fx.stamp}` },
  });
  assert.equal(made.status, 201, made.text);
  const id = made.json[0].id;
  const agent = await request('PATCH', `/rest/v1/agents?id=eq.${fx.agentB.id}`, {
    token: serviceKey, headers: { prefer: 'return=representation' }, body: { business_function_id: id },
  });
  assert.equal(agent.status, 200, agent.text);
  const tables = ['business_functions', 'agents', 'agentbase.org_row_owners'];
  const before = await databaseFingerprint(tables);
  const removed = await request('DELETE', `/rest/v1/business_functions?id=eq.${id}`, { token: fx.a1.token });
  assertAnswer(removed, { status: 403, code: '42501' }, 'a1 deletes a row B\'s agent refers to');
  const reslugged = await request('PATCH', `/rest/v1/business_functions?id=eq.${id}`, { token: fx.a1.token, body: { slug: `moved-${fx.stamp}` } });
  assertAnswer(reslugged, { status: 403, code: '42501' }, 'a1 re-slugs a row B\'s agent refers to');
  assert.equal(await databaseFingerprint(tables), before);
});

test('cross-tenant embed: from B\'s own agent into A\'s conversation that names it', async () => {
  // Only the platform can make such a row (the policies keep agents within
  // a tenant); row level security on the embedded side must still hide it.
  const planted = await request('POST', '/rest/v1/conversations', {
    token: serviceKey, headers: { prefer: 'return=representation' },
    body: { tenant_id: fx.tenantA, user_id: fx.a1.user.id, agent_id: fx.agentB.id, title: fx.marker },
  });
  assert.equal(planted.status, 201, planted.text);
  const answer = await request('GET', `/rest/v1/agents?select=id,conversations(id,title,messages(content))&id=eq.${fx.agentB.id}`, {
    token: fx.b1.token,
  });
  assertAnswer(answer, { status: 200, body: [{ id: fx.agentB.id, conversations: [] }] }, 'agents → conversations');
  assertNoSecret(answer, 'agents → conversations');
  const inner = await request('GET', `/rest/v1/agents?select=id,conversations!inner(id)&id=eq.${fx.agentB.id}`, { token: fx.b1.token });
  assertAnswer(inner, { status: 200, body: [] }, 'agents → conversations!inner');
});

test('cross-tenant upsert: B\'s owner upserting on A\'s slug (on_conflict=slug) does not take A\'s row', async () => {
  const tables = ['business_functions', 'agentbase.org_row_owners'];
  const before = await databaseFingerprint(tables);
  const body = { name: 'hijacked', slug: fx.rows.business_functions.slug };
  const merge = await request('POST', '/rest/v1/business_functions?on_conflict=slug', {
    token: fx.b2.token, headers: { prefer: 'return=representation,resolution=merge-duplicates' }, body,
  });
  assertAnswer(merge, { status: 403, code: '42501' }, 'merge on A\'s slug');
  const ignore = await request('POST', '/rest/v1/business_functions?on_conflict=slug', {
    token: fx.b2.token, headers: { prefer: 'return=representation,resolution=ignore-duplicates' }, body,
  });
  assertAnswer(ignore, { status: 201, body: [] }, 'ignore on A\'s slug');
  assert.equal(await databaseFingerprint(tables), before);
});

// Every function of /rest/v1/rpc, by B and anon.
for (const who of ['b1', 'anon']) {
  test(`cross-tenant rpc: ${who} match_user_memory with A's embedding finds nothing of A`, async () => {
    const answer = await request('POST', '/rest/v1/rpc/match_user_memory', {
      token: actors[who](), body: { query_embedding: axis(3), match_count: 200 },
    });
    assertAnswer(answer, { status: 200, body: [] }, `${who} match_user_memory`);
  });
  test(`cross-tenant rpc: ${who} match_user_memory with a filter and count`, async () => {
    const answer = await request('POST', `/rest/v1/rpc/match_user_memory?select=id,value&value=eq.${fx.marker}`, {
      token: actors[who](), headers: { prefer: 'count=exact' }, body: { query_embedding: axis(3) },
    });
    assertAnswer(answer, { status: 200, body: [], contentRange: '*/0' }, `${who} match_user_memory filtered`);
  });
  test(`cross-tenant rpc: ${who} cannot reach the unexposed helpers`, async () => {
    for (const helper of ['current_tenant_id', 'current_tenant_agent_ids', 'org_write_rule', 'record_org_row_owner',
      'chat_search_page', 'chat_list_messages', 'check_message']) {
      const answer = await request('POST', `/rest/v1/rpc/${helper}`, { token: actors[who](), body: {} });
      assertAnswer(answer, { status: 404, code: 'PGRST202' }, `${who} rpc/${helper}`);
    }
    for (const [schema, table] of [['agentbase', 'settings'], ['agentbase', 'auth_sessions'], ['auth', 'users']]) {
      const answer = await request('GET', `/rest/v1/${table}`, { token: actors[who](), headers: { 'accept-profile': schema } });
      assertAnswer(answer, { status: 406, code: 'PGRST106' }, `${who} ${schema}.${table}`);
    }
  });
}

// Chat (60_chat.sql): B's member and anon against A's conversation, agent
// and messages. A conversation or agent of another tenant is "not found"
// (PT404, HTTP 404), never "forbidden", so that its existence is not told.
const chatCases = [
  {
    name: 'append_message to A\'s conversation', fn: 'append_message',
    body: () => ({ conversation_id: fx.ids.conversations, content: 'evil' }),
    b1: { status: 404, code: 'PT404' }, anon: { status: 401, code: '42501' },
  },
  {
    name: 'append_message as the agent to A\'s conversation', fn: 'append_message',
    body: () => ({ conversation_id: fx.ids.conversations, content: 'evil', role: 'assistant' }),
    b1: { status: 403, code: '42501' }, anon: { status: 401, code: '42501' },
  },
  {
    name: 'set_conversation_status deletes A\'s conversation', fn: 'set_conversation_status',
    body: () => ({ conversation_id: fx.ids.conversations, status: 'deleted' }),
    b1: { status: 404, code: 'PT404' }, anon: { status: 404, code: 'PT404' },
  },
  {
    name: 'start_conversation with A\'s agent', fn: 'start_conversation',
    body: () => ({ agent_id: fx.ids.agents, first_message: 'evil' }),
    b1: { status: 404, code: 'PT404' }, anon: { status: 401, code: '42501' },
  },
  {
    name: 'start_conversation for A\'s user', fn: 'start_conversation',
    body: () => ({ user_id: fx.a1.user.id }),
    b1: { status: 403, code: '42501' }, anon: { status: 401, code: '42501' },
  },
  {
    name: 'list_messages of A\'s conversation', fn: 'list_messages',
    body: () => ({ conversation_id: fx.ids.conversations }),
    b1: { status: 404, code: 'PT404' }, anon: { status: 404, code: 'PT404' },
  },
  {
    name: 'list_conversations filtered to tenant A', fn: 'list_conversations', query: () => `?select=id&tenant_id=eq.${fx.tenantA}`,
    body: () => ({ page_size: 200 }), b1: nothing, anon: nothing,
  },
  {
    name: 'list_conversations with status deleted and A\'s agent', fn: 'list_conversations',
    body: () => ({ agent_id: fx.ids.agents, status: 'deleted' }), b1: nothing, anon: nothing,
  },
  {
    name: 'search_messages for A\'s marker', fn: 'search_messages', body: () => ({ query: fx.marker, page_size: 200 }),
    b1: nothing, anon: nothing,
  },
  {
    name: 'search_messages in A\'s conversation', fn: 'search_messages',
    body: () => ({ query: fx.marker, conversation_id: fx.ids.conversations }), b1: nothing, anon: nothing,
  },
];
for (const who of ['b1', 'anon']) {
  for (const c of chatCases) {
    test(`cross-tenant rpc: ${who} ${c.name}`, async () => {
      const touched = ['conversations', 'messages'];
      const before = await databaseFingerprint(touched);
      const answer = await request('POST', `/rest/v1/rpc/${c.fn}${c.query ? c.query() : ''}`, {
        token: actors[who](), body: c.body(),
      });
      assertAnswer(answer, c[who], `${who} ${c.name}`);
      assertNoSecret(answer, c.name);
      assert.equal(await databaseFingerprint(touched), before, `${who} ${c.name}: the database changed`);
    });
  }
}

// User memory (80_memory.sql): B's member and anon against A's user and
// memory. Naming another user is refused (42501); anon is refused before
// anything; a memory of another tenant is "not found" (PT404); a search of
// one's own memories never reaches A's, through the server's in-memory
// index or the SQL function (hybrid).
const memoryCases = [
  {
    name: 'remember for A\'s user', fn: 'remember',
    body: () => ({ key: 'evil', value: 'evil', user_id: fx.a1.user.id, embedding: axis(3) }),
    b1: { status: 403, code: '42501' }, anon: { status: 401, code: '42501' },
  },
  {
    name: 'recall A\'s user\'s memories', fn: 'recall', body: () => ({ user_id: fx.a1.user.id }),
    b1: { status: 403, code: '42501' }, anon: { status: 401, code: '42501' },
  },
  {
    name: 'recall searching for A\'s marker', fn: 'recall', body: () => ({ search: fx.marker, page_size: 200 }),
    b1: nothing, anon: { status: 401, code: '42501' },
  },
  {
    name: 'search_memories of A\'s user', fn: 'search_memories',
    body: () => ({ query_embedding: axis(3), user_id: fx.a1.user.id }),
    b1: { status: 403, code: '42501' }, anon: { status: 401, code: '42501' },
  },
  {
    name: 'search_memories nearest to A\'s memory', fn: 'search_memories',
    body: () => ({ query_embedding: axis(3), match_count: 200, min_similarity: -1 }),
    b1: nothing, anon: { status: 401, code: '42501' },
  },
  {
    name: 'search_memories hybrid with A\'s marker', fn: 'search_memories',
    body: () => ({ query_embedding: axis(3), query_text: fx.marker, hybrid: true, match_count: 200 }),
    b1: nothing, anon: { status: 401, code: '42501' },
  },
  {
    name: 'forget A\'s memory', fn: 'forget', body: () => ({ memory_id: fx.ids.user_memory }),
    b1: { status: 404, code: 'PT404' }, anon: { status: 404, code: 'PT404' },
  },
  {
    name: 'forget_all of A\'s user', fn: 'forget_all', body: () => ({ user_id: fx.a1.user.id }),
    b1: { status: 403, code: '42501' }, anon: { status: 401, code: '42501' },
  },
  {
    name: 'export_memories of A\'s user', fn: 'export_memories', body: () => ({ user_id: fx.a1.user.id }),
    b1: { status: 403, code: '42501' }, anon: { status: 401, code: '42501' },
  },
];
for (const who of ['b1', 'anon']) {
  for (const c of memoryCases) {
    test(`cross-tenant rpc: ${who} ${c.name}`, async () => {
      const touched = ['user_memory', 'agentbase.memory_log'];
      const before = await databaseFingerprint(touched);
      const answer = await request('POST', `/rest/v1/rpc/${c.fn}`, { token: actors[who](), body: c.body() });
      assertAnswer(answer, c[who], `${who} ${c.name}`);
      assertNoSecret(answer, c.name);
      assert.equal(await databaseFingerprint(touched), before, `${who} ${c.name}: the database changed`);
    });
  }
}

test('cross-tenant: A\'s rows are intact after every attack', async () => {
  for (const [table, row] of Object.entries(fx.rows)) {
    const answer = await request('GET', `/rest/v1/${table}?id=eq.${fx.ids[table]}`, { token: serviceKey });
    const now = answer.json[0];
    // updated_at would move on any update that reached the row.
    assert.deepEqual(now, row, table);
  }
});
