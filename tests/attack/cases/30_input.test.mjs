// Hostile input: NUL bytes and invalid UTF-8 where libpq or PostgreSQL would
// cut or refuse them. Each must be a 4xx with a JSON body, and change nothing.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { assertAnswer, databaseFingerprint, parseRawResponse, rawExchange, request, signIn } from '../lib.mjs';
import { axis } from './fixtures.mjs';

let a1;
let conversationId;
before(async () => {
  a1 = await signIn('A1');
  const made = await request('POST', '/rest/v1/conversations', {
    token: a1.token, headers: { prefer: 'return=representation' },
    body: { tenant_id: a1.tenantId, user_id: a1.user.id, title: 'input target' },
  });
  assert.equal(made.status, 201, made.text);
  conversationId = made.json[0].id;
});

const refusedNul = { status: 400, code: '22021' };
// JSON's \u0000 escape holds no NUL byte on the wire; PostgreSQL refuses it
// when converting to text: 22P05 (as PostgREST answers).
const refusedEscapedNul = { status: 400, code: '22P05' };
const authRefused = { status: 400 };

// who: 'a1' (the tenant's owner: a refusal is then the input's fault, not RLS).
const inputCases = [
  { name: 'NUL in a filter value', method: 'GET', path: () => '/rest/v1/conversations?title=eq.a%00b', expected: refusedNul },
  { name: 'NUL in an in.() list', method: 'GET', path: () => '/rest/v1/conversations?title=in.(x,a%00b)', expected: refusedNul },
  { name: 'NUL in an or= value', method: 'GET', path: () => '/rest/v1/conversations?or=(title.eq.a%00b,title.eq.c)', expected: refusedNul },
  {
    name: 'NUL (\\u0000) in a JSON body string', method: 'POST', path: () => '/rest/v1/conversations',
    body: () => ({ tenant_id: a1.tenantId, user_id: a1.user.id, title: 'a\u0000b' }), expected: refusedEscapedNul,
  },
  {
    name: 'NUL (\\u0000) in a PATCH body', method: 'PATCH', path: () => `/rest/v1/conversations?id=eq.${conversationId}`,
    body: () => ({ title: 'a\u0000b' }), expected: refusedEscapedNul,
  },
  {
    name: 'NUL (\\u0000) in a jsonb member', method: 'POST', path: () => '/rest/v1/conversations',
    body: () => ({ tenant_id: a1.tenantId, user_id: a1.user.id, title: 't', metadata: { 'k\u0000': 'v' } }), expected: refusedEscapedNul,
  },
  {
    // A raw control character inside a JSON string is not JSON (RFC 8259).
    name: 'a raw NUL byte in a JSON body', method: 'POST', path: () => '/rest/v1/conversations',
    rawBody: () => Buffer.concat([
      Buffer.from(`{"tenant_id":"${a1.tenantId}","user_id":"${a1.user.id}","title":"a`), Buffer.from([0]), Buffer.from('b"}'),
    ]),
    expected: { status: 400, code: 'PGRST102' },
  },
  {
    name: 'NUL in an rpc argument', method: 'POST', path: () => '/rest/v1/rpc/match_user_memory',
    body: () => ({ query_embedding: axis(1), memory_types: ['fact\u0000'] }), expected: refusedNul,
  },
  // Chat RPCs (60_chat.sql): hostile arguments are a 400 with the reason.
  {
    name: 'NUL in a message appended through rpc', method: 'POST', path: () => '/rest/v1/rpc/append_message',
    body: () => ({ conversation_id: conversationId, content: 'a\u0000b' }), expected: refusedNul,
  },
  {
    name: 'a page size far beyond the bound', method: 'POST', path: () => '/rest/v1/rpc/list_conversations',
    body: () => ({ page_size: 2147483647 }), expected: { status: 400, code: '22023' },
  },
  {
    name: 'a page size that is not an integer', method: 'POST', path: () => '/rest/v1/rpc/list_messages',
    body: () => ({ conversation_id: conversationId, page_size: 1e30 }), expected: { status: 400 },
  },
  {
    name: 'a forged cursor (SQL in it)', method: 'POST', path: () => '/rest/v1/rpc/list_messages',
    body: () => ({ conversation_id: conversationId, before: "1_00000000-0000-0000-0000-000000000000' OR 1=1 --" }),
    expected: { status: 400, code: '22023' },
  },
  {
    name: 'a cursor with an out-of-range time', method: 'POST', path: () => '/rest/v1/rpc/list_conversations',
    body: () => ({ after: '9223372036854775807_00000000-0000-0000-0000-000000000000' }), expected: { status: 400, code: '22023' },
  },
  {
    name: 'a search cursor with a NaN rank', method: 'POST', path: () => '/rest/v1/rpc/search_messages',
    body: () => ({ query: 'x', after: 'NaN_1_00000000-0000-0000-0000-000000000000' }), expected: { status: 400, code: '22023' },
  },
  {
    name: 'a search query of tsquery operators only', method: 'POST', path: () => '/rest/v1/rpc/search_messages',
    body: () => ({ query: '!(&|:*)<->' }), expected: { status: 200, body: [] },
  },
  {
    // As deep as the server's JSON reader admits; deeper is PGRST102 before the database.
    name: 'a nested tool_calls value from a user', method: 'POST', path: () => '/rest/v1/rpc/append_message',
    body: () => ({ conversation_id: conversationId, content: 'x', tool_calls: JSON.parse('['.repeat(20) + ']'.repeat(20)) }),
    expected: { status: 400, code: '22023' },
  },
  {
    name: 'tool_calls nested past the JSON reader\'s depth', method: 'POST', path: () => '/rest/v1/rpc/append_message',
    body: () => ({ conversation_id: conversationId, content: 'x', tool_calls: JSON.parse('['.repeat(500) + ']'.repeat(500)) }),
    expected: { status: 400, code: 'PGRST102' },
  },
  { name: 'invalid UTF-8 in a filter value', method: 'GET', path: () => '/rest/v1/conversations?title=eq.%FF%FE', expected: refusedNul },
  { name: 'an overlong UTF-8 NUL (C0 80) in a filter value', method: 'GET', path: () => '/rest/v1/conversations?title=eq.%C0%80', expected: refusedNul },
  { name: 'invalid UTF-8 in the table name', method: 'GET', path: () => '/rest/v1/conversations%FF', expected: { status: 404, code: 'PGRST205' } },
  { name: 'invalid UTF-8 in a column name', method: 'GET', path: () => '/rest/v1/conversations?select=%FF', expected: { status: 400, code: 'PGRST100' } },
  { name: 'invalid UTF-8 in the rpc name', method: 'POST', path: () => '/rest/v1/rpc/match%FF', body: () => ({}), expected: { status: 404, code: 'PGRST202' } },
  {
    name: 'invalid UTF-8 raw in a JSON body', method: 'POST', path: () => '/rest/v1/conversations',
    rawBody: () => Buffer.concat([
      Buffer.from(`{"tenant_id":"${a1.tenantId}","user_id":"${a1.user.id}","title":"a`), Buffer.from([0xff, 0xfe]), Buffer.from('"}'),
    ]),
    expected: { status: 400, code: 'PGRST102' },
  },
  {
    name: 'NUL in the password of the password grant', method: 'POST', path: () => '/auth/v1/token?grant_type=password',
    anonymous: true, body: () => ({ email: 'a1@tenant-a.test', password: 'password-a1\u0000anything' }), expected: authRefused,
    errorCode: 'validation_failed',
  },
  {
    name: 'NUL in the e-mail of the password grant', method: 'POST', path: () => '/auth/v1/token?grant_type=password',
    anonymous: true, body: () => ({ email: 'a1@tenant-a.test\u0000', password: 'password-a1' }), expected: authRefused,
    errorCode: 'validation_failed',
  },
  {
    name: 'invalid UTF-8 in the password', method: 'POST', path: () => '/auth/v1/token?grant_type=password', anonymous: true,
    rawBody: () => Buffer.concat([Buffer.from('{"email":"a1@tenant-a.test","password":"pass'), Buffer.from([0xc3, 0x28]), Buffer.from('"}')]),
    expected: authRefused, errorCode: 'validation_failed',
  },
  {
    name: 'NUL in a refresh token', method: 'POST', path: () => '/auth/v1/token?grant_type=refresh_token', anonymous: true,
    body: () => ({ refresh_token: 'abc\u0000def' }), expected: authRefused, errorCode: 'validation_failed',
  },
];

for (const c of inputCases) {
  test(`input: ${c.name} → ${c.expected.status}${c.expected.code ? ` ${c.expected.code}` : ''}`, async () => {
    const tables = ['conversations', 'auth.users'];
    const before = await databaseFingerprint(tables);
    const answer = await request(c.method, c.path(), {
      token: c.anonymous ? undefined : a1.token, body: c.body?.(), rawBody: c.rawBody?.(),
      headers: c.rawBody ? { 'content-type': 'application/json' } : {},
    });
    assertAnswer(answer, c.expected, c.name);
    assert.ok(answer.text.length > 0 && answer.json !== undefined, `${c.name}: a JSON error body`);
    if (c.errorCode) assert.equal(answer.json.error_code ?? answer.json.code, c.errorCode, c.name);
    assert.equal(await databaseFingerprint(tables), before, `${c.name}: the database changed`);
  });
}

test('input: the right password still signs in after the NUL attempts', async () => {
  const answer = await request('POST', '/auth/v1/token?grant_type=password', {
    body: { email: 'a1@tenant-a.test', password: 'password-a1' },
  });
  assert.equal(answer.status, 200);
});

test('input: a raw invalid UTF-8 byte in the request target is 400 22021', async () => {
  const target = Buffer.concat([Buffer.from('GET /rest/v1/tools?select=id&name=eq.'), Buffer.from([0xff]), Buffer.from(' HTTP/1.1\r\n')]);
  const { text } = await rawExchange([target, 'Host: x\r\nConnection: close\r\n\r\n']);
  assertAnswer(parseRawResponse(text), refusedNul, 'raw 0xFF');
});
