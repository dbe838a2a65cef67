// Many distinct request shapes, repeated: each shape is a statement the
// server prepares on every pooled connection. At most 100 stay prepared per
// connection (least recently used deallocated), so the API's backends must
// level off instead of growing with every new shape. SHAPES (default 60,
// then 300 to go past the cap) and ROUNDS (default 20) set the load.
import { apiBackendMemory, baseUrl, anonKey, signIn } from './common.mjs';

const columns = ['id', 'title', 'status', 'agent_id', 'created_at', 'updated_at', 'last_message_at', 'metadata'];
const rounds = Number(process.env.ROUNDS ?? 20);
const concurrency = 8;

// Shape n: a distinct subset of columns, and every other one descending.
function shapePath(n) {
  const subset = columns.filter((_, bit) => ((n % 255) + 1) & (1 << bit));
  const order = n >= 255 ? 'created_at.desc' : 'created_at.asc';
  return `/rest/v1/conversations?select=${subset.join(',')}&order=${order}&limit=5`;
}

const user = await signIn('A');
async function runShapes(shapeCount) {
  const paths = Array.from({ length: shapeCount }, (_, n) => shapePath(n));
  console.log(`${shapeCount} shapes x ${rounds} rounds, ${concurrency} at a time`);
  console.log(`  before: ${JSON.stringify(apiBackendMemory())}`);
  let failures = 0;
  const started = Date.now();
  for (let round = 1; round <= rounds; round += 1) {
    for (let i = 0; i < paths.length; i += concurrency) {
      const batch = paths.slice(i, i + concurrency).map(async (path) => {
        const answer = await fetch(baseUrl + path, { headers: { apikey: anonKey, authorization: `Bearer ${user.token}` } });
        await answer.arrayBuffer();
        if (answer.status !== 200) failures += 1;
      });
      await Promise.all(batch);
    }
    if ([1, 2, 5, 10, 20, 50, 100, 150].includes(round) || round === rounds) {
      console.log(`  after round ${round}: ${JSON.stringify(apiBackendMemory())}`);
    }
  }
  const requests = rounds * paths.length;
  console.log(`  ${requests} requests in ${((Date.now() - started) / 1000).toFixed(1)} s, ${failures} not 200`);
  if (failures) process.exitCode = 1;
}

for (const count of (process.env.SHAPES ?? '60,300').split(',').map(Number)) await runShapes(count);
