import { createClient } from '@supabase/supabase-js';

// The server writes its anon key into index.html (a public key, as on any
// Supabase app); `npm run dev` takes it from VITE_ANON_KEY instead.
function anonKey() {
  const written = document.querySelector('meta[name="agentbase-anon-key"]')?.content ?? '';
  return written.startsWith('__') ? (import.meta.env.VITE_ANON_KEY ?? '') : written;
}

export const supabase = createClient(window.location.origin, anonKey(), {
  auth: { persistSession: true, autoRefreshToken: true, detectSessionInUrl: false },
});

// An API error as a person reads it: the server's message, its hint, and
// the code for reference.
export class ApiError extends Error {
  constructor(error, action) {
    const parts = [error?.message || 'The server did not answer.'];
    if (error?.hint) parts.push(error.hint);
    super(parts.join(' '));
    this.action = action;
    this.code = error?.code;
    this.details = error?.details ?? null;
  }
}

// A refused tool config or test call: the server's JSON Schema violations,
// each {path (a JSON Pointer), keyword, message}, sent as `details` with
// code 23514. Anything else: null.
export function schemaViolations(error) {
  if (error?.code !== '23514' || typeof error.details !== 'string') return null;
  try {
    const parsed = JSON.parse(error.details);
    return Array.isArray(parsed) && parsed.every((entry) => typeof entry?.path === 'string') ? parsed : null;
  } catch {
    return null;
  }
}

export function describeError(error) {
  if (!error) return '';
  if (error instanceof ApiError) {
    const prefix = error.action ? `Could not ${error.action}: ` : '';
    return `${prefix}${error.message}${error.code ? ` (${error.code})` : ''}`;
  }
  if (error instanceof TypeError && /fetch/i.test(error.message)) {
    return 'The server cannot be reached. Check that agentbase serve is running.';
  }
  return error.message || String(error);
}

// Resolves to the data of a supabase-js query builder, or throws an ApiError
// naming what the user tried to do.
export async function run(query, action) {
  let result;
  try {
    result = await query;
  } catch (thrown) {
    throw new ApiError({ message: describeError(thrown) }, action);
  }
  if (result.error) throw new ApiError(result.error, action);
  return result.data;
}

export const rpc = (name, args, action) => run(supabase.rpc(name, args), action);

// Every row of a read: `makeQuery()` gives a fresh builder in a stable order,
// read in pages, since the server returns at most --max-rows (1,000 by
// default) per request and says nothing of the rest. Bounded by maxRows.
export async function runAll(makeQuery, action, { pageSize = 1000, maxRows = 50000 } = {}) {
  const rows = [];
  for (let from = 0; from < maxRows; from += pageSize) {
    const page = await run(makeQuery().range(from, from + pageSize - 1), action);
    rows.push(...page);
    if (page.length < pageSize) break;
  }
  return rows;
}

