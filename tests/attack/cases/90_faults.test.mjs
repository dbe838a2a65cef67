// Faults: the embedded PostgreSQL killed under the server (pg_ctl stop -m
// immediate, as the postgres user when root). The API must answer 503 with
// Retry-After and without connection details (socket paths, ports, libpq's
// words), and be back within 10 s once the embedded supervision restarts the
// database. Runs last: it takes the database away.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { request, serviceKey } from '../lib.mjs';

const dataDir = process.env.AGENTBASE_DATA_DIR;
const pgBin = process.env.AGENTBASE_PG_BIN;
const asPostgres = process.getuid() === 0 ? ['runuser', '-u', 'postgres', '--'] : [];

function pgCtl(...args) {
  const [command, ...rest] = [...asPostgres, path.join(pgBin, 'pg_ctl'), ...args];
  return execFileSync(command, rest, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

function databaseRunning() {
  try {
    pgCtl('status', '-D', path.join(dataDir, 'pgdata'));
    return true;
  } catch {
    return false;
  }
}

// Whatever the outcome, leave a running database behind so that the server
// stops cleanly: any agentbase command on the data directory starts it.
after(() => {
  if (!databaseRunning()) {
    execFileSync(process.env.AGENTBASE_BIN, ['db', 'status', '--data-dir', dataDir], { stdio: 'ignore' });
  }
});

const connectionDetails = [/\/tmp\//, /\.s\.PGSQL/, /5432/, /socket/i, /host=/, /connection to server/i, /pgdata/, dataDir];

function assertUnavailable(answer, context) {
  assert.equal(answer.status, 503, `${context}: ${answer.status} ${answer.text}`);
  assert.match(answer.headers.get('retry-after') ?? '', /^[1-9][0-9]*$/, `${context}: Retry-After`);
  assert.notEqual(answer.json, undefined, `${context}: a JSON body`);
  for (const detail of connectionDetails) {
    assert.ok(!(detail instanceof RegExp ? detail.test(answer.text) : answer.text.includes(detail)),
      `${context}: the body tells ${detail}: ${answer.text}`);
  }
}

let stoppedAt;
test('faults: database killed → 503 with Retry-After and no connection details', async () => {
  const before = await request('GET', '/rest/v1/tools?select=id&limit=1', { token: serviceKey });
  assert.equal(before.status, 200);
  pgCtl('stop', '-m', 'immediate', '-D', path.join(dataDir, 'pgdata'));
  stoppedAt = Date.now();
  const rest = await request('GET', '/rest/v1/tools?select=id&limit=1', { token: serviceKey });
  assertUnavailable(rest, 'GET /rest/v1/tools');
  const write = await request('POST', '/rest/v1/tools', { token: serviceKey, body: { name: 'x', slug: 'x-fault' } });
  assertUnavailable(write, 'POST /rest/v1/tools');
  const signIn = await request('POST', '/auth/v1/token?grant_type=password', {
    body: { email: 'a1@tenant-a.test', password: 'password-a1' },
  });
  assertUnavailable(signIn, 'password grant');
  const ready = await request('GET', '/ready', { apikey: null });
  assertUnavailable(ready, 'GET /ready');
});

test('faults: the server is back within 10 s of the database being killed', async () => {
  let answer;
  while (Date.now() - stoppedAt < 10_000) {
    answer = await request('GET', '/rest/v1/tools?select=id&limit=1', { token: serviceKey });
    if (answer.status === 200) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  assert.equal(answer.status, 200, `still ${answer.status} after 10 s: ${answer.text}`);
});
