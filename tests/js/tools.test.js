// Agents' tools through the official supabase-js client: the RPCs and tables
// of database/schema/90_tools.sql, with every config write validated by the
// server against the tool's JSON Schema (src/tools), against `agentbase serve`
// (tests/js/run.sh starts it and exports the keys and users).
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { client, serviceKey, signedIn } from './lib/memory.js';
import { psql, startServer } from './lib/agentbase.js';

const stamp = Date.now();
const searchConfigSchema = {
  type: 'object',
  properties: {
    engine: { enum: ['web', 'news'] },
    max_results: { type: 'integer', minimum: 1, maximum: 50 },
    filters: { type: 'object', properties: { language: { type: 'string', pattern: '^[a-z]{2}$' } } },
  },
  required: ['engine'],
  additionalProperties: false,
};
const searchInputSchema = {
  type: 'object', properties: { query: { type: 'string', minLength: 1 } }, required: ['query'],
};

let a1, a2, b1, service, agentA, agentB, search, mail, calc;

// A tool in the catalog (service key), with its schemas.
async function catalogTool(name, schemas) {
  const tool = await service.from('tools').insert({ name, slug: `${name}-${stamp}` }).select().single();
  assert.equal(tool.error, null);
  if (schemas) {
    const written = await service.from('tool_schemas').insert({ tool_id: tool.data.id, ...schemas });
    assert.equal(written.error, null, `schemas of ${name}`);
  }
  return tool.data;
}

// An error of the config check: 400, 23514, the path and keyword named.
function assertSchemaRefusal(answer, path, keyword) {
  assert.equal(answer.status, 400, JSON.stringify(answer.error));
  assert.equal(answer.error.code, '23514');
  assert.match(answer.error.message, /does not match its JSON Schema/);
  assert.ok(answer.error.message.includes(`${path || '(root)'}: ${keyword}`), answer.error.message);
  const violations = JSON.parse(answer.error.details);
  assert.ok(violations.some((v) => v.path === path && v.keyword === keyword), answer.error.details);
}

before(async () => {
  a1 = await signedIn('A1');
  a2 = await signedIn('A2');
  b1 = await signedIn('B1');
  service = client(serviceKey);
  const agents = await service.from('agents').insert([
    { tenant_id: a1.user.app_metadata.tenant_id, name: 'Tools agent A' },
    { tenant_id: b1.user.app_metadata.tenant_id, name: 'Tools agent B' },
  ]).select();
  assert.equal(agents.error, null);
  [agentA, agentB] = agents.data;
  search = await catalogTool('search', {
    config_schema: searchConfigSchema, input_schema: searchInputSchema, default_config: { max_results: 10 },
  });
  mail = await catalogTool('mail', { config_schema: { type: 'object', properties: { from: { type: 'string' } } } });
  calc = await catalogTool('calc');
});

test('attach_tool validates the config against the tool\'s schema, merged over its defaults', async () => {
  const attached = await a1.supabase.rpc('attach_tool', { agent_id: agentA.id, tool_id: search.id, config: { engine: 'web' } });
  assert.equal(attached.error, null);
  assert.equal(attached.data.priority, 1);
  assert.deepEqual(attached.data.config, { engine: 'web' });

  const tooMany = await a1.supabase.rpc('attach_tool', { agent_id: agentA.id, tool_id: mail.id, config: { from: 7 } });
  assertSchemaRefusal(tooMany, '/from', 'type');
  const none = await a1.supabase.from('agent_tools').select('id').eq('agent_id', agentA.id).eq('tool_id', mail.id);
  assert.deepEqual(none.data, [], 'a refused attach leaves nothing behind');

  const missing = await a1.supabase.rpc('attach_tool', { agent_id: agentA.id, tool_id: mail.id, config: {} });
  assert.equal(missing.error, null, 'a config that satisfies the schema is attached');
  const effective = await a1.supabase.rpc('effective_tools', { agent_id: agentA.id });
  assert.equal(effective.error, null);
  assert.deepEqual(effective.data.map((t) => [t.slug, t.priority]), [[search.slug, 1], [mail.slug, 2]]);
  assert.deepEqual(effective.data[0].config, { engine: 'web', max_results: 10 }, 'defaults merged under the agent\'s config');
  assert.deepEqual(effective.data[0].input_schema, searchInputSchema);
});

test('every write path of agent_tools.config is validated: insert, update, upsert, configure_tool', async () => {
  const inserted = await a1.supabase.from('agent_tools')
    .insert({ agent_id: agentA.id, tool_id: calc.id, config: { anything: true } }).select().single();
  assert.equal(inserted.error, null, 'a tool without a schema takes any object');
  const notObject = await a1.supabase.from('agent_tools').update({ config: [1, 2] }).eq('id', inserted.data.id);
  assertSchemaRefusal(notObject, '', 'type');

  const row = (await a1.supabase.from('agent_tools').select('*').eq('agent_id', agentA.id).eq('tool_id', search.id).single()).data;
  const patched = await a1.supabase.from('agent_tools').update({ config: { engine: 'web', max_results: 500 } }).eq('id', row.id);
  assertSchemaRefusal(patched, '/max_results', 'maximum');
  const upserted = await a1.supabase.from('agent_tools').upsert({ ...row, config: { engine: 'gopher' } }).select();
  assertSchemaRefusal(upserted, '/engine', 'enum');
  const extra = await a1.supabase.rpc('configure_tool', {
    agent_id: agentA.id, tool_id: search.id, config: { colour: 'red' }, merge: true,
  });
  assertSchemaRefusal(extra, '/colour', 'additionalProperties');
  const nested = await a1.supabase.rpc('configure_tool', {
    agent_id: agentA.id, tool_id: search.id, config: { filters: { language: 'english' } }, merge: true,
  });
  assertSchemaRefusal(nested, '/filters/language', 'pattern');
  const unchanged = await a1.supabase.from('agent_tools').select('config').eq('id', row.id).single();
  assert.deepEqual(unchanged.data.config, { engine: 'web' }, 'no refused write changed the row');

  const merged = await a1.supabase.rpc('configure_tool', {
    agent_id: agentA.id, tool_id: search.id, config: { max_results: 25, filters: { language: 'de' } }, merge: true,
  });
  assert.equal(merged.error, null);
  assert.deepEqual(merged.data.config, { engine: 'web', max_results: 25, filters: { language: 'de' } });
  const removed = await a1.supabase.rpc('configure_tool', {
    agent_id: agentA.id, tool_id: search.id, config: { filters: null }, merge: true,
  });
  assert.deepEqual(removed.data.config, { engine: 'web', max_results: 25 }, 'a merge patch\'s null removes the key');
});

test('hostile configs and records: too large, a NUL byte, not JSON objects; nothing is written', async () => {
  const row = (await a1.supabase.from('agent_tools').select('id, config').eq('agent_id', agentA.id).eq('tool_id', calc.id).single()).data;
  const huge = await a1.supabase.from('agent_tools').update({ config: { blob: 'x'.repeat(70 * 1024) } }).eq('id', row.id);
  assertSchemaRefusal(huge, '', 'maxLength');
  assert.match(huge.error.message, /larger than 65536 bytes/);
  const nul = await a1.supabase.rpc('configure_tool', { agent_id: agentA.id, tool_id: calc.id, config: { k: 'a\u0000b' } });
  assert.equal(nul.status, 400, JSON.stringify(nul.error));
  // A JSON string reaches a jsonb argument as a JSON string (as in PostgREST), even when its text is an object's.
  for (const config of ['text', '{"k": 1}']) {
    const scalar = await a1.supabase.rpc('configure_tool', { agent_id: agentA.id, tool_id: calc.id, config });
    assert.equal(scalar.error.code, '22023', JSON.stringify(scalar.error));
    assert.match(scalar.error.message, /config must be a JSON object, got string/);
  }
  const array = await a1.supabase.rpc('configure_tool', { agent_id: agentA.id, tool_id: calc.id, config: [1] });
  assert.equal(array.error.code, '22023');
  const kept = await a1.supabase.from('agent_tools').select('config').eq('id', row.id).single();
  assert.deepEqual(kept.data.config, row.config, 'no refused write changed the config');

  const bigArguments = await a1.supabase.rpc('record_tool_call', {
    agent_id: agentA.id, tool_id: calc.id, arguments: { blob: 'x'.repeat(70 * 1024) },
  });
  assert.equal(bigArguments.error?.code, '23514', 'arguments over 64 KiB are refused');
  const longError = await a1.supabase.rpc('record_tool_call', { agent_id: agentA.id, tool_id: calc.id, error: 'e'.repeat(4001) });
  assert.equal(longError.error?.code, '22023');
  const badId = await a1.supabase.rpc('effective_tools', { agent_id: 'not-a-uuid' });
  assert.equal(badId.status, 400);
  const longWindow = await a1.supabase.rpc('tool_usage', { agent_id: agentA.id, since: '1900-01-01T00:00:00Z' });
  assert.equal(longWindow.error?.code, '22023', 'a window over 3,660 days is refused');
});

test('a tool\'s schemas are checked too: a schema that is no JSON Schema, or one that existing configs break', async () => {
  const broken = await service.from('tool_schemas').update({ config_schema: { type: 'objekt' } }).eq('tool_id', mail.id);
  assert.equal(broken.status, 400);
  assert.equal(broken.error.code, '22023');
  assert.match(broken.error.message, /config_schema of tool "mail-\d+" is not a usable JSON Schema/);

  const stricter = await service.from('tool_schemas')
    .update({ config_schema: { ...searchConfigSchema, properties: { ...searchConfigSchema.properties, max_results: { type: 'integer', maximum: 20 } } } })
    .eq('tool_id', search.id);
  assertSchemaRefusal(stricter, '/max_results', 'maximum');
  const kept = await service.from('tool_schemas').select('config_schema').eq('tool_id', search.id).single();
  assert.deepEqual(kept.data.config_schema, searchConfigSchema, 'the refused schema change left the old one');

  const userWrite = await a1.supabase.from('tool_schemas').update({ default_config: { evil: true } }).eq('tool_id', search.id).select();
  assert.equal(userWrite.status, 403, 'a tenant\'s user changes no tool schema');
  assert.equal(userWrite.error.code, '42501');
});

test('order: attach at a priority, move, detach; priorities stay 1..n', async () => {
  const agent = (await service.from('agents').insert({ tenant_id: a1.user.app_metadata.tenant_id, name: 'Order agent' }).select().single()).data;
  const tools = [];
  for (let i = 0; i < 5; i++) tools.push(await catalogTool(`order${i}`));
  for (const tool of tools) {
    const { error } = await a1.supabase.rpc('attach_tool', { agent_id: agent.id, tool_id: tool.id });
    assert.equal(error, null);
  }
  const order = async () => (await a1.supabase.from('agent_tools').select('tool_id, priority').eq('agent_id', agent.id).order('priority')).data;
  const moved = await a1.supabase.rpc('move_tool', { agent_id: agent.id, tool_id: tools[4].id, priority: 1 });
  assert.equal(moved.error, null);
  assert.deepEqual(moved.data.map((r) => r.tool_id), [4, 0, 1, 2, 3].map((i) => tools[i].id));
  assert.deepEqual(moved.data.map((r) => r.priority), [1, 2, 3, 4, 5]);
  const disabled = await a1.supabase.rpc('set_tool_enabled', { agent_id: agent.id, tool_id: tools[0].id, enabled: false });
  assert.equal(disabled.data.enabled, false);
  const effective = await a1.supabase.rpc('effective_tools', { agent_id: agent.id });
  assert.deepEqual(effective.data.map((t) => t.tool_id), [4, 1, 2, 3].map((i) => tools[i].id), 'disabled tools are left out');
  const detached = await a1.supabase.rpc('detach_tool', { agent_id: agent.id, tool_id: tools[1].id });
  assert.equal(detached.error, null);
  assert.deepEqual((await order()).map((r) => r.priority), [1, 2, 3, 4]);
  const bad = await a1.supabase.rpc('move_tool', { agent_id: agent.id, tool_id: tools[2].id, priority: 0 });
  assert.equal(bad.error.code, '22023');
  const twice = await a1.supabase.rpc('attach_tool', { agent_id: agent.id, tool_id: tools[2].id });
  assert.equal(twice.status, 409);
  assert.equal(twice.error.code, '23505');
});

test('concurrent moves and attaches never leave duplicate priorities or gaps', async () => {
  const agent = (await service.from('agents').insert({ tenant_id: a1.user.app_metadata.tenant_id, name: 'Busy agent' }).select().single()).data;
  const tools = [];
  for (let i = 0; i < 8; i++) tools.push(await catalogTool(`busy${i}`));
  await Promise.all(tools.slice(0, 4).map((tool) => a1.supabase.rpc('attach_tool', { agent_id: agent.id, tool_id: tool.id })));
  const moves = [];
  for (let round = 0; round < 30; round++) {
    const tool = tools[round % 4];
    const who = round % 2 ? a1 : a2;
    moves.push(who.supabase.rpc('move_tool', { agent_id: agent.id, tool_id: tool.id, priority: 1 + ((round * 7) % 4) }));
    if (round % 8 === 0) {
      moves.push(who.supabase.rpc('attach_tool', { agent_id: agent.id, tool_id: tools[4 + round / 8].id, priority: 2 }));
    }
  }
  const answers = await Promise.all(moves);
  for (const answer of answers) assert.equal(answer.error, null, JSON.stringify(answer.error));
  const { data } = await a1.supabase.from('agent_tools').select('priority').eq('agent_id', agent.id).order('priority');
  assert.deepEqual(data.map((r) => r.priority), [1, 2, 3, 4, 5, 6, 7, 8]);
});

test('tool calls: recorded by the owner\'s runtime and the service key, rolled up per tool, isolated', async () => {
  const conversation = (await a1.supabase.rpc('start_conversation', { agent_id: agentA.id, first_message: 'find me a flight' })).data;
  const durations = [40, 60, 80, 100, 120, 140, 160, 180, 200, 1000];
  for (const [i, duration] of durations.entries()) {
    const recorder = i % 2 ? a1.supabase : service;
    const { error } = await recorder.rpc('record_tool_call', {
      agent_id: agentA.id, tool_id: search.id, conversation_id: conversation.id,
      status: i === 9 ? 'error' : 'success', duration_ms: duration, error: i === 9 ? 'upstream 502' : null,
    });
    assert.equal(error, null);
  }
  const usage = await a1.supabase.rpc('tool_usage', { agent_id: agentA.id });
  assert.equal(usage.error, null);
  const row = usage.data.find((r) => r.tool_id === search.id);
  assert.equal(row.calls, 10);
  assert.equal(row.errors, 1);
  assert.equal(row.error_rate, 0.1);
  assert.ok(Math.abs(row.p50_ms - 120) <= 120 * 0.045, `p50 ${row.p50_ms}`);
  assert.ok(Math.abs(row.p95_ms - 1000) <= 1000 * 0.045, `p95 ${row.p95_ms}`);
  assert.ok(new Date(row.last_used_at) > new Date(Date.now() - 60_000));

  const hours = await a1.supabase.from('tool_usage_rollups').select('calls, errors').eq('agent_id', agentA.id)
    .eq('tool_id', search.id).eq('period', 'hour');
  assert.equal(hours.data.reduce((sum, r) => sum + r.calls, 0), 10, 'the hourly series a chart reads');

  const theirs = await b1.supabase.rpc('tool_usage', { agent_id: agentA.id });
  assert.equal(theirs.error.code, 'PT404');
  const theirRows = await b1.supabase.from('tool_calls').select('id').eq('agent_id', agentA.id);
  assert.deepEqual(theirRows.data, []);
  const forged = await b1.supabase.rpc('record_tool_call', { agent_id: agentA.id, tool_id: search.id });
  assert.equal(forged.error.code, 'PT404');
  const otherConversation = await a2.supabase.rpc('record_tool_call', {
    agent_id: agentA.id, tool_id: search.id, conversation_id: conversation.id,
  });
  assert.equal(otherConversation.status, 403, 'a2 records no call in a1\'s conversation');
  const badStatus = await a1.supabase.rpc('record_tool_call', { agent_id: agentA.id, tool_id: search.id, status: 'meh' });
  assert.equal(badStatus.error.code, '22023');
  const prune = await a1.supabase.rpc('prune_tool_calls', {});
  assert.equal(prune.status, 403);
  const pruned = await service.rpc('prune_tool_calls', { older_than: '1 day' });
  assert.equal(pruned.error, null);
});

test('test_tool_call validates arguments against the input schema and records a dry run', async () => {
  const good = await a1.supabase.rpc('test_tool_call', { agent_id: agentA.id, tool_id: search.id, arguments: { query: 'flights' } });
  assert.equal(good.error, null);
  assert.equal(good.data.valid, true);
  assert.deepEqual(good.data.errors, []);
  const bad = await a1.supabase.rpc('test_tool_call', { agent_id: agentA.id, tool_id: search.id, arguments: { query: 7 } });
  assert.equal(bad.error, null);
  assert.equal(bad.data.valid, false);
  assert.ok(bad.data.errors.some((e) => e.path === '/query' && e.keyword === 'type'), JSON.stringify(bad.data.errors));
  const forged = await a1.supabase.rpc('test_tool_call', {
    agent_id: agentA.id, tool_id: search.id, arguments: {}, validation: { valid: true, errors: [] },
  });
  assert.equal(forged.data.valid, false, 'the server\'s validation replaces one the client sends');
  const recorded = await a1.supabase.from('tool_calls').select('status, dry_run').eq('id', bad.data.call_id).single();
  assert.deepEqual(recorded.data, { status: 'invalid', dry_run: true });
  const usage = (await a1.supabase.rpc('tool_usage', { agent_id: agentA.id })).data.find((r) => r.tool_id === search.id);
  assert.equal(usage.dry_runs, 3);
  assert.equal(usage.calls, 10, 'dry runs are not calls');
  const theirs = await b1.supabase.rpc('test_tool_call', { agent_id: agentA.id, tool_id: search.id, arguments: { query: 'x' } });
  assert.equal(theirs.error.code, 'PT404');
  const anon = await client().rpc('test_tool_call', { agent_id: agentA.id, tool_id: search.id, arguments: { query: 'x' } });
  assert.equal(anon.status, 401);
});

test('another tenant reaches none of tenant A\'s tools, configs or order', async () => {
  for (const [name, args] of [
    ['attach_tool', { agent_id: agentA.id, tool_id: calc.id }],
    ['detach_tool', { agent_id: agentA.id, tool_id: search.id }],
    ['set_tool_enabled', { agent_id: agentA.id, tool_id: search.id, enabled: false }],
    ['move_tool', { agent_id: agentA.id, tool_id: search.id, priority: 2 }],
    ['configure_tool', { agent_id: agentA.id, tool_id: search.id, config: { engine: 'news' } }],
    ['effective_tools', { agent_id: agentA.id }],
  ]) {
    const answer = await b1.supabase.rpc(name, args);
    assert.equal(answer.error?.code, 'PT404', `${name} by b1: ${JSON.stringify(answer.error)}`);
  }
  const own = await b1.supabase.rpc('attach_tool', { agent_id: agentB.id, tool_id: search.id, config: { engine: 'news' } });
  assert.equal(own.error, null, 'b1 manages their own tenant\'s agent');
  const rows = await b1.supabase.from('agent_tools').select('agent_id, config');
  assert.ok(rows.data.every((r) => r.agent_id === agentB.id), 'b1 reads only tenant B\'s rows');
  const a = await a1.supabase.from('agent_tools').select('config').eq('agent_id', agentA.id).eq('tool_id', search.id).single();
  assert.deepEqual(a.data.config, { engine: 'web', max_results: 25 }, 'tenant A\'s config is as A left it');
});

test('the server prunes old tool call records on its schedule, a batch at a time, and keeps recent ones', async () => {
  // Six records of 40 to 45 days ago and one of now, pruned past 30 days in
  // batches of 2 (three calls, then one that deletes none). The main server
  // (which does no housekeeping in these tests) records them first.
  await psql(`INSERT INTO agentbase.settings VALUES ('tool_call_prune_batch', '2')
              ON CONFLICT (name) DO UPDATE SET value = excluded.value`);
  for (let days = 40; days <= 45; days++) {
    const old = await service.rpc('record_tool_call', {
      agent_id: agentA.id, tool_id: calc.id, status: 'success', duration_ms: 5,
      called_at: new Date(Date.now() - days * 86400e3).toISOString(),
    });
    assert.equal(old.error, null);
  }
  const recent = await service.rpc('record_tool_call', { agent_id: agentA.id, tool_id: calc.id, duration_ms: 5 });
  assert.equal(recent.error, null);
  const housekeeper = await startServer(['--memory-purge-interval-s', '1', '--tool-call-retention-days', '30']);
  try {
    const oldCount = async () => Number((await psql(
      `SELECT count(*) FROM public.tool_calls WHERE agent_id = '${agentA.id}' AND called_at < now() - interval '30 days'`))[0][0]);
    for (let waited = 0; (await oldCount()) > 0; waited += 100) {
      assert.ok(waited < 15000, `old records still there after 15 s:\n${housekeeper.log().slice(-2000)}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const kept = await psql(`SELECT count(*) FROM public.tool_calls WHERE id = '${recent.data.id}'`);
    assert.equal(kept[0][0], '1', 'the recent record stays');
    // One round, its batches each in a transaction of their own, until none was left.
    assert.match(housekeeper.log(), /housekeeping: 6 old tool call records deleted/);
  } finally {
    await housekeeper.stop();
    await psql(`DELETE FROM agentbase.settings WHERE name = 'tool_call_prune_batch'`);
  }
});
