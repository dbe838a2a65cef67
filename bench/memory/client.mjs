// The client of bench/memory/run.sh (issue 11's targets for user memory):
//
//   node client.mjs seed    users and memories, straight into the database
//   node client.mjs index   against `serve` (in-memory index): search latency,
//                           cold load and RSS, recall against brute force,
//                           remember, 32 clients over 100 users, and the
//                           baselines that do not depend on the server's mode
//                           (match_user_memory, a Node implementation)
//   node client.mjs sql     against `serve --no-memory-index`: the SQL function
//   node client.mjs report  the table
//
// Every vector is generated here from a seeded generator (sfc32): random
// unit vectors (uniform components, normalised in double, stored as float32),
// written with COPY ... (FORMAT binary), so the database holds exactly the
// float32 values this script computes its brute force on. Results go to
// BENCH_RESULTS (JSON), read by `report`.
import { createHmac } from 'node:crypto';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';

const env = process.env;
const setting = (name, fallback) => Number(env[name] ?? fallback);
const DIMS = setting('DIMENSIONS', 1536);
const BIG = setting('BIG_MEMORIES', 10000);
const QUERIES = setting('QUERIES', 1000);
const MANY_USERS = setting('MANY_USERS', 100);
const MANY_MEMORIES = setting('MANY_MEMORIES', 1000);
const CLIENTS = setting('CLIENTS', 32);
const DURATION = setting('DURATION', 15);
const SQL_DURATION = setting('SQL_DURATION', 15);
const SQL_QUERIES = setting('SQL_QUERIES', 3);
const MATCH_QUERIES = setting('MATCH_QUERIES', 3);
const NODE_QUERIES = setting('NODE_QUERIES', 3);
const NODE_PAGE = setting('NODE_PAGE', 500);
const REMEMBERS = setting('REMEMBERS', 300);
const MATCH_COUNT = 10;
const resultsFile = env.BENCH_RESULTS;

// Users by number: 0 holds BIG memories, 1 holds one (the floor: a search
// with nothing to scan), 2 writes (remember), 3.. MANY_MEMORIES each.
const BIG_USER = 0;
const ONE_USER = 1;
const WRITER = 2;
const FIRST_MANY = 3;
const userCount = FIRST_MANY + MANY_USERS;
const memoriesOf = (u) => (u === BIG_USER ? BIG : u === ONE_USER ? 1 : u === WRITER ? 0 : MANY_MEMORIES);

// Deterministic random numbers ----------------------------------------------------
function sfc32(a, b, c, d) {
  return () => {
    a |= 0; b |= 0; c |= 0; d |= 0;
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
}
function generator(seed) {
  const next = sfc32(0x9e3779b9, 0x243f6a88, 0xb7e15162, seed);
  for (let i = 0; i < 15; i++) next();
  return next;
}
const scratch = new Float64Array(DIMS);
// A random unit vector, rounded to float32 (into `out` at `at`).
function unitVector(next, out, at = 0) {
  let norm = 0;
  for (let i = 0; i < DIMS; i++) {
    const x = next() * 2 - 1;
    scratch[i] = x;
    norm += x * x;
  }
  norm = Math.sqrt(norm);
  for (let i = 0; i < DIMS; i++) out[at + i] = scratch[i] / norm;
}
function uuid(next) {
  const bytes = Buffer.alloc(16);
  for (let i = 0; i < 16; i++) bytes[i] = Math.floor(next() * 256);
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const h = bytes.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
const userIds = (() => {
  const next = generator(1);
  return Array.from({ length: userCount }, () => uuid(next));
})();
// A user's memories: ids and vectors, the same at every call.
function memories(user) {
  const n = memoriesOf(user);
  const next = generator(1000 + user);
  const ids = new Array(n);
  const vectors = new Float32Array(n * DIMS);
  for (let i = 0; i < n; i++) {
    ids[i] = uuid(next);
    unitVector(next, vectors, i * DIMS);
  }
  return { ids, vectors };
}
function queries(count, seed = 7) {
  const next = generator(seed);
  return Array.from({ length: count }, () => {
    const q = new Float32Array(DIMS);
    unitVector(next, q);
    return q;
  });
}
const searchBody = (q) => JSON.stringify({ query_embedding: Array.from(q), match_count: MATCH_COUNT });

// Statistics ---------------------------------------------------------------------
const percentile = (values, p) => {
  if (values.length === 0) return NaN;
  const sorted = Float64Array.from(values).sort();
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))];
};
const stats = (values) => ({
  n: values.length,
  p50: percentile(values, 0.5),
  p90: percentile(values, 0.9),
  p99: percentile(values, 0.99),
  max: values.length ? Math.max(...values) : NaN,
  mean: values.reduce((s, v) => s + v, 0) / values.length,
});
const ms = (start) => Number(process.hrtime.bigint() - start) / 1e6;
const fmt = (v, digits = 2) => (Number.isFinite(v) ? v.toFixed(digits) : String(v));

function loadResults() {
  return resultsFile && existsSync(resultsFile) ? JSON.parse(readFileSync(resultsFile, 'utf8')) : {};
}
function saveResults(part) {
  const all = { ...loadResults(), ...part };
  if (resultsFile) writeFileSync(resultsFile, JSON.stringify(all, null, 1));
  return all;
}

// The database (as its owner) -----------------------------------------------------
function psql(sql) {
  return execFileSync('psql', ['-XAtq', '-v', 'ON_ERROR_STOP=1', '-F', '\t', env.AGENTBASE_PSQL, '-c', sql], {
    encoding: 'utf8',
    maxBuffer: 1 << 26,
  }).trim();
}

// PostgreSQL's binary COPY of (id, tenant_id, user_id, memory_type, key, value, embedding).
const types = ['preference', 'context', 'fact', 'goal', 'history'];
function copyRow(id, tenant, user, i, vectors, at) {
  const type = Buffer.from(types[i % types.length]);
  const key = Buffer.from(`k${i}`);
  const value = Buffer.from(`memory ${i} of this bench user: prefers short answers, is learning Portuguese, ` +
    `asked about rate limits (${i % 97})`);
  const arrayBytes = 20 + DIMS * 8;
  const size = 2 + 3 * 20 + 12 + type.length + key.length + value.length + 4 + arrayBytes;
  const b = Buffer.allocUnsafe(size);
  let o = b.writeInt16BE(7, 0);
  for (const u of [id, tenant, user]) {
    o = b.writeInt32BE(16, o);
    o += Buffer.from(u.replaceAll('-', ''), 'hex').copy(b, o);
  }
  for (const s of [type, key, value]) {
    o = b.writeInt32BE(s.length, o);
    o += s.copy(b, o);
  }
  o = b.writeInt32BE(arrayBytes, o);
  o = b.writeInt32BE(1, o);    // dimensions
  o = b.writeInt32BE(0, o);    // no nulls
  o = b.writeInt32BE(700, o);  // float4
  o = b.writeInt32BE(DIMS, o);
  o = b.writeInt32BE(1, o);    // lower bound
  for (let k = 0; k < DIMS; k++) {
    o = b.writeInt32BE(4, o);
    o = b.writeFloatBE(vectors[at + k], o);
  }
  return b;
}

async function seed() {
  const started = process.hrtime.bigint();
  const values = userIds.map((id, u) => `('${id}', ${u})`).join(',');
  psql(`
    CREATE SCHEMA bench;
    INSERT INTO public.tenants (name, slug) VALUES ('Bench memory', 'bench-memory');
    CREATE TABLE bench.users AS
      SELECT v.id::uuid AS id, v.u, (SELECT id FROM public.tenants WHERE slug = 'bench-memory') AS tenant_id
      FROM (VALUES ${values}) v(id, u);
    INSERT INTO auth.users (id, aud, role, email, email_confirmed_at, raw_app_meta_data, raw_user_meta_data)
      SELECT id, 'authenticated', 'authenticated', 'memory' || u || '@bench.test', now(),
             jsonb_build_object('provider', 'email', 'providers', jsonb_build_array('email'), 'tenant_id', tenant_id), '{}'
      FROM bench.users;
    INSERT INTO public.profiles (id, tenant_id, role) SELECT id, tenant_id, 'member' FROM bench.users;`);
  const tenant = psql("SELECT id FROM public.tenants WHERE slug = 'bench-memory'");
  const copy = spawn('psql', ['-XqAt', '-v', 'ON_ERROR_STOP=1', env.AGENTBASE_PSQL, '-c',
    'COPY public.user_memory (id, tenant_id, user_id, memory_type, key, value, embedding) FROM STDIN (FORMAT binary)'],
  { stdio: ['pipe', 'inherit', 'inherit'] });
  const exited = new Promise((resolve) => copy.on('exit', resolve));
  const write = (buffer) => (copy.stdin.write(buffer) ? null : new Promise((r) => copy.stdin.once('drain', r)));
  const header = Buffer.alloc(19);
  header.write('PGCOPY\n\xff\r\n\0', 0, 'latin1');
  await write(header);
  let rows = 0;
  for (let u = 0; u < userCount; u++) {
    const { ids, vectors } = memories(u);
    let chunk = [];
    for (let i = 0; i < ids.length; i++) {
      chunk.push(copyRow(ids[i], tenant, userIds[u], i, vectors, i * DIMS));
      if (chunk.length === 64) {
        await write(Buffer.concat(chunk));
        chunk = [];
      }
    }
    if (chunk.length) await write(Buffer.concat(chunk));
    rows += ids.length;
  }
  const trailer = Buffer.alloc(2);
  trailer.writeInt16BE(-1);
  copy.stdin.end(trailer);
  const code = await exited;
  if (code !== 0) throw new Error(`COPY failed (${code})`);
  const copied = ms(started);
  // Settled before anything is timed: hint bits, visibility map, statistics,
  // and the bulk load's WAL checkpointed.
  psql('VACUUM (ANALYZE) public.user_memory');
  psql('VACUUM (ANALYZE) agentbase.memory_log');
  psql('CHECKPOINT');
  const total = ms(started);
  const tableBytes = Number(psql("SELECT pg_total_relation_size('public.user_memory')"));
  console.log(`seeded ${rows} memories of ${DIMS} dimensions for ${userCount} users in ${fmt(total / 1000, 1)} s ` +
    `(COPY ${fmt(copied / 1000, 1)} s); user_memory is ${fmt(tableBytes / 2 ** 20, 0)} MiB with its indexes`);
  saveResults({ seed: { rows, users: userCount, seconds: total / 1000, copySeconds: copied / 1000, tableBytes } });
}

// HTTP --------------------------------------------------------------------------------
const baseUrl = new URL(env.AGENTBASE_URL ?? 'http://127.0.0.1:54321');
const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
const secret = env.AGENTBASE_JWT_SECRET_FILE ? readFileSync(env.AGENTBASE_JWT_SECRET_FILE, 'utf8').trim() : '';
const b64 = (value) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');
const sign = (input) => createHmac('sha256', secret).update(input).digest('base64url');
function userToken(sub) {
  const now = Math.floor(Date.now() / 1000);
  const head = b64({ alg: 'HS256', typ: 'JWT' });
  const body = b64({ sub, role: 'authenticated', aud: 'authenticated', iat: now, exp: now + 4 * 3600 });
  return `${head}.${body}.${sign(`${head}.${body}`)}`;
}
function checkSecret() {
  const [h, p, s] = env.AGENTBASE_ANON_KEY.split('.');
  if (sign(`${h}.${p}`) !== s) throw new Error('the JWT secret does not sign like the server');
}
const tokens = userIds.map((id) => (secret ? userToken(id) : ''));

// POST, keep-alive; resolves with status, body text and milliseconds.
function post(path, body, token) {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const request = http.request({
      agent, host: baseUrl.hostname, port: baseUrl.port, path, method: 'POST',
      headers: {
        apikey: env.AGENTBASE_ANON_KEY, authorization: `Bearer ${token}`,
        'content-type': 'application/json', 'content-length': Buffer.byteLength(body),
      },
    }, (response) => {
      const chunks = [];
      response.on('data', (c) => chunks.push(c));
      response.on('end', () => resolve({ status: response.statusCode, text: Buffer.concat(chunks).toString(), ms: ms(started) }));
      response.on('error', reject);
    });
    request.on('error', reject);
    request.end(body);
  });
}
async function search(user, body) {
  const answer = await post('/rest/v1/rpc/search_memories', body, tokens[user]);
  if (answer.status !== 200) throw new Error(`search_memories: ${answer.status} ${answer.text.slice(0, 300)}`);
  return answer;
}

// The server process -------------------------------------------------------------------
function rssKiB(pid = env.AGENTBASE_SERVER_PID, field = 'VmRSS') {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith(`${field}:`));
  return Number(line.split(/\s+/)[1]);
}
function cpuSeconds(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;  // utime + stime, USER_HZ = 100
}
const loadavg = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');

// Brute force, in double precision as the index and the SQL function compute:
// the best MATCH_COUNT of a user's memories by cosine, ties by id.
function bruteForce(set, norms, q) {
  let qn = 0;
  for (let i = 0; i < DIMS; i++) qn += q[i] * q[i];
  qn = Math.sqrt(qn);
  const best = [];  // sorted, best first
  const { ids, vectors } = set;
  for (let m = 0, at = 0; m < ids.length; m++, at += DIMS) {
    let dot = 0;
    for (let i = 0; i < DIMS; i++) dot += vectors[at + i] * q[i];
    const sim = dot / (norms[m] * qn);
    if (best.length === MATCH_COUNT) {
      const worst = best[MATCH_COUNT - 1];
      if (sim < worst.sim || (sim === worst.sim && ids[m] > worst.id)) continue;
      best.pop();
    }
    let k = best.length;
    while (k > 0 && (best[k - 1].sim < sim || (best[k - 1].sim === sim && best[k - 1].id > ids[m]))) k--;
    best.splice(k, 0, { id: ids[m], sim });
  }
  return best;
}
function normsOf(set) {
  const norms = new Float64Array(set.ids.length);
  for (let m = 0; m < set.ids.length; m++) {
    let s = 0;
    for (let i = 0, at = m * DIMS; i < DIMS; i++) s += set.vectors[at + i] * set.vectors[at + i];
    norms[m] = Math.sqrt(s);
  }
  return norms;
}
// How a server's answer compares with the brute force.
function compare(rows, truth) {
  const found = new Set(rows.map((r) => r.id));
  let overlap = 0;
  for (const t of truth) if (found.has(t.id)) overlap++;
  let sameOrder = rows.length === truth.length;
  let maxDiff = 0;
  for (let k = 0; k < Math.min(rows.length, truth.length); k++) {
    if (rows[k].id !== truth[k].id) sameOrder = false;
    else maxDiff = Math.max(maxDiff, Math.abs(rows[k].similarity - truth[k].sim));
  }
  return { recall: overlap / truth.length, exact: sameOrder && maxDiff <= 1e-6, maxDiff };
}
function summarizeRecall(comparisons) {
  return {
    n: comparisons.length,
    recall: comparisons.reduce((s, c) => s + c.recall, 0) / comparisons.length,
    exact: comparisons.filter((c) => c.exact).length,
    maxSimilarityDiff: Math.max(...comparisons.map((c) => c.maxDiff)),
  };
}

// Many users, many clients: CLIENTS loops for `seconds`, each a search of a
// random user of the MANY with a random query; latencies of every answered
// request started in the window, throughput of those answered in it.
async function concurrent(seconds, bodies) {
  const latencies = [];
  let completed = 0;
  let errors = 0;
  let firstError = '';
  const next = generator(99);
  const started = process.hrtime.bigint();
  const deadline = started + BigInt(Math.round(seconds * 1e9));
  const cpu0 = cpuSeconds(env.AGENTBASE_SERVER_PID);
  const load0 = loadavg();
  async function loop() {
    while (process.hrtime.bigint() < deadline) {
      const user = FIRST_MANY + Math.floor(next() * MANY_USERS);
      const body = bodies[Math.floor(next() * bodies.length)];
      const answer = await post('/rest/v1/rpc/search_memories', body, tokens[user]);
      if (answer.status !== 200) {
        errors++;
        firstError ||= `${answer.status} ${answer.text.slice(0, 200)}`;
        continue;
      }
      latencies.push(answer.ms);
      if (process.hrtime.bigint() <= deadline) completed++;
    }
  }
  await Promise.all(Array.from({ length: CLIENTS }, loop));
  const wall = ms(started) / 1000;
  return {
    clients: CLIENTS, seconds, wall, completed, errors, firstError,
    throughput: completed / seconds, latency: stats(latencies),
    serverCpu: cpuSeconds(env.AGENTBASE_SERVER_PID) - cpu0, load: `${load0} → ${loadavg()}`,
  };
}

async function indexPhase() {
  checkSecret();
  const out = { machine: { load: loadavg() } };
  const qs = queries(QUERIES);
  const bodies = qs.map(searchBody);
  const bigSet = memories(BIG_USER);

  // 1. Cold load of the big user: the first search reads every memory.
  const rssBefore = rssKiB();
  const cold = await search(BIG_USER, searchBody(queries(1, 5)[0]));
  const rssAfter = rssKiB();
  const hwm = rssKiB(env.AGENTBASE_SERVER_PID, 'VmHWM');
  await new Promise((r) => setTimeout(r, 1000));
  const rssSettled = rssKiB();
  const coldOne = await search(ONE_USER, bodies[0]);
  out.cold = { ms: cold.ms, rssBeforeKiB: rssBefore, rssAfterKiB: rssAfter, rssSettledKiB: rssSettled, hwmKiB: hwm, oneUserMs: coldOne.ms };
  console.log(`cold load of ${BIG} memories: ${fmt(cold.ms, 0)} ms; server RSS ${fmt(rssBefore / 1024, 1)} → ` +
    `${fmt(rssAfter / 1024, 1)} MiB (${fmt(rssSettled / 1024, 1)} a second later; peak ${fmt(hwm / 1024, 1)} MiB)`);

  // 2. Warm searches: the big user and the one-memory user in turn (the
  // same load on both), QUERIES each, after a warm-up.
  for (let i = 0; i < 20; i++) {
    await search(BIG_USER, bodies[i % bodies.length]);
    await search(ONE_USER, bodies[i % bodies.length]);
  }
  const big = [];
  const one = [];
  const answers = [];
  const cpu0 = cpuSeconds(env.AGENTBASE_SERVER_PID);
  const searchStarted = process.hrtime.bigint();
  for (let q = 0; q < QUERIES; q++) {
    const a = await search(BIG_USER, bodies[q]);
    big.push(a.ms);
    answers.push(a.text);
    one.push((await search(ONE_USER, bodies[q])).ms);
  }
  const searchSeconds = ms(searchStarted) / 1000;
  out.search = {
    big: stats(big), one: stats(one), load: loadavg(),
    serverCpuPerSearchMs: ((cpuSeconds(env.AGENTBASE_SERVER_PID) - cpu0) * 1000) / (2 * QUERIES), searchSeconds,
  };
  out.search.scanMs = out.search.big.p50 - out.search.one.p50;
  console.log(`search, ${BIG} memories: p50 ${fmt(out.search.big.p50)} ms, p99 ${fmt(out.search.big.p99)} ms; ` +
    `1 memory: p50 ${fmt(out.search.one.p50)} ms, p99 ${fmt(out.search.one.p99)} ms (n = ${QUERIES} each); ` +
    `server CPU ${fmt(out.search.serverCpuPerSearchMs)} ms a search (both users)`);

  // 3. Recall against brute force, and the time of a JavaScript scan.
  const norms = normsOf(bigSet);
  const comparisons = [];
  const jsScan = [];
  const truths = [];
  for (let q = 0; q < QUERIES; q++) {
    const t0 = process.hrtime.bigint();
    const truth = bruteForce(bigSet, norms, qs[q]);
    jsScan.push(ms(t0));
    truths.push(truth);
    comparisons.push(compare(JSON.parse(answers[q]), truth));
  }
  out.recall = summarizeRecall(comparisons);
  out.jsScan = stats(jsScan);
  console.log(`recall@${MATCH_COUNT} over ${QUERIES} queries: ${out.recall.recall}; identical (ids in order, ` +
    `similarity within 1e-6): ${out.recall.exact}/${QUERIES}; largest similarity difference ` +
    `${out.recall.maxSimilarityDiff.toExponential(2)}; JS brute-force scan p50 ${fmt(out.jsScan.p50, 1)} ms`);

  // 4. remember: with an embedding, and with the value only (the offline
  // embedder computes it), in turn; with the embedded database's stock
  // durable commit (synchronous_commit on: each commit waits for its WAL's
  // fdatasync), then again with synchronous_commit off (ALTER SYSTEM and a
  // reload: every session) to show what is not the disk's.
  const rq = queries(REMEMBERS, 11);
  async function remember(tag) {
    const embedded = [];
    const textOnly = [];
    for (let i = 0; i < REMEMBERS + 10; i++) {
      const withEmbedding = JSON.stringify({
        key: `${tag}-emb-${i}`, value: `remembered with an embedding, number ${i}`, embedding: Array.from(rq[i % REMEMBERS]),
      });
      const a = await post('/rest/v1/rpc/remember', withEmbedding, tokens[WRITER]);
      if (a.status !== 200) throw new Error(`remember: ${a.status} ${a.text.slice(0, 300)}`);
      const withText = JSON.stringify({
        key: `${tag}-text-${i}`,
        value: `The user said on call ${i} that they prefer short answers in the morning, are learning Portuguese ` +
          `before a trip to Lisbon in May, and keep their notes in a shared folder.`,
      });
      const b = await post('/rest/v1/rpc/remember', withText, tokens[WRITER]);
      if (b.status !== 200) throw new Error(`remember: ${b.status} ${b.text.slice(0, 300)}`);
      if (i === 0 && JSON.parse(b.text).has_embedding !== true) throw new Error('remember did not embed the value');
      if (i >= 10) {  // the first ten warm up
        embedded.push(a.ms);
        textOnly.push(b.ms);
      }
    }
    return { embedding: stats(embedded), text: stats(textOnly) };
  }
  out.remember = await remember('sync');
  psql('ALTER SYSTEM SET synchronous_commit = off');
  psql('SELECT pg_reload_conf()');
  await new Promise((r) => setTimeout(r, 500));
  out.rememberAsync = await remember('async');
  psql('ALTER SYSTEM RESET synchronous_commit');
  psql('SELECT pg_reload_conf()');
  await new Promise((r) => setTimeout(r, 500));
  for (const [label, r] of [['synchronous_commit on', out.remember], ['synchronous_commit off', out.rememberAsync]]) {
    console.log(`remember (${label}) with an embedding: p50 ${fmt(r.embedding.p50)} ms, p99 ` +
      `${fmt(r.embedding.p99)}; with the offline embedder: p50 ${fmt(r.text.p50)} ms, p99 ${fmt(r.text.p99)} ` +
      `(n = ${REMEMBERS} each)`);
  }

  // 5. MANY_USERS users of MANY_MEMORIES, CLIENTS clients.
  const loadStarted = process.hrtime.bigint();
  const loads = [];
  for (let u = FIRST_MANY; u < userCount; u++) loads.push((await search(u, bodies[u % bodies.length])).ms);
  out.manyLoad = { seconds: ms(loadStarted) / 1000, perUser: stats(loads), rssKiB: rssKiB() };
  console.log(`cold load of ${MANY_USERS} users × ${MANY_MEMORIES}: ${fmt(out.manyLoad.seconds, 1)} s ` +
    `(p50 ${fmt(out.manyLoad.perUser.p50, 0)} ms a user); server RSS ${fmt(out.manyLoad.rssKiB / 1024, 0)} MiB`);
  out.concurrent = await concurrent(DURATION, bodies);
  console.log(`${CLIENTS} clients over ${MANY_USERS} users, ${DURATION} s: ${fmt(out.concurrent.throughput, 0)} ` +
    `searches/s, p50 ${fmt(out.concurrent.latency.p50)} ms, p99 ${fmt(out.concurrent.latency.p99)} ms, ` +
    `${out.concurrent.errors} errors${out.concurrent.firstError ? ` (${out.concurrent.firstError})` : ''}; ` +
    `server CPU ${fmt((out.concurrent.serverCpu * 1000) / out.concurrent.completed)} ms a search; load ${out.concurrent.load}`);

  // 6. The original SQL function, match_user_memory, on the big user.
  const match = [];
  const matchComparisons = [];
  for (let q = 0; q < MATCH_QUERIES; q++) {
    const a = await post('/rest/v1/rpc/match_user_memory', bodies[q], tokens[BIG_USER]);
    if (a.status !== 200) throw new Error(`match_user_memory: ${a.status} ${a.text.slice(0, 300)}`);
    match.push(a.ms);
    matchComparisons.push(compare(JSON.parse(a.text), truths[q]));
  }
  out.match = { latency: stats(match), recall: summarizeRecall(matchComparisons) };
  console.log(`match_user_memory, ${BIG} memories: p50 ${fmt(out.match.latency.p50, 0)} ms (n = ${MATCH_QUERIES}); ` +
    `recall@${MATCH_COUNT} ${out.match.recall.recall}`);

  // 7. A typical Node implementation: the user's rows through supabase-js
  // (row level security, pages of NODE_PAGE: the server answers at most
  // 1,000 rows and 16 MiB a request), then a brute-force cosine in JS.
  const require = createRequire(new URL('../../tests/js/package.json', import.meta.url));
  const { createClient } = require('@supabase/supabase-js');
  const supabase = createClient(baseUrl.origin, env.AGENTBASE_ANON_KEY, {
    auth: { persistSession: false, autoRefreshToken: false },
    realtime: { transport: require('ws') },  // node 20 has no WebSocket of its own
    global: { headers: { Authorization: `Bearer ${tokens[BIG_USER]}` } },
  });
  const node = { total: [], fetch: [], scan: [], recall: [] };
  for (let q = 0; q < NODE_QUERIES; q++) {
    const t0 = process.hrtime.bigint();
    const rows = [];
    for (let from = 0; ; from += NODE_PAGE) {
      const { data, error } = await supabase.from('user_memory').select('id,embedding').order('id')
        .range(from, from + NODE_PAGE - 1);
      if (error) throw new Error(`user_memory: ${JSON.stringify(error)}`);
      rows.push(...data);
      if (data.length < NODE_PAGE) break;
    }
    const fetched = ms(t0);
    const query = Array.from(qs[q]);
    let qn = 0;
    for (const x of query) qn += x * x;
    qn = Math.sqrt(qn);
    const scored = rows.map((row) => {
      let dot = 0;
      let n = 0;
      for (let i = 0; i < row.embedding.length; i++) {
        dot += row.embedding[i] * query[i];
        n += row.embedding[i] * row.embedding[i];
      }
      return { id: row.id, similarity: dot / (Math.sqrt(n) * qn) };
    });
    scored.sort((a, b) => b.similarity - a.similarity || (a.id < b.id ? -1 : 1));
    const top = scored.slice(0, MATCH_COUNT);
    const total = ms(t0);
    node.total.push(total);
    node.fetch.push(fetched);
    node.scan.push(total - fetched);
    node.recall.push(compare(top, truths[q]));
    if (rows.length !== BIG) throw new Error(`the Node implementation read ${rows.length} rows, not ${BIG}`);
  }
  out.node = { total: stats(node.total), fetch: stats(node.fetch), scan: stats(node.scan), recall: summarizeRecall(node.recall) };
  console.log(`Node (supabase-js fetch + JS scan), ${BIG} memories: p50 ${fmt(out.node.total.p50, 0)} ms ` +
    `(fetch ${fmt(out.node.fetch.p50, 0)}, scan ${fmt(out.node.scan.p50, 1)}; n = ${NODE_QUERIES}); ` +
    `recall@${MATCH_COUNT} ${out.node.recall.recall}`);
  out.machine.loadAfter = loadavg();
  saveResults({ index: out });
}

async function sqlPhase() {
  checkSecret();
  const out = { load: loadavg() };
  const qs = queries(QUERIES);
  const bodies = qs.map(searchBody);
  const bigSet = memories(BIG_USER);
  const norms = normsOf(bigSet);
  // search_memories in SQL on the big user (the first SQL_QUERIES queries).
  const latencies = [];
  const comparisons = [];
  await search(ONE_USER, bodies[0]);
  for (let q = 0; q < SQL_QUERIES; q++) {
    const a = await search(BIG_USER, bodies[q]);
    latencies.push(a.ms);
    comparisons.push(compare(JSON.parse(a.text), bruteForce(bigSet, norms, qs[q])));
  }
  out.big = { latency: stats(latencies), recall: summarizeRecall(comparisons) };
  console.log(`SQL search_memories, ${BIG} memories: p50 ${fmt(out.big.latency.p50, 0)} ms (n = ${SQL_QUERIES}); ` +
    `identical to brute force: ${out.big.recall.exact}/${SQL_QUERIES}`);
  const one = [];
  for (let q = 0; q < 50; q++) one.push((await search(ONE_USER, bodies[q])).ms);
  out.one = stats(one);
  out.concurrent = await concurrent(SQL_DURATION, bodies);
  console.log(`SQL, ${CLIENTS} clients over ${MANY_USERS} users, ${SQL_DURATION} s: ` +
    `${fmt(out.concurrent.throughput, 1)} searches/s, p50 ${fmt(out.concurrent.latency.p50, 0)} ms, ` +
    `p99 ${fmt(out.concurrent.latency.p99, 0)} ms, ${out.concurrent.errors} errors` +
    `${out.concurrent.firstError ? ` (${out.concurrent.firstError})` : ''}; load ${out.concurrent.load}`);
  saveResults({ sql: out });
}

// The summary table (markdown), from BENCH_RESULTS and Google Benchmark's
// JSON (argument), the medians of its repetitions.
function report(benchmarkJson) {
  const r = loadResults();
  const lines = [];
  const row = (...cells) => lines.push(`| ${cells.join(' | ')} |`);
  const verdict = (ok) => (ok ? 'met' : '**missed**');
  const vectorMB = (BIG * DIMS * 4) / 1e6;
  const big = BIG.toLocaleString('en');
  let gb = null;
  if (benchmarkJson && existsSync(benchmarkJson)) {
    const all = JSON.parse(readFileSync(benchmarkJson, 'utf8')).benchmarks;
    const median = (name) => all.find((b) => b.run_name === name && b.aggregate_name === 'median') ??
      all.find((b) => b.run_name === name && b.run_type === 'iteration');
    const seconds = (b) => b.real_time / { ns: 1e9, us: 1e6, ms: 1e3, s: 1 }[b.time_unit];
    const scan1 = median('BM_Scan/real_time');
    const scan2 = median('BM_ScanParallel/threads:2/real_time');
    const cold1 = median('BM_ScanCold/real_time');
    const cold2 = median('BM_ScanColdParallel/threads:2/real_time');
    const read1 = median('BM_MemoryRead/threads:1/real_time');
    const read2 = median('BM_MemoryRead/threads:2/real_time');
    const rate = (b) => (b ? b.vector_bytes / seconds(b) / 1e9 : NaN);
    const readRate = (b) => b.bytes_per_second / 1e9;  // bytes per second of real time
    gb = {
      scan1: rate(scan1), scan1Ms: seconds(scan1) * 1e3, scan2: rate(scan2), scan2Ms: seconds(scan2) * 1e3,
      cold1: rate(cold1), cold1Ms: cold1 ? seconds(cold1) * 1e3 : NaN,
      cold2: rate(cold2), cold2Ms: cold2 ? seconds(cold2) * 1e3 : NaN,
      read1: readRate(read1), read2: readRate(read2),
      ratio: scan1.index_ratio, indexBytes: scan1.index_bytes, vectorBytes: scan1.vector_bytes,
      memories: scan1.memories,
    };
  }
  const i = r.index ?? {};
  const s = r.sql ?? {};
  row('Measurement', 'Result', 'Target');
  row('---', '---', '---');
  if (i.search) {
    row(`search, 1 user × ${big} memories (HTTP, n = ${i.search.big.n}): p50 / p99`,
      `${fmt(i.search.big.p50)} / ${fmt(i.search.big.p99)} ms`,
      `p50 < 5 ms: ${verdict(i.search.big.p50 < 5)}; p99 < 10 ms: ${verdict(i.search.big.p99 < 10)}`);
    row('search, a user with 1 memory (the floor: HTTP, JWT, sync statement): p50 / p99',
      `${fmt(i.search.one.p50)} / ${fmt(i.search.one.p99)} ms`, '');
    row(`cold load: first search of the ${big}-memory user`, `${fmt(i.cold.ms, 0)} ms`, '');
    row(`recall@${MATCH_COUNT} against brute force in JS (n = ${i.recall.n})`,
      `${i.recall.recall} (${i.recall.exact}/${i.recall.n} identical; max Δsimilarity ${i.recall.maxSimilarityDiff.toExponential(1)})`,
      `1.0: ${verdict(i.recall.recall === 1 && i.recall.exact === i.recall.n)}`);
  }
  if (gb) {
    row('memory read bandwidth (512 MiB, AVX2 loads), 1 / 2 threads', `${fmt(gb.read1, 1)} / ${fmt(gb.read2, 1)} GB/s`, '');
    const best = Math.max(gb.read1, gb.read2);
    const cold = Math.max(gb.cold1, gb.cold2);
    const n = gb.memories.toLocaleString('en');
    if (Number.isFinite(cold)) row(`index scan from memory (Google Benchmark, ${n} × ${DIMS} of an 80,000 index in turn), 1 thread / 2 parts`,
      `${fmt(gb.cold1Ms)} ms = ${fmt(gb.cold1, 1)} GB/s / ${fmt(gb.cold2Ms)} ms = ${fmt(gb.cold2, 1)} GB/s`,
      `within 2× of bandwidth (≥ ${fmt(best / 2, 1)} GB/s): ${verdict(cold >= best / 2)} (${fmt(cold / best, 2)} of it)`);
    row(`index scan, the same ${n} every time (part cached), 1 thread / 2 parts`,
      `${fmt(gb.scan1Ms)} ms = ${fmt(gb.scan1, 1)} GB/s / ${fmt(gb.scan2Ms)} ms = ${fmt(gb.scan2, 1)} GB/s`, '');
  }
  if (i.search) {
    row(`scan in the server: p50(${big}) − p50(1 memory)`,
      `${fmt(i.search.scanMs)} ms = ${fmt(vectorMB / i.search.scanMs, 1)} GB/s`, '');
  }
  if (gb) row('index size: VectorIndex::Bytes() / VectorBytes()', `${fmt(gb.ratio, 3)} (${fmt(gb.indexBytes / 1e6, 1)} / ${fmt(gb.vectorBytes / 1e6, 1)} MB)`, `≤ 1.25: ${verdict(gb.ratio <= 1.25)}`);
  if (i.cold) {
    const grew = (i.cold.rssAfterKiB - i.cold.rssBeforeKiB) * 1024;
    const settled = (i.cold.rssSettledKiB - i.cold.rssBeforeKiB) * 1024;
    row(`server RSS growth loading the ${big}-memory user (${fmt(vectorMB, 1)} MB of vectors)`,
      `${fmt(grew / 1e6, 1)} MB = ${fmt(grew / (vectorMB * 1e6), 2)}× (1 s later ${fmt(settled / 1e6, 1)} MB; peak during the load ` +
      `${fmt((i.cold.hwmKiB - i.cold.rssBeforeKiB) * 1024 / 1e6, 0)} MB above the start)`, '≤ 1.25×: ' + verdict(grew <= 1.25 * vectorMB * 1e6));
  }
  if (i.concurrent) {
    const c = i.concurrent;
    row(`${c.clients} clients, ${MANY_USERS} users × ${MANY_MEMORIES.toLocaleString('en')}, index (${c.seconds} s)`,
      `${fmt(c.throughput, 0)} searches/s, p50 ${fmt(c.latency.p50)} ms, p99 ${fmt(c.latency.p99)} ms, ${c.errors} errors`, '');
  }
  if (s.concurrent) {
    const c = s.concurrent;
    row(`the same, SQL function (--no-memory-index, ${c.seconds} s)`,
      `${fmt(c.throughput, 1)} searches/s, p50 ${fmt(c.latency.p50, 0)} ms, p99 ${fmt(c.latency.p99, 0)} ms, ${c.errors} errors`, '');
  }
  if (i.remember) {
    const fsync = env.FSYNC_MS ? `; this disk's fdatasync of 8 kB: ${fmt(Number(env.FSYNC_MS))} ms (pg_test_fsync)` : '';
    for (const [label, m] of [['synchronous_commit on (stock)', i.remember], ['synchronous_commit off', i.rememberAsync]]) {
      if (!m) continue;
      row(`remember with an embedding, ${label} (n = ${m.embedding.n}): p50 / p99`,
        `${fmt(m.embedding.p50)} / ${fmt(m.embedding.p99)} ms`, `p50 < 2 ms: ${verdict(m.embedding.p50 < 2)}${m === i.remember ? fsync : ''}`);
      row(`remember, value only (offline embedder), ${label} (n = ${m.text.n}): p50 / p99`,
        `${fmt(m.text.p50)} / ${fmt(m.text.p99)} ms`, `p50 < 5 ms: ${verdict(m.text.p50 < 5)}`);
    }
  }
  if (s.big) {
    row(`SQL function search_memories, ${big} memories (n = ${s.big.latency.n})`,
      `p50 ${fmt(s.big.latency.p50, 0)} ms (${s.big.recall.exact}/${s.big.recall.n} identical to brute force)`, '');
  }
  if (i.match) {
    row(`old SQL function match_user_memory, ${big} memories (n = ${i.match.latency.n})`,
      `p50 ${fmt(i.match.latency.p50, 0)} ms (recall@${MATCH_COUNT} ${fmt(i.match.recall.recall, 2)})`, '');
  }
  if (i.node) {
    row(`Node: supabase-js fetch (pages of ${NODE_PAGE}) + JS brute force, ${big} memories (n = ${i.node.total.n})`,
      `p50 ${fmt(i.node.total.p50, 0)} ms (fetch ${fmt(i.node.fetch.p50, 0)} ms, scan ${fmt(i.node.scan.p50, 0)} ms)`, '');
    row(`JS brute-force scan alone (Float32Array, n = ${i.jsScan.n})`, `p50 ${fmt(i.jsScan.p50, 1)} ms, p99 ${fmt(i.jsScan.p99, 1)} ms`, '');
  }
  console.log(lines.join('\n'));
}

const phase = process.argv[2];
if (phase === 'seed') await seed();
else if (phase === 'index') await indexPhase();
else if (phase === 'sql') await sqlPhase();
else if (phase === 'report') report(process.argv[3]);
else throw new Error(`unknown phase ${phase}`);
agent.destroy();
