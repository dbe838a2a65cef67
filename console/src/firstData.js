import { useLayoutEffect } from 'preact/hooks';
import { rpc, runAll, supabase } from './api.js';

// What each page asks the server for first. It lives in the first download so
// that a cold load can ask for it as soon as the stored session has been read
// (boot.js), while the page's own code is still on its way, instead of after
// that code has arrived and drawn the page empty. The page takes the answer
// when it mounts (takeFirstData), or asks anew if nothing was asked for yet.

export const conversationPageSize = 30;
export const memoryPageSize = 100;

const loaders = {
  // The sidebar of /agents: every agent, and how many tools each has (enabled or not).
  agentList: () =>
    Promise.all([
      runAll(() => supabase.from('agents').select('id, name, description, model').order('name').order('id'), 'load the agents'),
      runAll(() => supabase.from('agent_tools').select('agent_id, enabled').order('id'), 'count the agents’ tools'),
    ]).then(([agents, attachments]) => {
      const counts = new Map();
      for (const { agent_id: id, enabled } of attachments) {
        const entry = counts.get(id) ?? { tools: 0, enabled: 0 };
        counts.set(id, { tools: entry.tools + 1, enabled: entry.enabled + (enabled ? 1 : 0) });
      }
      return { agents, counts };
    }),
  // The tool catalog (public) with each tool's schemas and default config.
  toolCatalog: () =>
    Promise.all([
      runAll(() => supabase.from('tools').select('id, name, slug, description, input_schema').order('name').order('id'),
        'load the tool catalog'),
      runAll(() => supabase.from('tool_schemas').select('tool_id, config_schema, input_schema, default_config').order('tool_id'),
        'load the tools’ schemas'),
    ]).then(([tools, schemas]) => {
      const bySchema = new Map(schemas.map((entry) => [entry.tool_id, entry]));
      const merged = tools.map((tool) => {
        const schema = bySchema.get(tool.id);
        return {
          ...tool,
          configSchema: schema?.config_schema ?? {},
          defaultConfig: schema?.default_config ?? {},
          inputSchema: schema?.input_schema ?? tool.input_schema ?? {},
        };
      });
      return new Map(merged.map((tool) => [tool.id, tool]));
    }),
  // All departments' chart.
  orgChart: () => rpc('org_chart', {}, 'load the org chart'),
  businessFunctions: () => rpc('business_function_tree', {}, 'load the business functions'),
  // Names for the chat's agent choices and its list.
  chatAgents: () =>
    runAll(() => supabase.from('agents').select('id, name, description').order('name').order('id'), 'load the agents'),
  // The first page of the conversation list, unfiltered.
  conversations: () =>
    rpc('list_conversations', { status: null, agent_id: null, page_size: conversationPageSize, after: null }, 'load the conversations'),
  // The first page of the memories, of every type.
  memories: () => rpc('recall', { memory_types: null, page_size: memoryPageSize, after: null }, 'load the memories'),
};

// What a cold load of each section asks for at once.
const firstDataOf = {
  chat: ['chatAgents', 'conversations'],
  agents: ['agentList', 'toolCatalog'],
  org: ['orgChart', 'businessFunctions'],
  memory: ['memories'],
};

// name -> { section, answer (a promise) }
const asked = new Map();

export function askFirstData(section) {
  for (const name of firstDataOf[section] ?? []) {
    if (asked.has(name)) continue;
    const answer = loaders[name]();
    // A failure is the page's to show when it takes the answer; until then it is not unhandled.
    answer.catch(() => {});
    asked.set(name, { section, answer });
  }
}

// The answer asked for at boot, once; after that (or without one) a new request.
export function takeFirstData(name) {
  const entry = asked.get(name);
  asked.delete(name);
  return entry ? entry.answer : loaders[name]();
}

// Answers for other sections than `kept` (all of them without one) are
// dropped: a page visited later asks again rather than show old data.
export function forgetFirstData(kept) {
  for (const [name, entry] of asked) if (entry.section !== kept) asked.delete(name);
}

// The effect that takes a page's first data: run as the page is first drawn
// (a layout effect), not after that frame has been painted, so that data
// already here is drawn in the page's first frame, without an empty page
// (laid out and painted for nothing) before it.
export const useFirstDataEffect = useLayoutEffect;
