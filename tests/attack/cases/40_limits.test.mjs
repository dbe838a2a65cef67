// Limits: query shapes that would cost the parser or the database too much,
// answers larger than --max-response-bytes (run.sh: 64 KiB), --max-rows
// (run.sh: 100) on embedded arrays, and the password grant's rate limits.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import {
  assertAnswer, databaseFingerprint, parseRawResponse, psql, rawExchange, request, requestFrom, serviceKey, signIn,
} from '../lib.mjs';

const maxResponseBytes = Number(process.env.AGENTBASE_MAX_RESPONSE_BYTES);
const maxRows = Number(process.env.AGENTBASE_MAX_ROWS);
const parseRefused = { status: 400, code: 'PGRST100' };

let a1;
let conversationId;
before(async () => {
  a1 = await signIn('A1');
  const made = await request('POST', '/rest/v1/conversations', {
    token: a1.token, headers: { prefer: 'return=representation' },
    body: { tenant_id: a1.tenantId, user_id: a1.user.id, title: 'limits' },
  });
  conversationId = made.json[0].id;
  // max-rows + 50 messages, put in by the service (the agent's side).
  const messages = Array.from({ length: maxRows + 50 }, (_, i) => ({
    tenant_id: a1.tenantId, conversation_id: conversationId, role: i % 2 ? 'assistant' : 'user', content: `m${i}`,
  }));
  const put = await request('POST', '/rest/v1/messages', { token: serviceKey, body: messages });
  assert.equal(put.status, 201, put.text);
});

// A GET sent byte for byte, answered in the shape request() gives.
async function rawGet(target) {
  const { text } = await rawExchange([`GET ${target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`]);
  return parseRawResponse(text);
}

function nestedEmbed(depth) {
  let select = 'id';
  for (let level = depth; level > 0; level -= 1) select = `id,${level % 2 ? 'agent_tools' : 'tools'}(${select})`;
  return select;
}

const shapeCases = [
  {
    name: 'select of 1,700 columns', expected: parseRefused,
    path: () => `/rest/v1/conversations?select=${Array.from({ length: 1700 }, (_, i) => `c${i}:id`).join(',')}`,
  },
  {
    // Sent raw, as anon without keys: fetch would percent-encode each '>'
    // (25,000 bytes), and 15,000 bytes of path leave no room for keys under
    // the 16 KiB request-head limit.
    name: 'a 5,000-step JSON path', expected: parseRefused, raw: true,
    path: () => `/rest/v1/conversations?select=metadata${'->a'.repeat(5000)}`,
  },
  {
    name: 'a 5,000-step JSON path in a filter', expected: parseRefused, raw: true,
    path: () => `/rest/v1/conversations?select=id&metadata${'->a'.repeat(5000)}=eq.1`,
  },
  { name: '20-deep embeds', expected: parseRefused, path: () => `/rest/v1/tools?select=${nestedEmbed(20)}` },
  {
    name: 'an or= nested 200 deep', expected: parseRefused,
    path: () => `/rest/v1/conversations?or=(${'and('.repeat(200)}id.is.null${')'.repeat(200)})`,
  },
];
for (const c of shapeCases) {
  test(`limits: ${c.name} → ${c.expected.status} ${c.expected.code}`, async () => {
    const answer = c.raw ? await rawGet(c.path()) : await request('GET', c.path(), { token: a1.token });
    assertAnswer(answer, c.expected, c.name);
  });
}

test('limits: a shallow embed within the depth limit is answered', async () => {
  const answer = await request('GET', `/rest/v1/tools?select=${nestedEmbed(4)}&limit=1`, { token: a1.token });
  assert.equal(answer.status, 200, answer.text);
});

test('limits: an answer larger than --max-response-bytes is 400 AB400', async () => {
  const big = 'x'.repeat(maxResponseBytes + 1024);
  const stored = await request('POST', '/rest/v1/messages', {
    token: a1.token, headers: { prefer: 'return=minimal' },
    body: { tenant_id: a1.tenantId, conversation_id: conversationId, role: 'user', content: big },
  });
  assert.equal(stored.status, 201, 'return=minimal does not send it back, so it is stored');
  const read = await request('GET', `/rest/v1/messages?conversation_id=eq.${conversationId}&content=like.xxx*&select=content`, { token: a1.token });
  assertAnswer(read, { status: 400, code: 'AB400' }, 'reading it back');
  const within = await request('GET', `/rest/v1/messages?conversation_id=eq.${conversationId}&select=id&limit=5`, { token: a1.token });
  assert.equal(within.status, 200, 'a small answer from the same rows is fine');
});

test('limits: a write asking for a too-large representation is rolled back', async () => {
  const big = 'y'.repeat(maxResponseBytes + 1024);
  const tables = ['messages', 'conversations'];
  const before = await databaseFingerprint(tables);
  const insert = await request('POST', '/rest/v1/messages', {
    token: a1.token, headers: { prefer: 'return=representation' },
    body: { tenant_id: a1.tenantId, conversation_id: conversationId, role: 'user', content: big },
  });
  assertAnswer(insert, { status: 400, code: 'AB400' }, 'insert with representation');
  assert.equal(await databaseFingerprint(tables), before, 'the insert was rolled back');

  const update = await request('PATCH', `/rest/v1/conversations?id=eq.${conversationId}`, {
    token: a1.token, headers: { prefer: 'return=representation' },
    body: { metadata: { blob: big } },
  });
  assertAnswer(update, { status: 400, code: 'AB400' }, 'update with representation');
  assert.equal(await databaseFingerprint(tables), before, 'the update was rolled back');
});

test('limits: max-rows caps the top level and every embedded array', async () => {
  const top = await request('GET', `/rest/v1/messages?conversation_id=eq.${conversationId}&select=id`, {
    token: a1.token, headers: { prefer: 'count=exact' },
  });
  assert.ok([200, 206].includes(top.status), top.text.slice(0, 200));
  assert.equal(top.json.length, maxRows);
  const total = Number(psql(`SELECT count(*) FROM public.messages WHERE conversation_id = '${conversationId}'`));
  assert.equal(top.headers.get('content-range'), `0-${maxRows - 1}/${total}`);
  const embedded = await request('GET', `/rest/v1/conversations?id=eq.${conversationId}&select=id,messages(id)`, { token: a1.token });
  assert.equal(embedded.status, 200, embedded.text.slice(0, 200));
  assert.equal(embedded.json[0].messages.length, maxRows, 'the embedded array is capped too');
  const asked = await request('GET', `/rest/v1/conversations?id=eq.${conversationId}&select=id,messages(id)&messages.limit=100000`, { token: a1.token });
  assert.equal(asked.json[0].messages.length, maxRows, 'a larger limit does not lift the cap');
});

// A password grant from a chosen local address.
const passwordGrant = (from, credentials) =>
  requestFrom(from, 'POST', '/auth/v1/token?grant_type=password', { body: credentials });

test('limits: password grant per account: the 11th failure within the window is 429 with Retry-After, even with the right password', async () => {
  const victim = { email: 'victim@tenant-a.test', password: 'password-victim' };
  // From an address of its own, so that the per-address limit stays out of it.
  const from = '127.0.0.4';
  for (let attempt = 1; attempt <= 10; attempt += 1) {
    const failed = await passwordGrant(from, { ...victim, password: `wrong-${attempt}` });
    assert.equal(failed.status, 400, `attempt ${attempt}: ${failed.text}`);
  }
  const limited = await passwordGrant(from, { ...victim, password: 'wrong-11' });
  assert.equal(limited.status, 429, limited.text);
  assert.equal(limited.json.error_code ?? limited.json.code, 'over_request_rate_limit');
  assert.match(limited.headers['retry-after'] ?? '', /^[1-9][0-9]*$/);
  const right = await passwordGrant('127.0.0.5', victim);
  assert.equal(right.status, 429, 'the right password is refused alike: a refusal tells nothing');
  assert.equal(right.json.access_token, undefined);
});

test('limits: password grant per address: the 31st attempt from one address is 429; other addresses are served', async () => {
  const from = '127.0.0.3';
  for (let attempt = 1; attempt <= 30; attempt += 1) {
    const answer = await passwordGrant(from, { email: `nobody-${attempt}@nowhere.test`, password: 'whatever' });
    assert.equal(answer.status, 400, `attempt ${attempt}: ${answer.text}`);
  }
  const limited = await passwordGrant(from, { email: 'a2@tenant-a.test', password: 'password-a2' });
  assert.equal(limited.status, 429, limited.text);
  assert.equal(limited.json.error_code ?? limited.json.code, 'over_request_rate_limit');
  assert.match(limited.headers['retry-after'] ?? '', /^[1-9][0-9]*$/);
  const elsewhere = await passwordGrant('127.0.0.6', { email: 'a2@tenant-a.test', password: 'password-a2' });
  assert.equal(elsewhere.status, 200, elsewhere.text);
});

test('limits: a body over --body-limit is 413 and changes nothing', async () => {
  const before = await databaseFingerprint(['messages']);
  const answer = await request('POST', '/rest/v1/messages', {
    token: a1.token,
    body: { tenant_id: a1.tenantId, conversation_id: conversationId, role: 'user', content: 'z'.repeat(1024 * 1024 + 10) },
  });
  assertAnswer(answer, { status: 413, code: 'AB413' }, 'a body over the limit');
  assert.equal(await databaseFingerprint(['messages']), before);
});
