// 24 slow requests of tenant A (2 s each in the database) against a cheap
// request of tenant B sent while they run: with every pooled connection held
// up by A, B must still be served quickly, from the pool's reserve.
import { baseUrl, anonKey, signIn, percentile } from './common.mjs';

const slowCount = Number(process.env.SLOW_REQUESTS ?? 24);
const slowSeconds = Number(process.env.SLOW_SECONDS ?? 2);
const a = await signIn('A');
const b = await signIn('B');

function call(token, method, path, body) {
  const started = performance.now();
  return fetch(baseUrl + path, {
    method, headers: { apikey: anonKey, authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: body ? JSON.stringify(body) : undefined,
  }).then(async (answer) => {
    await answer.arrayBuffer();
    return { status: answer.status, ms: performance.now() - started };
  });
}

const slowStarted = performance.now();
const slow = Array.from({ length: slowCount }, () => call(a.token, 'POST', '/rest/v1/rpc/bench_sleep', { seconds: slowSeconds }));
await new Promise((r) => setTimeout(r, 300));
const cheap = [];
for (let i = 0; i < 10; i += 1) {
  cheap.push(await call(b.token, 'GET', '/rest/v1/conversations?select=id&limit=1'));
  await new Promise((r) => setTimeout(r, 100));
}
const slowResults = await Promise.all(slow);
const slowMs = slowResults.map((r) => r.ms);
const cheapMs = cheap.map((r) => r.ms);
const statuses = (results) => JSON.stringify(results.reduce((m, r) => ({ ...m, [r.status]: (m[r.status] ?? 0) + 1 }), {}));
console.log(`tenant A: ${slowCount} x ${slowSeconds} s requests: ${statuses(slowResults)}, `
  + `first done after ${Math.min(...slowMs).toFixed(0)} ms, last after ${Math.max(...slowMs).toFixed(0)} ms `
  + `(all done ${(performance.now() - slowStarted).toFixed(0)} ms after the start)`);
console.log(`tenant B: 10 cheap requests meanwhile: ${statuses(cheap)}, median ${percentile(cheapMs, 50).toFixed(1)} ms, `
  + `max ${Math.max(...cheapMs).toFixed(1)} ms`);
if (!cheap.every((r) => r.status === 200) || Math.max(...cheapMs) > 1000) process.exitCode = 1;
