// The console's Agents & tools and Org chart pages in a real browser against
// a real server: an agent's tools in priority order, enabled and disabled,
// reordered by dragging and by keyboard, configured through the form made
// from the tool's JSON Schema (the server's refusal shown at the field),
// usage numbers and the chart over time, test calls, attach and detach; the
// org chart with its departments, reporting lines and agents, a role found
// by name and by skill, a node's details, the business-function tree; none
// of tenant B's agents or their tools; axe in both themes and at 390 px.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { a1, assertAccessible, b1, baseUrl, launchBrowser, openPage, screenshot, service, setTheme, signIn, signedInClient } from './lib.js';

// Words only tenant B's data holds (as in console.test.js).
const tenantBMarker = 'zebraquartz';
let browser;
let page; // a1's
let a1Client;
const ids = { tools: {}, agents: {}, roles: {}, functions: {}, departments: {} };

async function call(client, name, args) {
  const { data, error } = await client.rpc(name, args);
  if (error) throw new Error(`${name}: ${error.message}`);
  return data;
}

async function insert(table, rows) {
  const { data, error } = await service.from(table).insert(rows).select();
  if (error) throw new Error(`${table}: ${error.message}`);
  return data;
}

async function tenantOf(userId) {
  const { data, error } = await service.from('profiles').select('tenant_id').eq('id', userId).single();
  if (error) throw error;
  return data.tenant_id;
}

const hoursAgo = (hours) => new Date(Date.now() - hours * 3600 * 1000).toISOString();

async function seedTools(tenantA, tenantB) {
  const tools = await insert('tools', [
    { slug: 'web-search', name: 'Web search', description: 'Searches the web or the news for pages that answer a query.' },
    { slug: 'crm-lookup', name: 'CRM lookup', description: 'Finds a customer in the CRM by name or e-mail.' },
    { slug: 'send-email', name: 'Send email', description: 'Sends an e-mail from the team’s address.' },
    { slug: 'calculator', name: 'Calculator', description: 'Evaluates arithmetic exactly.' },
    { slug: 'create-ticket', name: 'Create ticket', description: 'Opens a ticket in the issue tracker.' },
  ]);
  for (const tool of tools) ids.tools[tool.slug] = tool.id;
  await insert('tool_schemas', [
    {
      tool_id: ids.tools['web-search'],
      config_schema: {
        type: 'object',
        properties: {
          engine: { enum: ['web', 'news'], description: 'Where to search' },
          max_results: { type: 'integer', minimum: 1, maximum: 50, title: 'Max results' },
          safe_search: { type: 'boolean' },
        },
        required: ['engine'],
        additionalProperties: false,
      },
      default_config: { max_results: 10, safe_search: true },
      input_schema: {
        type: 'object',
        properties: { query: { type: 'string', minLength: 1 }, recency_days: { type: 'integer', minimum: 1 } },
        required: ['query'],
      },
    },
    {
      tool_id: ids.tools['crm-lookup'],
      config_schema: {
        type: 'object',
        properties: {
          base_url: { type: 'string', title: 'Base URL', pattern: '^https://' },
          api_key: { type: 'string', title: 'API key', writeOnly: true },
          fields: { type: 'array', items: { enum: ['name', 'email', 'phone', 'company'] } },
        },
        required: ['base_url'],
      },
      default_config: { fields: ['name', 'email'] },
      input_schema: { type: 'object', properties: { customer: { type: 'string' } }, required: ['customer'] },
    },
    {
      tool_id: ids.tools['send-email'],
      config_schema: {
        type: 'object',
        properties: {
          from_address: { type: 'string', title: 'From address' },
          daily_limit: { type: 'integer', minimum: 1, maximum: 1000 },
        },
      },
      default_config: { daily_limit: 100 },
    },
    {
      tool_id: ids.tools['create-ticket'],
      config_schema: {
        type: 'object',
        properties: { project: { type: 'string', minLength: 2 }, priority: { enum: ['low', 'normal', 'high'] } },
        required: ['project'],
      },
      default_config: { priority: 'normal' },
    },
  ]);

  const [support, research] = await insert('agents', [
    { tenant_id: tenantA, name: 'Support agent', description: 'Answers customers', model: 'gpt-4o-mini' },
    { tenant_id: tenantA, name: 'Research agent', description: 'Reads and summarises', model: 'gpt-4o' },
  ]);
  // Enough agents for the list to offer its filter (more than 8 with the org's).
  await insert('agents', ['Billing helper', 'Calendar helper', 'Outreach helper', 'Triage helper']
    .map((name) => ({ tenant_id: tenantA, name })));
  const [other] = await insert('agents', [{ tenant_id: tenantB, name: `Zebraquartz ops`, description: `B’s ${tenantBMarker}` }]);
  ids.agents = { support: support.id, research: research.id, tenantB: other.id };
  for (const [slug, config] of [
    ['web-search', { engine: 'web' }],
    ['crm-lookup', { base_url: 'https://crm.example.test', api_key: 'a-secret' }],
    ['send-email', { from_address: 'help@tenant-a.test' }],
    ['calculator', {}],
  ]) {
    await call(service, 'attach_tool', { agent_id: support.id, tool_id: ids.tools[slug], config });
  }
  await call(service, 'attach_tool', { agent_id: research.id, tool_id: ids.tools['web-search'], config: { engine: 'news' } });
  await call(service, 'attach_tool', {
    agent_id: other.id, tool_id: ids.tools['web-search'], config: { engine: 'news', max_results: 7 },
  });
  // Twelve calls of the support agent's web search over the last day, two of them failed.
  for (let i = 0; i < 12; i += 1) {
    await call(service, 'record_tool_call', {
      agent_id: support.id, tool_id: ids.tools['web-search'], status: i % 6 === 5 ? 'error' : 'success',
      duration_ms: 80 + i * 20, called_at: hoursAgo(2 + i * 2),
      error: i % 6 === 5 ? 'upstream timed out' : null,
    });
  }
  await call(service, 'record_tool_call', { agent_id: support.id, tool_id: ids.tools['crm-lookup'], duration_ms: 45, called_at: hoursAgo(5) });
  // B's agent is busier: none of it may show on A's pages.
  for (let i = 0; i < 5; i += 1) {
    await call(service, 'record_tool_call', { agent_id: other.id, tool_id: ids.tools['web-search'], duration_ms: 999, called_at: hoursAgo(3) });
  }
}

async function seedOrg(tenantA, tenantB) {
  const departments = await insert('departments', [
    { slug: 'executive', name: 'Executive' },
    { slug: 'engineering', name: 'Engineering' },
    { slug: 'customer-support', name: 'Customer Support' },
    { slug: 'sales', name: 'Sales' },
  ]);
  for (const department of departments) ids.departments[department.slug] = department.id;
  const [platform] = await insert('departments', [
    { slug: 'platform', name: 'Platform', parent_department_id: ids.departments.engineering },
  ]);
  ids.departments.platform = platform.id;
  // Each role after its manager, so that reports_to_role_id can name it.
  const roles = [
    ['ceo', 'Chief Executive', 'executive', 'executive', null, ['Set the company’s direction', 'Hire the leadership team'], ['leadership', 'strategy']],
    ['cto', 'Chief Technology Officer', 'executive', 'engineering', 'ceo', ['Own the architecture'], ['architecture', 'leadership']],
    ['vp-sales', 'VP Sales', 'executive', 'sales', 'ceo', ['Grow revenue'], ['negotiation']],
    ['head-of-support', 'Head of Support', 'senior', 'customer-support', 'ceo',
      ['Run the support desk', 'Report customer pain to product'], ['customer empathy', 'Zendesk']],
    ['platform-lead', 'Platform Lead', 'senior', 'platform', 'cto', ['Keep the platform up'], ['PostgreSQL', 'Kubernetes']],
    ['backend-engineer', 'Backend Engineer', 'mid', 'engineering', 'cto', ['Build the API'], ['postgresql', 'C++']],
    ['frontend-engineer', 'Frontend Engineer', 'mid', 'engineering', 'cto', ['Build the console'], ['Preact', 'accessibility']],
    ['database-reliability-engineer', 'Database Reliability Engineer', 'mid', 'platform', 'platform-lead',
      ['Keep backups restorable', 'Tune slow queries'], ['PostgreSQL', 'on-call']],
    ['tier-1-support', 'Tier 1 Support Specialist', 'junior', 'customer-support', 'head-of-support', ['Answer new tickets'], ['Zendesk']],
    ['tier-2-support', 'Tier 2 Support Specialist', 'mid', 'customer-support', 'head-of-support', ['Solve escalations'], ['SQL']],
    ['knowledge-editor', 'Support Knowledge Editor', 'junior', 'customer-support', 'head-of-support', ['Keep articles current'], ['writing']],
    ['account-executive', 'Account Executive', 'mid', 'sales', 'vp-sales', ['Close deals'], ['negotiation']],
  ];
  for (const [slug, name, level, department, manager, responsibilities, skills] of roles) {
    const [role] = await insert('organizational_roles', [{
      slug, name, level, department_id: ids.departments[department], reports_to_role_id: manager ? ids.roles[manager] : null,
      responsibilities, required_skills: skills,
    }]);
    ids.roles[slug] = role.id;
  }
  const [success] = await insert('business_functions', [{
    slug: 'customer-success', name: 'Customer Success', category: 'core', description: 'Customers get answers and stay.',
    key_activities: ['Answer tickets within a day', 'Keep the knowledge base current'],
    success_metrics: ['First response under 4 hours', 'Satisfaction above 90%'],
  }]);
  const [engineering] = await insert('business_functions', [{
    slug: 'engineering-delivery', name: 'Engineering Delivery', category: 'core',
    key_activities: ['Ship weekly'], success_metrics: ['Lead time under a week'],
  }]);
  const [databases] = await insert('business_functions', [{
    slug: 'database-operations', name: 'Database Operations', category: 'operational', parent_function_id: engineering.id,
    key_activities: ['Restore a backup every month', 'Review slow queries'], success_metrics: ['99.95% availability', 'Restores under 1 hour'],
  }]);
  ids.functions = { success: success.id, engineering: engineering.id, databases: databases.id };

  const [atlas, nova, pixel] = await insert('agents', [
    { tenant_id: tenantA, name: 'Atlas', organizational_role_id: ids.roles.cto, business_function_id: engineering.id },
    { tenant_id: tenantA, name: 'Nova', organizational_role_id: ids.roles['database-reliability-engineer'], business_function_id: databases.id },
    { tenant_id: tenantA, name: 'Pixel', organizational_role_id: ids.roles['frontend-engineer'] },
  ]);
  ids.agents.atlas = atlas.id;
  ids.agents.nova = nova.id;
  ids.agents.pixel = pixel.id;
  await service.from('agents').update({ organizational_role_id: ids.roles['tier-1-support'], business_function_id: success.id })
    .eq('id', ids.agents.support);
  // B's agent on a role A leaves vacant, serving A's functions too: none of it may show.
  await service.from('agents').update({ organizational_role_id: ids.roles['platform-lead'], business_function_id: databases.id })
    .eq('id', ids.agents.tenantB);
}

before(async () => {
  const a1Session = await signedInClient(a1);
  a1Client = a1Session.client;
  const b1Session = await signedInClient(b1);
  const [tenantA, tenantB] = [await tenantOf(a1Session.userId), await tenantOf(b1Session.userId)];
  await seedTools(tenantA, tenantB);
  await seedOrg(tenantA, tenantB);
  browser = await launchBrowser();
  page = await openPage(browser);
  await signIn(page, a1);
});

after(async () => {
  await browser?.close();
});

const toolList = () => page.getByRole('list', { name: 'Tools of Support agent, in priority order' });
const toolNames = () => toolList().locator('.tool-row h3').allInnerTexts();
const toolRow = (name) => toolList().locator('.tool-row').filter({ has: page.getByRole('heading', { name, exact: true }) });

async function storedOrder(agentId) {
  const { data, error } = await service.from('agent_tools').select('priority, enabled, config, tools(name)').eq('agent_id', agentId)
    .order('priority');
  if (error) throw error;
  return data;
}

test('agents & tools: the tenant’s agents, an agent’s tools in priority order with their usage', async () => {
  await page.getByRole('link', { name: 'Agents & tools' }).click();
  const agents = page.getByRole('list', { name: 'Agents' });
  await agents.getByRole('link', { name: /Support agent/ }).waitFor();
  assert.deepEqual(await agents.locator('.agent-name').allInnerTexts(), [
    'Atlas', 'Billing helper', 'Calendar helper', 'Nova', 'Outreach helper', 'Pixel', 'Research agent', 'Support agent',
    'Triage helper',
  ]);
  await page.getByLabel('Filter the agents by name').fill('AGENT');
  assert.deepEqual(await agents.locator('.agent-name').allInnerTexts(), ['Research agent', 'Support agent']);
  await agents.getByRole('link', { name: /Support agent/ }).click();
  await toolList().waitFor();
  assert.equal(new URL(page.url()).pathname, `/agents/${ids.agents.support}`);
  assert.deepEqual(await toolNames(), ['Web search', 'CRM lookup', 'Send email', 'Calculator']);

  // The figures are tool_usage's for the last 7 days, as the API gives them to a1.
  const usage = await call(a1Client, 'tool_usage', { agent_id: ids.agents.support });
  const search = usage.find((entry) => entry.slug === 'web-search');
  assert.equal(search.calls, 12);
  const figures = toolRow('Web search').getByRole('definition');
  await figures.first().waitFor();
  const shown = await toolRow('Web search').locator('.usage-figures').innerText();
  assert.match(shown, /Calls\s+12/);
  assert.match(shown, /Errors\s+2 \(16\.7%\)/);
  assert.match(shown, new RegExp(`p95\\s+${search.p95_ms} ms`));
  assert.match(shown, /Last used\s+2 hours ago/);
  assert.match(await toolRow('Calculator').innerText(), /No calls in the last 7 days/);
  await screenshot(page, 'agents-tools');
  await assertAccessible(page, 'agents & tools (light)');
});

test('agents & tools: disable and enable a tool', async () => {
  const toggle = page.getByRole('switch', { name: 'Send email enabled' });
  assert.equal(await toggle.isChecked(), true);
  await toggle.click();
  await toolRow('Send email').getByText('Disabled').waitFor();
  await page.getByRole('status').filter({ hasText: 'Send email disabled.' }).waitFor({ state: 'attached' });
  let stored = await storedOrder(ids.agents.support);
  assert.equal(stored.find((row) => row.tools.name === 'Send email').enabled, false);
  const effective = await call(a1Client, 'effective_tools', { agent_id: ids.agents.support });
  assert.deepEqual(effective.map((tool) => tool.name), ['Web search', 'CRM lookup', 'Calculator']);
  // Kept after a reload: it is the server's state.
  await page.reload();
  await toolList().waitFor();
  assert.equal(await page.getByRole('switch', { name: 'Send email enabled' }).isChecked(), false);
  await page.getByRole('switch', { name: 'Send email enabled' }).click();
  await page.getByRole('status').filter({ hasText: 'Send email enabled.' }).waitFor({ state: 'attached' });
  stored = await storedOrder(ids.agents.support);
  assert.equal(stored.find((row) => row.tools.name === 'Send email').enabled, true);
});

test('agents & tools: reorder by dragging a tool’s handle', async () => {
  const handle = toolRow('Calculator').getByRole('button', { name: /^Reorder Calculator/ });
  const from = await handle.boundingBox();
  const target = await toolRow('Web search').boundingBox();
  await page.mouse.move(from.x + from.width / 2, from.y + from.height / 2);
  await page.mouse.down();
  await page.mouse.move(from.x + from.width / 2, target.y + 10, { steps: 12 });
  await page.mouse.up();
  await page.waitForFunction(() => document.querySelector('.tool-row h3')?.textContent === 'Calculator');
  assert.deepEqual(await toolNames(), ['Calculator', 'Web search', 'CRM lookup', 'Send email']);
  // The server's order: priorities 1..4 in that order.
  await page.waitForResponse((response) => response.url().includes('/rpc/move_tool')).catch(() => {});
  const stored = await storedOrder(ids.agents.support);
  assert.deepEqual(stored.map((row) => [row.priority, row.tools.name]), [
    [1, 'Calculator'], [2, 'Web search'], [3, 'CRM lookup'], [4, 'Send email'],
  ]);
});

test('agents & tools: reorder by keyboard, announced, with focus kept on the moved tool', async () => {
  const handle = toolRow('Calculator').getByRole('button', { name: /^Reorder Calculator/ });
  await handle.focus();
  const moved = page.waitForResponse((response) => response.url().includes('/rpc/move_tool'));
  await page.keyboard.press('Alt+ArrowDown');
  await moved;
  assert.deepEqual(await toolNames(), ['Web search', 'Calculator', 'CRM lookup', 'Send email']);
  await page.getByRole('status').filter({ hasText: 'Calculator moved to position 2 of 4.' }).waitFor({ state: 'attached' });
  assert.match(await page.evaluate(() => document.activeElement.getAttribute('aria-label')), /^Reorder Calculator, position 2 of 4/);
  // The move buttons, by keyboard too: Send email up once.
  await toolRow('Send email').getByRole('button', { name: 'Move Send email up' }).focus();
  const movedAgain = page.waitForResponse((response) => response.url().includes('/rpc/move_tool'));
  await page.keyboard.press('Enter');
  await movedAgain;
  assert.equal(await page.evaluate(() => document.activeElement.getAttribute('aria-label')), 'Move Send email up');
  const stored = await storedOrder(ids.agents.support);
  assert.deepEqual(stored.map((row) => row.tools.name), ['Web search', 'Calculator', 'Send email', 'CRM lookup']);
  assert.deepEqual(await toolNames(), ['Web search', 'Calculator', 'Send email', 'CRM lookup']);
});

test('agents & tools: the config form comes from the JSON Schema; the server’s refusal is shown at the field', async () => {
  const row = toolRow('Web search');
  await row.getByRole('button', { name: 'Configure: Web search' }).click();
  const form = page.getByRole('form', { name: 'Configuration of Web search' });
  const maxResults = form.getByLabel('Max results');
  // default_config is shown as the default, the agent's own value as the value.
  assert.equal(await maxResults.getAttribute('placeholder'), '10');
  await form.getByText('Default: 10').waitFor();
  assert.equal(await form.getByLabel(/^Engine/).inputValue(), '0');
  assert.match(await form.getByLabel(/^Engine/).locator('option:checked').innerText(), /^web$/);

  await maxResults.fill('500');
  await form.getByRole('button', { name: 'Save configuration' }).click();
  await form.getByRole('alert').filter({ hasText: 'The server refused this configuration: 1 problem' }).waitFor();
  // The field's own message, tied to it by aria-describedby.
  const described = (await maxResults.getAttribute('aria-describedby')).split(' ');
  const fieldError = form.locator(`[id="${described.find((id) => id.endsWith('-error'))}"]`);
  assert.match(await fieldError.innerText(), /50/);
  assert.equal(await maxResults.getAttribute('aria-invalid'), 'true');
  await screenshot(page, 'agents-config-error');
  await assertAccessible(page, 'config form with an error (light)');
  let stored = await storedOrder(ids.agents.support);
  assert.deepEqual(stored.find((row_) => row_.tools.name === 'Web search').config, { engine: 'web' });

  // A required property left unset: at its own field.
  await form.getByLabel(/^Engine/).selectOption('');
  await maxResults.fill('25');
  await form.getByRole('button', { name: 'Save configuration' }).click();
  const engine = form.getByLabel(/^Engine/);
  await page.waitForFunction((element) => element.getAttribute('aria-invalid') === 'true', await engine.elementHandle());
  assert.equal(await maxResults.getAttribute('aria-invalid'), null);
  assert.match(await form.locator('.schema-field.invalid').innerText(), /must have property "engine"/);

  await engine.selectOption({ label: 'news' });
  await form.getByLabel(/^Safe search/).selectOption({ label: 'Off' });
  await form.getByRole('button', { name: 'Save configuration' }).click();
  await form.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
  stored = await storedOrder(ids.agents.support);
  assert.deepEqual(stored.find((row_) => row_.tools.name === 'Web search').config, { engine: 'news', max_results: 25, safe_search: false });
  const effective = await call(a1Client, 'effective_tools', { agent_id: ids.agents.support });
  assert.deepEqual(effective.find((tool) => tool.slug === 'web-search').config, { engine: 'news', max_results: 25, safe_search: false });
  await form.getByRole('button', { name: 'Close' }).click();
});

test('agents & tools: a tool’s calls and errors over time, as a chart and as a table', async () => {
  const row = toolRow('Web search');
  await row.getByRole('button', { name: 'Usage over time: Web search' }).click();
  const chart = row.locator('figure.usage-chart');
  await chart.locator('canvas').first().waitFor();
  await chart.getByText('12 calls and 2 errors of Web search in this window').waitFor();
  await chart.getByText('The numbers as a table').click();
  const cells = await chart.locator('tbody tr').evaluateAll((rows) => rows.map((tr) => [...tr.cells].slice(1).map((td) => Number(td.textContent))));
  assert.equal(cells.reduce((sum, [calls]) => sum + calls, 0), 12);
  assert.equal(cells.reduce((sum, [, errors]) => sum + errors, 0), 2);
  await chart.getByRole('button', { name: 'Last 30 days' }).click();
  await chart.getByText('Calls and errors per day, last 30 days').waitFor();
  await chart.getByText('12 calls and 2 errors of Web search in this window').waitFor();
  await screenshot(page, 'agents-usage');
  await assertAccessible(page, 'usage chart (light)');
  await row.getByRole('button', { name: 'Usage over time: Web search' }).click();
});

test('agents & tools: a test call checks the arguments against the input schema', async () => {
  const row = toolRow('Web search');
  await row.getByRole('button', { name: 'Test call: Web search' }).click();
  const form = page.getByRole('form', { name: 'Test call of Web search' });
  await form.getByRole('button', { name: 'Check the arguments' }).click();
  await form.getByText('Not valid: 1 problem with the input schema, shown at the fields.').waitFor();
  assert.equal(await form.getByLabel(/^Query/).getAttribute('aria-invalid'), 'true');
  assert.match(await form.locator('.schema-field.invalid').innerText(), /must have property "query"/);
  await form.getByLabel(/^Query/).fill('tea suppliers in Oslo');
  await form.getByLabel(/^Recency days/).fill('7');
  await form.getByRole('button', { name: 'Check the arguments' }).click();
  await form.getByText('Valid: these arguments match the input schema.').waitFor();
  const { data: dryRuns } = await service.from('tool_calls').select('status, arguments').eq('agent_id', ids.agents.support)
    .eq('dry_run', true).order('called_at');
  assert.deepEqual(dryRuns, [
    { status: 'invalid', arguments: {} },
    { status: 'success', arguments: { query: 'tea suppliers in Oslo', recency_days: 7 } },
  ]);
  await row.locator('.usage-figures').getByText('Test calls').waitFor();
  await row.getByRole('button', { name: 'Test call: Web search' }).click();
});

test('agents & tools: attach a tool with its config (refused, then accepted), and detach it', async () => {
  const attach = page.getByRole('form', { name: 'Attach a tool' });
  await attach.getByLabel('Tool', { exact: true }).selectOption({ label: 'Create ticket (create-ticket)' });
  await attach.getByLabel(/^Project/).fill('X');
  await attach.getByRole('button', { name: 'Attach Create ticket last' }).click();
  await attach.getByRole('alert').filter({ hasText: 'The server refused this configuration' }).waitFor();
  assert.equal(await attach.getByLabel(/^Project/).getAttribute('aria-invalid'), 'true');
  await attach.getByLabel(/^Project/).fill('OPS');
  await attach.getByRole('button', { name: 'Attach Create ticket last' }).click();
  await toolRow('Create ticket').waitFor();
  assert.deepEqual(await toolNames(), ['Web search', 'Calculator', 'Send email', 'CRM lookup', 'Create ticket']);
  let stored = await storedOrder(ids.agents.support);
  assert.deepEqual(stored.at(-1), { priority: 5, enabled: true, config: { project: 'OPS' }, tools: { name: 'Create ticket' } });

  page.once('dialog', (dialog) => dialog.accept());
  await page.getByRole('button', { name: 'Detach Create ticket' }).click();
  await toolRow('Create ticket').waitFor({ state: 'detached' });
  stored = await storedOrder(ids.agents.support);
  assert.deepEqual(stored.map((row) => row.tools.name), ['Web search', 'Calculator', 'Send email', 'CRM lookup']);
});

test('agents & tools: tenant B’s agent and its tool config appear nowhere, not even by id', async () => {
  await page.goto(`${baseUrl}/agents/${ids.agents.research}`);
  await page.getByRole('list', { name: 'Tools of Research agent, in priority order' }).waitFor();
  await page.waitForLoadState('networkidle');
  const text = await page.locator('body').innerText();
  assert.doesNotMatch(text, new RegExp(tenantBMarker, 'i'));
  assert.doesNotMatch(text, /\b7\b.*max/i);
  await page.goto(`${baseUrl}/agents/${ids.agents.tenantB}`);
  await page.getByText('This agent does not exist, or is not visible to you.').waitFor();
  assert.doesNotMatch(await page.locator('body').innerText(), new RegExp(tenantBMarker, 'i'));
  // Nor through the API the page uses.
  const { data: rows } = await a1Client.from('agent_tools').select('agent_id');
  assert.ok(rows.every((row) => row.agent_id !== ids.agents.tenantB));
});

test('agents & tools: axe in the dark theme and at 390 px, keyboard reachable', async () => {
  await page.goto(`${baseUrl}/agents/${ids.agents.support}`);
  await toolList().waitFor();
  await setTheme(page, 'dark');
  await toolRow('Web search').getByRole('button', { name: 'Configure: Web search' }).click();
  await screenshot(page, 'agents-tools-dark');
  await assertAccessible(page, 'agents & tools (dark)');
  await toolRow('Web search').getByRole('button', { name: 'Usage over time: Web search' }).click();
  await toolRow('Web search').locator('canvas').first().waitFor();
  await assertAccessible(page, 'usage chart (dark)');
  await setTheme(page, 'light');

  const narrow = await openPage(browser, { width: 390, height: 844 });
  try {
    await signIn(narrow, a1);
    await narrow.getByRole('link', { name: 'Agents & tools' }).click();
    // On a phone the list of agents comes first.
    await narrow.getByRole('list', { name: 'Agents' }).getByRole('link', { name: /Support agent/ }).click();
    await narrow.getByRole('list', { name: 'Tools of Support agent, in priority order' }).waitFor();
    await narrow.getByRole('button', { name: 'Configure: Web search' }).click();
    const fits = () => narrow.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);
    assert.ok(await fits(), 'the tools fit at 390 px');
    await screenshot(narrow, 'agents-tools-390');
    await assertAccessible(narrow, 'agents & tools at 390 px');
    await narrow.getByRole('link', { name: '← Agents' }).click();
    await narrow.getByRole('list', { name: 'Agents' }).waitFor();
    assert.deepEqual(narrow.problems, []);
  } finally {
    await narrow.context().close();
  }
  assert.deepEqual(page.problems, [], 'no script errors, CSP refusals or requests elsewhere');
});

const canvas = () => page.getByRole('application', { name: /^Org chart: / });
const card = (on, slug) => on.locator(`[data-role-id="${ids.roles[slug]}"]`);
const details = () => page.locator('.org-details');

// Where a card is drawn, relative to the chart's centre, once the chart has stopped moving.
async function offsetFromCentre(on, slug) {
  let last = null;
  for (let i = 0; i < 40; i += 1) {
    const [box, frame] = [await card(on, slug).locator('.org-card-box').boundingBox(), await on.locator('.org-canvas').boundingBox()];
    const offset = box && { dx: box.x + box.width / 2 - (frame.x + frame.width / 2), dy: box.y + box.height / 2 - (frame.y + frame.height / 2) };
    if (offset && last && Math.abs(offset.dx - last.dx) < 0.5 && Math.abs(offset.dy - last.dy) < 0.5) return offset;
    last = offset;
    await on.waitForTimeout(50);
  }
  return last;
}

test('org chart: departments, roles and reporting lines drawn with the tenant’s agents on each role', async () => {
  await page.getByRole('link', { name: 'Org chart' }).click();
  await canvas().waitFor();
  await page.getByText('5 departments · 12 roles · 4 of your agents on them · 8 vacant').waitFor();
  // Every role is drawn when the whole chart is in view, with a line to each manager.
  assert.equal(await page.locator('.org-card').count(), 12);
  const links = await page.locator('.org-links').getAttribute('d');
  assert.equal(links.match(/M/g).length, 11, 'one reporting line per role with a manager');
  await page.getByRole('list', { name: 'Departments' }).getByText('Customer Support').waitFor();
  await page.getByRole('list', { name: 'Business functions' }).getByRole('button', { name: 'Customer Success' }).waitFor();
  await screenshot(page, 'org-chart');
  await assertAccessible(page, 'org chart (light)');
});

test('org chart: find a role by name, and the chart centres on it with its agent', async () => {
  await page.getByLabel('Find a role, skill or agent').fill('database reliability');
  await page.getByRole('button', { name: 'Find', exact: true }).click();
  await details().getByRole('heading', { name: 'Database Reliability Engineer' }).waitFor();
  assert.deepEqual(await details().locator('.agents-on-role li').allInnerTexts(), ['Nova']);
  const offset = await offsetFromCentre(page, 'database-reliability-engineer');
  assert.ok(Math.abs(offset.dx) < 4 && Math.abs(offset.dy) < 4, `centred: ${JSON.stringify(offset)}`);
  // Close enough to read: the card shows its name and its agent.
  assert.match(await card(page, 'database-reliability-engineer').innerHTML(), /Database Reliability.*Nova/s);
  assert.match(await card(page, 'database-reliability-engineer').getAttribute('class'), /selected/);
  await details().getByText('Keep backups restorable').waitFor();
  await details().getByRole('heading', { name: 'Database Operations' }).waitFor();
  await details().getByText('Restore a backup every month').waitFor();
  await details().getByText('99.95% availability').waitFor();
  await screenshot(page, 'org-chart-found');
});

test('org chart: find roles by skill (find_by_skill) and by agent, and pick one', async () => {
  await page.getByLabel('Find a role, skill or agent').fill('PostgreSQL');
  await page.getByRole('button', { name: 'Find', exact: true }).click();
  const results = page.locator('.org-results');
  const bySkill = results.locator('.result-group').filter({ hasText: 'Roles needing the skill “PostgreSQL”' });
  await bySkill.waitFor();
  assert.deepEqual(await bySkill.locator('strong').allInnerTexts(), ['Platform Lead', 'Backend Engineer', 'Database Reliability Engineer']);
  // Every match is marked in the chart.
  for (const slug of ['platform-lead', 'backend-engineer', 'database-reliability-engineer']) {
    assert.match(await card(page, slug).getAttribute('class'), /matched/);
  }
  await bySkill.getByRole('button', { name: /Backend Engineer/ }).click();
  await details().getByRole('heading', { name: 'Backend Engineer' }).waitFor();
  const offset = await offsetFromCentre(page, 'backend-engineer');
  assert.ok(Math.abs(offset.dx) < 4 && Math.abs(offset.dy) < 4, `centred: ${JSON.stringify(offset)}`);

  await page.getByLabel('Find a role, skill or agent').fill('pixel');
  await page.getByRole('button', { name: 'Find', exact: true }).click();
  await details().getByRole('heading', { name: 'Frontend Engineer' }).waitFor();
  assert.deepEqual(await details().locator('.agents-on-role li').allInnerTexts(), ['Pixel']);
  await page.getByLabel('Find a role, skill or agent').fill('');
});

test('org chart: clicking a role shows its details; the keyboard moves along the reporting lines', async () => {
  await page.getByRole('button', { name: 'Fit' }).click();
  await page.waitForTimeout(400);
  await card(page, 'head-of-support').click();
  await details().getByRole('heading', { name: 'Head of Support' }).waitFor();
  await details().getByText('Run the support desk').waitFor();
  assert.deepEqual(await details().getByRole('button', { name: /^Find roles needing/ }).allInnerTexts(), ['customer empathy', 'Zendesk']);
  await details().getByText('Vacant: none of your tenant’s agents holds this role.').waitFor();
  await details().getByRole('button', { name: 'Chief Executive' }).waitFor();

  // Siblings in the chart's order: by level, then name.
  await canvas().focus();
  await page.keyboard.press('ArrowDown');
  await details().getByRole('heading', { name: 'Tier 2 Support Specialist' }).waitFor();
  await page.keyboard.press('ArrowRight');
  await details().getByRole('heading', { name: 'Support Knowledge Editor' }).waitFor();
  await page.keyboard.press('ArrowRight');
  await details().getByRole('heading', { name: 'Tier 1 Support Specialist' }).waitFor();
  assert.deepEqual(await details().locator('.agents-on-role li').allInnerTexts(), ['Support agent']);
  await details().getByText('First response under 4 hours').waitFor();
  await page.getByRole('status').filter({ hasText: 'Tier 1 Support Specialist, junior, Customer Support. Agents: Support agent.' })
    .waitFor({ state: 'attached' });
  await page.keyboard.press('ArrowUp');
  await details().getByRole('heading', { name: 'Head of Support' }).waitFor();
  await page.keyboard.press('ArrowUp');
  await details().getByRole('heading', { name: 'Chief Executive' }).waitFor();
  // Enter goes to the role’s details (then back to the chart for its zoom).
  await page.keyboard.press('Enter');
  assert.equal(await page.evaluate(() => document.activeElement.textContent), 'Chief Executive');
  await canvas().focus();
  // Zoom by keyboard: + twice doubles the scale (less the rounding), 0 fits it all again.
  const scale = () => page.locator('.org-world').evaluate((g) => Number(/scale\(([^)]+)\)/.exec(g.getAttribute('transform'))[1]));
  const before = await scale();
  await page.keyboard.press('+');
  await page.keyboard.press('+');
  await page.waitForTimeout(100);
  assert.ok(Math.abs((await scale()) / before - 1.5625) < 0.01, `zoomed: ${before} -> ${await scale()}`);
  await page.keyboard.press('0');
  await page.waitForTimeout(400);
  assert.ok(Math.abs((await scale()) - before) < 0.01);
});

test('org chart: the business-function tree beside it, with each function’s activities, metrics and agents', async () => {
  const tree = page.getByRole('list', { name: 'Business functions' });
  await tree.getByRole('button', { name: 'Customer Success' }).click();
  await details().getByRole('heading', { name: 'Customer Success' }).waitFor();
  await details().getByText('Keep the knowledge base current').waitFor();
  await details().getByText('Satisfaction above 90%').waitFor();
  assert.match(await details().innerText(), /Support agent \(primary function\)/);
  // A child function, and from it to its agent's role in the chart.
  await tree.getByRole('button', { name: 'Database Operations' }).click();
  await details().getByRole('heading', { name: 'Database Operations' }).waitFor();
  await details().getByRole('button', { name: 'Database Reliability Engineer' }).click();
  await details().getByRole('heading', { name: 'Database Reliability Engineer' }).waitFor();
  const toggle = tree.getByRole('button', { name: 'Hide the functions under Engineering Delivery' });
  await toggle.click();
  await tree.getByRole('button', { name: 'Database Operations' }).waitFor({ state: 'detached' });
  await tree.getByRole('button', { name: 'Show the functions under Engineering Delivery' }).click();
  await tree.getByRole('button', { name: 'Database Operations' }).waitFor();
});

test('org chart: tenant B’s agent appears nowhere: its role stays vacant for tenant A', async () => {
  await page.goto(`${baseUrl}/org`);
  await canvas().waitFor();
  await page.waitForLoadState('networkidle');
  assert.doesNotMatch(await page.locator('body').innerText(), new RegExp(tenantBMarker, 'i'));
  assert.doesNotMatch(await page.locator('.org-svg').innerHTML(), new RegExp(tenantBMarker, 'i'));
  await page.getByLabel('Find a role, skill or agent').fill('platform lead');
  await page.getByRole('button', { name: 'Find', exact: true }).click();
  await details().getByRole('heading', { name: 'Platform Lead' }).waitFor();
  await details().getByText('Vacant: none of your tenant’s agents holds this role.').waitFor();
  await page.getByRole('list', { name: 'Business functions' }).getByRole('button', { name: 'Database Operations' }).click();
  assert.deepEqual(await details().locator('.detail-list').nth(2).locator('li').allInnerTexts(), ['Nova (primary function)']);
  assert.doesNotMatch(await page.locator('body').innerText(), new RegExp(tenantBMarker, 'i'));
});

test('org chart: a department’s own chart, axe in the dark theme and at 390 px', async () => {
  // Platform, a department of Engineering, from the department tree.
  await page.getByRole('list', { name: 'Departments of Engineering' }).getByRole('button', { name: 'Platform' }).click();
  assert.equal(await page.getByRole('combobox', { name: 'Department' }).inputValue(), ids.departments.platform);
  await page.getByText('1 departments · 2 roles · 1 of your agents on them · 1 vacant').waitFor();
  // Drawn in the frame after the chart fits itself to its new size.
  await page.waitForFunction(() => document.querySelectorAll('.org-card').length === 2);
  assert.deepEqual(await page.locator('.org-card-name').allTextContents(), ['Platform Lead', 'Database Reliability E…']);
  await page.getByRole('combobox', { name: 'Department' }).selectOption({ label: 'Customer Support (4)' });
  await page.getByText('1 departments · 4 roles · 1 of your agents on them · 3 vacant').waitFor();
  await page.getByRole('combobox', { name: 'Department' }).selectOption('');
  await page.getByText('5 departments · 12 roles').waitFor();
  await setTheme(page, 'dark');
  await card(page, 'head-of-support').click();
  await screenshot(page, 'org-chart-dark');
  await assertAccessible(page, 'org chart (dark)');
  await setTheme(page, 'light');

  const narrow = await openPage(browser, { width: 390, height: 844 });
  try {
    await signIn(narrow, a1);
    await narrow.getByRole('link', { name: 'Org chart' }).click();
    await narrow.getByRole('application', { name: /^Org chart: / }).waitFor();
    await narrow.getByLabel('Find a role, skill or agent').fill('tier 1');
    await narrow.getByRole('button', { name: 'Find', exact: true }).click();
    await narrow.locator('.org-details').getByRole('heading', { name: 'Tier 1 Support Specialist' }).waitFor();
    const offset = await offsetFromCentre(narrow, 'tier-1-support');
    assert.ok(Math.abs(offset.dx) < 4 && Math.abs(offset.dy) < 4, `centred at 390 px: ${JSON.stringify(offset)}`);
    assert.ok(await narrow.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), 'fits at 390 px');
    await screenshot(narrow, 'org-chart-390');
    await assertAccessible(narrow, 'org chart at 390 px');
    assert.deepEqual(narrow.problems, []);
  } finally {
    await narrow.context().close();
  }
  assert.deepEqual(page.problems, [], 'no script errors, CSP refusals or requests elsewhere');
});
