// Shared by the browser tests: Debian's chromium through playwright-core,
// the server run.sh started, its users, axe-core, screenshots.
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';
import { createClient } from '@supabase/supabase-js';
import ws from 'ws';

export const baseUrl = process.env.AGENTBASE_URL;
export const outputDir = process.env.AGENTBASE_BROWSER_OUTPUT ?? path.resolve('output');
mkdirSync(outputDir, { recursive: true });

function user(variable) {
  const [email, password] = process.env[variable].split(':');
  return { email, password };
}
export const a1 = user('AGENTBASE_USER_A1');
export const a2 = user('AGENTBASE_USER_A2');
export const b1 = user('AGENTBASE_USER_B1');

export const service = createClient(baseUrl, process.env.AGENTBASE_SERVICE_KEY, {
  auth: { persistSession: false, autoRefreshToken: false },
  realtime: { transport: ws }, // Node.js 20 has no WebSocket of its own
});

export async function signedInClient({ email, password }) {
  const client = createClient(baseUrl, process.env.AGENTBASE_ANON_KEY, {
    auth: { persistSession: false, autoRefreshToken: false },
    realtime: { transport: ws },
  });
  const { data, error } = await client.auth.signInWithPassword({ email, password });
  if (error) throw error;
  return { client, userId: data.user.id };
}

// As root, chromium needs --no-sandbox; the network flags keep it from
// reaching for Google's services on a machine without a network.
export function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

// A page that records what the console must never do: fail a script, break
// its security policy, or ask any host but the server.
export async function openPage(browser, { width = 1280, height = 800, colorScheme = 'light' } = {}) {
  const context = await browser.newContext({ viewport: { width, height }, colorScheme });
  const page = await context.newPage();
  page.problems = [];
  page.on('pageerror', (error) => page.problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error' && /Content Security Policy|Refused to/i.test(message.text())) {
      page.problems.push(`console: ${message.text()}`);
    }
  });
  page.on('request', (request) => {
    const url = new URL(request.url());
    if (!['http:', 'ws:', 'blob:', 'data:'].includes(url.protocol) || url.origin !== new URL(baseUrl).origin) {
      if (url.protocol !== 'blob:' && url.protocol !== 'data:') page.problems.push(`request elsewhere: ${request.url()}`);
    }
  });
  return page;
}

export async function signIn(page, { email, password }) {
  await page.goto(`${baseUrl}/`);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
}

export async function screenshot(page, name) {
  await page.screenshot({ path: path.join(outputDir, `${name}.png`) });
}

const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

// axe-core's WCAG A and AA rules on the page as it is. It is evaluated
// through the DevTools protocol, so the page's CSP (no inline scripts) does
// not stand in its way.
export async function assertAccessible(page, label) {
  await page.evaluate(axeSource);
  const violations = await page.evaluate(async () => {
    const result = await window.axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] },
    });
    return result.violations
      .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
      .map((violation) => ({
        id: violation.id,
        impact: violation.impact,
        help: violation.help,
        nodes: violation.nodes.slice(0, 3).map((node) => node.target.join(' ')),
      }));
  });
  assert.deepEqual(violations, [], `${label}: ${JSON.stringify(violations, null, 2)}`);
}

export async function setTheme(page, theme) {
  // The toggle cycles system → light → dark → system.
  for (let i = 0; i < 3; i += 1) {
    if ((await page.evaluate(() => document.documentElement.dataset.theme)) === theme) return;
    const toggle = page.getByRole('button', { name: /theme/i });
    const label = await toggle.innerText();
    await toggle.click();
    // The theme is applied after the click's render: wait for it.
    await page.waitForFunction((before) => {
      const button = [...document.querySelectorAll('button')].find((element) => /theme/i.test(element.textContent));
      return button && button.textContent !== before;
    }, label);
    await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve))));
  }
  assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), theme);
}
