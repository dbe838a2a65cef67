// The agentbase binary and data directory of tests/js/run.sh's server, for
// suites that need more than its API: users made by `agentbase users add`
// with tokens from `agentbase token` (no sign-in, so no sign-in limit), SQL
// as the database's owner through psql, and more `agentbase serve`
// processes on the same database.
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { promisify } from 'node:util';

const run = promisify(execFile);
export const bin = process.env.AGENTBASE_BIN;
export const dataDir = process.env.AGENTBASE_DATA_DIR;
const psqlConninfo = process.env.AGENTBASE_PSQL;

// A user of `tenant` (a slug; created when missing): { id, email, token, tenant }.
export async function addUser(email, tenant, role = 'member') {
  const added = await run(bin, ['users', 'add', '--data-dir', dataDir, '--email', email, '--password',
    'password-memidx', '--tenant', tenant, '--role', role]);
  const id = added.stdout.trim().split('\n').pop().trim();
  const token = await userToken(email);
  const claims = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString());
  assert.equal(claims.sub, id);
  return { id, email, token, tenant: claims.app_metadata.tenant_id };
}

export async function userToken(email) {
  const { stdout } = await run(bin, ['token', '--data-dir', dataDir, '--user', email]);
  return stdout.trim();
}

// Runs `sql` as the database's owner (a superuser: no row level security);
// the rows as arrays of text, fields split on tabs.
export async function psql(sql) {
  const args = ['-X', '-q', '-A', '-t', '-F', '\t', '-v', 'ON_ERROR_STOP=1', '-c', sql, psqlConninfo];
  const { stdout } = await run('psql', args, { maxBuffer: 64 << 20 });
  return stdout.split('\n').filter((line) => line !== '').map((line) => line.split('\t'));
}
// A real[] literal of float32 numbers (JavaScript's shortest decimals).
export const realArray = (vector) => `'{${vector.join(',')}}'::real[]`;
export const quote = (text) => `'${String(text).replaceAll("'", "''")}'`;

async function freePort() {
  const server = createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

// Another `agentbase serve` on the running server's database (never pushing
// the schema, seeding or purging), on `port` or a free one:
// { url, port, log(), stop() }. stop() sends SIGTERM and checks a clean exit.
export async function startServer(options = [], { port } = {}) {
  port ??= await freePort();
  // No housekeeping unless a test asks for it (the option may be given once).
  const housekeeping = options.includes('--memory-purge-interval-s') ? [] : ['--memory-purge-interval-s', '0'];
  const child = spawn(bin, ['serve', '--data-dir', dataDir, '--port', String(port), '--no-push', '--no-demo',
    ...housekeeping, ...options], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk) => { output += chunk; });
  child.stderr.on('data', (chunk) => { output += chunk; });
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  let gone = false;
  exited.then(() => { gone = true; });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    assert.ok(!gone && i < 300, `agentbase serve ${options.join(' ')} did not come up:\n${output}`);
    try {
      await fetch(`${url}/rest/v1/`);
      break;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  return {
    url,
    port,
    log: () => output,
    async stop() {
      if (!gone) child.kill('SIGTERM');
      const { code, signal } = await exited;
      assert.equal(code, 0, `agentbase serve ${options.join(' ')} exited with ${code ?? signal}:\n${output.slice(-3000)}`);
    },
  };
}
