import { supabase } from './api.js';
import { askFirstData } from './firstData.js';

export const sections = [
  { id: 'chat', label: 'Chat', href: '/chat' },
  { id: 'agents', label: 'Agents & tools', href: '/agents' },
  { id: 'org', label: 'Org chart', href: '/org' },
  { id: 'memory', label: 'Memory', href: '/memory' },
];
// Where / and unknown paths go.
export const firstSection = 'chat';

// Pages load on first visit, so the first download holds only the shell.
const pageCode = {
  chat: () => import('./pages/Chat.jsx').then((module) => module.ChatPage),
  memory: () => import('./pages/Memory.jsx').then((module) => module.MemoryPage),
  agents: () => import('./pages/Agents.jsx').then((module) => module.AgentsPage),
  org: () => import('./pages/Org.jsx').then((module) => module.OrgPage),
};

const loading = new Map();

// A page's code, fetched once; a failed fetch is tried again when next asked for.
export function loadPage(id) {
  if (!loading.has(id)) {
    loading.set(
      id,
      pageCode[id]().catch((error) => {
        loading.delete(id);
        throw error;
      }),
    );
  }
  return loading.get(id);
}

export function sectionOf(path) {
  const first = path.split('/').filter(Boolean)[0];
  return sections.find((entry) => entry.id === first)?.id;
}

// A cold load's head start, before anything is drawn: the page's code is
// fetched at once, and its first data as soon as the stored session has been
// read, side by side, instead of one after the other (session, shell, page
// code, page drawn empty, then its data). Failures are left for the page to
// show when it asks again.
export function startLoading(path) {
  const section = sectionOf(path);
  if (section) loadPage(section).catch(() => {});
  supabase.auth.getSession().then(({ data }) => {
    if (!data.session) return;
    loadPage(section ?? firstSection).catch(() => {});
    askFirstData(section ?? firstSection);
  });
}
