// public.match_user_memory on the pgvector path (database/schema/50_memory_search.sql,
// `-- agentbase:if vector`), under row level security, on PGlite with
// pgvector: what it returns is compared with a brute-force cosine in
// JavaScript. The fixtures are made once, in a transaction that after()
// rolls back; each test runs in a savepoint of it (lib.mjs).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  connect, inSavepoint, actAs, actAsAnon, createTenant, createUser, insertMemory,
  rng, randomUnitVector, mix, toVector, asStored, cosine, pgvectorCosine,
} from './lib.mjs';

const SEED = 20261206;
const TYPES = ['preference', 'context', 'fact', 'goal', 'history'];

let client;
let query; // the query embedding
// Every user_memory row made here: { id, tenantId, userId, key, memoryType, embedding, expired }
const memories = [];
let tenantA, tenantB, a1, a2, b1, b2, nobody;

async function remember(fields) {
  const expiresAt = fields.expired ? new Date(Date.now() - 86400e3) : fields.expiresAt ?? null;
  const id = await insertMemory(client, { ...fields, expiresAt });
  memories.push({ id, ...fields });
  return id;
}

async function match(args) {
  const { rows } = await client.query(
    `SELECT * FROM public.match_user_memory(
       query_embedding => $1::extensions.vector, match_count => coalesce($2::integer, 10),
       memory_types => $3::text[], min_similarity => coalesce($4::double precision, 0))`,
    [toVector(args.query ?? query), args.matchCount ?? null, args.memoryTypes ?? null, args.minSimilarity ?? null],
  );
  return rows;
}

// What match_user_memory must return for a user of a tenant: their own live
// memories with an embedding, filtered, nearest first, by pgvector's cosine.
function bruteForce({ tenantId, userId, q = query, matchCount = 10, memoryTypes = null, minSimilarity = 0 }) {
  const stored = asStored(q);
  return memories
    .filter((m) => m.tenantId === tenantId && m.userId === userId && m.embedding && !m.expired)
    .filter((m) => memoryTypes === null || memoryTypes.includes(m.memoryType))
    .map((m) => ({ ...m, similarity: pgvectorCosine(asStored(m.embedding), stored) }))
    .filter((m) => m.similarity >= minSimilarity)
    .sort((x, y) => y.similarity - x.similarity)
    .slice(0, Math.min(Math.max(matchCount, 0), 200));
}

// The checks every answer must pass: only the caller's own rows, nearest
// first, similarities as the brute force computes them. Returns how far
// they are from the brute force in double precision (for the record).
function assertCorrect(rows, { tenantId, userId, q = query }) {
  const own = new Map(memories.filter((m) => m.tenantId === tenantId && m.userId === userId).map((m) => [m.id, m]));
  let doubleDiff = 0;
  for (const [i, row] of rows.entries()) {
    const memory = own.get(row.id);
    assert.ok(memory, `row ${row.key} (${row.id}) is not the caller's own memory in the caller's tenant`);
    assert.ok(!memory.expired, `row ${row.key} is expired`);
    assert.ok(memory.embedding, `row ${row.key} has no embedding`);
    if (i > 0) assert.ok(rows[i - 1].similarity >= row.similarity, `row ${i} (${row.key}) is out of order`);
    const expected = pgvectorCosine(asStored(memory.embedding), asStored(q));
    assert.ok(Math.abs(row.similarity - expected) <= 1e-6,
      `similarity of ${row.key}: ${row.similarity}, brute force ${expected}`);
    doubleDiff = Math.max(doubleDiff, Math.abs(row.similarity - cosine(asStored(memory.embedding), asStored(q))));
  }
  return doubleDiff;
}

function keys(rows) {
  return rows.map((r) => r.key);
}

before(async () => {
  client = await connect();
  await client.query('BEGIN');
  const random = rng(SEED);
  query = randomUnitVector(random);
  tenantA = await createTenant(client, 'Tenant A');
  tenantB = await createTenant(client, 'Tenant B');
  a1 = await createUser(client, tenantA, { role: 'owner' });
  a2 = await createUser(client, tenantA);
  b1 = await createUser(client, tenantB, { role: 'owner' });
  b2 = await createUser(client, tenantB); // no memories
  nobody = await createUser(client, tenantB);
  await client.query('DELETE FROM public.profiles WHERE id = $1', [nobody]); // signed up, no profile

  // a1: twenty memories from near the query (weight 0.95) to unrelated (0),
  // the five types in turn; a live one that expires tomorrow; one without an
  // embedding; an expired one equal to the query (it would come first).
  for (let i = 0; i < 20; i++) {
    await remember({
      tenantId: tenantA, userId: a1, key: `a1-${String(i).padStart(2, '0')}`, memoryType: TYPES[i % 5],
      embedding: mix(query, randomUnitVector(random), 0.95 - i * 0.05),
    });
  }
  await remember({
    tenantId: tenantA, userId: a1, key: 'a1-expires-tomorrow', memoryType: 'fact',
    embedding: mix(query, randomUnitVector(random), 0.5), expiresAt: new Date(Date.now() + 86400e3),
  });
  await remember({ tenantId: tenantA, userId: a1, key: 'a1-no-embedding', memoryType: 'fact', embedding: null });
  await remember({ tenantId: tenantA, userId: a1, key: 'a1-expired', memoryType: 'preference', embedding: query, expired: true });
  await remember({ tenantId: tenantA, userId: a1, key: 'a1-expired-2', memoryType: 'fact', embedding: mix(query, randomUnitVector(random), 0.9), expired: true });
  // a1's row in tenant B (as a user who moved): never a1's while a1 is in A.
  await remember({ tenantId: tenantB, userId: a1, key: 'a1-in-tenant-b', memoryType: 'preference', embedding: query });
  // A colleague in the same tenant and a user of the other tenant, both
  // nearer to the query than any of a1's.
  for (let i = 0; i < 5; i++) {
    await remember({ tenantId: tenantA, userId: a2, key: `a2-${i}`, memoryType: TYPES[i], embedding: mix(query, randomUnitVector(random), 0.99) });
    await remember({ tenantId: tenantB, userId: b1, key: `b1-${i}`, memoryType: TYPES[i], embedding: mix(query, randomUnitVector(random), 0.99) });
  }
  await client.query('ANALYZE public.user_memory');
});

after(async () => {
  if (!client) return;
  await client.query('ROLLBACK');
  await client.end();
});

test('as a user: only their own memories, nearest first, similarities as a brute-force cosine', async (t) => {
  await inSavepoint(client, async () => {
    await actAs(client, a1);
    const rows = await match({ matchCount: 200 });
    const expected = bruteForce({ tenantId: tenantA, userId: a1, matchCount: 200 });
    const doubleDiff = assertCorrect(rows, { tenantId: tenantA, userId: a1 });
    assert.ok(!keys(rows).includes('a1-expired') && !keys(rows).includes('a1-expired-2'), 'expired memories are left out');
    assert.ok(!keys(rows).includes('a1-no-embedding'));
    assert.ok(keys(rows).includes('a1-expires-tomorrow'), 'a memory that expires later is found');
    assert.equal(rows.length, expected.length);
    assert.deepEqual(keys(rows), keys(expected), 'the same rows, in the same order, as the brute force');
    const maxDiff = Math.max(...rows.map((r, i) => Math.abs(r.similarity - expected[i].similarity)));
    t.diagnostic(`${rows.length} rows, equal to the brute force; largest difference from pgvector's float4 cosine ${maxDiff}` +
      `, from a double-precision cosine ${doubleDiff.toExponential(2)}`);

    // The plan of the function's query as this user: with a handful of rows per
    // user the planner takes the (tenant_id, user_id, memory_type) index and
    // sorts, an exact search.
    const plan = await client.query(
      `EXPLAIN SELECT m.id FROM public.user_memory m WHERE m.embedding IS NOT NULL
       ORDER BY m.embedding OPERATOR(extensions.<=>) $1::extensions.vector(1536) LIMIT 10`, [toVector(query)]);
    const scans = plan.rows.map((r) => r['QUERY PLAN']).filter((l) => /Scan/.test(l)).map((l) => l.trim().replace(/\s+\(cost.*/, ''));
    t.diagnostic(`plan: ${scans.join('; ')}`);
  });
});

test('match_count limits the answer to the nearest ones (0 and negative give none)', async () => {
  await inSavepoint(client, async () => {
    await actAs(client, a1);
    for (const matchCount of [1, 3, 10]) {
      const rows = await match({ matchCount });
      assertCorrect(rows, { tenantId: tenantA, userId: a1 });
      assert.deepEqual(keys(rows), keys(bruteForce({ tenantId: tenantA, userId: a1, matchCount })), `match_count ${matchCount}`);
      assert.equal(rows.length, matchCount);
    }
    assert.equal((await match({ matchCount: 0 })).length, 0);
    assert.equal((await match({ matchCount: -5 })).length, 0);
    // The default is 10.
    const { rows } = await client.query('SELECT * FROM public.match_user_memory($1::extensions.vector)', [toVector(query)]);
    assert.equal(rows.length, 10);
  });
});

test('memory_types keeps only those types (an empty list keeps none)', async () => {
  await inSavepoint(client, async () => {
    await actAs(client, a1);
    for (const memoryTypes of [['preference'], ['fact', 'goal'], ['history', 'context', 'preference']]) {
      const rows = await match({ matchCount: 200, memoryTypes });
      assertCorrect(rows, { tenantId: tenantA, userId: a1 });
      assert.ok(rows.every((r) => memoryTypes.includes(r.memory_type)));
      assert.deepEqual(keys(rows), keys(bruteForce({ tenantId: tenantA, userId: a1, matchCount: 200, memoryTypes })),
        `memory_types ${memoryTypes}`);
      assert.ok(rows.length > 0);
    }
    assert.equal((await match({ memoryTypes: [] })).length, 0);
    assert.equal((await match({ memoryTypes: ['no-such-type'] })).length, 0);
  });
});

test('min_similarity keeps exactly the memories at least that similar', async () => {
  await inSavepoint(client, async () => {
    await actAs(client, a1);
    const all = bruteForce({ tenantId: tenantA, userId: a1, matchCount: 200, minSimilarity: -1 });
    for (const minSimilarity of [0.9, 0.5, 0.25]) {
      const rows = await match({ matchCount: 200, minSimilarity });
      assertCorrect(rows, { tenantId: tenantA, userId: a1 });
      assert.ok(rows.every((r) => r.similarity >= minSimilarity));
      assert.deepEqual(keys(rows), keys(all.filter((m) => m.similarity >= minSimilarity)), `min_similarity ${minSimilarity}`);
    }
    // Unrelated memories have a cosine near 0, some below: -1 keeps them all.
    const every = await match({ matchCount: 200, minSimilarity: -1 });
    assert.deepEqual(keys(every), keys(all));
    // Exactly at a memory's similarity (as the function computes it): kept.
    const atFifth = await match({ matchCount: 200, minSimilarity: every[4].similarity });
    assert.deepEqual(keys(atFifth), keys(every.slice(0, 5)));
    assert.equal((await match({ minSimilarity: 1.01 })).length, 0);
  });
});

test('expired memories never come back, not even as the exact query', async () => {
  await inSavepoint(client, async () => {
    const expired = memories.find((m) => m.key === 'a1-expired');
    await actAs(client, a1);
    const rows = await match({ query: expired.embedding, matchCount: 200, minSimilarity: -1 });
    assertCorrect(rows, { tenantId: tenantA, userId: a1, q: expired.embedding });
    assert.ok(!rows.some((r) => memories.find((m) => m.id === r.id).expired));
    assert.ok(rows.length > 0 && rows[0].similarity < 0.9999, 'nothing equal to the query is left');
    // A memory that expires while the table holds it is left out from then on.
    await client.query("UPDATE public.user_memory SET expires_at = now() - interval '1 second' WHERE key = 'a1-00' AND user_id = $1", [a1]);
    assert.ok(!keys(await match({ matchCount: 200 })).includes('a1-00'));
  });
});

test('other users: a colleague, another tenant\'s user, a user without a profile, anon', async () => {
  await inSavepoint(client, async () => {
    const a1Nearest = memories.find((m) => m.key === 'a1-00');
    // a2 (same tenant), searching with a1's memory itself: only a2's own.
    await actAs(client, a2);
    const colleague = await match({ query: a1Nearest.embedding, matchCount: 200, minSimilarity: -1 });
    assertCorrect(colleague, { tenantId: tenantA, userId: a2, q: a1Nearest.embedding });
    assert.deepEqual(keys(colleague).sort(), ['a2-0', 'a2-1', 'a2-2', 'a2-3', 'a2-4']);

    // b1 (tenant B): only b1's own; neither tenant A's nor a1's row in tenant B.
    await actAs(client, b1);
    const other = await match({ query: a1Nearest.embedding, matchCount: 200, minSimilarity: -1 });
    assertCorrect(other, { tenantId: tenantB, userId: b1, q: a1Nearest.embedding });
    assert.deepEqual(keys(other).sort(), ['b1-0', 'b1-1', 'b1-2', 'b1-3', 'b1-4']);

    // b2 (tenant B, no memories), a user without a profile, and anon: nothing.
    for (const [who, userId] of [['b2', b2], ['a user without a profile', nobody]]) {
      await actAs(client, userId);
      assert.deepEqual(await match({ query: a1Nearest.embedding, matchCount: 200, minSimilarity: -1 }), [], who);
    }
    // a1's own id, with tenant B's claims in the token: the tenant comes from
    // the profile, not from the token, so still only a1's tenant A rows.
    await client.query("SELECT set_config('request.jwt.claims', $1, true)",
      [JSON.stringify({ sub: a1, role: 'authenticated', app_metadata: { tenant_id: tenantB } })]);
    await client.query('SET LOCAL ROLE authenticated');
    const forged = await match({ query, matchCount: 200 });
    assertCorrect(forged, { tenantId: tenantA, userId: a1 });
    assert.ok(!keys(forged).includes('a1-in-tenant-b'));
    await actAsAnon(client);
    assert.deepEqual(await match({ matchCount: 200, minSimilarity: -1 }), []);
  });
});

// The HNSW index path. With few rows per user the planner sorts (above);
// on a large table it may scan user_memory_embedding_idx instead, and then
// row level security filters the index's candidates: pgvector's HNSW scan
// yields hnsw.ef_search (40) of them, so a user whose memories are not
// among the 40 nearest of the whole table gets fewer than match_count rows,
// or none. Forced here (enable_seqscan and enable_sort off) with tenant B's
// user holding 40 memories nearer to the query than any of a1's.
async function forceIndexPath() {
  const random = rng(SEED + 1);
  for (let i = 0; i < 40; i++) {
    await remember({ tenantId: tenantB, userId: b1, key: `b1-near-${i}`, memoryType: 'fact', embedding: mix(query, randomUnitVector(random), 0.999) });
  }
  await client.query('SET LOCAL enable_seqscan = off');
  await client.query('SET LOCAL enable_sort = off');
  await actAs(client, a1);
  const plan = await client.query(
    `EXPLAIN SELECT m.id FROM public.user_memory m WHERE m.embedding IS NOT NULL
     ORDER BY m.embedding OPERATOR(extensions.<=>) $1::extensions.vector(1536) LIMIT 10`, [toVector(query)]);
  assert.match(plan.rows.map((r) => r['QUERY PLAN']).join('\n'), /Index Scan using user_memory_embedding_idx/);
}

async function withoutTheForcedRows(fn) {
  const before = memories.length;
  try {
    return await fn();
  } finally {
    memories.length = before;
  }
}

test('HNSW index path with hnsw.iterative_scan = strict_order: the exact answer', async () => {
  await inSavepoint(client, () => withoutTheForcedRows(async () => {
    await forceIndexPath();
    await client.query("SET LOCAL hnsw.iterative_scan = 'strict_order'");
    const rows = await match({ matchCount: 10 });
    assertCorrect(rows, { tenantId: tenantA, userId: a1 });
    assert.deepEqual(keys(rows), keys(bruteForce({ tenantId: tenantA, userId: a1, matchCount: 10 })));
  }));
});

test('HNSW index path as the schema leaves it: what comes back is correct', async (t) => {
  await inSavepoint(client, () => withoutTheForcedRows(async () => {
    await forceIndexPath();
    const rows = await match({ matchCount: 10 });
    assertCorrect(rows, { tenantId: tenantA, userId: a1 });
    t.diagnostic(`${rows.length} of the 10 nearest of a1's memories came back through the index (the brute force has 10)`);
  }));
});

// match_user_memory reads the caller's rows first and compares every one, so
// the index's candidates never limit it.
test('HNSW index path as the schema leaves it: the answer is complete', async () => {
  await inSavepoint(client, () => withoutTheForcedRows(async () => {
    await forceIndexPath();
    const rows = await match({ matchCount: 10 });
    assert.deepEqual(keys(rows), keys(bruteForce({ tenantId: tenantA, userId: a1, matchCount: 10 })));
  }));
});
