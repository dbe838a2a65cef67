#!/usr/bin/env bash
# What one write costs (docs/benchmarks.md, "remember: the server's share"):
# a fresh `agentbase serve` (tests/lib/serve.sh) with one signed-in user, and
# bench/memory/remember_probe.mjs sending one kind of write after another.
#
#   bench/memory/remember_probe.sh [agentbase]            p50/p90 of each kind
#   MODE=cpu bench/memory/remember_probe.sh [agentbase]   and the CPU the server
#        and PostgreSQL's processes used per request (/proc/<pid>/stat), one
#        kind at a time
#   MODE=instructions bench/memory/remember_probe.sh [agentbase]
#        the server under callgrind: its instructions per request, counted
#        from after 20 requests to the end (PostgreSQL runs natively)
#
# Environment: VARIANTS (embedding,select_id,text,floor), COUNT (300),
# SERVE_OPTIONS (more `serve` options), SETUP_SQL (run in the embedded
# database before the probe, e.g. to undo a storage parameter for an A/B).
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
MODE=${MODE:-time}
VARIANTS=${VARIANTS:-embedding,select_id,text,floor}
export COUNT=${COUNT:-300}
# shellcheck source=../../tests/lib/serve.sh
source "$ROOT/tests/lib/serve.sh"
serve_init "${1:-$ROOT/build/agentbase}" remember-probe

case "$MODE" in
  time | cpu) serve_start ${SERVE_OPTIONS:-} ;;
  instructions)
    command -v valgrind >/dev/null || { echo "valgrind not found (apt-get install valgrind)" >&2; exit 1; }
    mkdir -p "$work/callgrind"
    # shellcheck disable=SC2086
    valgrind --tool=callgrind "--callgrind-out-file=$work/callgrind/server.%p" \
      "$bin" serve --data-dir "$data" --port "$port" --no-demo ${SERVE_OPTIONS:-} >"$work/serve.log" 2>&1 &
    server_pid=$!
    for _ in $(seq 1 600); do
      curl -sf "http://127.0.0.1:$port/auth/v1/health" >/dev/null 2>&1 && break
      kill -0 "$server_pid" 2>/dev/null || { cat "$work/serve.log" >&2; exit 1; }
      sleep 0.2
    done
    ;;
  *) echo "MODE must be time, cpu or instructions" >&2; exit 2 ;;
esac
serve_export
if [ -n "${SETUP_SQL:-}" ]; then psql -X -q -v ON_ERROR_STOP=1 "$AGENTBASE_PSQL" -c "$SETUP_SQL"; fi
serve_add_user probe@example.com 'probe-password-1' probe member
TOKEN=$(curl -s "$AGENTBASE_URL/auth/v1/token?grant_type=password" -H "apikey: $AGENTBASE_ANON_KEY" \
  -H 'content-type: application/json' -d '{"email":"probe@example.com","password":"probe-password-1"}' |
  python3 -c 'import json, sys; print(json.load(sys.stdin)["access_token"])')
export TOKEN
probe() { node "$HERE/remember_probe.mjs"; }

# CPU ticks (user + system) of the server and every PostgreSQL process, as "pid ticks" lines.
ticks() {
  local pid
  for pid in $(pgrep -x postgres) "$server_pid"; do
    echo "$pid $(awk '{print $14 + $15}' "/proc/$pid/stat" 2>/dev/null || echo 0)"
  done
}

case "$MODE" in
  time) VARIANTS=$VARIANTS probe ;;
  cpu)
    hertz=$(getconf CLK_TCK)
    for variant in ${VARIANTS//,/ }; do
      ticks >"$work/before"
      line=$(VARIANTS=$variant KEY_PREFIX=cpu probe)
      ticks >"$work/after"
      # Per request, in microseconds: the server's process and all of PostgreSQL's.
      usage=$(awk -v n=$((COUNT + 10)) -v hz="$hertz" -v server="$server_pid" '
        NR == FNR { before[$1] = $2; next }
        { used = ($2 - before[$1]) * 1e6 / hz / n; if ($1 == server) s += used; else p += used }
        END { printf "server %.0f us, PostgreSQL %.0f us a request", s, p }' "$work/before" "$work/after")
      echo "$line | $usage"
    done
    ;;
  instructions)
    VARIANTS=$VARIANTS COUNT=20 KEY_PREFIX=warm probe >/dev/null
    callgrind_control -z "$server_pid" >/dev/null
    VARIANTS=$VARIANTS probe
    callgrind_control -d measured "$server_pid" >/dev/null
    sleep 1
    dump=$(ls "$work/callgrind/server.$server_pid".* | head -1)
    total=$(awk '/^summary:/ { print $2; exit }' "$dump")
    kinds=$(tr ',' '\n' <<<"$VARIANTS" | wc -l)
    echo "server: $((total / ((COUNT + 10) * kinds))) instructions a request ($VARIANTS, $(((COUNT + 10) * kinds)) requests)"
    ;;
esac
serve_stop
