// The operations endpoints as an attack surface: what a client sends must
// not become a metrics series (unbounded memory, a label carrying tenant
// data) nor reach PostgreSQL's application_name unchecked.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { request, serviceKey } from '../lib.mjs';

const requestIdShape = /^[A-Za-z0-9._-]{1,64}$/;

test('operations: /ready answers 200 while the database does', async () => {
  const answer = await request('GET', '/ready', { apikey: null });
  assert.equal(answer.status, 200, answer.text);
});

test('operations: a well-formed X-Request-Id is sent back as given', async () => {
  const answer = await request('GET', '/rest/v1/tools?select=id&limit=1', { headers: { 'x-request-id': 'attack.case-1_ok' } });
  assert.equal(answer.status, 200);
  assert.equal(answer.headers.get('x-request-id'), 'attack.case-1_ok');
});

for (const [name, id] of [
  ['65 characters', 'a'.repeat(65)],
  ['a quote and a semicolon (application_name injection)', "x'; SELECT pg_sleep(5); --"],
  ['a space', 'two words'],
  ['a slash', '../../etc/passwd'],
  ['percent-encoded bytes', '%00%0d%0a'],
]) {
  test(`operations: an X-Request-Id with ${name} is replaced by a new one`, async () => {
    const started = Date.now();
    const answer = await request('GET', '/rest/v1/tools?select=id&limit=1', { headers: { 'x-request-id': id } });
    assert.equal(answer.status, 200, answer.text);
    const given = answer.headers.get('x-request-id');
    assert.notEqual(given, id);
    assert.match(given ?? '', requestIdShape);
    assert.ok(Date.now() - started < 3000, 'nothing of it ran in the database');
  });
}

test('operations: /metrics holds no path, table or value a client sent', async () => {
  const probe = `zz${randomBytes(6).toString('hex')}`;
  await request('GET', `/rest/v1/${probe}`);
  await request('GET', `/rest/v1/rpc/${probe}`, { token: serviceKey });
  await request('GET', `/${probe}`);
  await request('GET', `/rest/v1/tools?select=id&name=eq.${probe}`);
  await request('GET', '/rest/v1/tools?select=id&limit=1', { headers: { 'x-request-id': probe } });
  const metrics = await request('GET', '/metrics', { apikey: null });
  assert.equal(metrics.status, 200);
  assert.match(metrics.headers.get('content-type') ?? '', /^text\/plain/);
  assert.match(metrics.text, /agentbase_http_requests_total/);
  assert.ok(!metrics.text.includes(probe), 'a client-chosen string became part of a series');
  assert.ok(!/conversations|user_memory|agent_tools/.test(metrics.text), 'no table names in the labels');
});

test('operations: the number of series does not grow with distinct paths', async () => {
  const series = async () => (await request('GET', '/metrics', { apikey: null })).text.split('\n').filter((l) => l && !l.startsWith('#')).length;
  await request('GET', `/rest/v1/warmup${randomBytes(4).toString('hex')}`);
  await request('GET', `/elsewhere${randomBytes(4).toString('hex')}`);
  const before = await series();
  for (let i = 0; i < 50; i += 1) {
    await request('GET', `/rest/v1/t${randomBytes(6).toString('hex')}`);
    await request('GET', `/x${randomBytes(6).toString('hex')}`);
  }
  assert.equal(await series(), before);
});
