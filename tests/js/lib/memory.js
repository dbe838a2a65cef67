// Helpers of the user-memory suites (memory.test.js, memory_index.test.js):
// clients, embeddings, the brute-force cosine, and RPCs that must succeed or
// fail. tests/js/run.sh exports the server's URL, keys and users.
import assert from 'node:assert/strict';
import { createClient } from '@supabase/supabase-js';
import WebSocket from 'ws';

export const url = process.env.AGENTBASE_URL;
export const anonKey = process.env.AGENTBASE_ANON_KEY;
export const serviceKey = process.env.AGENTBASE_SERVICE_KEY;
export const dimensions = 1536;

// A supabase-js client of `base` with `key`; with `token`, requests carry
// that access token instead of the key (a user without a sign-in).
export function client(key = anonKey, { base = url, token } = {}) {
  return createClient(base, key, {
    realtime: { transport: WebSocket },
    auth: { persistSession: false, autoRefreshToken: false },
    ...(token ? { global: { headers: { Authorization: `Bearer ${token}` } } } : {}),
  });
}

// One of run.sh's users (A1, A2, B1), signed in with the password.
export async function signedIn(name) {
  const [email, password] = process.env[`AGENTBASE_USER_${name}`].split(':');
  const supabase = client();
  const { data, error } = await supabase.auth.signInWithPassword({ email, password });
  assert.equal(error, null, `sign-in of ${name}`);
  return { supabase, user: data.user, tenant: data.user.app_metadata.tenant_id };
}

// A pseudo-random embedding per seed (mulberry32), components in [-1, 1):
// two seeds are all but orthogonal. Components are float32 values, as the
// database keeps them (real), so that they travel exactly: a double halfway
// between two float32 values would be rounded one way by Math.fround and the
// other by PostgreSQL reading its shortest decimal.
export function vec(seed, length = dimensions) {
  let state = seed >>> 0;
  return Array.from({ length }, () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return Math.fround(((t ^ (t >>> 14)) >>> 0) / 2 ** 31 - 1);
  });
}
// (1 - t) * a + t * b: the larger t, the further from a.
export const blend = (a, b, t) => a.map((x, i) => Math.fround((1 - t) * x + t * b[i]));
// The cosine in double precision, by brute force.
export function cosine(a, b) {
  let dot = 0, na = 0, nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i] * b[i]; na += a[i] * a[i]; nb += b[i] * b[i];
  }
  return dot / (Math.sqrt(na) * Math.sqrt(nb));
}

// One RPC that must succeed: its data.
export async function ok(who, fn, args = {}) {
  const { data, error } = await who.supabase.rpc(fn, args);
  assert.equal(error, null, `${fn}(${JSON.stringify(Object.keys(args))}): ${error?.message}`);
  return data;
}
// One RPC that must fail with `code`: the PostgREST error object.
export async function refused(who, fn, args, code, what) {
  const { data, error, status } = await who.supabase.rpc(fn, args);
  assert.equal(data, null, what);
  assert.ok(error, `${what}: an error`);
  assert.equal(error.code, code, `${what}: ${error.message}`);
  assert.equal(typeof error.message, 'string');
  assert.ok('details' in error && 'hint' in error, `${what}: a PostgREST error object`);
  assert.ok(status >= 400, `${what}: HTTP ${status}`);
  return { error, status };
}
