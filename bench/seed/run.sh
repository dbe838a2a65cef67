#!/usr/bin/env bash
# `agentbase seed --scale N` on a new embedded database (the default a user
# gets: its own PostgreSQL 15 cluster with stock settings, fsync on), timed
# end to end: connecting, tenants and users, both COPYs, the commit and the
# ANALYZE. Prints the command's own report and the wall time. (What the rows
# are, N messages each in its conversation's tenant, is checked by
# tests/integration/seed_test.cpp.)
#
#   bench/seed/run.sh              # a million messages
#   MESSAGES=100000 bench/seed/run.sh
#
# The data directory is a throwaway one under /tmp (BENCH_OUT keeps it).
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
MESSAGES=${MESSAGES:-1000000}
BIN=${AGENTBASE_BIN:-$ROOT/build/agentbase}
OUT=${BENCH_OUT:-$(mktemp -d /tmp/agentbase-seed-XXXXXX)}
DATA="$OUT/agentbase-data"
[ -x "$BIN" ] || { echo "agentbase not found at $BIN (cmake --build build --target agentbase)" >&2; exit 1; }
unset DATABASE_URL
# run.sh and the tests may run as root: the embedded server then runs as postgres.
mkdir -p "$OUT" && [ "$(id -u)" != 0 ] || chmod 755 "$OUT"

cleanup() {
  # The embedded server stops with the last agentbase process; only the files stay.
  [ -n "${BENCH_OUT:-}" ] || rm -rf "$OUT"
}
trap cleanup EXIT

"$BIN" db push --data-dir "$DATA" >/dev/null
{
  echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(free -g | awk '/Mem:/ {print $2}') GiB"
  echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
} | tee "$OUT/machine.txt"
start=$(date +%s.%N)
"$BIN" seed --scale "$MESSAGES" --data-dir "$DATA"
end=$(date +%s.%N)
echo "wall time: $(awk "BEGIN {printf \"%.1f\", $end - $start}") s for $MESSAGES messages (seed --scale $MESSAGES on the embedded default)"

