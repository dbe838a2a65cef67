// Tenant A's rows that the attacks aim at, created once per case file:
// private rows carry a marker string, so that any answer to another tenant
// or to anon can be searched for it; shared organisation rows are created by
// A's owner (so the default rule makes them A's to change).
import assert from 'node:assert/strict';
import { request, serviceKey, signIn } from '../lib.mjs';

export const embeddingDimensions = 1536;
export function axis(k) {
  return Array.from({ length: embeddingDimensions }, (_, i) => (i === k ? 1 : 0.05));
}

async function as(token, method, path, body, headers = {}) {
  const answer = await request(method, path, {
    token, body, headers: { prefer: 'return=representation', ...headers },
  });
  assert.ok(answer.status < 300, `${method} ${path}: ${answer.status} ${answer.text}`);
  return Array.isArray(answer.json) ? answer.json[0] : answer.json;
}

export async function createFixtures() {
  const stamp = `${Date.now()}${Math.floor(Math.random() * 1000)}`;
  const marker = `A-SECRET-${stamp}`;
  const a1 = await signIn('A1');
  const a2 = await signIn('A2');
  const b1 = await signIn('B1');
  const b2 = await signIn('B2');
  const tenantA = a1.tenantId;
  const tenantB = b1.tenantId;
  assert.ok(tenantA && tenantB && tenantA !== tenantB);

  const service = (method, path, body) => as(serviceKey, method, path, body);
  const owner = (method, path, body) => as(a1.token, method, path, body);

  await service('PATCH', `/rest/v1/tenants?id=eq.${tenantA}`, { settings: { secret: marker } });
  await service('PATCH', `/rest/v1/profiles?id=eq.${a1.user.id}`, { display_name: marker });
  const department = await owner('POST', '/rest/v1/departments', { name: 'Research', slug: `research-${stamp}` });
  const role = await owner('POST', '/rest/v1/organizational_roles',
    { name: 'Analyst', slug: `analyst-${stamp}`, department_id: department.id });
  const businessFunction = await owner('POST', '/rest/v1/business_functions', { name: 'Sales', slug: `sales-${stamp}` });
  const tool = await service('POST', '/rest/v1/tools', { name: 'Web search', slug: `web-${stamp}` });
  const spareTool = await service('POST', '/rest/v1/tools', { name: 'Calculator', slug: `calc-${stamp}` });
  const agent = await service('POST', '/rest/v1/agents', {
    tenant_id: tenantA, name: 'Planner A', system_prompt: marker,
    organizational_role_id: role.id, business_function_id: businessFunction.id,
  });
  const agentB = await service('POST', '/rest/v1/agents', { tenant_id: tenantB, name: 'Planner B' });
  const agentFunction = await owner('POST', '/rest/v1/agent_business_functions',
    { agent_id: agent.id, business_function_id: businessFunction.id });
  const conversation = await owner('POST', '/rest/v1/conversations',
    { tenant_id: tenantA, user_id: a1.user.id, agent_id: agent.id, title: marker });
  const message = await owner('POST', '/rest/v1/messages',
    { tenant_id: tenantA, conversation_id: conversation.id, role: 'user', content: marker });
  const agentTool = await owner('POST', '/rest/v1/agent_tools',
    { agent_id: agent.id, tool_id: tool.id, enabled: true, config: { api_key: marker } });
  const memory = await owner('POST', '/rest/v1/user_memory', {
    tenant_id: tenantA, user_id: a1.user.id, key: `secret-${stamp}`, value: marker,
    source_conversation_id: conversation.id, embedding: axis(3),
  });
  const conversationB = await as(b1.token, 'POST', '/rest/v1/conversations',
    { tenant_id: tenantB, user_id: b1.user.id, title: 'B own' });

  // The full rows as stored (for PUT and upsert bodies that name every column).
  const ids = {
    tenants: tenantA, profiles: a1.user.id, agents: agent.id, tools: tool.id, departments: department.id,
    messages: message.id, conversations: conversation.id, agent_tools: agentTool.id,
    organizational_roles: role.id, business_functions: businessFunction.id, user_memory: memory.id,
    agent_business_functions: agentFunction.id,
  };
  const rows = {};
  for (const [table, id] of Object.entries(ids)) {
    const answer = await request('GET', `/rest/v1/${table}?id=eq.${id}`, { token: serviceKey });
    assert.equal(answer.json.length, 1, table);
    rows[table] = answer.json[0];
  }
  return {
    stamp, marker, a1, a2, b1, b2, tenantA, tenantB, ids, rows, tool, spareTool, agentB, conversationB,
  };
}
