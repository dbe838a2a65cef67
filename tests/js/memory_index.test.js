// search_memories through `agentbase serve`'s in-memory index (src/memory),
// proved against the exact answers: a brute-force cosine in JavaScript
// (double precision) and the SQL function public.search_memories, served by
// a second `agentbase serve --no-memory-index` on the same database.
//
//  - equal: the same ids in the same order, similarities to 1e-6, the same rows;
//  - consistent: a search that starts after a write was acknowledged sees it,
//    whichever path wrote (the remember/forget RPCs, the table through REST,
//    SQL as the database's owner), also while writers and searchers race;
//  - isolated: owners, tenants, roles, as row level security has them;
//  - query_text embedded by the server (the offline embedder);
//  - bounded: users dropped from a small index and loaded again, and a
//    restarted server, answer the same.
//
// Users are made for this run (tests/js/lib/agentbase.js) with tokens of
// their own, in tenant-a and tenant-b of run.sh and tenants of this run.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { anonKey, serviceKey, dimensions, client, vec, blend, cosine, ok, refused } from './lib/memory.js';
import { addUser, psql, quote, realArray, startServer } from './lib/agentbase.js';

const stamp = Date.now();
const types = ['preference', 'context', 'fact', 'goal', 'history'];
const past = () => new Date(Date.now() - 60_000).toISOString();
const future = () => new Date(Date.now() + 3_600_000).toISOString();

let sqlServer; // agentbase serve --no-memory-index: search_memories in SQL
let service; // the service key, on both servers

// A user made now in `tenant` (a slug), as a supabase-js client of the
// indexed server (`supabase`) and of the SQL one (`sql.supabase`).
async function newUser(name, tenant = 'tenant-a') {
  const made = await addUser(`${name}-${stamp}@memidx.test`, tenant);
  return {
    ...made,
    name,
    supabase: client(anonKey, { token: made.token }),
    sql: { supabase: client(anonKey, { base: sqlServer.url, token: made.token }) },
  };
}

before(async () => {
  // The reference answers: exact SQL over thousands of 1536-number arrays
  // takes seconds on a busy machine, past serve's default statement timeout.
  sqlServer = await startServer(['--no-memory-index', '--statement-timeout-ms', '60000']);
  assert.match(sqlServer.log(), /memory search: in the database/);
  service = { supabase: client(serviceKey), sql: { supabase: client(serviceKey, { base: sqlServer.url }) } };
});
after(async () => {
  await sqlServer?.stop();
});

// A deterministic random source (mulberry32): failures replay.
function random(seed) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
  next.int = (n) => Math.floor(next() * n);
  next.pick = (list) => list[next.int(list.length)];
  return next;
}

// Expected answers -----------------------------------------------------------

// A user's memories as the test knows them: id -> { id, key, value,
// memory_type, embedding (or null), expires_at (ms, or null) }.
const copy = (memories) => new Map([...memories].map(([id, m]) => [id, { ...m }]));
const visible = (m, now, memoryTypes) => m.embedding !== null && (m.expires_at === null || m.expires_at > now) &&
  (!memoryTypes || memoryTypes.includes(m.memory_type));

// What search_memories must answer, by brute force.
function expected(memories, query, { match_count = 10, min_similarity = null, memory_types = null } = {},
  now = Date.now()) {
  return [...memories.values()]
    .filter((m) => visible(m, now, memory_types))
    .map((m) => ({ ...m, similarity: cosine(m.embedding, query) }))
    .filter((m) => !Number.isNaN(m.similarity) && (min_similarity === null || m.similarity >= min_similarity))
    .sort((a, b) => b.similarity - a.similarity || (a.id < b.id ? -1 : 1))
    .slice(0, match_count);
}

// Why `found` is not `want` (the same memories in the same order, the
// similarities to 1e-6, the same key, value and type), or null.
function difference(found, want) {
  const ids = (rows) => rows.map((m) => `${m.key}:${m.id.slice(0, 8)}`).join(' ');
  if (found.length !== want.length || found.some((m, i) => m.id !== want[i].id)) {
    return `found [${ids(found)}], expected [${ids(want)}]`;
  }
  for (const [i, m] of found.entries()) {
    if (!(Math.abs(m.similarity - want[i].similarity) < 1e-6)) {
      return `${m.key}: similarity ${m.similarity}, expected ${want[i].similarity}`;
    }
    for (const field of ['key', 'value', 'memory_type']) {
      if (m[field] !== want[i][field]) return `${m.key}: ${field} ${m[field]}, expected ${want[i][field]}`;
    }
  }
  return null;
}
function assertFound(found, want, what) {
  const differs = difference(found, want);
  assert.equal(differs, null, `${what}: ${differs}`);
}

// The index's answer and the SQL function's are the same rows: ids, order
// and every column; similarity to 1e-6 and score to 1e-12.
function assertSameRows(fast, slow, what) {
  assert.deepEqual(fast.map((m) => m.id), slow.map((m) => m.id), `${what}: the index's ids are the SQL function's`);
  for (const [i, m] of fast.entries()) {
    const { similarity, score, ...row } = m;
    const { similarity: sqlSimilarity, score: sqlScore, ...sqlRow } = slow[i];
    assert.deepEqual(row, sqlRow, `${what}: row ${i}`);
    assert.ok(Math.abs(similarity - sqlSimilarity) < 1e-6, `${what}: row ${i}'s similarity ${similarity} ${sqlSimilarity}`);
    assert.ok(Math.abs(score - sqlScore) < 1e-12, `${what}: row ${i}'s score ${score} ${sqlScore}`);
  }
}

// search_memories from the index, checked against the SQL function's answer
// to the same call, and against `want` when given.
async function search(who, args, want, what = JSON.stringify({ ...args, query_embedding: undefined })) {
  const [fast, slow] = await Promise.all([ok(who, 'search_memories', args), ok(who.sql, 'search_memories', args)]);
  assertSameRows(fast, slow, what);
  if (want) assertFound(fast, want, what);
  return fast;
}

// Writes ---------------------------------------------------------------------

// An expiry as PostgreSQL reads it, in ms (null: never); years beyond
// JavaScript's dates (275760) as infinity.
function expiresAt(text) {
  if (text === null) return null;
  if (text === 'infinity' || /^\d{6}-/.test(text)) return Infinity;
  return text === '-infinity' ? -Infinity : Date.parse(text);
}

// Rows written to the table through REST as the user, in requests of 20
// (each row's embedding is some 30 kB of JSON): the rows with their ids.
async function insertRows(who, rows) {
  const stored = [];
  for (let i = 0; i < rows.length; i += 20) {
    const chunk = rows.slice(i, i + 20).map((row) => ({ tenant_id: who.tenant, user_id: who.id, ...row }));
    const { data, error } = await who.supabase.from('user_memory').insert(chunk).select('id, key');
    assert.equal(error, null, error?.message);
    const ids = new Map(data.map((m) => [m.key, m.id]));
    stored.push(...chunk.map((row) => ({ expires_at: null, memory_type: 'fact', ...row, id: ids.get(row.key) })));
  }
  return stored.map(({ tenant_id, user_id, expires_at, ...m }) => ({
    ...m, embedding: m.embedding ?? null, expires_at: expiresAt(expires_at),
  }));
}

// One change to a user's memories, by one of three paths: 'rpc' (remember,
// forget, forget_all), 'table' (insert, update, delete through REST) or
// 'sql' (as the database's owner). Updates `memories` to match once the
// write is acknowledged. A change is { kind, path, id?, ... }.
async function write(who, memories, change) {
  const { kind, path } = change;
  const m = change.id ? memories.get(change.id) : null;
  const table = () => who.supabase.from('user_memory');
  const one = async (request) => {
    const { data, error } = await request.select('id');
    assert.equal(error, null, `${kind} by ${path}: ${error?.message}`);
    assert.equal(data.length, 1, `${kind} by ${path}: one row`);
    return data[0].id;
  };
  const iso = (ms) => (ms === null ? null : new Date(ms).toISOString());
  const set = (fields) => {
    const sql = Object.entries(fields).map(([column, value]) => `${column} = ${value === null ? 'NULL'
      : column === 'embedding' ? realArray(value) : column === 'expires_at' ? `${quote(iso(value))}::timestamptz`
        : quote(value)}`);
    return sql.join(', ');
  };
  // remember replaces every field of the key's memory.
  const remember = async (row) => {
    const saved = await ok(who, 'remember', {
      key: row.key, value: row.value, memory_type: row.memory_type, embedding: row.embedding,
      expires_at: iso(row.expires_at),
    });
    return saved.id;
  };
  const update = async (fields) => {
    const next = { ...m, ...fields };
    if (path === 'rpc' && !('key' in fields) && next.embedding !== null) {
      await remember(next);
    } else if (path === 'sql') {
      await psql(`UPDATE public.user_memory SET ${set(fields)} WHERE id = ${quote(m.id)}`);
    } else {
      const body = { ...fields };
      if ('expires_at' in body) body.expires_at = iso(body.expires_at);
      await one(table().update(body).eq('id', m.id));
    }
    memories.set(m.id, next);
  };

  switch (kind) {
    case 'insert': {
      const row = { key: change.key, value: change.value, memory_type: change.memory_type,
        embedding: change.embedding, expires_at: null };
      let id;
      if (path === 'rpc') {
        id = await remember(row);
      } else if (path === 'sql') {
        [[id]] = await psql(`INSERT INTO public.user_memory (tenant_id, user_id, key, value, memory_type, embedding)
          VALUES (${quote(who.tenant)}, ${quote(who.id)}, ${quote(row.key)}, ${quote(row.value)},
                  ${quote(row.memory_type)}, ${realArray(row.embedding)}) RETURNING id`);
      } else {
        const { key, value, memory_type, embedding } = row;
        id = await one(table().insert({ tenant_id: who.tenant, user_id: who.id, key, value, memory_type, embedding }));
      }
      memories.set(id, { ...row, id });
      return;
    }
    case 'insert-many': // one request, one transaction
      for (const row of await insertRows(who, change.rows)) memories.set(row.id, row);
      return;
    case 'embedding': // a new value and embedding (remember also clears the expiry)
      return update(path === 'rpc' ? { value: change.value, embedding: change.embedding, expires_at: null }
        : { value: change.value, embedding: change.embedding });
    case 'type':
      return update(path === 'rpc' ? { value: change.value, memory_type: change.memory_type, expires_at: null }
        : { value: change.value, memory_type: change.memory_type });
    case 'expire':
      return update({ value: change.value, expires_at: Date.now() - 60_000 });
    case 'unexpire':
      return update({ value: change.value, expires_at: null });
    case 'no-embedding': // the memory stays, without an embedding: not searchable
      return update({ value: change.value, embedding: null });
    case 'rekey':
      return update({ value: change.value, key: change.key });
    case 'new-id': { // a new primary key, by SQL
      const [[id]] = await psql(`UPDATE public.user_memory SET id = gen_random_uuid(), value = ${quote(change.value)}
        WHERE id = ${quote(m.id)} RETURNING id`);
      memories.delete(m.id);
      memories.set(id, { ...m, id, value: change.value });
      return;
    }
    case 'delete':
      if (path === 'rpc') {
        assert.equal(await ok(who, 'forget', { memory_id: m.id }), m.id);
      } else if (path === 'sql') {
        await psql(`DELETE FROM public.user_memory WHERE id = ${quote(m.id)}`);
      } else {
        await one(table().delete().eq('id', m.id));
      }
      memories.delete(m.id);
      return;
    case 'forget-all':
      if (path === 'rpc') {
        assert.equal(await ok(who, 'forget_all'), memories.size);
      } else if (path === 'sql') {
        await psql(`DELETE FROM public.user_memory WHERE user_id = ${quote(who.id)}`);
      } else {
        const { error } = await table().delete().eq('user_id', who.id);
        assert.equal(error, null);
      }
      memories.clear();
      return;
    default:
      throw new Error(`no change ${kind}`);
  }
}

// A random change to memory `m` (chosen by `rand`), which gets `value`.
function changeTo(rand, m, value) {
  const path = rand.pick(['rpc', 'table', 'sql']);
  const embedding = () => vec(1 + rand.int(1e9));
  if (m.embedding === null) {
    return { kind: 'embedding', path: rand.pick(['table', 'sql']), id: m.id, value, embedding: embedding() };
  }
  if (m.expires_at !== null) return { kind: 'unexpire', path: rand.pick(['table', 'sql']), id: m.id, value };
  const kind = rand.pick(['embedding', 'embedding', 'embedding', 'type', 'type', 'expire', 'rekey', 'rekey',
    'no-embedding', 'new-id', 'delete', 'delete', 'delete']);
  const change = { kind, path, id: m.id, value };
  if (kind === 'embedding') change.embedding = embedding();
  if (kind === 'type') change.memory_type = rand.pick(types.filter((t) => t !== m.memory_type));
  if (kind === 'rekey') change.key = `k${rand.int(1e9)}`;
  // remember finds a memory by its key: it cannot change the key or drop the embedding.
  if ((kind === 'rekey' || kind === 'no-embedding') && path === 'rpc') change.path = 'table';
  if (kind === 'new-id') change.path = 'sql';
  return change;
}

// A random change to a user's `memories`; values name `label`.
function randomChange(rand, memories, label, { allowForgetAll = true } = {}) {
  const ids = [...memories.keys()]; // in the order of the changes: the same each run
  const newRow = () => ({
    key: `k${rand.int(1e9)}`, value: `${label} ${rand.int(1e9)}`, memory_type: rand.pick(types),
    embedding: vec(1 + rand.int(1e9)),
  });
  const roll = rand();
  if (ids.length < 4 || roll < 0.2) return { kind: 'insert', path: rand.pick(['rpc', 'table', 'sql']), ...newRow() };
  if (roll < 0.25) return { kind: 'insert-many', path: 'table', rows: Array.from({ length: 1 + rand.int(5) }, newRow) };
  if (allowForgetAll && roll < 0.27) return { kind: 'forget-all', path: rand.pick(['rpc', 'table', 'sql']) };
  return changeTo(rand, memories.get(rand.pick(ids)), `${label} ${rand.int(1e9)}`);
}

// 1. Equal to the exact answers -------------------------------------------------

test('the index answers as a brute-force cosine and the SQL function: a few hundred memories of 1536 dimensions',
  async () => {
    const p = await newUser('equal');
    const query = vec(7001);
    const tied = blend(query, vec(7002), 0.3);
    // Every column varies, so that the index's rows must be the SQL function's to the byte.
    const texts = ['plain', 'quotes " and \\ backslash', 'new\nline\ttab \u0001 control', 'ünïcødé ✓ 😀 \u2028'];
    const rows = Array.from({ length: 300 }, (_, i) => ({
      key: `m${i}`, value: `memory ${i}: ${texts[i % texts.length]}`, memory_type: types[i % types.length],
      confidence_score: [1, 0.7, 0.123456789, 0][i % 4], source: i % 3 ? `source ${texts[i % texts.length]}` : null,
      metadata: i % 5 ? { i, nested: { list: [1, 'two', null, 3.25e-7], text: texts[i % texts.length] } } : {},
      // Four alike near the query (ties, ordered by id), five without an
      // embedding, four expired, three expiring later.
      embedding: i < 4 ? tied : i < 9 ? undefined : vec(10_000 + i),
      expires_at: i >= 9 && i < 13 ? past() : i >= 13 && i < 16 ? future() : null,
    }));
    const memories = new Map((await insertRows(p, rows)).map((m) => [m.id, m]));

    const queries = [query, ...[1, 2, 3, 4, 5].map((i) => vec(8000 + i)), memories.get([...memories.keys()][20]).embedding];
    const argsList = [
      {}, { match_count: 1 }, { match_count: 200 }, { match_count: 200, min_similarity: 0.04 },
      { match_count: 50, memory_types: ['fact', 'goal'] },
      { match_count: 7, memory_types: ['history'], min_similarity: -0.02 },
    ];
    for (const [q, embedding] of queries.entries()) {
      for (const args of argsList) {
        await search(p, { query_embedding: embedding, ...args }, expected(memories, embedding, args),
          `query ${q} ${JSON.stringify(args)}`);
      }
    }
    const top = await ok(p, 'search_memories', { query_embedding: query, match_count: 4 });
    assert.deepEqual(top.map((m) => m.key).sort(), ['m0', 'm1', 'm2', 'm3'], 'the alike memories first');
    assert.deepEqual(top.map((m) => m.id), top.map((m) => m.id).sort(), '... ordered by id');
    assert.ok(top.every((m) => m.similarity === top[0].similarity), '... with one similarity');
    const self = await ok(p, 'search_memories', { query_embedding: queries[6], match_count: 1 });
    assert.ok(Math.abs(self[0].similarity - 1) < 1e-12, 'a stored embedding finds its memory');
  });

// From 4096 memories a user's index is scanned in parts on two threads
// (MemorySearchOptions::min_part); the parts' best are merged. Written and
// compared in SQL: the memories would be some 150 MB of JSON.
test('a user of 5000 memories, scanned in parallel parts, answers as the SQL function; ties across parts by id',
  async () => {
    const big = await newUser('parallel');
    const query = vec(7101);
    const tied = blend(query, vec(7102), 0.2);
    await psql(`SELECT setseed(0.25);
      INSERT INTO public.user_memory (tenant_id, user_id, key, value, memory_type, embedding)
      SELECT ${quote(big.tenant)}, ${quote(big.id)}, 'big' || g, 'big ' || g,
             (ARRAY['preference', 'context', 'fact', 'goal', 'history'])[1 + g % 5],
             CASE WHEN g IN (0, 2500, 4999) THEN ${realArray(tied)}
                  ELSE (SELECT array_agg((random() * 2 - 1)::real) FROM generate_series(1, ${dimensions}) WHERE g >= 0) END
      FROM generate_series(0, 4999) g`);
    const top = await search(big, { query_embedding: query, match_count: 200 });
    assert.deepEqual(top.slice(0, 3).map((m) => m.key).sort(), ['big0', 'big2500', 'big4999'], 'the alike memories first');
    assert.deepEqual(top.slice(0, 3).map((m) => m.id), top.slice(0, 3).map((m) => m.id).sort(), '... ordered by id');
    await search(big, { query_embedding: vec(7103), match_count: 10, memory_types: ['fact', 'history'] });
    await search(big, { query_embedding: vec(7104), match_count: 200, min_similarity: 0.05 });
  });

test('the index and the SQL function agree on edge cases: the query read as PostgreSQL reads it, expiry at infinity',
  async () => {
    const p = await newUser('edges');
    const axis = (i, x = 1) => Object.assign(new Array(dimensions).fill(0), { [i]: x });
    const [first, second] = await insertRows(p, [
      { key: 'x', value: 'on x', embedding: axis(0) }, { key: 'y', value: 'on y', embedding: axis(1) },
    ]);
    // 1 + 2^-24 is halfway between two float32 values: PostgreSQL reads
    // JavaScript's shortest decimal of it (1.0000000596046448) as 1 + 2^-23,
    // so the memory on that axis is a little nearer than the other. Rounded
    // from the double instead (to even: 1), the two would tie and come in
    // the order of their ids; the axes are chosen so that order is the other.
    const [low, high] = first.id < second.id ? [first, second] : [second, first];
    const halfway = axis(0, 1);
    halfway[1] = 1;
    halfway[high === first ? 0 : 1] = 1 + 2 ** -24;
    const found = await search(p, { query_embedding: halfway });
    assert.deepEqual(found.map((m) => m.id), [high.id, low.id]);
    assert.ok(found[0].similarity > found[1].similarity);

    // A number that is no real (out of range, or under the smallest) is refused, as by the SQL function.
    for (const x of [1e-46, 1e39]) {
      const [fast, slow] = await Promise.all([
        refused(p, 'search_memories', { query_embedding: axis(0, x) }, '22003', `${x}`),
        refused(p.sql, 'search_memories', { query_embedding: axis(0, x) }, '22003', `${x} in SQL`),
      ]);
      assert.deepEqual(fast, slow);
    }
    const subnormal = await search(p, { query_embedding: axis(2, 1e-45) });
    assert.deepEqual(subnormal.map((m) => m.similarity), [0, 0], 'a subnormal is a real');
    assert.deepEqual(await search(p, { query_embedding: axis(0, 0) }), [], 'a zero query has no cosine');

    // Expiry at the ends of time, and beyond what an int8 holds in microseconds since 1970.
    await insertRows(p, [
      { key: 'never', value: 'expires at infinity', embedding: axis(3), expires_at: 'infinity' },
      { key: 'always', value: 'expired at -infinity', embedding: axis(3), expires_at: '-infinity' },
      { key: 'late', value: 'expires in 294276 AD', embedding: axis(3), expires_at: '294276-01-01 00:00:00+00' },
      { key: 'zero', value: 'a zero embedding', embedding: axis(3, 0) },
    ]);
    const ends = await search(p, { query_embedding: axis(3), match_count: 200, min_similarity: 0.5 });
    assert.deepEqual(ends.map((m) => m.key).sort(), ['late', 'never']);

    // The table takes a NaN or an infinity in an embedding (remember refuses
    // them): such a memory has no cosine, as a zero vector, and is never found.
    const odd = await p.supabase.from('user_memory').insert([
      { key: 'nan', value: 'a NaN', embedding: [...axis(0).slice(0, -1), 'NaN'] },
      { key: 'inf', value: 'an infinity', embedding: ['-Infinity', ...axis(0).slice(1)] },
    ].map((m) => ({ tenant_id: p.tenant, user_id: p.id, ...m })));
    assert.equal(odd.error, null, odd.error?.message);
    const keys = async (args) => (await search(p, { query_embedding: axis(0), match_count: 200, ...args }))
      .map((m) => m.key);
    assert.deepEqual(await keys({ min_similarity: 0.5 }), ['x']);
    assert.deepEqual((await keys({})).sort(), ['late', 'never', 'x', 'y'], 'the others have a cosine of 0');

    assert.deepEqual(await search(p, { query_embedding: axis(0), memory_types: [] }), []);
    assert.deepEqual(await search(p, { query_embedding: axis(0), memory_types: ['nonsense'] }), []);
    await search(p, { query_embedding: axis(0), memory_types: ['nonsense', 'fact'], min_similarity: 0 });
  });

// 2. Consistency ----------------------------------------------------------------

test('a search after an acknowledged write sees it: 200 changes by RPC, REST and SQL, each searched at once',
  async () => {
    const s = await newUser('sequential');
    const rand = random(2024);
    const memories = new Map();
    const counts = {};
    for (let i = 0; i < 200; i++) {
      const change = i % 40 === 39 ? { kind: 'forget-all', path: ['rpc', 'table', 'sql'][Math.floor(i / 40) % 3] }
        : randomChange(rand, memories, `v${i}`, { allowForgetAll: false });
      await write(s, memories, change);
      counts[`${change.kind} by ${change.path}`] = (counts[`${change.kind} by ${change.path}`] ?? 0) + 1;
      const query = vec(9000 + (i % 3));
      const what = `change ${i} (${change.kind} by ${change.path})`;
      const found = await ok(s, 'search_memories', { query_embedding: query, match_count: 200 });
      assertFound(found, expected(memories, query, { match_count: 200 }), what);
      if (change.kind === 'type' || change.kind === 'rekey') {
        const args = { query_embedding: query, match_count: 200, memory_types: [change.memory_type ?? 'fact', 'goal'] };
        const typed = await ok(s, 'search_memories', args);
        assertFound(typed, expected(memories, query, args), `${what}, filtered by type`);
      }
    }
    for (const kind of ['insert', 'embedding', 'type', 'expire', 'delete', 'forget-all']) {
      for (const path of ['rpc', 'table', 'sql']) {
        assert.ok(counts[`${kind} by ${path}`] > 0, `${kind} by ${path} was tried: ${JSON.stringify(counts)}`);
      }
    }
    for (const kind of ['rekey by table', 'rekey by sql', 'new-id by sql', 'insert-many by table', 'unexpire by table']) {
      assert.ok(counts[kind] > 0, `${kind} was tried: ${JSON.stringify(counts)}`);
    }
  });

// Searchers that search until `done()`, each search recorded with what was
// acknowledged when it started and what had been sent when it ended.
async function searchers(who, count, done, { atStart, atEnd }, queries) {
  const searches = [];
  await Promise.all(Array.from({ length: count }, async (_, n) => {
    for (let i = 0; !done(); i++) {
      const query = queries[(n + i) % queries.length];
      const memory_types = i % 4 === 3 ? ['fact', 'goal', 'history'] : null;
      const args = { query_embedding: query, match_count: 200, ...(memory_types ? { memory_types } : {}) };
      const from = atStart();
      const found = await ok(who, 'search_memories', args);
      searches.push({ query, memory_types, found, from, to: atEnd() });
    }
  }));
  return searches;
}

test('racing writers and searchers, one writer: every search shows one state, none older than its start', async () => {
  const w = await newUser('racing-one');
  const rand = random(77);
  const memories = new Map();
  await write(w, memories, { kind: 'insert-many', path: 'table', rows: Array.from({ length: 8 }, (_, i) => ({
    key: `start${i}`, value: `start ${i}`, memory_type: types[i % 5], embedding: vec(500 + i),
  })) });
  // states[k]: the memories after k changes; `acked` changes were
  // acknowledged, `sent` were sent.
  const states = [copy(memories)];
  let acked = 0, sent = 0, writing = true;
  const writer = (async () => {
    for (let i = 0; i < 80; i++) {
      const change = randomChange(rand, memories, `w${i}`, { allowForgetAll: i % 20 === 19 });
      sent++;
      await write(w, memories, change);
      states.push(copy(memories));
      acked++;
    }
    writing = false;
  })();
  const queries = [vec(31), vec(32), vec(33)];
  const [searches] = await Promise.all([
    searchers(w, 4, () => !writing, { atStart: () => acked, atEnd: () => sent }, queries), writer,
  ]);
  assert.ok(searches.length > 40, `${searches.length} searches`);
  for (const { query, memory_types, found, from, to } of searches) {
    const args = { match_count: 200, memory_types };
    const matches = states.slice(from, to + 1).some((state) => difference(found, expected(state, query, args)) === null);
    assert.ok(matches, `a search started after change ${from} and ended before change ${to + 1} showed no state ` +
      `between them: against state ${from}: ${difference(found, expected(states[from], query, args))}`);
  }
});

test('racing writers and searchers, four writers: every memory as one of its versions since each search began',
  async () => {
    const w = await newUser('racing-four');
    const writers = 4, slotsEach = 3;
    // history[slot][v]: the slot's memory after its v-th change (v in its
    // value as "slot#v"; absent: null); acked[slot] and sent[slot] count changes.
    const slots = writers * slotsEach;
    const history = Array.from({ length: slots }, () => [null]);
    const acked = new Array(slots).fill(0), sent = new Array(slots).fill(0);
    const memories = new Map(); // all slots, for write()
    let running = writers;
    const slotOf = (m) => Number(m.value.split('#')[0].slice(4));
    const versionOf = (m) => Number(m.value.split('#')[1]);
    const writer = async (n) => {
      const rand = random(100 + n);
      const mine = Array.from({ length: slotsEach }, (_, i) => n * slotsEach + i);
      for (let i = 0; i < 30; i++) {
        const slot = rand.pick(mine);
        const current = history[slot].at(-1);
        const version = history[slot].length;
        const value = `slot${slot}#${version}`;
        const change = current === null
          ? { kind: 'insert', path: rand.pick(['rpc', 'table', 'sql']), key: `slot${slot}-${version}`, value,
            memory_type: rand.pick(types), embedding: vec(1 + rand.int(1e9)) }
          : changeTo(rand, current, value);
        sent[slot]++;
        await write(w, memories, change);
        const now = [...memories.values()].find((m) => m.value === value) ?? null;
        history[slot].push(now && { ...now });
        acked[slot]++;
      }
      running--;
    };
    const queries = [vec(41), vec(42)];
    const [searches] = await Promise.all([
      searchers(w, 4, () => running === 0, { atStart: () => [...acked], atEnd: () => [...sent] }, queries),
      ...Array.from({ length: writers }, (_, n) => writer(n)),
    ]);
    assert.ok(searches.length > 30, `${searches.length} searches`);
    for (const { query, memory_types, found, from, to } of searches) {
      const now = Date.now();
      for (let i = 1; i < found.length; i++) {
        assert.ok(found[i - 1].similarity > found[i].similarity ||
          (found[i - 1].similarity === found[i].similarity && found[i - 1].id < found[i].id), 'best first');
      }
      for (let slot = 0; slot < slots; slot++) {
        const rows = found.filter((m) => slotOf(m) === slot);
        assert.ok(rows.length <= 1, `slot ${slot} found twice`);
        const what = `slot ${slot}, changes ${from[slot]}..${to[slot]}`;
        if (rows.length === 1) {
          const v = versionOf(rows[0]);
          assert.ok(v >= from[slot] && v <= to[slot], `${what}: version ${v} found`);
          const state = history[slot][v];
          assert.ok(state && visible(state, now, memory_types), `${what}: version ${v} cannot be found`);
          assert.equal(rows[0].id, state.id, what);
          assert.equal(rows[0].key, state.key, what);
          assert.equal(rows[0].memory_type, state.memory_type, what);
          assert.ok(Math.abs(rows[0].similarity - cosine(state.embedding, query)) < 1e-6, `${what}: the similarity`);
        } else {
          const versions = history[slot].slice(from[slot], to[slot] + 1);
          assert.ok(versions.some((state) => state === null || !visible(state, now, memory_types)),
            `${what}: not found, yet every version since the search began can be found`);
        }
      }
    }
  });

// TRUNCATE fires no row trigger: the change log has to hear of it otherwise.
test('a TRUNCATE of user_memory empties the index at once', async () => {
  const t = await newUser('truncate');
  const memories = new Map((await insertRows(t, [1, 2, 3].map((i) => ({ key: `t${i}`, value: `t${i}`, embedding: vec(i) }))))
    .map((m) => [m.id, m]));
  await search(t, { query_embedding: vec(1) }, expected(memories, vec(1)));
  await psql('TRUNCATE public.user_memory');
  await search(t, { query_embedding: vec(1) }, []);
  const again = await insertRows(t, [{ key: 't4', value: 't4', embedding: vec(4) }]);
  await search(t, { query_embedding: vec(1) }, expected(new Map([[again[0].id, again[0]]]), vec(1)));
});

// 3. Isolation --------------------------------------------------------------------

test('through the index a memory follows its owner and its tenant at once; users, anon and the service key',
  async () => {
    const i1 = await newUser('iso-1'), i2 = await newUser('iso-2'), i3 = await newUser('iso-3', 'tenant-b');
    assert.equal(i1.tenant, i2.tenant);
    assert.notEqual(i1.tenant, i3.tenant);
    const q = vec(600);
    const [moving] = await insertRows(i1, [
      { key: 'moving', value: 'moves between users', embedding: blend(q, vec(601), 0.2) },
      { key: 'kept', value: 'stays with i1', embedding: blend(q, vec(602), 0.5) },
    ]);
    await insertRows(i2, [{ key: 'theirs', value: 'i2\'s own', embedding: blend(q, vec(603), 0.4) }]);
    await insertRows(i3, [{ key: 'foreign', value: 'tenant B', embedding: q }]);
    const args = { query_embedding: q, match_count: 200 };
    const keys = async (who, extra = {}) => (await search(who, { ...args, ...extra })).map((m) => m.key);
    // Every index loaded before anything moves.
    assert.deepEqual(await keys(i1), ['moving', 'kept']);
    assert.deepEqual(await keys(i2), ['theirs']);
    assert.deepEqual(await keys(i3), ['foreign']);

    // The service key gives the memory to i2 (supabase-js, REST).
    const given = await service.supabase.from('user_memory').update({ user_id: i2.id }).eq('id', moving.id).select('id');
    assert.deepEqual(given.data, [{ id: moving.id }]);
    assert.deepEqual(await keys(i1), ['kept'], 'gone from the old owner\'s results at once');
    assert.deepEqual(await keys(i2), ['moving', 'theirs'], 'in the new owner\'s at once');

    // The owner gives it to i3, in tenant B; the memory stays in tenant A,
    // so row level security hides it from i3. The service key, which
    // passes row level security, finds it as i3's.
    await psql(`UPDATE public.user_memory SET user_id = ${quote(i3.id)} WHERE id = ${quote(moving.id)}`);
    assert.deepEqual(await keys(i2), ['theirs']);
    assert.deepEqual(await keys(i3), ['foreign'], 'another tenant\'s row is not found');
    assert.deepEqual(await keys(service, { user_id: i3.id }), ['foreign', 'moving']);
    await psql(`UPDATE public.user_memory SET user_id = ${quote(i1.id)} WHERE id = ${quote(moving.id)}`);
    assert.deepEqual(await keys(i1), ['moving', 'kept']);
    assert.deepEqual(await keys(i3), ['foreign']);

    // i1 moves to tenant B: their tenant A memories are hidden at once;
    // what they remember now is in tenant B; back in tenant A, the reverse.
    const moveTo = async (tenant) => {
      const moved = await service.supabase.from('profiles').update({ tenant_id: tenant }).eq('id', i1.id).select('id');
      assert.deepEqual(moved.data, [{ id: i1.id }]);
    };
    await moveTo(i3.tenant);
    assert.deepEqual(await keys(i1), [], 'the old tenant\'s memories are hidden');
    const inB = await ok(i1, 'remember', {
      key: 'in-b', value: 'remembered in tenant B', embedding: blend(q, vec(604), 0.3),
    });
    assert.equal(inB.tenant_id, i3.tenant);
    assert.deepEqual(await keys(i1), ['in-b']);
    assert.deepEqual(await keys(i3), ['foreign'], 'a colleague of the same tenant finds only their own');
    await moveTo(i1.tenant);
    assert.deepEqual(await keys(i1), ['moving', 'kept']);
    assert.deepEqual(await keys(service, { user_id: i1.id }), ['moving', 'in-b', 'kept'], 'the service key finds all');

    // Refusals, as the SQL function's.
    for (const [who, extra, code, status, what] of [
      [i3, { user_id: i1.id }, '42501', 403, 'a user naming another tenant\'s user'],
      [i2, { user_id: i1.id }, '42501', 403, 'a user naming a colleague'],
      [{ supabase: client(), sql: { supabase: client(anonKey, { base: sqlServer.url }) } }, {}, '42501', 401, 'anon'],
      [{ supabase: client(), sql: { supabase: client(anonKey, { base: sqlServer.url }) } }, { user_id: i1.id }, '42501', 401,
        'anon naming a user'],
      [service, {}, '22023', 400, 'the service key without user_id'],
    ]) {
      const fast = await refused(who, 'search_memories', { ...args, ...extra }, code, what);
      const slow = await refused(who.sql, 'search_memories', { ...args, ...extra }, code, `${what} in SQL`);
      assert.deepEqual(fast, slow, what);
      assert.equal(fast.status, status, what);
    }
    assert.deepEqual(await keys(i1, { user_id: i1.id }), ['moving', 'kept'], 'naming oneself');
    assert.deepEqual(await keys(service, { user_id: i2.id }), ['theirs']);
  });

// 4. query_text ---------------------------------------------------------------------

test('query_text: memories remembered by text only are found by the words they share with the query', async () => {
  const t = await newUser('text');
  for (const [key, value] of [
    ['coffee', 'drinks black coffee every morning before work'],
    ['cat', 'has a grey cat called Luna'],
    ['hiking', 'goes hiking in the mountains on weekends'],
  ]) {
    const saved = await ok(t, 'remember', { key, value });
    assert.equal(saved.has_embedding, true, 'the server embedded the value');
  }
  for (const [text, first] of [['black coffee', 'coffee'], ['my cat Luna', 'cat'], ['mountains hiking', 'hiking']]) {
    const found = await search(t, { query_text: text });
    assert.equal(found.length, 3);
    assert.equal(found[0].key, first, `${text}: ${found.map((m) => `${m.key} ${m.similarity}`).join(', ')}`);
    assert.ok(found[0].similarity > found[1].similarity);
  }
  const typed = await search(t, { query_text: 'black coffee', memory_types: ['goal'] });
  assert.deepEqual(typed, []);

  // With .select(), .limit() or .single() the database answers (PostgREST
  // shapes the rows), and the server still embeds the text.
  const tea = await t.supabase.rpc('remember', { key: 'tea', value: 'green tea in the afternoon' })
    .select('id, key, has_embedding').single();
  assert.equal(tea.error, null, tea.error?.message);
  assert.equal(tea.data.has_embedding, true, 'remember(...).select().single() embedded the value');
  const teaRow = await t.supabase.from('user_memory').select('embedding').eq('id', tea.data.id).single();
  assert.equal(teaRow.data.embedding?.length, dimensions);
  const shaped = await t.supabase.rpc('search_memories', { query_text: 'afternoon tea', match_count: 4 })
    .select('key, similarity').limit(2);
  assert.equal(shaped.error, null, shaped.error?.message);
  const plain = await ok(t, 'search_memories', { query_text: 'afternoon tea', match_count: 4 });
  assert.deepEqual(shaped.data.map((m) => Object.keys(m)), [['key', 'similarity'], ['key', 'similarity']]);
  assert.deepEqual(shaped.data.map((m) => m.key), plain.slice(0, 2).map((m) => m.key), 'the first two, as from the index');
  assert.ok(shaped.data.every((m, i) => Math.abs(m.similarity - plain[i].similarity) < 1e-6));
  assert.equal(shaped.data[0].key, 'tea');
});

test('the texts the server embeds have the SQL functions\' bounds, whichever path answers, and no NUL byte', async () => {
  const t = await newUser('bounds');
  const long = 'é'.repeat(1001);  // 1001 characters, 2002 bytes
  await refused(t, 'search_memories', { query_text: long }, '22023', 'query_text of 1001 characters (the index)');
  const shaped = await t.supabase.rpc('search_memories', { query_text: long }).select('key');
  assert.equal(shaped.error?.code, '22023', 'query_text of 1001 characters (the database answers)');
  assert.equal(shaped.error.message, 'query_text is longer than 1000 characters');
  await ok(t, 'search_memories', { query_text: 'é'.repeat(1000) });
  await refused(t, 'search_memories', { query_text: 'tea\u0000coffee' }, '22021', 'a NUL byte in query_text');
  await refused(t, 'remember', { key: 'long', value: 'x'.repeat(10001) }, '22023', 'a value of 10001 characters');
  await refused(t, 'remember', { key: 'nul', value: 'x\u0000y' }, '22021', 'a NUL byte in a value');
  const nothing = await t.supabase.from('user_memory').select('key').in('key', ['long', 'nul']);
  assert.deepEqual(nothing.data, [], 'nothing refused was remembered');
});

test('/metrics counts the searches the index answers and those it leaves to SQL, and what it holds', async () => {
  const scrape = async () => {
    const text = await (await fetch(`${process.env.AGENTBASE_URL}/metrics`)).text();
    const value = (name) => Number(text.match(new RegExp(`^${name} (\\d+)$`, 'm'))?.[1]);
    return {
      searches: value('agentbase_memory_searches_total'), passed: value('agentbase_memory_searches_passed_on_total'),
      users: value('agentbase_memory_index_users'), bytes: value('agentbase_memory_index_bytes'),
    };
  };
  const t = await newUser('metrics');
  await ok(t, 'remember', { key: 'k', value: 'v', embedding: vec(7) });
  const before = await scrape();
  await ok(t, 'search_memories', { query_embedding: vec(7) });
  await ok(t, 'search_memories', { query_embedding: vec(7), query_text: 'v', hybrid: true });
  const after = await scrape();
  assert.equal(after.searches, before.searches + 1, 'the plain search was answered from the index');
  assert.equal(after.passed, before.passed + 1, 'the hybrid one was left to SQL');
  assert.ok(after.users >= 1 && after.bytes > 0, JSON.stringify(after));
});

// 5. Eviction and restart --------------------------------------------------------------

// A `--log-level debug` server logs every statement it runs for a request;
// a search answered from the index runs none of them.
const sqlSearches = (server) => server.log().split('\n').filter((line) => line.includes('/rpc/search_memories as ')).length;

test('a 1 MiB index drops users and loads them again, answering as brute force; and so after a restart', async () => {
  const options = ['--memory-index-bytes', '1048576', '--log-level', 'debug'];
  let small = await startServer(options);
  try {
    assert.match(small.log(), /memory search: in-memory exact index/);
    // Five users of 60 memories (some 410 kB each): two or three fit. One of
    // 200 (1.3 MB) never fits: the SQL function answers for them.
    const users = [];
    for (let u = 0; u < 6; u++) {
      const who = await newUser(`evict-${u}`);
      who.small = { supabase: client(anonKey, { base: small.url, token: who.token }) };
      const count = u === 5 ? 200 : 60;
      const rows = Array.from({ length: count }, (_, i) => ({
        key: `e${i}`, value: `evict ${u} ${i}`, memory_type: types[i % 5], embedding: vec(u * 1000 + i),
      }));
      who.memories = new Map((await insertRows(who, rows)).map((m) => [m.id, m]));
      users.push(who);
    }
    const rand = random(5);
    const round = async (r) => {
      // Each user searched twice at once, all users at once.
      await Promise.all(users.flatMap((who) => [0, 1].map(async (k) => {
        const query = vec(20_000 + r * 10 + k);
        const args = { query_embedding: query, match_count: 20 + k * 180 };
        assertFound(await ok(who.small, 'search_memories', args), expected(who.memories, query, args),
          `round ${r}, ${who.name}`);
      })));
      // And changed while dropped, or not.
      for (const who of users) {
        await write(who, who.memories, randomChange(rand, who.memories, `r${r}`, { allowForgetAll: false }));
      }
    };
    for (let r = 0; r < 4; r++) await round(r);
    assert.equal(sqlSearches(small), 4 * 2, 'only the user too large for the index was searched in SQL');

    await small.stop();
    small = await startServer(options, { port: small.port }); // the users' clients know its URL
    for (let r = 4; r < 6; r++) await round(r);
    assert.equal(sqlSearches(small), 2 * 2, 'after the restart too');
  } finally {
    await small.stop();
  }
});
