// Measures the console in chromium: see run.sh. Prints a markdown summary.
import { a1, baseUrl, launchBrowser, service, signedInClient } from '../../tests/browser/lib.js';

const runs = Number(process.env.RUNS ?? 10);
// PARTS: which measurements (cold loads, scrolling, the org chart's pan and zoom), default all.
const parts = (process.env.PARTS ?? 'cold,scroll,org').split(',');
const roleCount = 1000;
const orgAgentCount = 2000;
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

// An organisation of 1,000 roles (a chief, 6 vice presidents, 30 directors,
// 150 managers and 813 people reporting to them, 5 or 6 each) in 10
// departments, with 2,000 of the tenant's agents on nine roles in ten.
async function seedOrg(userId) {
  const { data: profile } = await service.from('profiles').select('tenant_id').eq('id', userId).single();
  const insert = async (table, rows) => {
    for (let i = 0; i < rows.length; i += 250) {
      const { error } = await service.from(table).insert(rows.slice(i, i + 250));
      if (error) throw new Error(`${table}: ${error.message}`);
    }
  };
  const departments = Array.from({ length: 10 }, (_, i) => ({ id: crypto.randomUUID(), slug: `bench-department-${i}`, name: `Department ${i}` }));
  await insert('departments', departments);
  const skills = ['postgresql', 'negotiation', 'writing', 'kubernetes', 'accounting', 'design', 'support', 'sql', 'planning', 'hiring'];
  const roles = [];
  const add = (name, level, manager, department) => {
    const role = {
      id: crypto.randomUUID(), slug: `bench-role-${roles.length}`, name, level, reports_to_role_id: manager?.id ?? null,
      department_id: department.id, responsibilities: [`Own the work of ${name}`, 'Report weekly'],
      required_skills: [skills[roles.length % skills.length], skills[(roles.length * 3 + 1) % skills.length]],
    };
    roles.push(role);
    return role;
  };
  const chief = add('Chief Executive', 'executive', null, departments[0]);
  const vps = Array.from({ length: 6 }, (_, i) => add(`Vice President ${i}`, 'executive', chief, departments[1 + i]));
  const directors = vps.flatMap((vp, v) => Array.from({ length: 5 }, (_, i) => add(`Director ${v * 5 + i}`, 'senior', vp, departments[1 + v])));
  const managers = directors.flatMap((director, d) =>
    Array.from({ length: 5 }, (_, i) => add(`Manager ${d * 5 + i}`, 'mid', director, departments[(d % 9) + 1])));
  for (let i = 0; roles.length < roleCount; i += 1) {
    const manager = managers[i % managers.length];
    add(`Specialist ${i}`, i % 2 ? 'junior' : 'entry', manager, departments.find((department) => department.id === manager.department_id));
  }
  await insert('organizational_roles', roles);
  const staffed = roles.filter((_, index) => index % 10 !== 3);
  const agents = Array.from({ length: orgAgentCount }, (_, i) => ({
    tenant_id: profile.tenant_id, name: `Agent ${i}`, organizational_role_id: staffed[i % staffed.length].id,
  }));
  await insert('agents', agents);
}

// Every response a cold load of `path` fetched from the server, with its
// compressed size (what crossed the wire, without headers) until `ready`.
async function coldLoad(browser, base, path, ready, storageState, tracePath) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, storageState });
  // Watched from before the first script: the main thread's long tasks
  // (script evaluation, rendering), and when `ready` was first drawn: the
  // first frame rendered after it appeared, visible. (Playwright's waitFor
  // polls with a growing pause, 500 ms after the first 270, so the moment it
  // returns can be that much later than the page.)
  await context.addInitScript((readySelector) => {
    window.benchLongTasks = [];
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) window.benchLongTasks.push({ start: entry.startTime, duration: entry.duration });
    }).observe({ type: 'longtask' });
    window.benchDrawnAt = null;
    // Visibility is checked in animation frames, where the layout it needs is
    // due anyway (checked at each DOM change, it forced layouts of its own).
    const drawnYet = () => {
      if (!document.querySelector(readySelector)?.checkVisibility()) return requestAnimationFrame(drawnYet);
      // A task queued in an animation frame callback runs once that frame has
      // been rendered; at the highest priority, before any other work waiting.
      scheduler.postTask(() => (window.benchDrawnAt = performance.now()), { priority: 'user-blocking' });
      return 0;
    };
    const observer = new MutationObserver(() => {
      if (!document.querySelector(readySelector)) return;
      observer.disconnect();
      requestAnimationFrame(drawnYet);
    });
    observer.observe(document, { childList: true, subtree: true, attributes: true });
  }, ready);
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
  const urls = new Map();
  const sizes = [];
  cdp.on('Network.responseReceived', ({ requestId, response }) => urls.set(requestId, response.url));
  cdp.on('Network.loadingFinished', ({ requestId, encodedDataLength }) => sizes.push({ url: urls.get(requestId), encodedDataLength }));
  if (tracePath) await browser.startTracing(page, { path: tracePath, categories: ['devtools.timeline', 'v8.execute', 'blink.user_timing', 'loading', 'disabled-by-default-devtools.timeline'] });
  await page.goto(`${base}${path}`, { waitUntil: 'commit' });
  await page.locator(ready).first().waitFor();
  await page.waitForFunction(() => window.benchDrawnAt !== null);
  if (tracePath) await browser.stopTracing();
  const timings = await page.evaluate(() => {
    const navigation = performance.getEntriesByType('navigation')[0];
    const paint = performance.getEntriesByName('first-contentful-paint')[0];
    const resources = performance.getEntriesByType('resource').map((entry) => ({
      name: entry.name, encodedBodySize: entry.encodedBodySize, transferSize: entry.transferSize,
      startTime: entry.startTime, requestStart: entry.requestStart, responseEnd: entry.responseEnd,
    }));
    const script = performance.getEntriesByType('resource').find((entry) => /\/assets\/index-.*\.js$/.test(entry.name));
    return {
      documentAt: navigation.responseEnd,
      scriptAt: script?.responseEnd ?? null,
      interactiveAt: navigation.domInteractive,
      firstContentfulPaint: paint?.startTime ?? null,
      readyAt: window.benchDrawnAt,
      seenAt: performance.now(),
      document: { name: navigation.name, encodedBodySize: navigation.encodedBodySize, transferSize: navigation.transferSize },
      resources,
      longTasks: window.benchLongTasks,
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
const conversationId = parts.includes('cold') || parts.includes('scroll') ? await seed(userId) : null;
if (parts.includes('cold') || parts.includes('org')) await seedOrg(userId);
const browser = await launchBrowser();

// A signed-in session to start the signed-in loads from (localStorage only: the HTTP cache stays cold).
async function signedInState(base) {
  const signInContext = await browser.newContext();
  const signInPage = await signInContext.newPage();
  await signInPage.goto(`${base}/`);
  await signInPage.getByLabel('Email').fill(a1.email);
  await signInPage.getByLabel('Password').fill(a1.password);
  await signInPage.getByRole('button', { name: 'Sign in' }).click();
  await signInPage.getByRole('button', { name: 'Sign out' }).waitFor();
  const state = await signInContext.storageState();
  await signInContext.close();
  return state;
}
const storageState = await signedInState(baseUrl);
// COMPARE_URL (compare.sh): another build's server, seeded alike; each page's
// cold loads alternate between the two, load by load.
const compareUrl = process.env.COMPARE_URL;
const compareState = compareUrl ? await signedInState(compareUrl) : null;

// A resource's name without the build's hash or the query: /assets/Agents.js, /rest/v1/agents.
const shortName = (url) => new URL(url).pathname.replace(/-[\w-]{8}\.(js|css)$/, '.$1');

function printWaterfall(loads) {
  const byName = new Map();
  for (const load of loads) {
    const seen = new Map();
    for (const entry of load.resources) {
      // The same name twice in one load (two agent_tools queries) is told apart by its order.
      const base = shortName(entry.name);
      const count = (seen.get(base) ?? 0) + 1;
      seen.set(base, count);
      const name = count > 1 ? `${base} #${count}` : base;
      if (!byName.has(name)) byName.set(name, []);
      byName.get(name).push(entry);
    }
  }
  console.log('\n| resource | loads | started | asked | answered |');
  console.log('|---|---|---|---|---|');
  const rows = [...byName].map(([name, entries]) => ({
    name, count: entries.length, started: median(entries.map((entry) => entry.startTime)),
    asked: median(entries.map((entry) => entry.requestStart)), answered: median(entries.map((entry) => entry.responseEnd)),
  }));
  for (const row of rows.sort((a, b) => a.started - b.started)) {
    console.log(`| ${row.name} | ${row.count} | ${row.started.toFixed(0)} | ${row.asked.toFixed(0)} | ${row.answered.toFixed(0)} |`);
  }
  for (const [index, load] of loads.slice(0, 3).entries()) {
    const tasks = load.longTasks.map((task) => `${task.start.toFixed(0)}+${task.duration.toFixed(0)}`).join(', ');
    console.log(`\nload ${index + 1}: drawn at ${load.readyAt.toFixed(0)} ms; long tasks (start+duration, ms): ${tasks || 'none'}`);
  }
  console.log('\n| page | console files, compressed | files | index.html received | main script received | first contentful paint, median (p90) | page drawn with its data, median (p90) | seen by the waitFor of Playwright, median |');
  console.log('|---|---|---|---|---|---|---|---|');
}

console.log(`\n### Cold loads (${runs} each, HTTP cache disabled, new browser context each)\n`);
const isApi = (url) => /\/(rest|auth|realtime)\/v1\//.test(url ?? '');
const pages = [
  ['sign-in page (/)', '/', 'form button[type=submit]', false],
  ['chat, signed in (/chat)', '/chat', '.conversation-item', true],
  ['memory, signed in (/memory)', '/memory', 'h1', true],
  ['agents & tools, signed in (/agents)', '/agents', '.agent-item', true],
  [`org chart of ${roleCount} roles, signed in (/org)`, '/org', '.org-world[data-drawn]', true],
];
console.log('| page | console files, compressed | files | index.html received | main script received | first contentful paint, median (p90) | page drawn with its data, median (p90) | seen by the waitFor of Playwright, median |');
console.log('|---|---|---|---|---|---|---|---|');
// PAGES: which pages to load (paths, comma-separated), default all.
const pagePaths = process.env.PAGES?.split(',');
for (const [pageLabel, path, ready, signedIn] of parts.includes('cold') ? pages : []) {
  if (pagePaths && !pagePaths.includes(path)) continue;
  const servers = [{ base: baseUrl, state: storageState, label: pageLabel, loads: [] }];
  if (compareUrl) {
    servers[0].label = `${pageLabel}, this build`;
    servers.push({ base: compareUrl, state: compareState, label: `${pageLabel}, ${process.env.COMPARE_LABEL ?? compareUrl}`, loads: [] });
  }
  // TRACE=directory: the last load's performance trace (chromium's, for DevTools) goes there.
  for (let i = 0; i < runs; i += 1) {
    const tracePath = process.env.TRACE && i === runs - 1 ? `${process.env.TRACE}/${path.replace(/\W/g, '') || 'sign-in'}.json` : undefined;
    for (const server of i % 2 ? [...servers].reverse() : servers) {
      server.loads.push(await coldLoad(browser, server.base, path, ready, signedIn ? server.state : undefined, server === servers[0] ? tracePath : undefined));
    }
  }
  for (const { label, loads } of servers) printColdLoads(label, path, loads);
}

function printColdLoads(label, path, loads) {
  const files = loads[0].sizes.filter((entry) => !isApi(entry.url) && !entry.url?.startsWith('ws'));
  const bytes = files.reduce((sum, entry) => sum + entry.encodedDataLength, 0);
  const paints = loads.map((load) => load.firstContentfulPaint);
  const drawn = loads.map((load) => load.readyAt);
  const documents = loads.map((load) => load.documentAt);
  const scripts = loads.map((load) => load.scriptAt);
  console.log(`| ${label} | ${kb(bytes)} (with headers) | ${files.length} | ${median(documents).toFixed(0)} ms | ${median(scripts).toFixed(0)} ms | ${median(paints).toFixed(0)} ms (${percentile(paints, 0.9).toFixed(0)}) | ${median(drawn).toFixed(0)} ms (${percentile(drawn, 0.9).toFixed(0)}) | ${median(loads.map((load) => load.seenAt)).toFixed(0)} ms |`);
  // The page's own API calls: when each was asked and answered (the rest of "drawn" is the browser's).
  for (const call of path === '/org' || path === '/agents' ? ['org_chart', 'business_function_tree', 'agents?', 'agent_tools?'] : []) {
    const entries = loads.map((load) => load.resources.find((entry) => entry.name.includes(`/rest/v1/${call.startsWith('agent') ? '' : 'rpc/'}${call}`)));
    if (entries.some((entry) => !entry)) continue;
    const asked = entries.map((entry) => entry.requestStart);
    const answered = entries.map((entry) => entry.responseEnd);
    console.log(`|   ${call.replace('?', '')}: asked at, answered at (medians) | ${(entries[0].transferSize / 1024).toFixed(1)} KB | | | ${median(asked).toFixed(0)} ms | | ${median(answered).toFixed(0)} ms | |`);
  }
  // WATERFALL=1: every file and API call of the load (medians), and the main thread's long tasks.
  if (process.env.WATERFALL) printWaterfall(loads);
  if (label.startsWith('chat')) {
    for (const entry of files) console.log(`|   ${new URL(entry.url).pathname} | ${kb(entry.encodedDataLength)} | | | | | | |`);
  }
}

if (parts.includes('scroll')) {
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
}

// Frame intervals while `act` runs, with the most cards the chart drew in any frame.
async function orgFrames(page, act) {
  await page.evaluate(() => {
    // The chart says how many cards it draws (small ones are drawn as one shape per department).
    const drawn = () => Number(document.querySelector('.org-world')?.dataset.drawn ?? 0);
    window.frameIntervals = [];
    window.mostCards = drawn();
    window.framesRunning = true;
    let last = performance.now();
    function frame(now) {
      window.frameIntervals.push(now - last);
      window.mostCards = Math.max(window.mostCards, drawn());
      last = now;
      if (window.framesRunning) requestAnimationFrame(frame);
    }
    requestAnimationFrame((now) => {
      last = now;
      requestAnimationFrame(frame);
    });
  });
  await act();
  return page.evaluate(() => {
    window.framesRunning = false;
    return { intervals: window.frameIntervals.slice(1), cards: window.mostCards };
  });
}

function orgSummary(label, { intervals, cards }) {
  const typical = median(intervals);
  const dropped = intervals.filter((interval) => interval > typical * 1.5).length;
  return `| ${label} | ${cards} | ${intervals.length} | ${typical.toFixed(1)} ms | ${percentile(intervals, 0.99).toFixed(1)} ms | ${Math.max(...intervals).toFixed(1)} ms | ${dropped} |`;
}

if (parts.includes('org')) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, storageState });
  const page = await context.newPage();
  await page.goto(`${baseUrl}/org`);
  await page.getByText(`${roleCount} roles`, { exact: false }).first().waitFor({ timeout: 60000 });
  await page.locator('.org-card').first().waitFor();
  const frameBox = await page.locator('.org-canvas').boundingBox();
  const centre = { x: frameBox.x + frameBox.width / 2, y: frameBox.y + frameBox.height / 2 };
  const scale = () => page.locator('.org-world').evaluate((g) => Number(/scale\(([^)]+)\)/.exec(g.getAttribute('transform'))[1]));
  const settle = () => page.waitForTimeout(500);
  // Drags across the chart: `strokes` of 800 px, alternately leftwards and rightwards, 60 moves each, one per 16 ms.
  const drag = (strokes, vertical = false) => async () => {
    for (let stroke = 0; stroke < strokes; stroke += 1) {
      const direction = stroke % 2 ? -1 : 1;
      const from = { x: centre.x + (vertical ? 0 : direction * 400), y: centre.y + (vertical ? direction * 250 : 0) };
      await page.mouse.move(from.x, from.y);
      await page.mouse.down();
      for (let step = 1; step <= 60; step += 1) {
        const travelled = (step / 60) * (vertical ? 500 : 800);
        await page.mouse.move(vertical ? from.x : from.x - direction * travelled, vertical ? from.y - direction * travelled : from.y);
        await page.waitForTimeout(16);
      }
      await page.mouse.up();
    }
  };
  // The wheel at the centre: `notches` of 100 px one way, one per 16 ms.
  const wheel = (notches, deltaY) => async () => {
    await page.mouse.move(centre.x, centre.y);
    for (let i = 0; i < notches; i += 1) {
      await page.mouse.wheel(0, deltaY);
      await page.waitForTimeout(16);
    }
  };
  console.log(`\n### Org chart of ${roleCount} roles and ${orgAgentCount} agents: pan and zoom (requestAnimationFrame intervals)\n`);
  console.log('| what | most cards drawn | frames | median interval | p99 | max | dropped (> 1.5x median) |');
  console.log('|---|---|---|---|---|---|---|');
  console.log(orgSummary('standing still, 3 s (baseline)', await orgFrames(page, () => page.waitForTimeout(3000))));
  // The first view is the chart's top, readable; Fit shows it whole.
  await page.getByRole('button', { name: 'Fit' }).click();
  await settle();
  const fitScale = await scale();
  console.log(orgSummary(`whole chart in view (scale ${fitScale.toFixed(3)}), dragged 4 × 800 px`, await orgFrames(page, drag(4))));
  await page.getByRole('button', { name: 'Fit' }).click();
  await settle();
  console.log(orgSummary('wheel zoom from the whole chart to 2.5×, 40 notches', await orgFrames(page, wheel(40, -100))));
  console.log(orgSummary('wheel zoom back out, 40 notches', await orgFrames(page, wheel(40, 100))));
  // Full detail: centred on a manager in the middle of the chart (the search zooms to 0.9).
  await page.getByLabel('Find a role, skill or agent').fill('Manager 75');
  await page.getByRole('button', { name: 'Find', exact: true }).click();
  await settle();
  console.log(orgSummary(`full cards (scale ${(await scale()).toFixed(2)}), dragged 6 × 800 px`, await orgFrames(page, drag(6))));
  console.log(orgSummary(`full cards (scale ${(await scale()).toFixed(2)}), dragged 6 × 500 px up and down`, await orgFrames(page, drag(6, true))));
  await page.locator('.org-canvas').focus();
  for (let i = 0; i < 4; i += 1) await page.keyboard.press('-');
  await settle();
  console.log(orgSummary(`names only (scale ${(await scale()).toFixed(2)}), dragged 6 × 800 px`, await orgFrames(page, drag(6))));
  await context.close();
}
await browser.close();
