// Helpers for the tests of the pgvector path on PGlite (tests/pglite/run.sh
// starts the server, pushes the schema and exports AGENTBASE_PGLITE_URL).
//
// The PGlite socket server serves one connection at a time and every
// connection shares its one backend, so a test file opens one client
// (connect), keeps it for all its tests, and closes it in after(). Each test
// runs in a transaction it rolls back (inRollback), as the pgTAP tests do:
// fixtures made as the superuser vanish with it, and SET LOCAL ROLE and the
// request's claims (actAs) last until its end.
//
//   connect()                       a pg Client, connected as the superuser
//   inRollback(client, fn)          BEGIN; await fn(client); ROLLBACK (always)
//   inSavepoint(client, fn)         the same within a transaction: fixtures made
//                                   once in it, each test undone after it
//   actAs(client, userId, role)     SET LOCAL ROLE role (authenticated) plus
//                                   request.jwt.claims {sub, role}, as on Supabase
//   actAsAnon(client), actAsSuperuser(client)
//   createTenant(client, name)      a tenant's id
//   createUser(client, tenantId, {role})
//                                   auth.users + public.profiles; the user's id
//   insertMemory(client, fields)    a user_memory row (as the current role); its id
//   rng(seed)                       a seeded PRNG (mulberry32): reproducible vectors
//   randomUnitVector(random, dim), mix(a, b, weight), normalize(v)
//   toVector(v)                     pgvector's text form '[x,y,...]'
//   asStored(v)                     v as pgvector stores it (float4 per component)
//   cosine(a, b)                    brute force, in double precision
//   pgvectorCosine(a, b)            brute force as pgvector computes it: float4
//                                   sums in index order, then a double sqrt
import { randomUUID } from 'node:crypto';
import pg from 'pg';

export const EMBEDDING_DIMENSIONS = 1536;

export async function connect() {
  const url = process.env.AGENTBASE_PGLITE_URL;
  if (!url) throw new Error('AGENTBASE_PGLITE_URL is not set: run these tests through tests/pglite/run.sh');
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  return client;
}

export async function inRollback(client, fn) {
  await client.query('BEGIN');
  try {
    return await fn(client);
  } finally {
    await client.query('ROLLBACK');
  }
}

export async function inSavepoint(client, fn) {
  await client.query('SAVEPOINT agentbase_test');
  try {
    return await fn(client);
  } finally {
    await client.query('ROLLBACK TO SAVEPOINT agentbase_test');
    await client.query('RELEASE SAVEPOINT agentbase_test');
  }
}

export async function actAs(client, userId, role = 'authenticated') {
  await client.query(`SET LOCAL ROLE ${pg.escapeIdentifier(role)}`);
  await client.query("SELECT set_config('request.jwt.claims', $1, true)", [JSON.stringify({ sub: userId, role })]);
}

export async function actAsAnon(client) {
  await client.query('SET LOCAL ROLE anon');
  await client.query("SELECT set_config('request.jwt.claims', $1, true)", [JSON.stringify({ role: 'anon' })]);
}

export async function actAsSuperuser(client) {
  await client.query('RESET ROLE');
  await client.query("SELECT set_config('request.jwt.claims', '', true)");
}

export async function createTenant(client, name) {
  const slug = `${name.toLowerCase().replace(/[^a-z0-9]+/g, '-')}-${randomUUID().slice(0, 8)}`;
  const { rows } = await client.query('INSERT INTO public.tenants (name, slug) VALUES ($1, $2) RETURNING id', [name, slug]);
  return rows[0].id;
}

export async function createUser(client, tenantId, { role = 'member' } = {}) {
  const id = randomUUID();
  await client.query(
    "INSERT INTO auth.users (id, aud, role, email) VALUES ($1, 'authenticated', 'authenticated', $2)",
    [id, `${id}@pglite.test`],
  );
  await client.query('INSERT INTO public.profiles (id, tenant_id, display_name, role) VALUES ($1, $2, $3, $4)',
    [id, tenantId, `user ${id.slice(0, 8)}`, role]);
  return id;
}

export async function insertMemory(client, {
  tenantId, userId, key, value = key, memoryType = 'fact', embedding = null, expiresAt = null, metadata = {},
}) {
  const { rows } = await client.query(
    `INSERT INTO public.user_memory (tenant_id, user_id, key, value, memory_type, embedding, expires_at, metadata)
     VALUES ($1, $2, $3, $4, $5, $6::extensions.vector, $7, $8) RETURNING id`,
    [tenantId, userId, key, value, memoryType, embedding && toVector(embedding), expiresAt, metadata],
  );
  return rows[0].id;
}

export function rng(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function normalize(v) {
  const norm = Math.sqrt(v.reduce((sum, x) => sum + x * x, 0));
  return v.map((x) => x / norm);
}

// Normally distributed components (Box-Muller), so the direction is uniform.
export function randomUnitVector(random, dim = EMBEDDING_DIMENSIONS) {
  const v = Array.from({ length: dim }, () => {
    const u = 1 - random();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
  });
  return normalize(v);
}

// weight * a + (1 - weight) * b, normalised: the larger the weight, the
// nearer to a.
export function mix(a, b, weight) {
  return normalize(a.map((x, i) => weight * x + (1 - weight) * b[i]));
}

// JavaScript prints the shortest text that reads back as the same double;
// pgvector reads it with strtof, i.e. rounds it to the nearest float4, which
// is what asStored gives.
export function toVector(v) {
  return `[${v.join(',')}]`;
}

export function asStored(v) {
  return v.map(Math.fround);
}

export function cosine(a, b) {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i] * b[i];
    na += a[i] * a[i];
    nb += b[i] * b[i];
  }
  return dot / Math.sqrt(na * nb);
}

// pgvector's VectorCosineSimilarity (src/vector.c) sums a*b, a*a and b*b in
// float4, in index order, and divides by sqrt((double) norma * normb);
// cosine_distance clamps to [-1, 1] and returns 1 - that. In double precision
// the same cosine differs from it by up to about 1e-6 at 1536 dimensions.
export function pgvectorCosine(a, b) {
  const f = Math.fround;
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot = f(dot + f(a[i] * b[i]));
    na = f(na + f(a[i] * a[i]));
    nb = f(nb + f(b[i] * b[i]));
  }
  const similarity = dot / Math.sqrt(na * nb);
  return 1 - (1 - Math.min(1, Math.max(-1, similarity)));
}
