// supabase-js's own realtime client, unmodified, against `agentbase serve`'s
// /realtime/v1 (tests/js/run.sh starts the server and exports
// AGENTBASE_URL, AGENTBASE_ANON_KEY, AGENTBASE_JWT_SECRET_FILE and the
// users). A raw websocket (ws) checks what the client would never send:
// malformed and oversized frames, a missing key.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createClient } from '@supabase/supabase-js';
import WebSocket from 'ws';
import { startServer } from './lib/agentbase.js';

const url = process.env.AGENTBASE_URL;
const anonKey = process.env.AGENTBASE_ANON_KEY;
const socketUrl = `${url.replace(/^http/, 'ws')}/realtime/v1/websocket`;

const clients = [];
function client(key = anonKey, realtime = {}) {
  const supabase = createClient(url, key, {
    realtime: { transport: WebSocket, ...realtime },
    auth: { persistSession: false, autoRefreshToken: false },
  });
  clients.push(supabase);
  return supabase;
}

after(async () => {
  for (const supabase of clients) await supabase.removeAllChannels();
});

// Resolves with the first status among `wanted` that subscribe() reports.
function subscribed(channel, wanted = ['SUBSCRIBED']) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${wanted} within 5 s`)), 5000);
    channel.subscribe((status, error) => {
      if (wanted.includes(status)) {
        clearTimeout(timer);
        resolve({ status, error });
      }
    });
  });
}

// Resolves with the next value `register` hands its callback, or rejects
// after `ms`.
function next(register, ms = 3000) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`nothing within ${ms} ms`)), ms);
    register((value) => {
      clearTimeout(timer);
      resolve(value);
    });
  });
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function base64url(data) {
  return Buffer.from(data).toString('base64url');
}

// An HS256 token signed with the project's JWT secret.
function signToken(claims) {
  const secret = readFileSync(process.env.AGENTBASE_JWT_SECRET_FILE, 'utf8').trim();
  const head = base64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
  const body = base64url(JSON.stringify(claims));
  const signature = createHmac('sha256', secret).update(`${head}.${body}`).digest('base64url');
  return `${head}.${body}.${signature}`;
}

// A raw websocket that records every message; `closed` resolves with the
// close code and reason.
function rawSocket(query = `apikey=${anonKey}&vsn=2.0.0`) {
  const socket = new WebSocket(`${socketUrl}?${query}`);
  socket.received = [];
  socket.on('message', (data, isBinary) => socket.received.push(isBinary ? data : JSON.parse(data.toString())));
  socket.closed = new Promise((resolve) => socket.on('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  socket.opened = new Promise((resolve, reject) => {
    socket.on('open', resolve);
    socket.on('error', reject);
  });
  return socket;
}

async function replyTo(socket, ref, ms = 2000) {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const reply = socket.received.find((m) => Array.isArray(m) && m[1] === ref && m[3] === 'phx_reply');
    if (reply) return reply;
    await sleep(20);
  }
  throw new Error(`no reply to ref ${ref}`);
}

test('realtime: subscribe reports SUBSCRIBED, and postgres_changes entries come back with their ids in order', async () => {
  const supabase = client();
  const system = [];
  const channel = supabase
    .channel('subscribe-test')
    .on('postgres_changes', { event: 'INSERT', schema: 'public', table: 'messages' }, () => {})
    .on('postgres_changes', { event: '*', schema: 'public', table: 'conversations', filter: 'status=eq.active' }, () => {})
    .on('system', {}, (message) => system.push(message));
  const { status } = await subscribed(channel, ['SUBSCRIBED', 'CHANNEL_ERROR', 'CLOSED']);
  assert.equal(status, 'SUBSCRIBED');
  // The client matched both entries by index and kept their ids.
  const ids = channel.bindings.postgres_changes.map((binding) => binding.id);
  assert.equal(ids.length, 2);
  assert.ok(ids.every((id) => typeof id === 'number' && id > 0), `ids ${ids}`);
  assert.notEqual(ids[0], ids[1]);
  await sleep(100);
  assert.ok(system.some((m) => m.message === 'Subscribed to PostgreSQL' && m.status === 'ok'), JSON.stringify(system));
  assert.equal(await channel.unsubscribe(), 'ok');
});

test('realtime: an unsupported filter operator is reported by a system error, the channel stays subscribed', async () => {
  const channel = client()
    .channel('filter-test')
    .on('postgres_changes', { event: 'INSERT', schema: 'public', table: 'messages', filter: 'body=like.%x%' }, () => {});
  const system = next((resolve) => channel.on('system', {}, resolve));
  assert.equal((await subscribed(channel)).status, 'SUBSCRIBED');
  const message = await system;
  assert.equal(message.status, 'error');
  assert.match(message.message, /Error parsing `filter` params/);
});

test('realtime: broadcast reaches the other client, and the sender too with self; ack resolves ok', async () => {
  for (const vsn of ['2.0.0', '1.0.0']) {
    const topic = `room-${vsn}`;
    const sender = client(anonKey, { vsn }).channel(topic, { config: { broadcast: { self: true, ack: true } } });
    const receiver = client(anonKey, { vsn }).channel(topic);
    const atSender = next((resolve) => sender.on('broadcast', { event: 'cursor' }, resolve));
    const atReceiver = next((resolve) => receiver.on('broadcast', { event: 'cursor' }, resolve));
    await subscribed(sender);
    await subscribed(receiver);
    const result = await sender.send({ type: 'broadcast', event: 'cursor', payload: { x: 1, s: 'é' } });
    assert.equal(result, 'ok', vsn);
    for (const message of [await atSender, await atReceiver]) {
      assert.equal(message.event, 'cursor');
      assert.deepEqual(message.payload, { x: 1, s: 'é' }, vsn);
    }
  }
});

test('realtime: without self the sender does not get its own broadcast', async () => {
  const sender = client().channel('room-noself');
  const receiver = client().channel('room-noself');
  const own = [];
  sender.on('broadcast', { event: 'ping' }, (m) => own.push(m));
  const atReceiver = next((resolve) => receiver.on('broadcast', { event: 'ping' }, resolve));
  await subscribed(sender);
  await subscribed(receiver);
  await sender.send({ type: 'broadcast', event: 'ping', payload: { n: 1 } });
  assert.deepEqual((await atReceiver).payload, { n: 1 });
  await sleep(200);
  assert.equal(own.length, 0);
});

test('realtime: broadcast over REST (POST /realtime/v1/api/broadcast) reaches subscribers with 202', async () => {
  const receiver = client().channel('room-rest');
  const got = next((resolve) => receiver.on('broadcast', { event: 'note' }, resolve));
  await subscribed(receiver);
  const response = await fetch(`${url}/realtime/v1/api/broadcast`, {
    method: 'POST',
    headers: { apikey: anonKey, 'Content-Type': 'application/json' },
    body: JSON.stringify({ messages: [{ topic: 'room-rest', event: 'note', payload: { text: 'hi' }, private: false }] }),
  });
  assert.equal(response.status, 202);
  assert.deepEqual((await got).payload, { text: 'hi' });

  const single = await fetch(`${url}/realtime/v1/api/broadcast/room-rest/events/note`, {
    method: 'POST',
    headers: { apikey: anonKey, 'Content-Type': 'application/json' },
    body: JSON.stringify({ text: 'again' }),
  });
  assert.equal(single.status, 202);

  const refused = await fetch(`${url}/realtime/v1/api/broadcast`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ messages: [] }),
  });
  assert.equal(refused.status, 401);

  // Bodies that are not JSON, or hold a number no double can (1e999, which
  // would go out to the members as no JSON at all), are refused with 400.
  for (const [path, body] of [
    ['', '{"messages": [{"topic": "room-rest", "event": "note", "payload": {"x": 1e999}}]}'],
    ['', '{not json'],
    ['/room-rest/events/note', '{"x": -1e999}'],
    ['/room-rest/events/note', 'not json'],
  ]) {
    const bad = await fetch(`${url}/realtime/v1/api/broadcast${path}`, {
      method: 'POST', headers: { apikey: anonKey, 'Content-Type': 'application/json' }, body });
    assert.equal(bad.status, 400, `${path} ${body}`);
    assert.match((await bad.json()).message, /not JSON|out of range/);
  }
});

test('realtime: presence sync, join and leave between two clients', async () => {
  const alice = client().channel('lobby', { config: { presence: { key: 'alice' } } });
  const bob = client().channel('lobby', { config: { presence: { key: 'bob' } } });
  const bobJoins = [];
  const bobLeaves = [];
  bob.on('presence', { event: 'join' }, (e) => bobJoins.push(e));
  bob.on('presence', { event: 'leave' }, (e) => bobLeaves.push(e));
  const bobSynced = next((resolve) => bob.on('presence', { event: 'sync' }, resolve));
  const aliceOwnJoin = next((resolve) => alice.on('presence', { event: 'join' }, resolve));
  await subscribed(alice);
  await subscribed(bob);
  await bobSynced;

  assert.equal(await alice.track({ status: 'online' }), 'ok');
  // The tracker gets its own join too.
  assert.equal((await aliceOwnJoin).key, 'alice');
  for (let i = 0; i < 50 && !bobJoins.some((e) => e.key === 'alice'); i++) await sleep(20);
  const join = bobJoins.find((e) => e.key === 'alice');
  assert.ok(join, 'bob saw alice join');
  assert.equal(join.newPresences[0].status, 'online');
  assert.deepEqual(Object.keys(bob.presenceState()), ['alice']);

  assert.equal(await alice.untrack(), 'ok');
  for (let i = 0; i < 50 && !bobLeaves.some((e) => e.key === 'alice'); i++) await sleep(20);
  assert.ok(bobLeaves.some((e) => e.key === 'alice'), 'bob saw alice leave');
  assert.deepEqual(bob.presenceState(), {});

  // Leaving the channel with a tracked presence is a leave as well.
  assert.equal(await alice.track({ status: 'back' }), 'ok');
  for (let i = 0; i < 50 && !bob.presenceState().alice; i++) await sleep(20);
  assert.ok(bob.presenceState().alice);
  await alice.unsubscribe();
  for (let i = 0; i < 50 && bob.presenceState().alice; i++) await sleep(20);
  assert.equal(bob.presenceState().alice, undefined);
});

test('realtime: heartbeats are answered', async () => {
  const beats = [];
  const supabase = client(anonKey, { heartbeatIntervalMs: 200, heartbeatCallback: (status) => beats.push(status) });
  await subscribed(supabase.channel('beats'));
  await sleep(700);
  assert.ok(beats.filter((s) => s === 'ok').length >= 2, `heartbeats: ${beats}`);
  assert.ok(!beats.includes('timeout'));
});

test('realtime: a refreshed token is taken (setAuth); an invalid one closes the channel', async () => {
  const supabase = client();
  const channel = supabase.channel('refresh');
  const statuses = [];
  const system = [];
  channel.on('system', {}, (m) => system.push(m));
  await new Promise((resolve) =>
    channel.subscribe((status) => {
      statuses.push(status);
      if (status === 'SUBSCRIBED') resolve();
    }),
  );
  const fresh = signToken({ role: 'anon', iss: 'test', exp: Math.floor(Date.now() / 1000) + 600 });
  await supabase.realtime.setAuth(fresh);
  await sleep(300);
  assert.equal(channel.state, 'joined');
  assert.equal(system.length, 0);

  await supabase.realtime.setAuth('not-a-jwt');
  for (let i = 0; i < 50 && !statuses.includes('CLOSED'); i++) await sleep(20);
  assert.ok(statuses.includes('CLOSED'), `statuses ${statuses}`);
  assert.equal(system[0]?.status, 'error');
  assert.match(system[0]?.message, /InvalidJWTToken/);
});

test('realtime: a token that expires closes the channel with the system message', async () => {
  const shortLived = signToken({ role: 'anon', iss: 'test', exp: Math.floor(Date.now() / 1000) + 2 });
  const supabase = client();
  // The join then carries it as its access_token.
  await supabase.realtime.setAuth(shortLived);
  const channel = supabase.channel('expiring');
  const system = next((resolve) => channel.on('system', {}, resolve), 5000);
  const statuses = [];
  const closed = new Promise((resolve) =>
    channel.subscribe((status) => {
      statuses.push(status);
      if (status === 'CLOSED') resolve();
    }),
  );
  const message = await system;
  await closed;
  assert.equal(statuses[0], 'SUBSCRIBED');
  assert.equal(message.status, 'error');
  assert.match(message.message, /^Token has expired \d+ seconds ago$/);
});

test('realtime: the upgrade is refused with 401 without a valid apikey', async () => {
  const expired = signToken({ role: 'anon', iss: 'test', exp: Math.floor(Date.now() / 1000) - 60 });
  for (const query of ['vsn=2.0.0', 'apikey=nonsense&vsn=2.0.0', `apikey=${expired}&vsn=2.0.0`]) {
    const refusal = await new Promise((resolve, reject) => {
      const socket = new WebSocket(`${socketUrl}?${query}`);
      socket.on('open', () => reject(new Error(`upgraded with ${query}`)));
      socket.on('error', () => {});
      socket.on('unexpected-response', (request, response) => {
        let body = '';
        response.on('data', (chunk) => (body += chunk));
        response.on('end', () => resolve({ status: response.statusCode, body: JSON.parse(body) }));
      });
    });
    assert.equal(refusal.status, 401, query);
    assert.equal(typeof refusal.body.error, 'string');
  }
});

test('realtime: malformed and oversized frames close only their own socket', async () => {
  const bystander = rawSocket();
  await bystander.opened;
  bystander.send(JSON.stringify(['1', '1', 'realtime:calm', 'phx_join', { config: {} }]));
  assert.equal((await replyTo(bystander, '1'))[4].status, 'ok');

  const garbage = rawSocket();
  await garbage.opened;
  garbage.send('{not json');
  const garbageClosed = await garbage.closed;
  assert.equal(garbageClosed.code, 1003);
  assert.match(garbageClosed.reason, /not JSON/);

  const wrongShape = rawSocket();
  await wrongShape.opened;
  wrongShape.send(JSON.stringify({ topic: 'realtime:x', event: 'phx_join' }));
  assert.equal((await wrongShape.closed).code, 1003);

  const badBinary = rawSocket();
  await badBinary.opened;
  badBinary.send(Buffer.from([9, 1, 2, 3]));
  assert.equal((await badBinary.closed).code, 1003);

  const huge = rawSocket();
  await huge.opened;
  huge.send(JSON.stringify([null, '1', 'phoenix', 'heartbeat', { pad: 'x'.repeat(1100 * 1024) }]));
  // The server closes with 1009 before the frame is read whole, and reads
  // what is still coming so that the client gets the close frame.
  assert.equal((await huge.closed).code, 1009);
  assert.equal(huge.received.length, 0, 'the oversized heartbeat was not answered');

  // Errors the client can be told about get a reply.
  bystander.send(JSON.stringify(['2', '2', 'realtime:never-joined', 'broadcast', { type: 'broadcast', event: 'e', payload: {} }]));
  assert.deepEqual((await replyTo(bystander, '2'))[4], { status: 'error', response: { reason: 'unmatched topic' } });
  bystander.send(JSON.stringify(['3', '3', 'realtime:', 'phx_join', { config: {} }]));
  assert.equal((await replyTo(bystander, '3'))[4].status, 'error');

  // The bystander still works.
  bystander.send(JSON.stringify([null, '9', 'phoenix', 'heartbeat', {}]));
  assert.deepEqual((await replyTo(bystander, '9'))[4], { status: 'ok', response: {} });
  bystander.close();
});

test('realtime: phx_leave is answered ok, then phx_close; ok also for a topic never joined', async () => {
  const socket = rawSocket();
  await socket.opened;
  socket.send(JSON.stringify(['5', '5', 'realtime:leaving', 'phx_join', { config: {} }]));
  await replyTo(socket, '5');
  socket.send(JSON.stringify(['5', '6', 'realtime:leaving', 'phx_leave', {}]));
  assert.equal((await replyTo(socket, '6'))[4].status, 'ok');
  await sleep(100);
  assert.ok(socket.received.some((m) => m[3] === 'phx_close' && m[0] === '5' && m[1] === '5'));
  socket.send(JSON.stringify([null, '7', 'realtime:unknown', 'phx_leave', {}]));
  assert.equal((await replyTo(socket, '7'))[4].status, 'ok');
  socket.close();
});

test('realtime: a socket that stops reading is dropped once its queue is full; the others get everything', async () => {
  const slow = rawSocket();
  await slow.opened;
  slow.send(JSON.stringify(['1', '1', 'realtime:firehose', 'phx_join', { config: {} }]));
  await replyTo(slow, '1');
  slow._socket.pause(); // reads nothing from now on: the kernel buffers fill, then the server's queue

  const healthy = client().channel('firehose');
  let received = 0;
  healthy.on('broadcast', { event: 'blob' }, () => received++);
  await subscribed(healthy);

  const blob = 'x'.repeat(900 * 1024);
  const rounds = 30; // 27 MB: more than the loopback buffers and the 4 MiB queue together
  for (let i = 0; i < rounds; i++) {
    const response = await fetch(`${url}/realtime/v1/api/broadcast/firehose/events/blob`, {
      method: 'POST',
      headers: { apikey: anonKey, 'Content-Type': 'application/json' },
      body: JSON.stringify({ blob }),
    });
    assert.equal(response.status, 202);
  }
  for (let i = 0; i < 250 && received < rounds; i++) await sleep(20);
  assert.equal(received, rounds, 'the healthy subscriber got every broadcast');
  slow._socket.resume();
  const { code } = await slow.closed;
  assert.equal(code, 1006, 'the slow socket was dropped, not closed politely');
});

test('realtime: the serve flags set the bounds (--realtime-max-channels, --realtime-max-frame-bytes)', async () => {
  const bounded = await startServer(['--realtime-max-channels', '2', '--realtime-max-frame-bytes', '2048']);
  try {
    const boundedSocketUrl = `${bounded.url.replace(/^http/, 'ws')}/realtime/v1/websocket`;
    const socket = new WebSocket(`${boundedSocketUrl}?apikey=${anonKey}&vsn=1.0.0`);
    const received = [];
    socket.on('message', (data) => received.push(JSON.parse(data.toString())));
    const closed = new Promise((resolve) => socket.on('close', (code) => resolve(code)));
    await new Promise((resolve, reject) => { socket.on('open', resolve); socket.on('error', reject); });
    for (const n of [1, 2, 3]) {
      socket.send(JSON.stringify({ topic: `realtime:bounded-${n}`, event: 'phx_join', payload: { config: {} }, ref: String(n), join_ref: String(n) }));
    }
    const reply = async (ref) => {
      for (let waited = 0; waited < 3000; waited += 20) {
        const found = received.find((m) => m.ref === ref && m.event === 'phx_reply');
        if (found) return found;
        await sleep(20);
      }
      throw new Error(`no reply to ${ref}: ${JSON.stringify(received)}`);
    };
    assert.equal((await reply('1')).payload.status, 'ok');
    assert.equal((await reply('2')).payload.status, 'ok');
    const third = await reply('3');
    assert.equal(third.payload.status, 'error');
    assert.match(JSON.stringify(third.payload.response), /ChannelRateLimitReached.*at most 2 per connection/);
    // A frame over 2,048 bytes closes the socket with 1009.
    socket.send(JSON.stringify({ topic: 'realtime:bounded-1', event: 'broadcast', payload: { pad: 'x'.repeat(4096) }, ref: '4' }));
    assert.equal(await closed, 1009);
  } finally {
    await bounded.stop();
  }
});
