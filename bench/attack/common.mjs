// Helpers of the long attack cases (bench/attack/run.sh exports the server's
// address, keys, users and the database's connection string).
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

export const baseUrl = process.env.AGENTBASE_URL;
export const anonKey = process.env.AGENTBASE_ANON_KEY;
export const serverPort = Number(new URL(baseUrl).port);

export function psql(sql) {
  return execFileSync('psql', ['-XAtq', process.env.AGENTBASE_PSQL, '-c', sql], { encoding: 'utf8' }).trim();
}

export async function signIn(name) {
  const [email, password] = process.env[`AGENTBASE_USER_${name}`].split(':');
  const answer = await fetch(`${baseUrl}/auth/v1/token?grant_type=password`, {
    method: 'POST', headers: { apikey: anonKey, 'content-type': 'application/json' }, body: JSON.stringify({ email, password }),
  });
  if (answer.status !== 200) throw new Error(`sign-in of ${name}: ${answer.status} ${await answer.text()}`);
  const json = await answer.json();
  return { token: json.access_token, tenantId: json.user.app_metadata.tenant_id, userId: json.user.id };
}

function statusField(pid, field) {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith(`${field}:`));
  return line ? Number(line.split(/\s+/)[1]) : 0;
}

// The private (anonymous) memory of the API's database backends, in KiB:
// where prepared statements, their plans and the catalog caches live.
export function apiBackendMemory() {
  const pids = psql("SELECT pid FROM pg_stat_activity WHERE usename = 'authenticator'").split('\n').filter(Boolean);
  let total = 0;
  for (const pid of pids) {
    try { total += statusField(pid, 'RssAnon'); } catch { /* gone meanwhile */ }
  }
  return { backends: pids.length, rssAnonKiB: total };
}

export function serverMemoryKiB() {
  return statusField(process.env.AGENTBASE_SERVER_PID, 'VmRSS');
}

export function percentile(values, p) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}
