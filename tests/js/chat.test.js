// Chat through the official supabase-js client: the RPCs of
// database/schema/60_chat.sql and the tables they write, against
// `agentbase serve` (tests/js/run.sh starts it and exports the keys and users).
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

async function signedIn(name) {
  const [email, password] = process.env[`AGENTBASE_USER_${name}`].split(':');
  const supabase = client();
  const { data, error } = await supabase.auth.signInWithPassword({ email, password });
  assert.equal(error, null, `sign-in of ${name}`);
  return { supabase, user: data.user };
}

let a1, a2, b1, service, agentA, agentB;

before(async () => {
  a1 = await signedIn('A1');
  a2 = await signedIn('A2');
  b1 = await signedIn('B1');
  service = client(serviceKey);
  const agents = await service.from('agents').insert([
    { tenant_id: a1.user.app_metadata.tenant_id, name: 'Chat agent A' },
    { tenant_id: b1.user.app_metadata.tenant_id, name: 'Chat agent B' },
  ]).select();
  assert.equal(agents.error, null);
  [agentA, agentB] = agents.data;
});

test('start_conversation: with an agent and a first message, titled from it', async () => {
  const { data, error } = await a1.supabase.rpc('start_conversation', {
    agent_id: agentA.id, first_message: 'Plan the Q3 release of the mobile app',
  });
  assert.equal(error, null);
  assert.equal(data.title, 'Plan the Q3 release of the mobile app');
  assert.equal(data.agent_id, agentA.id);
  assert.equal(data.user_id, a1.user.id);
  assert.equal(data.status, 'active');

  const messages = await a1.supabase.rpc('list_messages', { conversation_id: data.id });
  assert.equal(messages.error, null);
  assert.deepEqual(messages.data.map((m) => [m.role, m.content]), [['user', 'Plan the Q3 release of the mobile app']]);

  const theirs = await a1.supabase.rpc('start_conversation', { agent_id: agentB.id });
  assert.equal(theirs.error.code, 'PT404', 'another tenant\'s agent is not found');
  assert.match(theirs.error.message, /agent .* not found/);
  const anon = await client().rpc('start_conversation', {});
  assert.equal(anon.error.code, '42501');
});

test('append_message: users append user messages, the service key the agent\'s; tool calls link to results', async () => {
  const { data: conversation } = await a1.supabase.rpc('start_conversation', {});
  assert.equal(conversation.title, 'New conversation');
  const sent = await a1.supabase.rpc('append_message', { conversation_id: conversation.id, content: 'What is the weather in Oslo?' });
  assert.equal(sent.error, null);
  assert.equal(sent.data.role, 'user');
  const titled = await a1.supabase.from('conversations').select('title, last_message_at').eq('id', conversation.id).single();
  assert.equal(titled.data.title, 'What is the weather in Oslo?', 'the first user message names an untitled conversation');
  assert.ok(new Date(titled.data.last_message_at) >= new Date(conversation.last_message_at));

  const posing = await a1.supabase.rpc('append_message', { conversation_id: conversation.id, content: 'sunny', role: 'assistant' });
  assert.equal(posing.error.code, '42501');
  assert.match(posing.error.hint, /service key/);
  const intruder = await b1.supabase.rpc('append_message', { conversation_id: conversation.id, content: 'hi' });
  assert.equal(intruder.error.code, 'PT404', 'another tenant cannot append, nor learn the conversation exists');
  assert.equal(intruder.status, 404);
  const colleague = await a2.supabase.rpc('append_message', { conversation_id: conversation.id, content: 'hi' });
  assert.equal(colleague.error.code, '42501', 'a colleague cannot append to someone else\'s conversation');

  const call = {
    id: 'call_oslo', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Oslo"}' },
  };
  const asked = await service.rpc('append_message', {
    conversation_id: conversation.id, role: 'assistant', content: '', tool_calls: [call],
  });
  assert.equal(asked.error, null);
  assert.deepEqual(asked.data.tool_calls, [call]);
  const answered = await service.rpc('append_message', {
    conversation_id: conversation.id, role: 'tool', content: '{"temp_c": 4}', tool_call_id: 'call_oslo',
  });
  assert.equal(answered.error, null);
  assert.equal(answered.data.tool_call_id, 'call_oslo');
  const orphan = await service.rpc('append_message', {
    conversation_id: conversation.id, role: 'tool', content: '?', tool_call_id: 'call_nobody_made',
  });
  assert.equal(orphan.error.code, '23503');
  const twice = await service.rpc('append_message', {
    conversation_id: conversation.id, role: 'tool', content: 'again', tool_call_id: 'call_oslo',
  });
  assert.equal(twice.error.code, '23505');
  const malformed = await service.rpc('append_message', {
    conversation_id: conversation.id, role: 'assistant', content: 'x', tool_calls: [{ name: 'get_weather' }],
  });
  assert.equal(malformed.error.code, '22023');
  const final = await service.rpc('append_message', {
    conversation_id: conversation.id, role: 'assistant', content: 'It is 4 °C in Oslo.',
  });
  assert.equal(final.error, null);

  // The whole exchange, in order, through the table as well as the RPC.
  const listed = await a1.supabase.rpc('list_messages', { conversation_id: conversation.id });
  assert.deepEqual(listed.data.map((m) => m.role), ['user', 'assistant', 'tool', 'assistant']);
  const table = await a1.supabase.from('messages').select('role, tool_call_id')
    .eq('conversation_id', conversation.id).order('created_at');
  assert.deepEqual(table.data.map((m) => m.tool_call_id), [null, null, 'call_oslo', null]);

  // Writers that bypass RLS are tied to the conversation's tenant too.
  const wrongTenant = await service.from('messages').insert({
    tenant_id: b1.user.app_metadata.tenant_id, conversation_id: conversation.id, role: 'assistant', content: 'x',
  });
  assert.equal(wrongTenant.error.code, '42501');
  assert.match(wrongTenant.error.message, /differs from the tenant/);
  const noTenant = await service.from('messages')
    .insert({ conversation_id: conversation.id, role: 'system', content: 'filled' }).select('tenant_id').single();
  assert.equal(noTenant.error, null);
  assert.equal(noTenant.data.tenant_id, a1.user.app_metadata.tenant_id);
});

test('list_conversations: keyset pages by recent activity, filters, archive, restore, soft delete', async () => {
  const ids = [];
  for (let i = 0; i < 5; i++) {
    const { data, error } = await a2.supabase.rpc('start_conversation', { title: `a2 page ${i}`, first_message: `hello ${i}` });
    assert.equal(error, null);
    ids.push(data.id);
  }
  // The newest activity first: a message to the oldest moves it to the top.
  await a2.supabase.rpc('append_message', { conversation_id: ids[0], content: 'bump' });
  const seen = [];
  let after = null;
  for (;;) {
    const page = await a2.supabase.rpc('list_conversations', { mine: true, page_size: 2, ...(after ? { after } : {}) });
    assert.equal(page.error, null);
    assert.ok(page.data.length <= 2);
    if (page.data.length === 0) break;
    seen.push(...page.data);
    after = page.data[page.data.length - 1].cursor;
  }
  const mine = seen.map((c) => c.id);
  assert.equal(new Set(mine).size, mine.length, 'no conversation twice');
  assert.deepEqual(mine.slice(0, 5), [ids[0], ids[4], ids[3], ids[2], ids[1]]);
  for (let i = 1; i < seen.length; i++) {
    assert.ok(new Date(seen[i - 1].last_message_at) >= new Date(seen[i].last_message_at));
  }

  const archived = await a2.supabase.rpc('set_conversation_status', { conversation_id: ids[1], status: 'archived' });
  assert.equal(archived.error, null);
  assert.equal(archived.data.status, 'archived');
  const deleted = await a2.supabase.rpc('set_conversation_status', { conversation_id: ids[2], status: 'deleted' });
  assert.equal(deleted.data.status, 'deleted');
  const notOwner = await a1.supabase.rpc('set_conversation_status', { conversation_id: ids[3], status: 'deleted' });
  assert.equal(notOwner.error.code, '42501');
  const otherTenant = await b1.supabase.rpc('set_conversation_status', { conversation_id: ids[3], status: 'deleted' });
  assert.equal(otherTenant.error.code, 'PT404');

  const visible = await a2.supabase.rpc('list_conversations', { mine: true, page_size: 200 });
  assert.ok(!visible.data.some((c) => c.id === ids[2]), 'deleted ones are hidden by default');
  assert.ok(visible.data.some((c) => c.id === ids[1]), 'archived ones are listed by default');
  const onlyArchived = await a2.supabase.rpc('list_conversations', { status: 'archived', mine: true });
  assert.deepEqual(onlyArchived.data.map((c) => c.id), [ids[1]]);
  const bin = await a2.supabase.rpc('list_conversations', { status: 'deleted' });
  assert.deepEqual(bin.data.map((c) => c.id), [ids[2]]);
  const appendDeleted = await a2.supabase.rpc('append_message', { conversation_id: ids[2], content: 'x' });
  assert.equal(appendDeleted.error.code, 'PT409');
  assert.equal(appendDeleted.status, 409);
  assert.match(appendDeleted.error.hint, /Restore it first/);
  const restored = await a2.supabase.rpc('set_conversation_status', { conversation_id: ids[2], status: 'active' });
  assert.equal(restored.data.status, 'active');

  // A colleague sees the tenant's conversations; another tenant none of them.
  const colleague = await a1.supabase.rpc('list_conversations', { page_size: 200 });
  assert.ok(colleague.data.some((c) => c.id === ids[0]));
  const foreign = await b1.supabase.rpc('list_conversations', { page_size: 200 });
  assert.ok(!foreign.data.some((c) => ids.includes(c.id)));

  // By agent, with PostgREST's own select and filters on the RPC's rows.
  const { data: withAgent } = await a1.supabase.rpc('start_conversation', { agent_id: agentA.id, title: 'agent only' });
  const byAgent = await a1.supabase.rpc('list_conversations', { agent_id: agentA.id, page_size: 200 }).select('id, title');
  assert.equal(byAgent.error, null);
  assert.ok(byAgent.data.some((c) => c.id === withAgent.id));
  assert.ok(byAgent.data.every((c) => Object.keys(c).join() === 'id,title'));

  for (const [args, code] of [
    [{ page_size: 0 }, '22023'], [{ page_size: 201 }, '22023'], [{ after: 'not-a-cursor' }, '22023'],
    [{ status: 'frozen' }, '22023'],
  ]) {
    const bad = await a1.supabase.rpc('list_conversations', args);
    assert.equal(bad.error?.code, code, JSON.stringify(args));
    assert.ok(bad.error.message.length > 0);
  }
});

test('list_messages: the latest page, then before and after cursors', async () => {
  const { data: conversation } = await a1.supabase.rpc('start_conversation', { title: 'long chat' });
  for (let i = 1; i <= 7; i++) {
    const r = await a1.supabase.rpc('append_message', { conversation_id: conversation.id, content: `line ${i}` });
    assert.equal(r.error, null);
  }
  const latest = await a1.supabase.rpc('list_messages', { conversation_id: conversation.id, page_size: 3 });
  assert.deepEqual(latest.data.map((m) => m.content), ['line 5', 'line 6', 'line 7']);
  const older = await a1.supabase.rpc('list_messages', { conversation_id: conversation.id, page_size: 3, before: latest.data[0].cursor });
  assert.deepEqual(older.data.map((m) => m.content), ['line 2', 'line 3', 'line 4']);
  const oldest = await a1.supabase.rpc('list_messages', { conversation_id: conversation.id, page_size: 3, before: older.data[0].cursor });
  assert.deepEqual(oldest.data.map((m) => m.content), ['line 1']);
  const newer = await a1.supabase.rpc('list_messages', { conversation_id: conversation.id, page_size: 2, after: oldest.data[0].cursor });
  assert.deepEqual(newer.data.map((m) => m.content), ['line 2', 'line 3']);

  const both = await a1.supabase.rpc('list_messages', { conversation_id: conversation.id, before: newer.data[0].cursor, after: newer.data[0].cursor });
  assert.equal(both.error.code, '22023');
  const tooBig = await a1.supabase.rpc('list_messages', { conversation_id: conversation.id, page_size: 500 });
  assert.equal(tooBig.error.code, '22023');
  assert.match(tooBig.error.message, /between 1 and 200/);
  const foreign = await b1.supabase.rpc('list_messages', { conversation_id: conversation.id });
  assert.equal(foreign.error.code, 'PT404');
  // The same rows through the table: RLS hides them from another tenant.
  const table = await b1.supabase.from('messages').select('id').eq('conversation_id', conversation.id);
  assert.deepEqual(table.data, []);
});

test('search_messages: ranked, highlighted, paginated, only what the caller may read', async () => {
  const marker = `zebracorn${Date.now()}`;
  const { data: mine } = await a1.supabase.rpc('start_conversation', { title: 'search here', first_message: `deploying the ${marker} service` });
  await service.rpc('append_message', { conversation_id: mine.id, role: 'assistant', content: `${marker} <script>x</script> deployed; ${marker} again` });
  await service.rpc('append_message', { conversation_id: mine.id, role: 'assistant', content: `unrelated ${marker}` });
  const { data: theirs } = await b1.supabase.rpc('start_conversation', { first_message: `tenant B also has ${marker}` });
  assert.ok(theirs.id);

  const found = await a1.supabase.rpc('search_messages', { query: marker });
  assert.equal(found.error, null);
  assert.equal(found.data.length, 3, 'only tenant A\'s matches');
  assert.ok(found.data.every((m) => m.conversation_id === mine.id));
  assert.equal(found.data[0].content.startsWith(`${marker} <script>`), true, 'the message with the most matches ranks first');
  for (let i = 1; i < found.data.length; i++) assert.ok(found.data[i - 1].rank >= found.data[i].rank);
  assert.ok(found.data[0].snippet.includes(`<mark>${marker}</mark>`));
  assert.ok(found.data[0].snippet.includes('&lt;script&gt;'), 'snippets are HTML-escaped');
  assert.ok(!found.data[0].snippet.includes('<script>'));
  assert.equal(found.data[0].conversation_title, 'search here');

  const stemmed = await a1.supabase.rpc('search_messages', { query: `deploy ${marker}` });
  assert.equal(stemmed.data.length, 2, 'deploy finds deploying and deployed');

  const first = await a1.supabase.rpc('search_messages', { query: marker, page_size: 2 });
  const rest = await a1.supabase.rpc('search_messages', { query: marker, page_size: 2, after: first.data[1].cursor });
  assert.deepEqual([...first.data, ...rest.data].map((m) => m.id), found.data.map((m) => m.id));

  const other = await b1.supabase.rpc('search_messages', { query: marker });
  assert.deepEqual(other.data.map((m) => m.content), [`tenant B also has ${marker}`]);

  await a1.supabase.rpc('set_conversation_status', { conversation_id: mine.id, status: 'deleted' });
  const afterDelete = await a1.supabase.rpc('search_messages', { query: marker });
  assert.deepEqual(afterDelete.data, [], 'soft-deleted conversations are not searched');

  const empty = await a1.supabase.rpc('search_messages', { query: '   ' });
  assert.equal(empty.error.code, '22023');
  const badCursor = await a1.supabase.rpc('search_messages', { query: marker, after: '1_2' });
  assert.equal(badCursor.error.code, '22023');
});
