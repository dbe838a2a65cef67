// One client, one request after another: the latency of each kind of write
// bench/memory/remember_probe.sh asks for (docs/benchmarks.md, "remember:
// the server's share").
//   embedding  POST /rpc/remember with 1,536 numbers (a random unit vector)
//   select_id  the same with ?select=id (the stored row is not sent back)
//   text       POST /rpc/remember of a sentence (the server embeds it)
//   floor      POST /user_memory, one small row, Prefer: return=minimal: a
//              durable insert through the same stack, the floor of any write
// Environment: AGENTBASE_URL, AGENTBASE_ANON_KEY, TOKEN (a user's access
// token), VARIANTS (comma-separated, default all four), COUNT (300, after
// 10 unmeasured), KEY_PREFIX (keys differ between runs on one database).
import http from 'node:http';

const base = new URL(process.env.AGENTBASE_URL);
const token = process.env.TOKEN;
const claims = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString());
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
const count = Number(process.env.COUNT ?? 300);
const prefix = process.env.KEY_PREFIX ?? '';
const dimensions = 1536;

function post(path, body, headers = {}) {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const request = http.request({
      agent, host: base.hostname, port: base.port, path, method: 'POST',
      headers: {
        apikey: process.env.AGENTBASE_ANON_KEY, authorization: `Bearer ${token}`,
        'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...headers,
      },
    }, (response) => {
      const chunks = [];
      response.on('data', (chunk) => chunks.push(chunk));
      response.on('end', () => resolve({
        status: response.statusCode, text: Buffer.concat(chunks).toString(),
        ms: Number(process.hrtime.bigint() - started) / 1e6,
      }));
    });
    request.on('error', reject);
    request.end(body);
  });
}

function unitVector() {
  const v = new Float32Array(dimensions);
  let norm = 0;
  for (let i = 0; i < dimensions; i++) { v[i] = Math.random() - 0.5; norm += v[i] * v[i]; }
  norm = Math.sqrt(norm);
  for (let i = 0; i < dimensions; i++) v[i] /= norm;
  return Array.from(v);
}

const kinds = {
  embedding: (i) => ['/rest/v1/rpc/remember', { key: `e${prefix}${i}`, value: `remembered ${i}`, embedding: unitVector() }],
  select_id: (i) => ['/rest/v1/rpc/remember?select=id', { key: `s${prefix}${i}`, value: `remembered ${i}`, embedding: unitVector() }],
  text: (i) => ['/rest/v1/rpc/remember', { key: `t${prefix}${i}`, value: `The user said on call ${i} that they prefer short answers in the morning` }],
  floor: (i) => ['/rest/v1/user_memory',
    { tenant_id: claims.app_metadata.tenant_id, user_id: claims.sub, key: `f${prefix}${i}`, value: `small ${i}` },
    { prefer: 'return=minimal' }],
};
const names = (process.env.VARIANTS ?? 'embedding,select_id,text,floor').split(',');
for (const name of names) if (!kinds[name]) throw new Error(`unknown variant ${name}`);

const times = {};
for (let i = 0; i < count + 10; i++) {
  for (const name of names) {
    const [path, body, headers] = kinds[name](i);
    const text = JSON.stringify(body);  // outside the timing
    const answer = await post(path, text, headers);
    if (answer.status >= 300) throw new Error(`${name}: ${answer.status} ${answer.text.slice(0, 300)}`);
    if (i >= 10) (times[name] ??= []).push(answer.ms);
  }
}
for (const [name, list] of Object.entries(times)) {
  list.sort((a, b) => a - b);
  const at = (p) => list[Math.min(list.length - 1, Math.floor(list.length * p))].toFixed(2);
  console.log(`${name.padEnd(10)} p50 ${at(0.5)} ms  p90 ${at(0.9)} ms  (n = ${list.length})`);
}
agent.destroy();
