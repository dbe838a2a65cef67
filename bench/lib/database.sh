# Source this file: the set-up the in-database benchmarks share (bench/chat,
# bench/tools, bench/org).
#
#   bench_database NAME   ROOT (the checkout), BIN (agentbase: $AGENTBASE_BIN or
#                         build/agentbase), OUT ($BENCH_OUT, else a new
#                         /tmp/agentbase-NAME-XXXXXX), and a throwaway test
#                         cluster whose database bench_NAME `agentbase db push`
#                         brought up to the schema: its libpq string in url.
#                         The cluster stops when the script exits.

bench_database() {
  local name=$1
  ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
  BIN=${AGENTBASE_BIN:-$ROOT/build/agentbase}
  OUT=${BENCH_OUT:-$(mktemp -d "/tmp/agentbase-$name-XXXXXX")}
  [ -x "$BIN" ] || { echo "agentbase not found at $BIN (cmake --build build --target agentbase)" >&2; exit 1; }
  mkdir -p "$OUT"
  # shellcheck source=../../scripts/lib/test-cluster.sh
  source "$ROOT/scripts/lib/test-cluster.sh"
  start_test_cluster
  trap stop_test_cluster EXIT
  trap 'exit 130' INT TERM
  local db="bench_$name"
  psql "$TEST_PG_ADMIN_URL" -qc "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db"
  url="$TEST_PG_ADMIN_URL dbname=$db"
  "$BIN" db push --db-url "$url" >/dev/null
}
