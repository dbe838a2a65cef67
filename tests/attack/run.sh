#!/usr/bin/env bash
# The attack suite against a real `agentbase serve` on loopback, on a fresh
# embedded data directory: starts the server with small limits (so that the
# limit cases run in seconds), adds users in two tenants, runs `node --test`
# over the case files in order (the fault cases, which stop the database,
# last), then stops the server with SIGTERM.
# Usage: tests/attack/run.sh path/to/agentbase
#   ATTACK_CASES='cases/50_*' runs only the matching case files.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
bin=$(realpath "$1")

[ -d "$here/node_modules/@supabase/supabase-js" ] || npm ci --prefix "$here" --no-audit --no-fund >/dev/null

work=$(mktemp -d /tmp/abattack-XXXXXX)
chmod 755 "$work"
data="$work/data"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
server_pid=
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

max_response_bytes=65536
max_rows=100
serve_help=$("$bin" serve --help 2>&1 || true)
supports() { grep -q -- "$1" <<<"$serve_help"; }
options=(--data-dir "$data" --port "$port" --no-demo --max-rows "$max_rows")
# Only options the binary has, so that a branch without some of them can
# still run the cases that do not need them (ATTACK_CASES).
supports --max-response-bytes && options+=(--max-response-bytes "$max_response_bytes")
# The HTTP-framing limits exist once branch hardening-http is merged; without
# them the framing cases that need them are reported as todo.
http_hardening=0
if supports --header-timeout-ms; then
  http_hardening=1
  options+=(--header-timeout-ms 1500 --idle-timeout-ms 3000 --max-connections-per-address 16)
fi

"$bin" serve "${options[@]}" >"$work/serve.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 300); do
  curl -sf "http://127.0.0.1:$port/auth/v1/health" >/dev/null 2>&1 && break
  kill -0 "$server_pid" 2>/dev/null || { cat "$work/serve.log"; exit 1; }
  sleep 0.05
done

add_user() { "$bin" users add --data-dir "$data" --email "$1" --password "$2" --tenant "$3" --role "$4" >/dev/null; }
add_user a1@tenant-a.test "password-a1" tenant-a owner
add_user a2@tenant-a.test "password-a2" tenant-a member
add_user b1@tenant-b.test "password-b1" tenant-b member
add_user b2@tenant-b.test "password-b2" tenant-b owner
# Only the sign-in rate-limit case signs in as this one: it uses up its allowance.
add_user victim@tenant-a.test "password-victim" tenant-a member

export AGENTBASE_URL="http://127.0.0.1:$port"
export AGENTBASE_ANON_KEY=$("$bin" token --data-dir "$data" --role anon)
export AGENTBASE_SERVICE_KEY=$("$bin" token --data-dir "$data" --role service_role)
export AGENTBASE_JWT_SECRET=$(tr -d '\n' <"$data/keys/jwt-secret")
export AGENTBASE_PSQL="host=$data/run port=5432 user=postgres dbname=postgres"
export AGENTBASE_DATA_DIR="$data"
export AGENTBASE_BIN="$bin"
export AGENTBASE_PG_BIN=/usr/lib/postgresql/15/bin
export AGENTBASE_MAX_RESPONSE_BYTES=$max_response_bytes
export AGENTBASE_MAX_ROWS=$max_rows
export AGENTBASE_HTTP_HARDENING=$http_hardening
export AGENTBASE_SERVER_LOG="$work/serve.log"
export AGENTBASE_USER_A1="a1@tenant-a.test:password-a1"
export AGENTBASE_USER_A2="a2@tenant-a.test:password-a2"
export AGENTBASE_USER_B1="b1@tenant-b.test:password-b1"
export AGENTBASE_USER_B2="b2@tenant-b.test:password-b2"
export AGENTBASE_USER_VICTIM="victim@tenant-a.test:password-victim"

# node's spec reporter prints "pass N" and "fail M" on lines of their own;
# the closing line says both in one place for scripts/test.sh's log.
set +e
(cd "$here" && node --test --test-concurrency=1 --test-reporter=spec ${ATTACK_CASES:-cases/*.test.mjs}) 2>&1 | tee "$work/report.txt"
status=${PIPESTATUS[0]}
set -e
passed=$(sed -n 's/^ℹ pass \([0-9]*\)$/\1/p' "$work/report.txt")
failed=$(sed -n 's/^ℹ fail \([0-9]*\)$/\1/p' "$work/report.txt")
todo=$(sed -n 's/^ℹ todo \([0-9]*\)$/\1/p' "$work/report.txt")
echo "${passed:-0} passed, ${failed:-0} failed (${todo:-0} todo: known server defects, reported, not failing)"

kill -TERM "$server_pid"
if ! wait "$server_pid"; then
  echo "agentbase serve did not exit cleanly on SIGTERM"; tail -n 30 "$work/serve.log"; status=1
fi
server_pid=
exit $status
