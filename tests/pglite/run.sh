#!/usr/bin/env bash
# The pgvector path, which CI's PostgreSQL 15 cannot run (bookworm has no
# pgvector): PGlite (PostgreSQL in WebAssembly) with pgvector and pgcrypto,
# served over the wire protocol by pglite-socket on a free loopback port.
#   1. `npm ci` here unless the pinned packages are installed;
#   2. starts the PGlite socket server (in memory, one connection at a time)
#      in the background, stopped on exit, and waits until it answers;
#   3. `agentbase db push`, `db verify`, and checks that user_memory.embedding
#      is vector(1536) with its HNSW index (cosine); a second push must
#      find nothing to do, and `db status` no drift;
#   4. `node --test` over *.test.mjs (match_user_memory under row level
#      security; lib.mjs holds the connection and fixture helpers), with
#      AGENTBASE_PGLITE_URL set.
# Any failure, including of the server or of a push on PGlite, fails the run.
# Usage: tests/pglite/run.sh path/to/agentbase
set -euo pipefail
if [ $# -ne 1 ]; then
  echo "usage: tests/pglite/run.sh path/to/agentbase" >&2
  exit 2
fi
bin=$(realpath "$1")
here=$(cd "$(dirname "$0")" && pwd)
cd "$here"

for tool in node npm psql; do
  command -v "$tool" >/dev/null || { echo "pglite: $tool not found (scripts/install-deps.sh installs it)" >&2; exit 2; }
done

# Every dependency at the version package.json pins, or a fresh `npm ci`.
if ! node -e '
  const { dependencies } = JSON.parse(require("fs").readFileSync("package.json"));
  for (const [name, version] of Object.entries(dependencies)) {
    const installed = JSON.parse(require("fs").readFileSync(`node_modules/${name}/package.json`)).version;
    if (installed !== version) process.exit(1);
  }' 2>/dev/null; then
  npm ci --no-audit --no-fund >/dev/null
fi

work=$(mktemp -d /tmp/abpglite-XXXXXX)
server_pid=
cleanup() {
  if [ -n "$server_pid" ]; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

fail() {
  echo "pglite: $*" >&2
  exit 1
}

port=$(node -e 'const s = require("net").createServer(); s.listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); })')
url="postgresql://postgres@127.0.0.1:$port/postgres?sslmode=disable"

started=$(date +%s%N)
node node_modules/@electric-sql/pglite-socket/dist/scripts/server.js --host 127.0.0.1 --port "$port" \
  --extensions=@electric-sql/pglite-pgvector:vector,pgcrypto,btree_gin >"$work/server.log" 2>&1 &
server_pid=$!

# PGlite compiles its WebAssembly and runs initdb before it listens: 5 to
# 20 s on the shared 2-core machine.
timeout_s=120
deadline=$(($(date +%s) + timeout_s))
until PGCONNECT_TIMEOUT=5 psql "$url" -qAtc 'SELECT 1' >/dev/null 2>&1; do
  if ! kill -0 "$server_pid" 2>/dev/null; then
    cat "$work/server.log" >&2
    server_pid=
    fail "the PGlite socket server exited before accepting connections (its log is above)"
  fi
  if [ "$(date +%s)" -ge "$deadline" ]; then
    cat "$work/server.log" >&2
    fail "the PGlite socket server did not accept connections on 127.0.0.1:$port within ${timeout_s} s (its log is above)"
  fi
  sleep 0.2
done
echo "pglite: $(psql "$url" -qAtc "SELECT split_part(version(), ' on ', 1)") on 127.0.0.1:$port," \
  "up in $((($(date +%s%N) - started) / 1000000)) ms"

# Runs one agentbase command against the server; prints its output and fails
# the run when it fails.
agentbase() {
  local status=0
  "$bin" "$@" --db-url "$url" >"$work/out" 2>&1 || status=$?
  if [ "$status" -ne 0 ]; then
    cat "$work/out" >&2
    fail "agentbase $* failed on PGlite (exit $status; its output is above)"
  fi
}

agentbase db push
echo "pglite: db push: $(tail -n 1 "$work/out")"
agentbase db verify
echo "pglite: db verify: $(tail -n 1 "$work/out")"

# Every check is a query that answers t.
check() {
  local answer
  answer=$(psql "$url" -qAtX -v ON_ERROR_STOP=1 -c "$2" 2>&1) || fail "$1: query failed: $answer"
  [ "$answer" = t ] || fail "$1: expected t, got: $answer"
  echo "pglite: ok: $1"
}
check "the vector extension is installed, in schema extensions" \
  "SELECT count(*) = 1 FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
   WHERE e.extname = 'vector' AND n.nspname = 'extensions'"
check "user_memory.embedding is vector(1536)" \
  "SELECT format_type(atttypid, atttypmod) = 'extensions.vector(1536)' FROM pg_attribute
   WHERE attrelid = 'public.user_memory'::regclass AND attname = 'embedding' AND NOT attisdropped"
check "user_memory_embedding_idx is an HNSW index on embedding with vector_cosine_ops" \
  "SELECT count(*) = 1 FROM pg_index i
   JOIN pg_class c ON c.oid = i.indexrelid
   JOIN pg_am am ON am.oid = c.relam
   JOIN pg_opclass oc ON oc.oid = i.indclass[0]
   JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]
   WHERE i.indrelid = 'public.user_memory'::regclass AND c.relname = 'user_memory_embedding_idx'
     AND am.amname = 'hnsw' AND oc.opcname = 'vector_cosine_ops' AND a.attname = 'embedding' AND i.indnatts = 1"
check "match_user_memory takes a vector(1536)" \
  "SELECT pg_get_function_identity_arguments('public.match_user_memory'::regproc)
     LIKE 'query_embedding extensions.vector, %'"

agentbase db push --json
if ! grep -q '"up_to_date":true' "$work/out" || ! grep -q '"applied":false' "$work/out"; then
  cat "$work/out" >&2
  fail "a second db push was not a no-op"
fi
echo "pglite: ok: a second db push finds nothing to do"
agentbase db verify
echo "pglite: ok: db verify after it: $(tail -n 1 "$work/out")"
agentbase db status
grep -q '^drift: none' "$work/out" || { cat "$work/out" >&2; fail "db status reports drift after two pushes"; }
echo "pglite: ok: db status: $(grep '^drift:' "$work/out")"

status=0
AGENTBASE_PGLITE_URL=$url node --test --test-concurrency=1 ./*.test.mjs || status=$?
kill -0 "$server_pid" 2>/dev/null || { cat "$work/server.log" >&2; fail "the PGlite socket server died during the tests"; }
exit $status
