#!/usr/bin/env bash
# User memory (issue 11's targets), side by side in one run:
#  1. build/bench/memory_bench (Google Benchmark): the machine's memory read
#     bandwidth (512 MiB), VectorIndex's scan of 10,000 x 1536 vectors (one
#     thread, and two parts on two threads as the server does) and its size
#     against the raw vector bytes;
#  2. `agentbase serve` (tests/lib/serve.sh, a fresh embedded data directory)
#     seeded through COPY as the database owner: one user with BIG_MEMORIES
#     (10,000), one with a single memory (the floor), one who writes, and
#     MANY_USERS (100) with MANY_MEMORIES (1,000) each, random unit vectors
#     of 1536 dimensions; bench/memory/client.mjs then measures over HTTP as
#     the signed-in users (HS256 tokens signed with the data directory's
#     secret): cold load and RSS, search latency, recall@10 against its own
#     brute force, remember (with an embedding and with the offline
#     embedder), CLIENTS (32) concurrent clients over the many users, the
#     old SQL function match_user_memory, and a Node implementation
#     (supabase-js reads the rows, JavaScript compares them);
#  3. the same server restarted with --no-memory-index on the same data:
#     search_memories in SQL, on the big user and with the 32 clients.
# docs/benchmarks.md, "User memory (issue 11)", records what it showed.
#
# Usage: bench/memory/run.sh [path/to/agentbase]
# Settings (environment): BIG_MEMORIES (10000), QUERIES (1000), MANY_USERS
#   (100), MANY_MEMORIES (1000), CLIENTS (32), DURATION (15 s), SQL_DURATION
#   (15 s), SQL_QUERIES (3), MATCH_QUERIES (3), NODE_QUERIES (3), NODE_PAGE
#   (500), REMEMBERS (300), BENCH_REPETITIONS (5, Google Benchmark),
#   MEMORY_BENCH_BIN (build/bench/memory_bench; skipped if missing),
#   SERVE_OPTIONS (extra `serve` options, both servers),
#   BENCH_OUT (where results.json, memory_bench.json and the server logs stay).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
source "$root/tests/lib/serve.sh"
bin=${1:-$root/build/agentbase}
bench_bin=${MEMORY_BENCH_BIN:-$root/build/bench/memory_bench}
[ -x "$bin" ] || { echo "no agentbase binary at $bin (build it first)" >&2; exit 2; }
serve_node_modules "$root/tests/js"
out=${BENCH_OUT:-$(mktemp -d /tmp/agentbase-memory-XXXXXX)}
mkdir -p "$out"
export BENCH_RESULTS="$out/results.json"
rm -f "$BENCH_RESULTS"

echo "machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(free -g | awk '/^Mem:/ {print $2}') GiB, load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "agentbase: $(git -C "$root" rev-parse --short HEAD)$(git -C "$root" diff --quiet HEAD -- src database || echo ' (with uncommitted changes)'); results in $out"

# 1. Before the server starts, so that nothing else of ours runs.
if [ -x "$bench_bin" ]; then
  echo "memory_bench (Google Benchmark, ${BENCH_REPETITIONS:-5} repetitions, medians):"
  "$bench_bin" --benchmark_repetitions="${BENCH_REPETITIONS:-5}" --benchmark_report_aggregates_only=true \
    --benchmark_out="$out/memory_bench.json" --benchmark_out_format=json 2>&1 |
    grep -E '^BM_|^Run on|^Load' | grep -vE '_(mean|stddev|cv) ' || true
else
  echo "no $bench_bin (libbenchmark-dev missing?): bandwidth, scan and index size skipped" >&2
fi

# 2. The in-memory index (the default). A long statement timeout for the
# old SQL function's searches of 10,000 memories (seconds each).
serve_init "$bin" abmemory-bench
# What a durable commit costs on this disk (remember's floor with the
# embedded database's synchronous_commit on): pg_test_fsync's fdatasync of
# one 8 kB write, in the directory the data directory is in.
fsync_tool=
for candidate in /usr/lib/postgresql/*/bin/pg_test_fsync; do [ -x "$candidate" ] && fsync_tool=$candidate; done
if [ -n "$fsync_tool" ]; then
  FSYNC_MS=$("$fsync_tool" -s 1 -f "$work/fsync.test" 2>/dev/null |
    awk '/one 8kB write/ {on = 1} on && $1 == "fdatasync" {print $4 / 1000; exit}')
  rm -f "$work/fsync.test"
  export FSYNC_MS
  echo "pg_test_fsync: fdatasync of one 8 kB write ${FSYNC_MS} ms"
fi
# shellcheck disable=SC2086
serve_start --statement-timeout-ms 120000 ${SERVE_OPTIONS:-}
serve_export
export AGENTBASE_SERVER_PID=$server_pid
export AGENTBASE_JWT_SECRET_FILE="$data/keys/jwt-secret"
node "$here/client.mjs" seed
echo "load before the searches: $(cut -d' ' -f1-3 /proc/loadavg)"
status=0
node "$here/client.mjs" index || status=$?
cp "$work/serve.log" "$out/serve-index.log"
serve_stop || status=1
[ "$status" -eq 0 ] || exit "$status"

# 3. The SQL function, on the same data.
# shellcheck disable=SC2086
serve_start --no-memory-index --statement-timeout-ms 120000 ${SERVE_OPTIONS:-}
export AGENTBASE_SERVER_PID=$server_pid
node "$here/client.mjs" sql || status=$?
cp "$work/serve.log" "$out/serve-sql.log"
serve_stop || status=1
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
node "$here/client.mjs" report "$out/memory_bench.json" | tee "$out/summary.md"
exit $status
