// postgres_changes end to end: supabase-js's realtime client, unmodified,
// subscribed to the platform's tables through `agentbase serve`, which reads
// the database's changes through logical replication and lets row level
// security decide who receives each one (tests/js/run.sh starts the server
// and adds users a1, a2 of tenant A and b1 of tenant B).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createClient } from '@supabase/supabase-js';
import WebSocket from 'ws';

const url = process.env.AGENTBASE_URL;
const anonKey = process.env.AGENTBASE_ANON_KEY;
const serviceKey = process.env.AGENTBASE_SERVICE_KEY;

const clients = [];
function client(key = anonKey) {
  const supabase = createClient(url, key, {
    realtime: { transport: WebSocket },
    auth: { persistSession: false, autoRefreshToken: false },
  });
  clients.push(supabase);
  return supabase;
}

async function signedIn(name) {
  const [email, password] = process.env[`AGENTBASE_USER_${name}`].split(':');
  const supabase = client();
  const { data, error } = await supabase.auth.signInWithPassword({ email, password });
  assert.equal(error, null, `sign-in of ${name}`);
  // supabase-js hands realtime the session's token asynchronously after
  // sign-in; a channel joined before that joins with the anon key and only
  // later sends the user's token (access_token), so changes in between are
  // judged as anon's. Handing it over first is how an app avoids that gap.
  await supabase.realtime.setAuth(data.session.access_token);
  return { supabase, user: data.user };
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// Subscribes `who` to postgres_changes with `filter` and collects what
// arrives; resolves once the channel is SUBSCRIBED.
async function follow(who, name, filter) {
  const received = [];
  const channel = who.supabase.channel(name).on('postgres_changes', filter, (change) => received.push(change));
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name}: not SUBSCRIBED within 5 s`)), 5000);
    channel.subscribe((status, error) => {
      if (status === 'SUBSCRIBED') {
        clearTimeout(timer);
        resolve();
      } else if (status === 'CHANNEL_ERROR' || status === 'CLOSED') {
        clearTimeout(timer);
        reject(error ?? new Error(`${name}: ${status}`));
      }
    });
  });
  return received;
}

// Waits until `received` holds a change that `matches`, or fails after `ms`.
async function arrives(received, matches, ms = 5000) {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const found = received.find(matches);
    if (found) return found;
    await sleep(25);
  }
  assert.fail(`no matching change within ${ms} ms; got ${JSON.stringify(received)}`);
}

let a1, a2, b1, service;

before(async () => {
  a1 = await signedIn('A1');
  a2 = await signedIn('A2');
  b1 = await signedIn('B1');
  service = client(serviceKey);
});

after(async () => {
  for (const supabase of clients) await supabase.removeAllChannels();
});

test('postgres_changes: a tenant\'s users see its new messages live, another tenant\'s user never does', async () => {
  const filter = { event: 'INSERT', schema: 'public', table: 'messages' };
  const [seenByA1, seenByA2, seenByB1] = await Promise.all([
    follow(a1, 'live-a1', filter), follow(a2, 'live-a2', filter), follow(b1, 'live-b1', filter)]);

  const started = await a1.supabase.rpc('start_conversation', { first_message: 'hello, live world' });
  assert.equal(started.error, null);
  const conversation = started.data;
  const mine = (change) => change.new.conversation_id === conversation.id;
  for (const received of [seenByA1, seenByA2]) {
    const change = await arrives(received, mine);
    assert.equal(change.eventType, 'INSERT');
    assert.equal(change.schema, 'public');
    assert.equal(change.table, 'messages');
    assert.equal(change.new.content, 'hello, live world');
    assert.equal(change.new.role, 'user');
    assert.deepEqual(change.old, {});
    assert.equal(change.errors, null);
    assert.match(change.commit_timestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  }
  // The agent's answer, appended with the service key, reaches them too.
  const answered = await service.rpc('append_message', {
    conversation_id: conversation.id, role: 'assistant', content: 'hello back' });
  assert.equal(answered.error, null);
  await arrives(seenByA1, (change) => mine(change) && change.new.content === 'hello back');

  // Tenant B's user wrote nothing and sees nothing of A's.
  const ownStart = await b1.supabase.rpc('start_conversation', { first_message: 'only for tenant B' });
  assert.equal(ownStart.error, null);
  await arrives(seenByB1, (change) => change.new.content === 'only for tenant B');
  assert.equal(seenByB1.filter(mine).length, 0, 'tenant B saw a message of tenant A');
  assert.equal(seenByA1.filter((change) => change.new.content === 'only for tenant B').length, 0);
  // Each change arrived once.
  assert.equal(seenByA2.filter((change) => mine(change) && change.new.content === 'hello back').length, 1);
});

test('postgres_changes: filters, UPDATE and DELETE (only the primary key), in commit order', async () => {
  const started = await a1.supabase.rpc('start_conversation', { title: 'to be filtered' });
  assert.equal(started.error, null);
  const id = started.data.id;
  const [filtered, everything, other] = await Promise.all([
    follow(a2, 'filtered-a2', { event: '*', schema: 'public', table: 'conversations', filter: `id=eq.${id}` }),
    follow(a1, 'all-a1', { event: '*', schema: 'public', table: 'conversations' }),
    follow(b1, 'all-b1', { event: 'UPDATE', schema: 'public', table: 'conversations' }),
  ]);
  const unrelated = await a1.supabase.rpc('start_conversation', { title: 'not filtered' });
  assert.equal(unrelated.error, null);
  for (const status of ['archived', 'active']) {
    const changed = await a1.supabase.rpc('set_conversation_status', { conversation_id: id, status });
    assert.equal(changed.error, null);
  }
  // A change is judged on its row as it is when it is authorised (as on
  // Supabase): a row deleted by then is shown to nobody. So the delete waits
  // until the updates have arrived.
  await arrives(filtered, (change) => change.eventType === 'UPDATE' && change.new.status === 'active');
  const removed = await a1.supabase.from('conversations').delete().eq('id', id);
  assert.equal(removed.error, null);

  await arrives(filtered, (change) => change.eventType === 'DELETE');
  // The filter let through this conversation's changes only, in commit order.
  // (A change committed just before the channel joined, the conversation's
  // own start, may still arrive after it: the ones this test made begin at
  // 'archived'.)
  const statuses = filtered.map((change) => change.eventType === 'DELETE' ? 'DELETE' : change.new.status);
  const ours = statuses.slice(statuses.indexOf('archived'));
  assert.deepEqual(ours, ['archived', 'active', 'DELETE']);
  const deleted = filtered[filtered.length - 1];
  assert.deepEqual(deleted.old, { id });
  assert.deepEqual(deleted.new, {});
  // Unfiltered, the insert of the other conversation came too.
  await arrives(everything, (change) => change.eventType === 'INSERT' && change.new.id === unrelated.data.id);
  // Tenant B's user saw none of tenant A's updates.
  await sleep(300);
  assert.equal(other.filter((change) => change.new.id === id).length, 0, 'tenant B saw tenant A\'s update');
});

test('/metrics counts the changes received, the messages sent and the authorizer\'s queries, and the channels open', async () => {
  const metrics = async () => {
    const text = await (await fetch(`${url}/metrics`)).text();
    const value = (name) => {
      const line = text.split('\n').find((l) => l.startsWith(`${name} `));
      assert.ok(line, `${name} missing from /metrics`);
      return Number(line.split(' ')[1]);
    };
    return {
      channels: value('agentbase_realtime_channels'), changes: value('agentbase_realtime_changes_total'),
      messages: value('agentbase_realtime_change_messages_total'),
      queries: value('agentbase_realtime_authorizer_queries_total'),
      withheld: value('agentbase_realtime_changes_withheld_total'),
    };
  };
  const filter = { event: 'INSERT', schema: 'public', table: 'messages' };
  const before = await metrics();
  const [seenByA1, seenByA2] = await Promise.all([follow(a1, 'metrics-a1', filter), follow(a2, 'metrics-a2', filter)]);
  const joined = await metrics();
  assert.ok(joined.channels >= before.channels + 2, `two more channels: ${JSON.stringify([before, joined])}`);

  const started = await a1.supabase.rpc('start_conversation', { first_message: 'counted once per subscriber' });
  assert.equal(started.error, null);
  const mine = (change) => change.new.conversation_id === started.data.id;
  await arrives(seenByA1, mine);
  await arrives(seenByA2, mine);
  const after = await metrics();
  assert.ok(after.changes >= joined.changes + 1, 'the change was received');
  assert.ok(after.messages >= joined.messages + 2, 'and sent to both subscribers');
  assert.ok(after.queries >= joined.queries + 1, 'after asking the database who may see it');
  assert.equal(after.withheld, before.withheld, 'nothing withheld');
});
