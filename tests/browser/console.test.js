// The web console in a real browser against a real server: sign-in, chat
// (start, send, live messages, typing and presence, archive, restore,
// delete, search), memory (search, edit, forget, export), the session over
// reloads and token refreshes, tenant isolation on every page, both themes
// and both widths, accessibility by axe-core, and readable API errors.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  a1,
  a2,
  assertAccessible,
  b1,
  baseUrl,
  launchBrowser,
  openPage,
  screenshot,
  service,
  setTheme,
  signIn,
  signedInClient,
} from './lib.js';

// Words that only tenant B's data holds: none may show up for tenant A.
const tenantBMarker = 'zebraquartz';
let browser;
let page; // a1's
let a1Id;
let tenantBConversationId;
let startedConversationId;

const composer = (on) => on.getByRole('textbox', { name: 'Message', exact: true });

async function rpc(client, name, args) {
  const { data, error } = await client.rpc(name, args);
  if (error) throw new Error(`${name}: ${error.message}`);
  return data;
}

before(async () => {
  const a1Session = await signedInClient(a1);
  a1Id = a1Session.userId;
  const a2Session = await signedInClient(a2);
  const b1Session = await signedInClient(b1);
  for (const [key, value, memory_type] of [
    ['drink', 'likes green tea in the afternoon, never coffee', 'preference'],
    ['editor', 'prefers vim keybindings in every editor', 'preference'],
    ['timezone', 'works from Oslo, Central European Time', 'context'],
    ['launch_goal', 'ship the storefront redesign before the summer sale', 'goal'],
    ['pet', 'has a border collie called Pixel', 'fact'],
  ]) {
    await rpc(a1Session.client, 'remember', { key, value, memory_type, confidence_score: 0.8, source: 'chat' });
  }
  await rpc(a1Session.client, 'remember', {
    key: 'old_project', value: 'was moving the billing system, now done', memory_type: 'history',
    confidence_score: 0.4, expires_at: new Date(Date.now() + 3 * 24 * 3600 * 1000).toISOString(),
  });
  await rpc(a2Session.client, 'start_conversation', { first_message: 'Inventory check for the Oslo warehouse' });
  const b = await rpc(b1Session.client, 'start_conversation', {
    first_message: `Tenant B ${tenantBMarker} launch plan: green tea supplier`,
  });
  tenantBConversationId = b.id;
  await rpc(b1Session.client, 'remember', {
    key: `${tenantBMarker}_drink`, value: `likes green tea in the afternoon ${tenantBMarker}`, memory_type: 'preference',
  });

  browser = await launchBrowser();
  page = await openPage(browser);
});

after(async () => {
  await browser?.close();
});

test('sign in: a wrong password is a readable message, the right one opens the console', async () => {
  await page.goto(`${baseUrl}/`);
  await page.getByRole('heading', { name: 'Sign in to the console' }).waitFor();
  await screenshot(page, 'sign-in');
  await assertAccessible(page, 'sign-in (light)');
  await page.getByLabel('Email').fill(a1.email);
  await page.getByLabel('Password').fill('not-the-password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  const alert = page.getByRole('alert');
  await alert.waitFor();
  assert.match(await alert.innerText(), /Could not sign in: .*(invalid|password|credentials)/i);

  await signIn(page, a1);
  assert.equal(new URL(page.url()).pathname, '/chat');
  await page.getByText(a1.email).waitFor();
});

test('chat: start a conversation with an agent-free first message, then send another', async () => {
  await page.getByRole('link', { name: 'New conversation' }).click();
  await composer(page).fill('Plan the quarterly review of the tea suppliers');
  await page.getByRole('button', { name: 'Start' }).click();
  await page.getByRole('heading', { level: 2, name: 'Plan the quarterly review of the tea suppliers' }).waitFor();
  startedConversationId = new URL(page.url()).pathname.split('/')[2];
  assert.match(startedConversationId, /^[0-9a-f-]{36}$/);

  await composer(page).fill('Include the delivery times please');
  await composer(page).press('Enter');
  const log = page.getByRole('log', { name: 'Messages' });
  await log.getByText('Include the delivery times please').waitFor();
  // The list shows it first, by its latest activity.
  await page
    .locator('.conversation-list .conversation-item')
    .first()
    .getByText('Plan the quarterly review of the tea suppliers')
    .waitFor();

  const { data } = await service.from('messages').select('role, content').eq('conversation_id', startedConversationId)
    .order('created_at');
  assert.deepEqual(data, [
    { role: 'user', content: 'Plan the quarterly review of the tea suppliers' },
    { role: 'user', content: 'Include the delivery times please' },
  ]);
});

test('chat: messages the agent runtime inserts with the service key appear live, tool calls readable', async () => {
  await rpc(service, 'append_message', {
    conversation_id: startedConversationId, role: 'assistant', content: '',
    tool_calls: [{ id: 'call_suppliers', type: 'function', function: { name: 'list_suppliers', arguments: '{"category":"tea"}' } }],
  });
  await rpc(service, 'append_message', {
    conversation_id: startedConversationId, role: 'tool', tool_call_id: 'call_suppliers',
    content: '{"suppliers":["Darjeeling Direct","Uji Leaf"]}',
  });
  await rpc(service, 'append_message', {
    conversation_id: startedConversationId, role: 'assistant',
    content: 'Two tea suppliers deliver within five days: Darjeeling Direct and Uji Leaf.',
  });
  const log = page.getByRole('log', { name: 'Messages' });
  await log.getByText('Two tea suppliers deliver within five days', { exact: false }).waitFor({ timeout: 10000 });
  const call = log.locator('.tool-call').filter({ hasText: 'list_suppliers' });
  assert.match(await call.innerText(), /"category": "tea"/);
  const result = log.locator('.message.tool');
  assert.match(await result.innerText(), /for list_suppliers call_suppliers/);
  assert.match(await result.innerText(), /"Darjeeling Direct"/);
  await screenshot(page, 'chat-conversation');
  await assertAccessible(page, 'conversation (light)');
});

test('chat: another user of the tenant is shown present and typing', async () => {
  const other = await openPage(browser);
  try {
    await signIn(other, a2);
    await other.goto(`${baseUrl}/chat/${startedConversationId}`);
    await page.getByText(`Also here: ${a2.email}`).waitFor({ timeout: 10000 });
    // a2 may read the tenant's conversation but not write to a1's.
    await other.getByText('Only the person who started this conversation writes to it.').waitFor();
    // a1 types: a2 sees it.
    await composer(page).pressSequentially('drafting', { delay: 20 });
    await other.getByText(`${a1.email} is typing…`).waitFor({ timeout: 10000 });
    await composer(page).fill('');
    assert.deepEqual(other.problems, []);
  } finally {
    await other.context().close();
  }
  await page.getByText(`Also here: ${a2.email}`).waitFor({ state: 'detached', timeout: 10000 });
});

test('chat: archive, restore and delete, with the status filter following', async () => {
  const head = page.locator('.conversation-head');
  await head.getByRole('button', { name: 'Archive' }).click();
  await head.getByText('archived').waitFor();
  await page.getByLabel('Status').selectOption('archived');
  await page.locator('.conversation-list').getByText('Plan the quarterly review of the tea suppliers').waitFor();
  await head.getByRole('button', { name: 'Restore' }).click();
  await page.locator('.conversation-list').getByText('Plan the quarterly review of the tea suppliers')
    .waitFor({ state: 'detached' });
  page.once('dialog', (dialog) => dialog.accept());
  await head.getByRole('button', { name: 'Delete' }).click();
  await page.getByText('This conversation is deleted: restore it to write to it.').waitFor();
  await page.getByLabel('Status').selectOption('deleted');
  await page.locator('.conversation-list').getByText('Plan the quarterly review of the tea suppliers').waitFor();
  await head.getByRole('button', { name: 'Restore' }).click();
  await composer(page).waitFor();
  await page.getByLabel('Status').selectOption('');
  const { data } = await service.from('conversations').select('status').eq('id', startedConversationId).single();
  assert.equal(data.status, 'active');
});

test('chat: full-text search across messages highlights its hits', async () => {
  await page.getByLabel('Search all messages').fill('suppliers');
  await page.getByRole('button', { name: 'Search', exact: true }).click();
  const hits = page.getByRole('list', { name: 'Messages found' });
  await hits.locator('mark').first().waitFor();
  const marked = await hits.locator('mark').allInnerTexts();
  assert.ok(marked.length >= 2, `highlights: ${marked}`);
  for (const word of marked) assert.match(word.toLowerCase(), /^supplier/);
  await screenshot(page, 'chat-search');
  await assertAccessible(page, 'message search (light)');
  await hits.getByRole('link').first().click();
  await page.getByRole('log', { name: 'Messages' }).getByText('Darjeeling Direct', { exact: false }).first().waitFor();
  await page.getByRole('button', { name: 'Clear' }).click();
});

test('memory: semantic search ranks the expected memory first, with similarity scores', async () => {
  await page.getByRole('link', { name: 'Memory' }).click();
  await page.getByRole('heading', { name: 'Preferences' }).waitFor();
  await screenshot(page, 'memory');
  await assertAccessible(page, 'memory (light)');
  await page.getByLabel('Search memories by meaning').fill('does the user drink green tea or coffee?');
  await page.getByRole('button', { name: 'Search', exact: true }).click();
  const results = page.getByRole('list', { name: 'Search results' });
  await results.locator('.memory').first().waitFor();
  const first = results.locator('.memory').first();
  assert.equal(await first.locator('.memory-key').innerText(), 'drink');
  const scores = (await results.locator('.similarity').allInnerTexts()).map(Number);
  assert.ok(scores.length >= 2 && scores.every((score) => score >= -1 && score <= 1), `cosines ${scores}`);
  assert.ok(scores[0] > 0.3 && scores[0] > scores[1] + 0.2, `a clear first: ${scores}`);
  assert.deepEqual([...scores].sort((x, y) => y - x), scores, 'best first');
  await screenshot(page, 'memory-search');
  await assertAccessible(page, 'memory search (light)');
});

test('memory: edit, forget and export', async () => {
  await page.getByLabel('Search memories by meaning').fill('');
  const editor = page.locator('.memory').filter({ has: page.getByRole('heading', { name: 'editor', exact: true }) });
  await editor.getByRole('button', { name: 'Edit editor' }).click();
  await editor.getByLabel('Value').fill('prefers emacs keybindings everywhere');
  await editor.getByLabel('Type').selectOption('fact');
  await editor.getByRole('button', { name: 'Save' }).click();
  await page.locator('.memory').filter({ hasText: 'prefers emacs keybindings everywhere' }).waitFor();
  const { data: edited } = await service.from('user_memory').select('value, memory_type, embedding').eq('user_id', a1Id)
    .eq('key', 'editor').single();
  assert.equal(edited.value, 'prefers emacs keybindings everywhere');
  assert.equal(edited.memory_type, 'fact');
  // The new text was embedded, so a search by its words finds it first.
  const { client } = await signedInClient(a1);
  const found = await rpc(client, 'search_memories', { query_text: 'emacs keybindings', match_count: 1 });
  assert.equal(found[0].key, 'editor');

  page.once('dialog', (dialog) => dialog.accept());
  await page.getByRole('button', { name: 'Forget pet' }).click();
  await page.getByRole('button', { name: 'Forget pet' }).waitFor({ state: 'detached' });
  const { data: pets } = await service.from('user_memory').select('id').eq('user_id', a1Id).eq('key', 'pet');
  assert.deepEqual(pets, []);

  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Export as JSON' }).click(),
  ]);
  const exported = JSON.parse(readFileSync(await download.path(), 'utf8'));
  assert.equal(exported.user_id, a1Id);
  assert.deepEqual(exported.memories.map((memory) => memory.key).sort(),
    ['drink', 'editor', 'launch_goal', 'old_project', 'timezone']);
  await page.getByText('Exported 5 memories as JSON.').waitFor();
});

test("tenant B's data appears on no page of tenant A's console", async () => {
  const pages = ['/chat', '/memory', '/agents', '/org'];
  for (const path of pages) {
    await page.goto(`${baseUrl}${path}`);
    await page.locator('main').waitFor();
    await page.waitForLoadState('networkidle');
    assert.doesNotMatch(await page.locator('body').innerText(), new RegExp(tenantBMarker, 'i'), path);
  }
  await page.goto(`${baseUrl}/chat`);
  await page.getByLabel('Search all messages').fill(tenantBMarker);
  await page.getByRole('button', { name: 'Search', exact: true }).click();
  await page.getByText(`0 messages match “${tenantBMarker}”`).waitFor();
  // B's conversation by its id: not found, said plainly.
  await page.goto(`${baseUrl}/chat/${tenantBConversationId}`);
  await page.getByText('This conversation does not exist, or is not visible to you.').waitFor();
  assert.doesNotMatch(await page.locator('body').innerText(), new RegExp(tenantBMarker, 'i'));
  // A memory search close to B's memory still finds only a1's own.
  await page.goto(`${baseUrl}/memory`);
  // B's memory is the nearest of all to these words, in text and vector.
  await page.getByLabel('Search memories by meaning').fill('likes green tea in the afternoon');
  await page.getByRole('button', { name: 'Search', exact: true }).click();
  await page.getByRole('list', { name: 'Search results' }).locator('.memory').first().waitFor();
  assert.doesNotMatch(await page.locator('body').innerText(), new RegExp(tenantBMarker, 'i'));
  assert.equal(await page.locator('.memory-key').first().innerText(), 'drink');
});

test('the session survives a reload and its token is refreshed', async () => {
  await page.goto(`${baseUrl}/memory`);
  await page.reload();
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
  await page.getByRole('heading', { name: 'Memory' }).waitFor();

  // Make the stored session look about to expire: the client refreshes it
  // on load, and the console goes on working with the new token.
  const storageKey = await page.evaluate(() => Object.keys(localStorage).find((key) => key.endsWith('-auth-token')));
  const before = await page.evaluate((key) => JSON.parse(localStorage.getItem(key)), storageKey);
  await page.evaluate(
    ([key, session]) => localStorage.setItem(key, JSON.stringify({ ...session, expires_at: Math.floor(Date.now() / 1000) + 5 })),
    [storageKey, before],
  );
  const refreshed = page.waitForResponse((response) => response.url().includes('/auth/v1/token?grant_type=refresh_token'));
  await page.reload();
  assert.equal((await refreshed).status(), 200);
  await page.getByRole('heading', { name: 'Preferences' }).waitFor();
  const after = await page.evaluate((key) => JSON.parse(localStorage.getItem(key)), storageKey);
  assert.notEqual(after.access_token, before.access_token);
  assert.notEqual(after.refresh_token, before.refresh_token);
});

test('API errors are shown as readable messages, never a blank page', async () => {
  await page.route('**/rest/v1/rpc/list_conversations', (route) =>
    route.fulfill({
      status: 503,
      contentType: 'application/json',
      body: JSON.stringify({ code: 'PGRST003', message: 'Timed out acquiring connection from connection pool.', details: null, hint: null }),
    }),
  );
  await page.goto(`${baseUrl}/chat`);
  const alert = page.getByRole('alert');
  await alert.waitFor();
  assert.equal(await alert.innerText(), 'Could not load the conversations: Timed out acquiring connection from connection pool. (PGRST003)');
  await page.getByRole('navigation', { name: 'Sections' }).waitFor();
  await page.unroute('**/rest/v1/rpc/list_conversations');
});

test('every page passes axe in the dark theme too, and the toggle switches themes', async () => {
  await page.goto(`${baseUrl}/chat/${startedConversationId}`);
  await page.getByRole('log', { name: 'Messages' }).getByText('Darjeeling Direct', { exact: false }).first().waitFor();
  await setTheme(page, 'dark');
  const background = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  assert.equal(background, 'rgb(15, 18, 22)');
  await screenshot(page, 'chat-conversation-dark');
  await assertAccessible(page, 'conversation (dark)');
  await page.getByRole('link', { name: 'Chat' }).click();
  await page.getByLabel('Search all messages').fill('suppliers');
  await page.getByRole('button', { name: 'Search', exact: true }).click();
  await page.getByRole('list', { name: 'Messages found' }).locator('mark').first().waitFor();
  await assertAccessible(page, 'message search (dark)');
  await page.getByRole('link', { name: 'Memory' }).click();
  await page.getByRole('heading', { name: 'Preferences' }).waitFor();
  await screenshot(page, 'memory-dark');
  await assertAccessible(page, 'memory (dark)');
  await page.getByLabel('Search memories by meaning').fill('tea');
  await page.getByRole('button', { name: 'Search', exact: true }).click();
  await page.getByRole('list', { name: 'Search results' }).locator('.memory').first().waitFor();
  await assertAccessible(page, 'memory search (dark)');
  await setTheme(page, 'light');

  // The choice survives a reload; a system in dark mode is followed by default.
  const dark = await openPage(browser, { colorScheme: 'dark' });
  try {
    await dark.goto(`${baseUrl}/`);
    await dark.getByRole('heading', { name: 'Sign in to the console' }).waitFor();
    assert.equal(await dark.evaluate(() => document.documentElement.dataset.theme), 'dark');
    await screenshot(dark, 'sign-in-dark');
    await assertAccessible(dark, 'sign-in (dark)');
  } finally {
    await dark.context().close();
  }
});

test('at 390 px: one column, nothing wider than the screen, usable by keyboard', async () => {
  const narrow = await openPage(browser, { width: 390, height: 844 });
  try {
    await signIn(narrow, a1);
    const fits = () => narrow.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);
    assert.ok(await fits(), 'chat list fits');
    await screenshot(narrow, 'chat-390');
    await assertAccessible(narrow, 'chat at 390 px');
    // Keyboard only: tab to the first conversation and open it with Enter.
    const first = narrow.locator('.conversation-item').first();
    await first.waitFor();
    let reached = false;
    for (let i = 0; i < 30 && !reached; i += 1) {
      await narrow.keyboard.press('Tab');
      reached = await first.evaluate((element) => element === document.activeElement);
    }
    assert.ok(reached, 'the first conversation is reachable by Tab');
    await narrow.keyboard.press('Enter');
    await narrow.getByRole('log', { name: 'Messages' }).waitFor();
    assert.equal(await narrow.locator('.chat-sidebar').isVisible(), false, 'the list gives way to the conversation');
    assert.ok(await fits(), 'conversation fits');
    await screenshot(narrow, 'conversation-390');
    await narrow.getByRole('link', { name: '← Conversations' }).click();
    await narrow.locator('.conversation-item').first().waitFor();
    await narrow.getByRole('link', { name: 'Memory' }).click();
    await narrow.getByRole('heading', { name: 'Preferences' }).waitFor();
    assert.ok(await fits(), 'memory fits');
    await screenshot(narrow, 'memory-390');
    await assertAccessible(narrow, 'memory at 390 px');
    assert.deepEqual(narrow.problems, []);
  } finally {
    await narrow.context().close();
  }
});

test('sign out returns to the sign-in page, and a reload keeps it so', async () => {
  await page.goto(`${baseUrl}/chat`);
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByRole('heading', { name: 'Sign in to the console' }).waitFor();
  await page.reload();
  await page.getByRole('heading', { name: 'Sign in to the console' }).waitFor();
  assert.deepEqual(page.problems, [], 'no script errors, CSP refusals or requests elsewhere');
});
