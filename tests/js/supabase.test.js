// The official @supabase/supabase-js v2 client, unmodified, against
// `agentbase serve`. tests/js/run.sh starts the server and exports:
//   AGENTBASE_URL, AGENTBASE_ANON_KEY, AGENTBASE_SERVICE_KEY,
//   and two users per tenant: AGENTBASE_USER_{A1,A2,B1}=email:password
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { createClient } from '@supabase/supabase-js';
import WebSocket from 'ws';

const url = process.env.AGENTBASE_URL;
const anonKey = process.env.AGENTBASE_ANON_KEY;
const serviceKey = process.env.AGENTBASE_SERVICE_KEY;

function client(key = anonKey) {
  return createClient(url, key, {
    realtime: { transport: WebSocket },
    auth: { persistSession: false, autoRefreshToken: false },
  });
}

function credentials(name) {
  const [email, password] = process.env[`AGENTBASE_USER_${name}`].split(':');
  return { email, password };
}

async function signedIn(name) {
  const supabase = client();
  const { data, error } = await supabase.auth.signInWithPassword(credentials(name));
  assert.equal(error, null, `sign-in of ${name}`);
  return { supabase, user: data.user, session: data.session };
}

let a1, a2, b1, service, tenantA, tenantB, agentA, agentB, tool;

before(async () => {
  a1 = await signedIn('A1');
  a2 = await signedIn('A2');
  b1 = await signedIn('B1');
  service = client(serviceKey);
  tenantA = a1.user.app_metadata.tenant_id;
  tenantB = b1.user.app_metadata.tenant_id;
  assert.ok(tenantA && tenantB && tenantA !== tenantB, 'users carry their tenant');
  // The service role bypasses RLS: it sets up agents and a tool catalog.
  const agents = await service.from('agents').insert([
    { tenant_id: tenantA, name: 'Planner A' },
    { tenant_id: tenantB, name: 'Planner B' },
  ]).select();
  assert.equal(agents.error, null);
  [agentA, agentB] = agents.data;
  const tools = await service.from('tools').insert({ name: 'Web search', slug: `web-search-${Date.now()}` }).select().single();
  assert.equal(tools.error, null);
  tool = tools.data;
});

test('sign-in: wrong password is refused, the session token identifies the user', async () => {
  const { data, error } = await client().auth.signInWithPassword({ ...credentials('A1'), password: 'wrong-password' });
  assert.ok(error, 'an error');
  assert.equal(data.session, null);
  const { data: user } = await a1.supabase.auth.getUser();
  assert.equal(user.user.email, credentials('A1').email);
});

test('conversations: create, list newest first, count, range, single, update, delete', async () => {
  const { data: created, error } = await a1.supabase.from('conversations')
    .insert({ tenant_id: tenantA, user_id: a1.user.id, agent_id: agentA.id, title: 'Quarterly planning' })
    .select().single();
  assert.equal(error, null);
  assert.equal(created.title, 'Quarterly planning');
  assert.equal(created.status, 'active');

  for (const title of ['second', 'third']) {
    const r = await a1.supabase.from('conversations').insert({ tenant_id: tenantA, user_id: a1.user.id, title });
    assert.equal(r.error, null);
    assert.equal(r.status, 201);
  }
  const list = await a1.supabase.from('conversations').select('id,title', { count: 'exact' })
    .order('last_message_at', { ascending: false }).range(0, 1);
  assert.equal(list.error, null);
  assert.equal(list.data.length, 2);
  assert.ok(list.count >= 3);

  const head = await a1.supabase.from('conversations').select('*', { count: 'exact', head: true });
  assert.equal(head.error, null);
  assert.equal(head.data, null);
  assert.equal(head.count, list.count);

  const updated = await a1.supabase.from('conversations').update({ status: 'archived' }).eq('id', created.id).select('status').single();
  assert.equal(updated.error, null);
  assert.equal(updated.data.status, 'archived');

  const bad = await a1.supabase.from('conversations').update({ status: 'frozen' }).eq('id', created.id);
  assert.equal(bad.error.code, '23514');

  // stripNulls(): members whose value is null are left out (no agent here).
  const bare = await a1.supabase.from('conversations').select('title, agent_id').eq('title', 'second').stripNulls();
  assert.equal(bare.error, null);
  assert.deepEqual(bare.data, [{ title: 'second' }]);
  const one = await a1.supabase.from('conversations').select('title, agent_id').eq('title', 'second')
    .single().stripNulls();
  assert.deepEqual(one.data, { title: 'second' });
  // csv(): PostgREST's CSV, header first.
  const csv = await a1.supabase.from('conversations').select('title, status').eq('title', 'second').csv();
  assert.equal(csv.error, null);
  assert.equal(csv.data, 'title,status\nsecond,active');

  const removed = await a1.supabase.from('conversations').delete().eq('title', 'third');
  assert.equal(removed.error, null);
  const gone = await a1.supabase.from('conversations').select('id').eq('title', 'third');
  assert.deepEqual(gone.data, []);
});

test('messages move the conversation and embed under it', async () => {
  const { data: conversation } = await a1.supabase.from('conversations')
    .insert({ tenant_id: tenantA, user_id: a1.user.id, title: 'with messages' }).select().single();
  const sent = await a1.supabase.from('messages')
    .insert({ tenant_id: tenantA, conversation_id: conversation.id, role: 'user', content: 'hello' });
  assert.equal(sent.error, null);
  const reply = await service.from('messages')
    .insert({ tenant_id: tenantA, conversation_id: conversation.id, role: 'assistant', content: 'hi!' });
  assert.equal(reply.error, null);
  const posing = await a1.supabase.from('messages')
    .insert({ tenant_id: tenantA, conversation_id: conversation.id, role: 'assistant', content: 'fake' });
  assert.equal(posing.error.code, '42501', 'users cannot write the agent\'s messages');

  const { data, error } = await a1.supabase.from('conversations')
    .select('title, last_message_at, messages(role, content)')
    .eq('id', conversation.id).order('created_at', { referencedTable: 'messages' }).single();
  assert.equal(error, null);
  assert.deepEqual(data.messages.map((m) => m.content), ['hello', 'hi!']);
  assert.ok(new Date(data.last_message_at) >= new Date(conversation.last_message_at));

  // A chat list with message counts: PostgREST's embedded count.
  const counted = await a1.supabase.from('conversations')
    .select('title, messages(count)').eq('id', conversation.id).single();
  assert.equal(counted.error, null);
  assert.deepEqual(counted.data, { title: 'with messages', messages: [{ count: 2 }] });
  const theirs = await b1.supabase.from('conversations').select('count').eq('id', conversation.id);
  assert.deepEqual(theirs.data, [{ count: 0 }], 'another tenant counts none of them');

  // Messages with their conversation's title lifted in (a spread embed),
  // ordered by a column of that conversation.
  const spread = await a1.supabase.from('messages')
    .select('content, ...conversations!inner(chat:title)')
    .eq('conversations.id', conversation.id)
    .order('conversations(title)').order('created_at');
  assert.equal(spread.error, null);
  assert.deepEqual(spread.data, [{ content: 'hello', chat: 'with messages' }, { content: 'hi!', chat: 'with messages' }]);
});

test('tenant isolation: B never reads, changes or deletes A\'s rows', async () => {
  const { data: mine } = await a1.supabase.from('conversations')
    .insert({ tenant_id: tenantA, user_id: a1.user.id, title: 'secret plan' }).select().single();
  const read = await b1.supabase.from('conversations').select('*').eq('id', mine.id);
  assert.deepEqual(read.data, []);
  const changed = await b1.supabase.from('conversations').update({ title: 'pwned' }).eq('id', mine.id).select();
  assert.deepEqual(changed.data, []);
  const deleted = await b1.supabase.from('conversations').delete().eq('id', mine.id).select();
  assert.deepEqual(deleted.data, []);
  const intoA = await b1.supabase.from('conversations').insert({ tenant_id: tenantA, user_id: b1.user.id, title: 'x' });
  assert.equal(intoA.error.code, '42501');
  assert.equal(intoA.status, 403);
  const still = await a1.supabase.from('conversations').select('title').eq('id', mine.id).single();
  assert.equal(still.data.title, 'secret plan');
  // A colleague in the same tenant reads it but cannot change it.
  const colleague = await a2.supabase.from('conversations').select('title').eq('id', mine.id).single();
  assert.equal(colleague.data.title, 'secret plan');
  const colleagueEdit = await a2.supabase.from('conversations').update({ title: 'edited' }).eq('id', mine.id).select();
  assert.deepEqual(colleagueEdit.data, []);
});

test('user memory is private to its owner', async () => {
  const saved = await a1.supabase.from('user_memory').upsert(
    { tenant_id: tenantA, user_id: a1.user.id, key: 'favourite_language', value: 'C++', memory_type: 'preference', confidence_score: 0.9 },
    { onConflict: 'tenant_id,user_id,key' },
  ).select().single();
  assert.equal(saved.error, null);
  const again = await a1.supabase.from('user_memory').upsert(
    { tenant_id: tenantA, user_id: a1.user.id, key: 'favourite_language', value: 'Rust' },
    { onConflict: 'tenant_id,user_id,key' },
  ).select('value').single();
  assert.equal(again.data.value, 'Rust');
  const colleague = await a2.supabase.from('user_memory').select('*').eq('key', 'favourite_language');
  assert.deepEqual(colleague.data, []);
  const other = await b1.supabase.from('user_memory').select('*');
  assert.ok(other.data.every((m) => m.user_id === b1.user.id));
  const badScore = await a1.supabase.from('user_memory')
    .insert({ tenant_id: tenantA, user_id: a1.user.id, key: 'k2', value: 'v', confidence_score: 2 });
  assert.equal(badScore.error.code, '23514');
});

test('agent tools: managed and seen only within the tenant', async () => {
  const linked = await a1.supabase.from('agent_tools').insert({ agent_id: agentA.id, tool_id: tool.id, priority: 1, config: { depth: 2 } }).select().single();
  assert.equal(linked.error, null);
  assert.deepEqual(linked.data.config, { depth: 2 });
  const foreign = await b1.supabase.from('agent_tools').update({ enabled: false }).eq('id', linked.data.id).select();
  assert.deepEqual(foreign.data, []);
  // Enabled rows are not public: config holds the tenant's API keys.
  const anonymous = await client().from('agent_tools').select('id, enabled, config').eq('id', linked.data.id);
  assert.deepEqual(anonymous.data, []);
  const otherTenant = await b1.supabase.from('agent_tools').select('id, config').eq('id', linked.data.id);
  assert.deepEqual(otherTenant.data, []);
  await a1.supabase.from('agent_tools').update({ enabled: false }).eq('id', linked.data.id);
  const hidden = await client().from('agent_tools').select('id').eq('id', linked.data.id);
  assert.deepEqual(hidden.data, []);
  const own = await a1.supabase.from('agent_tools').select('enabled').eq('id', linked.data.id).single();
  assert.equal(own.data.enabled, false);
  const withNames = await a1.supabase.from('agent_tools').select('priority, agents(name), tools(name)').eq('id', linked.data.id).single();
  assert.equal(withNames.data.agents.name, 'Planner A');
  assert.equal(withNames.data.tools.name, 'Web search');
});

test('org structure: public read, written by tenant owners, hierarchy embeds', async () => {
  const slug = `eng-${Date.now()}`;
  const cto = await a1.supabase.from('organizational_roles').insert({ name: 'CTO', slug: `cto-${slug}`, level: 'executive' }).select().single();
  assert.equal(cto.error, null);
  const dev = await a1.supabase.from('organizational_roles')
    .insert({ name: 'Developer', slug: `dev-${slug}`, level: 'mid', reports_to_role_id: cto.data.id, required_skills: ['C++', 'SQL'] })
    .select().single();
  assert.deepEqual(dev.data.required_skills, ['C++', 'SQL']);
  const publicRead = await client().from('organizational_roles').select('name').in('id', [cto.data.id, dev.data.id]).order('name');
  assert.deepEqual(publicRead.data.map((r) => r.name), ['CTO', 'Developer']);
  const anonWrite = await client().from('organizational_roles').insert({ name: 'x', slug: `x-${slug}` });
  assert.equal(anonWrite.error.code, '42501');
  assert.equal(anonWrite.status, 401);
  const memberWrite = await a2.supabase.from('organizational_roles').insert({ name: 'm', slug: `m-${slug}` });
  assert.equal(memberWrite.error.code, '42501');
  const otherTenant = await b1.supabase.from('organizational_roles').update({ name: 'hijacked' }).eq('id', cto.data.id).select();
  assert.deepEqual(otherTenant.data, []);
  const badLevel = await a1.supabase.from('organizational_roles').insert({ name: 'y', slug: `y-${slug}`, level: 'boss' });
  assert.equal(badLevel.error.code, '23514');
  const skills = await a1.supabase.from('organizational_roles').select('name').contains('required_skills', ['SQL']);
  assert.ok(skills.data.some((r) => r.name === 'Developer'));

  const core = await a1.supabase.from('business_functions').insert({ name: 'Sales', slug: `sales-${slug}`, category: 'core' }).select().single();
  const child = await a1.supabase.from('business_functions')
    .insert({ name: 'Leads', slug: `leads-${slug}`, category: 'operational', parent_function_id: core.data.id }).select().single();
  assert.equal(child.error, null);
  const duplicate = await a1.supabase.from('business_functions').insert({ name: 'Sales', slug: `sales-${slug}` });
  assert.equal(duplicate.error.code, '23505');
  assert.equal(duplicate.status, 409);
});

test('every verb on each of the five tables', async () => {
  const stamp = Date.now();
  const { data: conversation } = await a1.supabase.from('conversations')
    .insert({ tenant_id: tenantA, user_id: a1.user.id, title: 'verbs' }).select().single();
  const { data: extraTool } = await service.from('tools').insert({ name: 'Calculator', slug: `calc-${stamp}` }).select().single();
  const tables = {
    conversations: { row: { tenant_id: tenantA, user_id: a1.user.id, title: 'v1' }, change: { title: 'v2' } },
    agent_tools: { row: { agent_id: agentA.id, tool_id: extraTool.id }, change: { enabled: false } },
    organizational_roles: { row: { name: 'Analyst', slug: `analyst-${stamp}` }, change: { level: 'senior' } },
    business_functions: { row: { name: 'Support', slug: `support-${stamp}`, category: 'support' }, change: { description: 'helps' } },
    user_memory: {
      row: { tenant_id: tenantA, user_id: a1.user.id, key: `goal-${stamp}`, value: 'ship', memory_type: 'goal',
             source_conversation_id: conversation.id, embedding: Array(1536).fill(0.5) },
      change: { value: 'ship it' },
    },
  };
  for (const [table, { row, change }] of Object.entries(tables)) {
    const inserted = await a1.supabase.from(table).insert(row).select('id').single();
    assert.equal(inserted.error, null, `insert into ${table}`);
    const id = inserted.data.id;
    const read = await a1.supabase.from(table).select('*').eq('id', id).single();
    assert.equal(read.error, null, `select from ${table}`);
    const updated = await a1.supabase.from(table).update(change).eq('id', id).select().single();
    assert.equal(updated.error, null, `update ${table}`);
    for (const [column, value] of Object.entries(change)) assert.equal(updated.data[column], value, `${table}.${column}`);
    assert.ok(new Date(updated.data.updated_at) >= new Date(read.data.updated_at), `${table}.updated_at`);
    const removed = await a1.supabase.from(table).delete().eq('id', id).select('id');
    assert.deepEqual(removed.data, [{ id }], `delete from ${table}`);
  }
});

test('semantic memory search through rpc', async () => {
  const axis = (k) => Array.from({ length: 1536 }, (_, i) => (i === k ? 1 : 0.05));
  const stamp = Date.now();
  await a1.supabase.from('user_memory').insert([
    { tenant_id: tenantA, user_id: a1.user.id, key: `likes-${stamp}`, value: 'likes C++', memory_type: 'preference', embedding: axis(1) },
    { tenant_id: tenantA, user_id: a1.user.id, key: `city-${stamp}`, value: 'lives in Oslo', memory_type: 'fact', embedding: axis(2) },
  ]);
  await a2.supabase.from('user_memory').insert(
    { tenant_id: tenantA, user_id: a2.user.id, key: `likes-${stamp}`, value: 'also likes C++', embedding: axis(1) });
  const { data, error } = await a1.supabase.rpc('match_user_memory', { query_embedding: axis(1), match_count: 5 });
  assert.equal(error, null);
  const mine = data.filter((m) => m.key.endsWith(String(stamp)));
  assert.deepEqual(mine.map((m) => m.value), ['likes C++', 'lives in Oslo']);
  assert.ok(mine[0].similarity > mine[1].similarity);
  const short = await a1.supabase.from('user_memory').insert({ tenant_id: tenantA, user_id: a1.user.id, key: `bad-${stamp}`, value: 'x', embedding: [1, 2] });
  assert.equal(short.error.code, '23514', 'embeddings must have the configured dimensions');
});

test('filters the client builds: or, ilike, is, in, not, textSearch', async () => {
  const supabase = a1.supabase;
  for (const title of ['Alpha launch', 'beta launch', 'gamma review']) {
    await supabase.from('conversations').insert({ tenant_id: tenantA, user_id: a1.user.id, title });
  }
  const ilike = await supabase.from('conversations').select('title').ilike('title', '%launch%').order('title');
  assert.deepEqual(ilike.data.map((r) => r.title), ['Alpha launch', 'beta launch']);
  const or = await supabase.from('conversations').select('title').or('title.eq.gamma review,title.like.Alpha*').order('title');
  assert.deepEqual(or.data.map((r) => r.title), ['Alpha launch', 'gamma review']);
  const nullAgent = await supabase.from('conversations').select('title').is('agent_id', null).eq('title', 'beta launch');
  assert.equal(nullAgent.data.length, 1);
  const notIn = await supabase.from('conversations').select('title').not('title', 'in', '("Alpha launch","beta launch")').ilike('title', '%a%');
  assert.ok(notIn.data.every((r) => !r.title.endsWith('launch')));
  const fts = await supabase.from('conversations').select('title').textSearch('title', 'review', { config: 'simple' });
  assert.deepEqual(fts.data.map((r) => r.title), ['gamma review']);
});

test('rpc by POST and GET', async () => {
  const post = await a1.supabase.rpc('add_numbers', { a: 2, b: 40 });
  assert.equal(post.error, null);
  assert.equal(post.data, 42);
  const get = await a1.supabase.rpc('add_numbers', { a: 1, b: 1 }, { get: true });
  assert.equal(get.data, 2);
  const missing = await a1.supabase.rpc('no_such_function', {});
  assert.equal(missing.error.code, 'PGRST202');
  assert.equal(missing.status, 404);
});

test('error families come back as PostgREST writes them', async () => {
  const table = await a1.supabase.from('no_such_table').select('*');
  assert.equal(table.error.code, 'PGRST205');
  assert.equal(table.status, 404);
  const column = await a1.supabase.from('conversations').select('no_such_column');
  assert.equal(column.error.code, '42703');
  const uuid = await a1.supabase.from('conversations').select('*').eq('id', 'not-a-uuid');
  assert.equal(uuid.error.code, '22P02');
  assert.equal(uuid.status, 400);
  const single = await a1.supabase.from('conversations').select('*').single();
  assert.equal(single.error.code, 'PGRST116');
  assert.equal(single.status, 406);
  const maybe = await a1.supabase.from('conversations').select('*').eq('title', 'nothing like this').maybeSingle();
  assert.equal(maybe.error, null);
  assert.equal(maybe.data, null);
  const unfiltered = await a1.supabase.from('conversations').delete();
  assert.equal(unfiltered.error.code, '21000');
  const badToken = await client(anonKey.slice(0, -2) + 'xx').from('tools').select('*');
  assert.equal(badToken.status, 401);
  assert.equal(badToken.error.code, 'PGRST301');
});

test('anon sees only what the seed makes public', async () => {
  const anon = client();
  // agent_tools too: its config holds tenants' API keys (which tools exist stays public through tools).
  for (const table of ['conversations', 'messages', 'user_memory', 'profiles', 'tenants', 'agent_tools']) {
    const { data, error } = await anon.from(table).select('*');
    assert.equal(error, null, table);
    assert.deepEqual(data, [], table);
  }
  const tools = await anon.from('tools').select('id').eq('id', tool.id);
  assert.equal(tools.data.length, 1);
});
