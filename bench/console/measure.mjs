// Measures the console in chromium: see run.sh. Prints a markdown summary.
import { a1, baseUrl, launchBrowser, service, signedInClient } from '../../tests/browser/lib.js';

const runs = Number(process.env.RUNS ?? 10);
// PARTS: which measurements (cold loads, scrolling), default both.
const parts = (process.env.PARTS ?? 'cold,scroll').split(',');
const messageCount = 1000;
const conversationCount = 1000;

const median = (values) => [...values].sort((x, y) => x - y)[Math.floor(values.length / 2)];
const percentile = (values, p) => [...values].sort((x, y) => x - y)[Math.min(values.length - 1, Math.floor(values.length * p))];
const kb = (bytes) => `${(bytes / 1024).toFixed(1)} KB`;

async function seed(userId) {
  // One long conversation in the shapes the console draws: every role,
  // tool calls and their results, long and short text.
  const { data: long, error } = await service.rpc('start_conversation', { user_id: userId, title: 'A thousand messages' });
  if (error) throw error;
  const start = Date.now() - messageCount * 60000;
  const rows = [];
  for (let i = 0; i < messageCount; i += 1) {
    const at = new Date(start + i * 60000).toISOString();
    const base = { conversation_id: long.id, created_at: at };
    if (i % 10 === 3) {
      rows.push({ ...base, role: 'assistant', content: '', tool_calls: [{ id: `call_${i}`, type: 'function', function: { name: 'lookup_order', arguments: JSON.stringify({ order: `NW-${10000 + i}`, include: ['lines', 'shipping'] }) } }] });
    } else if (i % 10 === 4) {
      rows.push({ ...base, role: 'tool', metadata: { tool_call_id: `call_${i - 1}` }, tool_call_id: `call_${i - 1}`, content: JSON.stringify({ order: `NW-${10000 + i}`, status: 'shipped', lines: [{ sku: 'TEA-01', quantity: 3 }, { sku: 'MUG-07', quantity: 1 }] }) });
    } else {
      const role = i % 2 === 0 ? 'user' : 'assistant';
      const words = 'the order shipped from the Oslo warehouse on Tuesday and should arrive before the weekend '.repeat(1 + (i % 5));
      rows.push({ ...base, role, content: `${i}: ${words}` });
    }
  }
  // One at a time: a tool result is checked against the calls already stored.
  for (const row of rows) {
    const { error: failed } = await service.from('messages').insert(row);
    if (failed) throw failed;
  }
  const { data: tenant } = await service.from('profiles').select('tenant_id').eq('id', userId).single();
  const conversations = [];
  for (let i = 0; i < conversationCount; i += 1) {
    conversations.push({
      tenant_id: tenant.tenant_id, user_id: userId, title: `Conversation ${i} about order NW-${20000 + i}`,
      last_message_at: new Date(Date.now() - (i + 1) * 3600000).toISOString(),
    });
  }
  for (let i = 0; i < conversations.length; i += 500) {
    const { error: failed } = await service.from('conversations').insert(conversations.slice(i, i + 500), { defaultToNull: false });
    if (failed) throw failed;
  }
  return long.id;
}

// Every response a cold load of `path` fetched from the server, with its
// compressed size (what crossed the wire, without headers) until `ready`.
async function coldLoad(browser, path, ready, storageState) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, storageState });
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
  const urls = new Map();
  const sizes = [];
  cdp.on('Network.responseReceived', ({ requestId, response }) => urls.set(requestId, response.url));
  cdp.on('Network.loadingFinished', ({ requestId, encodedDataLength }) => sizes.push({ url: urls.get(requestId), encodedDataLength }));
  await page.goto(`${baseUrl}${path}`, { waitUntil: 'commit' });
  await page.locator(ready).first().waitFor();
  const timings = await page.evaluate(() => {
    const navigation = performance.getEntriesByType('navigation')[0];
    const paint = performance.getEntriesByName('first-contentful-paint')[0];
    const resources = performance.getEntriesByType('resource').map((entry) => ({
      name: entry.name, encodedBodySize: entry.encodedBodySize, transferSize: entry.transferSize,
    }));
    const script = performance.getEntriesByType('resource').find((entry) => /\/assets\/index-.*\.js$/.test(entry.name));
    return {
      documentAt: navigation.responseEnd,
      scriptAt: script?.responseEnd ?? null,
      interactiveAt: navigation.domInteractive,
      firstContentfulPaint: paint?.startTime ?? null,
      readyAt: performance.now(),
      document: { name: navigation.name, encodedBodySize: navigation.encodedBodySize, transferSize: navigation.transferSize },
      resources,
    };
  });
  await context.close();
  return { ...timings, sizes };
}

// Frame intervals (requestAnimationFrame) while the element scrolls through
// its whole height at a steady speed, like a fast flick held down.
async function scrollFrames(page, selector, pixelsPerFrame) {
  return page.evaluate(
    ([scrollable, step]) =>
      new Promise((resolve) => {
        const box = document.querySelector(scrollable);
        const intervals = [];
        let last = performance.now();
        let direction = -1;
        let turns = 0;
        box.scrollTop = box.scrollHeight;
        function frame(now) {
          intervals.push(now - last);
          last = now;
          box.scrollTop += direction * step;
          const atEnd = direction < 0 ? box.scrollTop <= 0 : box.scrollTop + box.clientHeight >= box.scrollHeight - 1;
          if (atEnd) {
            direction = -direction;
            turns += 1;
          }
          if (turns < 2) requestAnimationFrame(frame);
          else resolve({ intervals: intervals.slice(1), height: box.scrollHeight });
        }
        requestAnimationFrame((now) => {
          last = now;
          requestAnimationFrame(frame);
        });
      }),
    [selector, pixelsPerFrame],
  );
}

// Frame intervals while the mouse wheel scrolls the element (the way a
// person scrolls: the compositor moves the page, the main thread draws what
// comes into view), `notches` of 100 px each way, one per 16 ms.
async function wheelFrames(page, selector, notches) {
  const box = await page.locator(selector).boundingBox();
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await page.evaluate((scrollable) => {
    const element = document.querySelector(scrollable);
    element.scrollTop = element.scrollHeight;
    window.frameIntervals = [];
    window.framesRunning = true;
    let last = performance.now();
    function frame(now) {
      window.frameIntervals.push(now - last);
      last = now;
      if (window.framesRunning) requestAnimationFrame(frame);
    }
    requestAnimationFrame((now) => {
      last = now;
      requestAnimationFrame(frame);
    });
  }, selector);
  for (const direction of [-1, 1]) {
    for (let i = 0; i < notches; i += 1) {
      await page.mouse.wheel(0, direction * 100);
      await page.waitForTimeout(16);
    }
  }
  return page.evaluate((scrollable) => {
    window.framesRunning = false;
    return { intervals: window.frameIntervals.slice(1), height: document.querySelector(scrollable).scrollHeight };
  }, selector);
}

function frameSummary(label, { intervals, height }) {
  const typical = median(intervals);
  const dropped = intervals.filter((interval) => interval > typical * 1.5).length;
  return `| ${label} | ${(height / 1000).toFixed(0)}k px | ${intervals.length} | ${typical.toFixed(1)} ms | ${percentile(intervals, 0.99).toFixed(1)} ms | ${Math.max(...intervals).toFixed(1)} ms | ${dropped} |`;
}

const { userId } = await signedInClient(a1);
const conversationId = await seed(userId);
const browser = await launchBrowser();

// A signed-in session to start the signed-in loads from (localStorage only: the HTTP cache stays cold).
const signInContext = await browser.newContext();
const signInPage = await signInContext.newPage();
await signInPage.goto(`${baseUrl}/`);
await signInPage.getByLabel('Email').fill(a1.email);
await signInPage.getByLabel('Password').fill(a1.password);
await signInPage.getByRole('button', { name: 'Sign in' }).click();
await signInPage.getByRole('button', { name: 'Sign out' }).waitFor();
const storageState = await signInContext.storageState();
await signInContext.close();

console.log(`\n### Cold loads (${runs} each, HTTP cache disabled, new browser context each)\n`);
const isApi = (url) => /\/(rest|auth|realtime)\/v1\//.test(url ?? '');
const pages = [
  ['sign-in page (/)', '/', 'form button[type=submit]', undefined],
  ['chat, signed in (/chat)', '/chat', '.conversation-item', storageState],
  ['memory, signed in (/memory)', '/memory', 'h1', storageState],
];
console.log('| page | console files, compressed | files | index.html received | main script received | first contentful paint, median (p90) | page drawn with its data, median (p90) |');
console.log('|---|---|---|---|---|---|---|');
for (const [label, path, ready, state] of parts.includes('cold') ? pages : []) {
  const loads = [];
  for (let i = 0; i < runs; i += 1) loads.push(await coldLoad(browser, path, ready, state));
  const files = loads[0].sizes.filter((entry) => !isApi(entry.url) && !entry.url?.startsWith('ws'));
  const bytes = files.reduce((sum, entry) => sum + entry.encodedDataLength, 0);
  const paints = loads.map((load) => load.firstContentfulPaint);
  const drawn = loads.map((load) => load.readyAt);
  const documents = loads.map((load) => load.documentAt);
  const scripts = loads.map((load) => load.scriptAt);
  console.log(`| ${label} | ${kb(bytes)} (with headers) | ${files.length} | ${median(documents).toFixed(0)} ms | ${median(scripts).toFixed(0)} ms | ${median(paints).toFixed(0)} ms (${percentile(paints, 0.9).toFixed(0)}) | ${median(drawn).toFixed(0)} ms (${percentile(drawn, 0.9).toFixed(0)}) |`);
  if (label.startsWith('chat')) {
    for (const entry of files) console.log(`|   ${new URL(entry.url).pathname} | ${kb(entry.encodedDataLength)} | | | | | |`);
  }
}

if (!parts.includes('scroll')) {
  await browser.close();
  process.exit(0);
}
console.log('\n### Scrolling (requestAnimationFrame intervals: by script, from the end to the start and back at a steady speed; by mouse wheel, 300 notches up then down)\n');
const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, storageState });
const page = await context.newPage();
await page.goto(`${baseUrl}/chat/${conversationId}`);
const log = page.getByRole('log', { name: 'Messages' });
await log.locator('.message').first().waitFor();
// Older pages load as the top comes into view: scroll up until all are there.
async function loadAll(selector, item, wanted, toEnd) {
  let count = 0;
  for (let stable = 0, i = 0; i < 300 && count < wanted && stable < 20; i += 1) {
    await page.evaluate(
      ([scrollable, end]) => {
        const box = document.querySelector(scrollable);
        box.scrollTop = end ? box.scrollHeight : 0;
      },
      [selector, toEnd],
    );
    await page.waitForTimeout(250);
    const now = await page.locator(item).count();
    stable = now === count ? stable + 1 : 0;
    count = now;
  }
  return count;
}
const loaded = await loadAll('.messages', '.message', messageCount, false);
console.log('| what | height | frames | median interval | p99 | max | dropped (> 1.5x median) |');
console.log('|---|---|---|---|---|---|---|');
// The same page standing still for 5 s: the frames this machine drops anyway.
const idle = await page.evaluate(
  () =>
    new Promise((resolve) => {
      const intervals = [];
      let last = performance.now();
      const started = last;
      function frame(now) {
        intervals.push(now - last);
        last = now;
        if (now - started < 5000) requestAnimationFrame(frame);
        else resolve({ intervals: intervals.slice(1), height: document.querySelector('.messages').scrollHeight });
      }
      requestAnimationFrame(frame);
    }),
);
console.log(frameSummary('standing still (baseline)', idle));
for (const speed of [40, 120]) {
  console.log(frameSummary(`${loaded}-message conversation, script, ${speed} px/frame`, await scrollFrames(page, '.messages', speed)));
}
console.log(frameSummary(`${loaded}-message conversation, mouse wheel, 100 px/notch`, await wheelFrames(page, '.messages', 300)));
await page.goto(`${baseUrl}/chat`);
await page.locator('.conversation-item').first().waitFor();
const listed = await loadAll('.list-scroll', '.conversation-item', conversationCount, true);
for (const speed of [40, 120]) {
  console.log(frameSummary(`${listed}-conversation list, script, ${speed} px/frame`, await scrollFrames(page, '.list-scroll', speed)));
}
console.log(frameSummary(`${listed}-conversation list, mouse wheel, 100 px/notch`, await wheelFrames(page, '.list-scroll', 300)));
await context.close();
await browser.close();
