// Cross-tenant attacks on agents' tools (90_tools.sql): tenant B's member
// (b1) and anon against tenant A's agent, its tool configuration (which
// carries A's marker, as a key would), its recorded tool calls and their
// rollups, through the tables, embeds and every tools RPC. A's agent is
// "not found" (PT404) to B, never "forbidden", so its existence is not told;
// anon is refused (42501) where signing in is required. The database must be
// unchanged afterwards.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { assertAnswer, assertNoLeak, databaseFingerprint, request, serviceKey } from '../lib.mjs';
import { createFixtures } from './fixtures.mjs';

let fx;
let call;
before(async () => {
  fx = await createFixtures();
  // A call of A's agent, recorded by A's runtime, whose error text is A's marker.
  const recorded = await request('POST', '/rest/v1/rpc/record_tool_call', {
    token: fx.a1.token,
    body: { agent_id: fx.ids.agents, tool_id: fx.tool.id, status: 'error', duration_ms: 42, error: fx.marker,
      conversation_id: fx.ids.conversations, arguments: { secret: fx.marker } },
  });
  assert.equal(recorded.status, 200, recorded.text);
  call = recorded.json;
  const schema = await request('POST', '/rest/v1/tool_schemas', {
    token: serviceKey, body: { tool_id: fx.tool.id, config_schema: { type: 'object' } },
  });
  assert.equal(schema.status, 201, schema.text);
});

const actors = { b1: () => fx.b1.token, anon: () => undefined };
const nothing = { status: 200, body: [] };
const notFound = { status: 404, code: 'PT404' };
const refused = (who) => ({ status: who === 'anon' ? 401 : 403, code: '42501' });
const touched = ['agent_tools', 'tool_calls', 'tool_usage_rollups', 'tool_schemas'];


async function attack(who, context, method, path, body, expected) {
  const before = await databaseFingerprint(touched);
  const answer = await request(method, path, {
    token: actors[who](), body, headers: { prefer: 'return=representation' },
  });
  assertAnswer(answer, expected, `${who} ${context}`);
  assertNoLeak(answer, fx.marker, `${who} ${context}`);
  assert.equal(await databaseFingerprint(touched), before, `${who} ${context}: the database changed`);
}

const rpcCases = [
  ['attach_tool to A\'s agent', 'attach_tool', () => ({ agent_id: fx.ids.agents, tool_id: fx.spareTool.id }), notFound, refused],
  ['detach_tool from A\'s agent', 'detach_tool', () => ({ agent_id: fx.ids.agents, tool_id: fx.tool.id }), notFound, refused],
  ['set_tool_enabled on A\'s agent', 'set_tool_enabled',
    () => ({ agent_id: fx.ids.agents, tool_id: fx.tool.id, enabled: false }), notFound, refused],
  ['move_tool on A\'s agent', 'move_tool', () => ({ agent_id: fx.ids.agents, tool_id: fx.tool.id, priority: 1 }), notFound, refused],
  ['configure_tool on A\'s agent', 'configure_tool',
    () => ({ agent_id: fx.ids.agents, tool_id: fx.tool.id, config: { api_key: 'pwned' } }), notFound, refused],
  ['configure_tool merging into A\'s config', 'configure_tool',
    () => ({ agent_id: fx.ids.agents, tool_id: fx.tool.id, config: {}, merge: true }), notFound, refused],
  ['effective_tools of A\'s agent', 'effective_tools', () => ({ agent_id: fx.ids.agents }), notFound, () => notFound],
  ['record_tool_call for A\'s agent', 'record_tool_call', () => ({ agent_id: fx.ids.agents, tool_id: fx.tool.id }), notFound, refused],
  ['record_tool_call in A\'s conversation', 'record_tool_call',
    () => ({ agent_id: fx.agentB.id, tool_id: fx.tool.id, conversation_id: fx.ids.conversations }), notFound, refused],
  ['test_tool_call on A\'s agent', 'test_tool_call',
    () => ({ agent_id: fx.ids.agents, tool_id: fx.tool.id, arguments: {} }), notFound, refused],
  ['tool_usage of A\'s agent', 'tool_usage', () => ({ agent_id: fx.ids.agents }), notFound, () => notFound],
  ['prune_tool_calls', 'prune_tool_calls', () => ({ older_than: '1 hour' }), { status: 403, code: '42501' }, refused],
];
for (const who of ['b1', 'anon']) {
  for (const [name, fn, body, forB1, forAnon] of rpcCases) {
    test(`cross-tenant tools rpc: ${who} ${name}`, async () => {
      await attack(who, name, 'POST', `/rest/v1/rpc/${fn}`, body(), who === 'b1' ? forB1 : forAnon(who));
    });
  }

  test(`cross-tenant tools tables: ${who} reads none of A's calls, rollups or configs`, async () => {
    for (const path of [
      `/rest/v1/tool_calls?select=id,error,arguments&agent_id=eq.${fx.ids.agents}`,
      `/rest/v1/tool_calls?select=id&or=(id.eq.${call.id},error.eq.${fx.marker})`,
      `/rest/v1/tool_usage_rollups?select=calls&agent_id=eq.${fx.ids.agents}`,
      `/rest/v1/agent_tools?select=config&agent_id=eq.${fx.ids.agents}`,
    ]) {
      await attack(who, `GET ${path}`, 'GET', path, undefined, nothing);
    }
    const counted = await request('GET', `/rest/v1/tool_calls?select=id&id=eq.${call.id}`, {
      token: actors[who](), headers: { prefer: 'count=exact' },
    });
    assertAnswer(counted, { status: 200, contentRange: '*/0' }, `${who} count of A's call`);
  });

  test(`cross-tenant tools embeds: ${who} reaches none of A's calls or configs through the catalog`, async () => {
    const path = `/rest/v1/tools?select=id,tool_calls(error,arguments),tool_usage_rollups(calls),agent_tools(config),tool_schemas(config_schema)&id=eq.${fx.tool.id}`;
    const answer = await request('GET', path, { token: actors[who]() });
    assertAnswer(answer, {
      status: 200,
      body: [{ id: fx.tool.id, tool_calls: [], tool_usage_rollups: [], agent_tools: [], tool_schemas: { config_schema: { type: 'object' } } }],
    }, `${who} tools → calls, rollups, configs`);
    assertNoLeak(answer, fx.marker, 'tools embeds');
  });

  test(`cross-tenant tools writes: ${who} changes none of A's calls, rollups or the tool schemas`, async () => {
    await attack(who, 'forge a call of A\'s agent', 'POST', '/rest/v1/tool_calls',
      { tenant_id: fx.tenantA, agent_id: fx.ids.agents, tool_id: fx.tool.id, status: 'success' }, refused(who));
    await attack(who, 'rewrite A\'s call', 'PATCH', `/rest/v1/tool_calls?id=eq.${call.id}`, { status: 'success' }, refused(who));
    await attack(who, 'delete A\'s call', 'DELETE', `/rest/v1/tool_calls?id=eq.${call.id}`, undefined, refused(who));
    await attack(who, 'inflate A\'s rollups', 'PATCH', `/rest/v1/tool_usage_rollups?agent_id=eq.${fx.ids.agents}`, { calls: 0 }, refused(who));
    await attack(who, 'plant a rollup', 'POST', '/rest/v1/tool_usage_rollups',
      { agent_id: fx.ids.agents, tool_id: fx.tool.id, period: 'hour', period_start: new Date().toISOString(), tenant_id: fx.tenantA, durations: [] },
      refused(who));
    await attack(who, 'loosen a tool\'s schema', 'PATCH', `/rest/v1/tool_schemas?tool_id=eq.${fx.tool.id}`,
      { config_schema: true }, refused(who));
    await attack(who, 'add a tool schema', 'POST', '/rest/v1/tool_schemas', { tool_id: fx.spareTool.id }, refused(who));
  });
}
