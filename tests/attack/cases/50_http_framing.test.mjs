// HTTP framing over raw TCP: ambiguous body framing (request smuggling),
// HEAD, header bytes, slow and idle clients, the per-address connection cap.
// run.sh starts the server with --header-timeout-ms 1500, --idle-timeout-ms
// 3000 and --max-connections-per-address 16.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { anonKey, parseRawResponse, rawExchange, request, requestFrom, serverPort, statusLines } from '../lib.mjs';

// A second, complete request hidden in the first one's body: a server (or a
// proxy in front) that reads the framing differently would answer it.
const smuggled = 'GET /auth/v1/health HTTP/1.1\r\nHost: x\r\n\r\n';

function withTransferEncoding(encoding, extraHeaders = '') {
  const body = `0\r\n\r\n${smuggled}`;
  return `POST /rest/v1/rpc/match_user_memory HTTP/1.1\r\nHost: x\r\napikey: ${anonKey}\r\n`
    + `Content-Type: application/json\r\nTransfer-Encoding: ${encoding}\r\n${extraHeaders}\r\n${body}`;
}

const framingCases = [
  { name: 'Transfer-Encoding: identity', raw: () => withTransferEncoding('identity'), status: 400 },
  { name: 'Transfer-Encoding: gzip', raw: () => withTransferEncoding('gzip'), status: 400 },
  { name: 'Transfer-Encoding: chunked, identity', raw: () => withTransferEncoding('chunked, identity'), status: 400 },
  { name: 'Transfer-Encoding: xchunked', raw: () => withTransferEncoding('xchunked'), status: 400 },
  { name: 'Transfer-Encoding: chunked, chunked', raw: () => withTransferEncoding('chunked, chunked'), status: 400 },
  { name: 'Transfer-Encoding: gzip, chunked', raw: () => withTransferEncoding('gzip, chunked'), status: 501 },
  {
    name: 'Transfer-Encoding: chunked with Content-Length', raw: () => withTransferEncoding('chunked', 'Content-Length: 5\r\n'),
    status: 400,
  },
  {
    name: 'Content-Length twice (same value)', status: 400,
    raw: () => `POST /rest/v1/rpc/match_user_memory HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n`
      + `Content-Length: 2\r\nContent-Length: 2\r\n\r\n{}${smuggled}`,
  },
  {
    name: 'Transfer-Encoding in HTTP/1.0', status: 400,
    raw: () => withTransferEncoding('chunked').replace('HTTP/1.1', 'HTTP/1.0'),
  },
];
for (const c of framingCases) {
  test(`framing: ${c.name} → ${c.status}, connection closed, smuggled request never answered`, async () => {
    const { text, closedByServer } = await rawExchange([c.raw()], { waitMs: 2000 });
    assert.deepEqual(statusLines(text), [c.status], text.slice(0, 300));
    assert.ok(closedByServer, 'the server closes the connection');
    const { json, text: body } = parseRawResponse(text);
    assert.notEqual(json, undefined, `a JSON body: ${body}`);
  });
}

test('framing: a well-framed chunked request is answered (control case)', async () => {
  const body = '{"query_embedding":[1]}';
  const raw = `POST /rest/v1/tools?select=id&limit=0 HTTP/1.1\r\nHost: x\r\napikey: ${anonKey}\r\n`
    + 'Content-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n'
    + `${body.length.toString(16)}\r\n${body}\r\n0\r\n\r\n`;
  const { text } = await rawExchange([raw]);
  // The body is not a tools row: PGRST204 names its member, so the decoded
  // body reached the planner.
  assert.deepEqual(statusLines(text), [400], text.slice(0, 300));
  assert.equal(parseRawResponse(text).json?.code, 'PGRST204', text.slice(0, 600));
});

test('framing: HEAD tells GET\'s Content-Length', async () => {
  const path = '/rest/v1/tools?select=id,name,slug&order=slug';
  const get = await request('GET', path);
  const head = await request('HEAD', path);
  assert.equal(get.status, 200);
  assert.equal(head.status, 200);
  assert.equal(head.text, '');
  assert.equal(head.headers.get('content-length'), String(Buffer.byteLength(get.text)));
});

test('framing: a header value with a non-UTF-8 byte does not break the request', async () => {
  const raw = Buffer.concat([
    Buffer.from(`GET /rest/v1/tools?select=id&limit=1 HTTP/1.1\r\nHost: x\r\napikey: ${anonKey}\r\nX-Note: caf`),
    Buffer.from([0xe9, 0xff]),
    Buffer.from('\r\nConnection: close\r\n\r\n'),
  ]);
  const { text } = await rawExchange([raw]);
  assert.deepEqual(statusLines(text), [200], text.slice(0, 300));
});

test('framing: a NUL in a header value is 400', async () => {
  const raw = `GET /rest/v1/tools?select=id HTTP/1.1\r\nHost: x\r\nX-Note: a\u0000b\r\nConnection: close\r\n\r\n`;
  const { text } = await rawExchange([raw]);
  assert.deepEqual(statusLines(text), [400], text.slice(0, 300));
  assert.equal(parseRawResponse(text).json?.code, 'AB400', text.slice(0, 600));
});

test('framing: an idle kept-alive connection is closed after the idle timeout', async () => {
  const started = Date.now();
  const raw = `GET /auth/v1/health HTTP/1.1\r\nHost: x\r\n\r\n`;
  const { text, closedByServer } = await rawExchange([raw], { waitMs: 6000 });
  assert.deepEqual(statusLines(text), [200]);
  assert.ok(closedByServer, 'closed by the server');
  const elapsed = Date.now() - started;
  assert.ok(elapsed >= 2500 && elapsed < 5500, `closed after ${elapsed} ms (idle timeout 3000)`);
});

test('framing: a half-sent request is dropped after the header timeout', async () => {
  const started = Date.now();
  // The request line and one header, then a header byte every 400 ms (a slowloris).
  const trickle = ['GET /auth/v1/health HTTP/1.1\r\nHost: x\r\n'];
  for (let i = 0; i < 12; i += 1) trickle.push(400, 'X');
  const { text, closedByServer } = await rawExchange(trickle, { waitMs: 6000 });
  const elapsed = Date.now() - started;
  assert.ok(closedByServer, 'closed by the server');
  assert.ok(elapsed < 4000, `closed after ${elapsed} ms (header timeout 1500)`);
  assert.ok(!statusLines(text).includes(200), 'never answered as complete');
});

test('framing: the per-address connection cap leaves other addresses served', async () => {
  const crowded = '127.0.0.7';
  const sockets = [];
  const closed = new Set();
  try {
    // 16 connections (the cap) that each finished a request and now wait.
    for (let i = 0; i < 16; i += 1) {
      const socket = net.connect({ host: '127.0.0.1', port: serverPort, localAddress: crowded });
      await new Promise((resolve, reject) => {
        socket.once('data', resolve);
        socket.once('error', reject);
        socket.write('GET /auth/v1/health HTTP/1.1\r\nHost: x\r\n\r\n');
      });
      socket.on('close', () => closed.add(i));
      socket.on('error', () => {});
      sockets.push(socket);
    }
    // A 17th from the same address is served: the longest-idle one gives way.
    const extra = await requestFrom(crowded, 'GET', '/auth/v1/health');
    assert.equal(extra.status, 200);
    await new Promise((r) => setTimeout(r, 200));
    assert.ok(closed.size >= 1, 'an idle connection of that address was closed to make room');
    // Another address is unaffected.
    const other = await requestFrom('127.0.0.2', 'GET', '/rest/v1/tools?select=id&limit=1');
    assert.equal(other.status, 200);
  } finally {
    for (const socket of sockets) socket.destroy();
  }
});
