// Shared helpers of the attack suite: HTTP requests with exact answers,
// raw TCP for framing cases, forged JWTs, and a fingerprint of the database
// taken with psql (as the database owner, outside row level security) to
// prove that a refused request changed nothing.
//
// tests/attack/run.sh starts the server and exports:
//   AGENTBASE_URL, AGENTBASE_ANON_KEY, AGENTBASE_SERVICE_KEY, AGENTBASE_JWT_SECRET,
//   AGENTBASE_PSQL (a libpq connection string of the embedded database's owner),
//   AGENTBASE_DATA_DIR, AGENTBASE_PG_BIN, AGENTBASE_MAX_RESPONSE_BYTES, AGENTBASE_MAX_ROWS,
//   and users AGENTBASE_USER_{A1,A2,B1,B2,VICTIM}=email:password
//   (A1 owner of tenant A, A2 member of A, B1 member of B, B2 owner of B).
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { createHmac } from 'node:crypto';
import http from 'node:http';
import net from 'node:net';

export const baseUrl = process.env.AGENTBASE_URL;
export const anonKey = process.env.AGENTBASE_ANON_KEY;
export const serviceKey = process.env.AGENTBASE_SERVICE_KEY;
export const jwtSecret = process.env.AGENTBASE_JWT_SECRET;
export const serverPort = Number(new URL(baseUrl).port);

export function credentials(name) {
  const value = process.env[`AGENTBASE_USER_${name}`];
  const colon = value.indexOf(':');
  return { email: value.slice(0, colon), password: value.slice(colon + 1) };
}

// One request; the answer with its body as text and, when it parses, JSON.
export async function request(method, path, { token, apikey = anonKey, headers = {}, body, rawBody } = {}) {
  // apikey: null sends none (with no token either, the caller is anon).
  const sent = apikey === null ? { ...headers } : { apikey, ...headers };
  if (token) sent.authorization = `Bearer ${token}`;
  let payload;
  if (rawBody !== undefined) payload = rawBody;
  else if (body !== undefined) {
    payload = JSON.stringify(body);
    sent['content-type'] ??= 'application/json';
  }
  const response = await fetch(baseUrl + path, { method, headers: sent, body: payload });
  const text = await response.text();
  let json;
  try { json = text === '' ? undefined : JSON.parse(text); } catch { json = undefined; }
  return { status: response.status, headers: response.headers, text, json };
}

// The same, over a connection from a chosen local address (127.0.0.x), for
// limits that count per client address.
export function requestFrom(localAddress, method, path, { headers = {}, body } = {}) {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = http.request({
      host: '127.0.0.1', port: serverPort, localAddress, method, path, agent: false,
      headers: { apikey: anonKey, ...(payload ? { 'content-type': 'application/json' } : {}), ...headers },
    }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => { text += chunk; });
      res.on('end', () => {
        let json;
        try { json = JSON.parse(text); } catch { json = undefined; }
        resolve({ status: res.statusCode, headers: res.headers, text, json });
      });
    });
    req.on('error', reject);
    if (payload) req.write(payload);
    req.end();
  });
}

// Each sign-in comes from an address of its own (127.0.2.x): the password
// grant allows 30 attempts per client address, and the suite's own
// sign-ins must not use up 127.0.0.1's allowance.
let signInAddress = 0;
export async function signIn(name) {
  signInAddress += 1;
  const answer = await requestFrom(`127.0.2.${signInAddress}`, 'POST', '/auth/v1/token?grant_type=password', {
    body: credentials(name),
  });
  assert.equal(answer.status, 200, `sign-in of ${name}: ${answer.text}`);
  return { token: answer.json.access_token, user: answer.json.user, tenantId: answer.json.user.app_metadata.tenant_id };
}

// --- JWTs -----------------------------------------------------------------

export function base64url(data) {
  return Buffer.from(data).toString('base64url');
}

// A token with any header and claims, signed with HMAC-SHA256 and `secret`
// (or given `signature` verbatim).
export function forgeToken(header, claims, { secret = jwtSecret, signature } = {}) {
  const signingInput = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(claims))}`;
  const mac = signature ?? createHmac('sha256', secret).update(signingInput).digest('base64url');
  return `${signingInput}.${mac}`;
}

export function nowSeconds() {
  return Math.floor(Date.now() / 1000);
}

// --- The database, seen by its owner ------------------------------------------

export function psql(sql) {
  return execFileSync('psql', ['-XAtq', '-v', 'ON_ERROR_STOP=1', process.env.AGENTBASE_PSQL, '-c', sql],
    { encoding: 'utf8' }).trim();
}

// One psql process kept open for the many fingerprints: starting psql for
// each would cost the suite a minute on a busy machine. Queries are answered
// in order; each answer ends at a marker line echoed after it.
const endMarker = '--attack-suite-end-of-answer--';
let session;
function psqlSession() {
  if (session) return session;
  const child = spawn('psql', ['-XAtq', process.env.AGENTBASE_PSQL], { stdio: ['pipe', 'pipe', 'inherit'] });
  // Idle, the session must not keep a case file's process alive; while an
  // answer is awaited it must (the pending promise alone would not).
  child.unref();
  child.stdin.unref();
  child.stdout.unref();
  const waiting = [];
  let buffered = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk) => {
    buffered += chunk;
    let end;
    while ((end = buffered.indexOf(`${endMarker}\n`)) >= 0) {
      const answer = buffered.slice(0, end);
      buffered = buffered.slice(end + endMarker.length + 1);
      waiting.shift()(answer.trim());
    }
    if (waiting.length === 0) child.stdout.unref();
  });
  session = {
    query(sql) {
      return new Promise((resolve) => {
        waiting.push(resolve);
        child.stdout.ref();
        child.stdin.write(`${sql.replace(/;?\s*$/, ';')}\n\\echo ${endMarker}\n`);
      });
    },
  };
  return session;
}

// Every table the API exposes and the record of who created shared rows.
export const exposedTables = ['tenants', 'profiles', 'agents', 'tools', 'departments', 'messages', 'conversations',
  'agent_tools', 'organizational_roles', 'business_functions', 'user_memory', 'agent_business_functions'];
// Tables whose cross-tenant cases live in a case file of their own (their
// keys are not one id column).
export const toolTables = ['tool_schemas', 'tool_calls', 'tool_usage_rollups'];
const everyTable = [...[...exposedTables, ...toolTables].map((t) => `public.${t}`), 'agentbase.org_row_owners', 'auth.users'];

// One line per table: its row count and an md5 of all its rows, so that any
// insert, update or delete shows. `tables` narrows it to the tables a case
// aims at (names without a schema are public's), since each fingerprint is
// a psql run and the quick suite has a time budget.
export async function databaseFingerprint(tables = everyTable) {
  const qualified = tables.map((t) => (t.includes('.') ? t : `public.${t}`));
  const parts = qualified.map((table) =>
    `SELECT '${table}' || ' ' || count(*) || ' ' || md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) FROM ${table} t`);
  return psqlSession().query(parts.join(' UNION ALL ') + ' ORDER BY 1');
}

// --- Asserting one answer -------------------------------------------------------

// Error bodies must be PostgREST's JSON whatever the request held.
export function assertJsonBody(answer, context) {
  if (answer.text === '') return;
  assert.notEqual(answer.json, undefined, `${context}: body is not JSON: ${answer.text.slice(0, 200)}`);
}

export function assertAnswer(answer, expected, context) {
  const detail = `${context}: got ${answer.status} ${answer.text.slice(0, 300)}`;
  assert.equal(answer.status, expected.status, detail);
  assertJsonBody(answer, context);
  if (expected.code !== undefined) assert.equal(answer.json?.code, expected.code, detail);
  if (expected.body !== undefined) assert.deepEqual(answer.json, expected.body, detail);
  if (expected.contentRange !== undefined) {
    assert.equal(answer.headers.get('content-range'), expected.contentRange, detail);
  }
}

// --- Raw TCP --------------------------------------------------------------------

// Sends `chunks` (strings or Buffers; a number means a pause in ms) on one
// connection and collects what comes back until the server closes it or
// `waitMs` passes. Returns the bytes received and whether the server closed.
export function rawExchange(chunks, { waitMs = 1500, localAddress } = {}) {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port: serverPort, localAddress });
    const received = [];
    let closedByServer = false;
    let finished = false;
    const finish = () => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      socket.destroy();
      resolve({ text: Buffer.concat(received).toString('latin1'), closedByServer });
    };
    const timer = setTimeout(finish, waitMs);
    socket.on('data', (data) => received.push(data));
    socket.on('end', () => { closedByServer = true; finish(); });
    socket.on('close', () => { closedByServer = true; finish(); });
    socket.on('error', (error) => {
      if (error.code === 'ECONNRESET') { closedByServer = true; finish(); } else reject(error);
    });
    socket.on('connect', async () => {
      for (const chunk of chunks) {
        if (typeof chunk === 'number') await new Promise((r) => setTimeout(r, chunk));
        else if (!socket.destroyed) socket.write(chunk);
      }
    });
  });
}

// The first response in a raw byte stream, in the shape request() gives
// (its headers are not parsed).
export function parseRawResponse(text) {
  const body = text.slice(text.indexOf('\r\n\r\n') + 4);
  let json;
  try { json = JSON.parse(body); } catch { json = undefined; }
  return { status: Number(text.slice(9, 12)), headers: new Headers(), text: body, json };
}

// The status codes of every response in a raw byte stream, in order.
export function statusLines(text) {
  return [...text.matchAll(/HTTP\/1\.[01] (\d{3})/g)].map((m) => Number(m[1]));
}
