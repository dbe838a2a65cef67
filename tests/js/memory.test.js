// User memory through the official supabase-js client: the RPCs of
// database/schema/80_memory.sql (remember, recall, search_memories, forget,
// forget_all, export_memories) against `agentbase serve` (tests/js/run.sh
// starts it and exports the keys and users: a1 and a2 in tenant A, b1 in B).
// Searches pass their embeddings: none relies on the server embedding
// query_text.
import { test, before, beforeEach, after } from 'node:test';
import { randomUUID } from 'node:crypto';
import assert from 'node:assert/strict';
import { serviceKey, dimensions, client, signedIn, vec, blend, cosine, ok, refused } from './lib/memory.js';

let a1, a2, b1, service, stamp;
// This run's keys: key('diet') is 'diet-<stamp>'; names(rows) takes the stamps off.
const key = (name) => `${name}-${stamp}`;
const name = (m) => m.key.slice(0, m.key.lastIndexOf('-'));
const names = (rows) => rows.map(name);

before(async () => {
  a1 = await signedIn('A1');
  a2 = await signedIn('A2');
  b1 = await signedIn('B1');
  service = { supabase: client(serviceKey) };
  assert.ok(a1.tenant && b1.tenant && a1.tenant !== b1.tenant && a2.tenant === a1.tenant);
  stamp = Date.now();
});

// Each test counts its users' memories: it starts from none, and the other
// suites find the users without any.
async function forgetEverything() {
  for (const who of [a1, a2, b1]) await ok(service, 'forget_all', { user_id: who.user.id });
}
beforeEach(forgetEverything);
after(forgetEverything);

test('remember: stores for the caller, upserts by key, refuses with PostgREST errors', async () => {
  const saved = await ok(a1, 'remember', {
    key: key('diet'), value: 'vegetarian', memory_type: 'preference', confidence_score: 0.7,
    source: 'onboarding', metadata: { by: 'test' }, embedding: vec(1),
  });
  assert.equal(saved.user_id, a1.user.id);
  assert.equal(saved.tenant_id, a1.tenant, 'in the caller\'s tenant');
  assert.equal(saved.value, 'vegetarian');
  assert.equal(saved.memory_type, 'preference');
  assert.ok(Math.abs(saved.confidence_score - 0.7) < 1e-6);
  assert.deepEqual(saved.metadata, { by: 'test' });
  // The memory comes back without its 1,536 numbers; the table has them.
  assert.equal(saved.has_embedding, true);
  assert.ok(!('embedding' in saved), 'remember does not send the embedding back');
  const stored = async () => (await a1.supabase.from('user_memory').select('embedding').eq('id', saved.id).single()).data;
  assert.deepEqual((await stored()).embedding.map(Math.fround), vec(1), 'the embedding as given, in float32');

  const again = await ok(a1, 'remember', { key: key('diet'), value: 'vegan', memory_type: 'fact', embedding: vec(2) });
  assert.equal(again.id, saved.id, 'the same key is the same memory');
  assert.equal(again.value, 'vegan');
  assert.equal(again.memory_type, 'fact');
  assert.equal(again.confidence_score, 1);
  assert.equal(again.source, null);
  assert.deepEqual((await stored()).embedding.map(Math.fround), vec(2));
  const plain = await ok(a1, 'remember', { key: key('diet'), value: 'vegan', embedding: null });
  assert.equal(plain.has_embedding, false, 'embedding: null stores none');
  assert.equal((await stored()).embedding, null);
  const rows = await a1.supabase.from('user_memory').select('id, value').eq('key', key('diet'));
  assert.deepEqual(rows.data, [{ id: saved.id, value: 'vegan' }]);

  const short = await refused(a1, 'remember', { key: key('k'), value: 'v', embedding: [0.1, 0.2, 0.3] }, '22P02',
    'an embedding of 3 numbers');
  assert.match(short.error.message, /1536 numbers, this one 3/);
  assert.equal(short.status, 400);
  await refused(a1, 'remember', { key: key('k'), value: 'v', confidence_score: 1.5 }, '22023', 'confidence above 1');
  await refused(a1, 'remember', { key: key('k'), value: 'v', metadata: [1, 2] }, '22023', 'metadata that is no object');
  await refused(a1, 'remember', { key: key('k'), value: null }, '22023', 'a null value');
  const other = await refused(a1, 'remember', { key: key('k'), value: 'v', user_id: a2.user.id }, '42501',
    'a user_id naming a colleague');
  assert.match(other.error.hint, /only their own memories/);
  await refused({ supabase: client() }, 'remember', { key: key('k'), value: 'v' }, '42501', 'anon');
  const refusedRows = await service.supabase.from('user_memory').select('id').eq('key', key('k'));
  assert.deepEqual(refusedRows.data, [], 'the refused calls stored nothing');

  // A memory may cite only a conversation its owner can see.
  const conversation = await ok(a1, 'start_conversation', { title: 'memory source' });
  const cited = await ok(a1, 'remember', { key: key('cited'), value: 'from chat', source_conversation_id: conversation.id });
  assert.equal(cited.source_conversation_id, conversation.id);
  await refused(b1, 'remember', { key: key('cited'), value: 'x', source_conversation_id: conversation.id }, '42501',
    'b1 citing tenant A\'s conversation');

  await refused(service, 'remember', { key: key('k'), value: 'v' }, '22023', 'the service key without user_id');
  const forB1 = await ok(service, 'remember', { key: key('tz'), value: 'Europe/Oslo', user_id: b1.user.id });
  assert.equal(forB1.user_id, b1.user.id);
  assert.equal(forB1.tenant_id, b1.tenant, 'the service key remembers in the named user\'s tenant');
});

// PostgREST reads a JSON array argument with json_to_record, so a null in it
// is a NULL element, which remember names (rest::ArgumentFor does the same).
test('remember: a null in an embedding is refused as a null element', async () => {
  const hole = await refused(a1, 'remember', { key: key('k'), value: 'v', embedding: [...vec(3).slice(1), null] }, '22P02',
    'an embedding with a null');
  assert.match(hole.error.message, /embedding\[1535\] is null, not a finite number/);
});

test('recall: newest change first, filters, cursor pages without gaps or repeats', async () => {
  const stored = [];
  for (const [name, value, memory_type, confidence_score, source] of [
    ['drink', 'drinks coffee black', 'preference', 0.9, 'onboarding'],
    ['city', 'works in Oslo', 'fact', 0.4, 'chat'],
    ['learning', 'wants to learn Rust', 'goal', 0.8, 'chat'],
    ['lunch', 'coffee after lunch', 'history', 0.2, null],
    ['boss', 'reports to Kim', 'context', 1.0, 'onboarding'],
  ]) {
    stored.push(await ok(a2, 'remember', { key: key(name), value, memory_type, confidence_score, source }));
  }

  const all = await ok(a2, 'recall', {});
  assert.deepEqual(names(all), ['boss', 'lunch', 'learning', 'city', 'drink'], 'the latest change first');
  assert.ok(all.every((m, i) => i === 0 || m.updated_at <= all[i - 1].updated_at));
  assert.ok(all.every((m) => typeof m.cursor === 'string' && !('tenant_id' in m) && !('user_id' in m)));

  const seen = [];
  let after = null;
  for (;;) {
    const page = await ok(a2, 'recall', { page_size: 2, ...(after ? { after } : {}) });
    assert.ok(page.length <= 2);
    if (page.length === 0) break;
    seen.push(...page);
    after = page[page.length - 1].cursor;
  }
  assert.deepEqual(seen.map((m) => m.id), all.map((m) => m.id), 'the pages together: every memory once, in order');

  assert.deepEqual(names(await ok(a2, 'recall', { memory_types: ['goal', 'fact'] })), ['learning', 'city']);
  assert.deepEqual(names(await ok(a2, 'recall', { min_confidence: 0.8 })), ['boss', 'learning', 'drink']);
  assert.deepEqual(names(await ok(a2, 'recall', { from_source: 'onboarding' })), ['boss', 'drink']);
  assert.deepEqual(names(await ok(a2, 'recall', { search: 'coffee' })), ['lunch', 'drink']);
  assert.deepEqual(names(await ok(a2, 'recall', { search: 'coffee -lunch' })), ['drink']);
  assert.deepEqual(names(await ok(a2, 'recall', { search: 'Coffee', memory_types: ['history'] })), ['lunch']);

  // An expired memory is gone from every read.
  await ok(a2, 'remember', { key: key('old'), value: 'used to drink coffee', expires_at: new Date(Date.now() - 60_000).toISOString() });
  assert.deepEqual(names(await ok(a2, 'recall', { search: 'coffee' })), ['lunch', 'drink']);

  await refused(a2, 'recall', { page_size: 0 }, '22023', 'page_size 0');
  await refused(a2, 'recall', { page_size: 201 }, '22023', 'page_size 201');
  await refused(a2, 'recall', { after: 'not-a-cursor' }, '22023', 'a malformed cursor');
  await refused(a2, 'recall', { user_id: a1.user.id }, '42501', 'a colleague\'s memories');
  await refused({ supabase: client() }, 'recall', {}, '42501', 'anon');
  const bySupport = await ok(service, 'recall', { user_id: a2.user.id });
  assert.deepEqual(bySupport.map((m) => m.id), all.map((m) => m.id), 'the service key recalls any user\'s');
});

test('search_memories: nearest first by the exact cosine, filters, hybrid, only the caller\'s own', async () => {
  const query = vec(100);
  const spread = [['near', 0.1, 'preference'], ['second', 0.3, 'fact'], ['half', 0.5, 'goal'], ['far', 0.7, 'context']];
  const embeddings = {};
  for (const [i, [name, t, memory_type]] of spread.entries()) {
    embeddings[name] = blend(query, vec(i + 1), t);
    await ok(a1, 'remember', { key: key(name), value: `${name} memory`, memory_type, embedding: embeddings[name] });
  }
  embeddings.zebra = blend(query, vec(9), 0.95);
  await ok(a1, 'remember', { key: key('zebra'), value: 'saw a zebra at the zoo', memory_type: 'history', embedding: embeddings.zebra });
  // embedding: null asks for none (left out, the server would embed the value).
  await ok(a1, 'remember', { key: key('plain'), value: 'zebra without an embedding', embedding: null });
  await ok(a2, 'remember', { key: key('colleague'), value: 'the query itself', embedding: query });
  await ok(b1, 'remember', { key: key('foreign'), value: 'the query itself, tenant B', embedding: query });

  const found = await ok(a1, 'search_memories', { query_embedding: query, match_count: 10 });
  assert.deepEqual(names(found), ['near', 'second', 'half', 'far', 'zebra'],
    'the caller\'s own memories with embeddings, nearest first');
  // To 1e-6: what the SQL and `agentbase serve`'s in-memory index agree to.
  for (const m of found) {
    assert.ok(Math.abs(m.similarity - cosine(embeddings[name(m)], query)) < 1e-6, `${name(m)}: the cosine`);
  }
  for (let i = 1; i < found.length; i++) assert.ok(found[i - 1].similarity >= found[i].similarity);

  assert.deepEqual(names(await ok(a1, 'search_memories', { query_embedding: query, match_count: 2 })), ['near', 'second']);
  const floor = await ok(a1, 'search_memories', { query_embedding: query, min_similarity: 0.6 });
  assert.deepEqual(names(floor), ['near', 'second', 'half']);
  const typed = await ok(a1, 'search_memories', { query_embedding: query, memory_types: ['fact', 'history'] });
  assert.deepEqual(names(typed), ['second', 'zebra']);

  const hybrid = await ok(a1, 'search_memories', { query_embedding: query, match_count: 3, query_text: 'zebra', hybrid: true });
  assert.deepEqual(names(hybrid), ['zebra', 'near', 'second'], 'the words lift the far memory that has them');
  assert.ok(Math.abs(hybrid[0].score - (1 / 65 + 1 / 61)) < 1e-12, 'reciprocal rank fusion: 1/(60+5) + 1/(60+1)');
  assert.ok(Math.abs(hybrid[0].similarity - cosine(embeddings.zebra, query)) < 1e-6, 'similarity is still the cosine');
  const floored = await ok(a1, 'search_memories', {
    query_embedding: query, min_similarity: 0.6, query_text: 'zebra', hybrid: true,
  });
  assert.deepEqual(names(floored), ['near', 'second', 'half'], 'min_similarity holds for the words\' matches too');
  await refused(a1, 'search_memories', { query_embedding: query, hybrid: true }, '22023', 'hybrid without query_text');

  await refused(a1, 'search_memories', { query_embedding: [1, 2, 3] }, '22P02', 'a query of 3 numbers');
  await refused(a1, 'search_memories', { query_embedding: query, match_count: 0 }, '22023', 'match_count 0');
  await refused(a1, 'search_memories', { query_embedding: query, match_count: 201 }, '22023', 'match_count 201');

  const theirs = await ok(b1, 'search_memories', { query_embedding: query, match_count: 200 });
  assert.deepEqual(names(theirs), ['foreign'], 'b1 finds only b1\'s own');
  await refused(b1, 'search_memories', { query_embedding: query, user_id: a1.user.id }, '42501', 'b1 naming a1');
  await refused({ supabase: client() }, 'search_memories', { query_embedding: query }, '42501', 'anon');
  const bySupport = await ok(service, 'search_memories', { query_embedding: query, match_count: 2, user_id: a1.user.id });
  assert.deepEqual(names(bySupport), ['near', 'second'], 'the service key searches the user it names');
});

test('export_memories, forget and forget_all: the caller\'s own only', async () => {
  const kept = await ok(a2, 'remember', { key: key('kept'), value: 'a2 keeps this' });
  await ok(a1, 'remember', { key: key('near'), value: 'with an embedding', embedding: vec(1) });
  await ok(a1, 'remember', { key: key('plain'), value: 'without one' });
  await ok(a1, 'remember', { key: key('gone'), value: 'expired', expires_at: new Date(Date.now() - 60_000).toISOString() });
  const mine = await ok(a1, 'recall', { page_size: 200 });
  assert.equal(mine.length, 2, 'the expired one is not recalled ...');

  const exported = await ok(a1, 'export_memories');
  assert.equal(exported.user_id, a1.user.id);
  assert.ok(!Number.isNaN(Date.parse(exported.exported_at)));
  assert.deepEqual(exported.memories.map((m) => m.id).sort(), mine.map((m) => m.id).sort(), '... nor exported');
  assert.ok(exported.memories.every((m) => !('tenant_id' in m) && !('user_id' in m)), 'without tenant_id or user_id');
  const near = exported.memories.find((m) => m.key === key('near'));
  assert.deepEqual(near.embedding.map(Math.fround), vec(1), 'with the embedding');
  await refused(a1, 'export_memories', { user_id: a2.user.id }, '42501', 'a colleague\'s export');
  const bySupport = await ok(service, 'export_memories', { user_id: a2.user.id });
  assert.ok(bySupport.memories.some((m) => m.id === kept.id));

  const [first, ...rest] = mine;
  await refused(a2, 'forget', { memory_id: first.id }, 'PT404', 'a colleague forgetting a1\'s memory');
  await refused(a1, 'forget', { memory_id: randomUUID() }, 'PT404', 'a memory that does not exist');
  assert.equal(await ok(a1, 'forget', { memory_id: first.id }), first.id, 'the owner forgets, and gets the id back');
  const { status } = await refused(a1, 'forget', { memory_id: first.id }, 'PT404', 'forgetting twice');
  assert.equal(status, 404);

  await refused(a1, 'forget_all', { user_id: a2.user.id }, '42501', 'a colleague\'s forget_all');
  assert.equal(await ok(a1, 'forget_all'), rest.length + 1, 'forget_all counts the caller\'s own (the expired one too)');
  assert.deepEqual(await ok(a1, 'recall'), []);
  assert.deepEqual((await ok(a1, 'export_memories')).memories, []);
  assert.ok((await ok(a2, 'recall')).some((m) => m.id === kept.id), 'a colleague\'s memories stay');
});

test('tenant B never reaches tenant A\'s memories, through any function or the table', async () => {
  const secret = await ok(a1, 'remember', { key: key('secret'), value: 'tenant A secret', embedding: vec(7) });
  await ok(b1, 'remember', { key: key('secret'), value: 'tenant B\'s own', embedding: vec(7) });
  const notA = (rows) => rows.every((m) => m.id !== secret.id && !m.value.includes('tenant A'));

  assert.ok(notA(await ok(b1, 'recall', { page_size: 200 })), 'recall');
  assert.ok(notA(await ok(b1, 'recall', { search: 'secret' })), 'recall with words');
  assert.ok(notA(await ok(b1, 'search_memories', { query_embedding: vec(7), match_count: 200 })), 'search_memories');
  assert.ok(notA(await ok(b1, 'search_memories', {
    query_embedding: vec(7), match_count: 200, query_text: 'secret', hybrid: true,
  })), 'hybrid search_memories');
  assert.ok(notA((await ok(b1, 'export_memories')).memories), 'export_memories');
  const table = await b1.supabase.from('user_memory').select('*');
  assert.equal(table.error, null);
  assert.ok(table.data.length > 0 && notA(table.data), 'select on user_memory');
  assert.ok(table.data.every((m) => m.tenant_id === b1.tenant && m.user_id === b1.user.id));
  const byId = await b1.supabase.from('user_memory').select('*').eq('id', secret.id);
  assert.deepEqual(byId.data, []);

  for (const [fn, args] of [
    ['remember', { key: key('secret'), value: 'overwritten by b1' }], ['recall', {}],
    ['search_memories', { query_embedding: vec(7) }], ['export_memories', {}], ['forget_all', {}],
  ]) {
    await refused(b1, fn, { ...args, user_id: a1.user.id }, '42501', `${fn} naming a1`);
  }
  await refused(b1, 'forget', { memory_id: secret.id }, 'PT404', 'forget of a1\'s memory');
  const updated = await b1.supabase.from('user_memory').update({ value: 'pwned' }).eq('id', secret.id).select();
  assert.deepEqual(updated.data, []);
  const deleted = await b1.supabase.from('user_memory').delete().eq('id', secret.id).select();
  assert.deepEqual(deleted.data, []);

  const still = await ok(a1, 'recall', { search: 'secret' });
  assert.deepEqual(still.map((m) => [m.id, m.value]), [[secret.id, 'tenant A secret']], 'a1\'s memory is as it was');
});
