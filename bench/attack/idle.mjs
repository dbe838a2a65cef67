// 1,100 connections that send nothing, spread over 20 client addresses
// (127.0.1.1-20), more than --max-connections (1024): the server must stay
// responsive to a fresh client and keep its memory in bounds.
import net from 'node:net';
import { baseUrl, anonKey, serverMemoryKiB, serverPort, percentile } from './common.mjs';

const total = Number(process.env.IDLE_CONNECTIONS ?? 1100);
const sockets = [];
let closedByServer = 0;
let refused = 0;
const memoryBefore = serverMemoryKiB();
for (let i = 0; i < total; i += 1) {
  const socket = net.connect({ host: '127.0.0.1', port: serverPort, localAddress: `127.0.1.${(i % 20) + 1}` });
  socket.on('error', () => { refused += 1; });
  socket.on('close', () => { closedByServer += 1; });
  sockets.push(socket);
  if (i % 100 === 99) await new Promise((r) => setTimeout(r, 20));
}
await new Promise((r) => setTimeout(r, 1000));

async function fresh() {
  const started = performance.now();
  try {
    const answer = await fetch(`${baseUrl}/rest/v1/tools?select=id&limit=1`, { headers: { apikey: anonKey, connection: 'close' } });
    await answer.arrayBuffer();
    return { status: answer.status, ms: performance.now() - started };
  } catch (error) {
    return { status: `error ${error.cause?.code ?? error.message}`, ms: performance.now() - started };
  }
}

const samples = [];
for (let i = 0; i < 20; i += 1) samples.push(await fresh());
const statuses = {};
for (const s of samples) statuses[s.status] = (statuses[s.status] ?? 0) + 1;
const ms = samples.map((s) => s.ms);
console.log(`opened ${total} idle connections; after 1 s: ${closedByServer} closed by the server, ${refused} errors`);
console.log(`fresh requests meanwhile: ${JSON.stringify(statuses)}, median ${percentile(ms, 50).toFixed(1)} ms, max ${Math.max(...ms).toFixed(1)} ms`);
console.log(`server RSS: ${memoryBefore} KiB before, ${serverMemoryKiB()} KiB with the idle connections`);
await new Promise((r) => setTimeout(r, Number(process.env.IDLE_HOLD_MS ?? 15000)));
console.log(`after holding ${(Number(process.env.IDLE_HOLD_MS ?? 15000) / 1000)} s more: ${closedByServer} of ${total} closed by the server`);
const late = await fresh();
console.log(`a fresh request then: ${late.status} in ${late.ms.toFixed(1)} ms`);
for (const socket of sockets) socket.destroy();
if (!samples.every((s) => s.status === 200) || late.status !== 200) process.exitCode = 1;
