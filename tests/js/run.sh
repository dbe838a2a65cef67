#!/usr/bin/env bash
# Runs the supabase-js suite against a real `agentbase serve` on loopback, on
# a fresh embedded data directory: starts the server, adds users in two
# tenants, runs `node --test`, then stops the server with SIGTERM and checks
# that it exits cleanly.
# Usage: tests/js/run.sh path/to/agentbase
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
bin=$(realpath "$1")

[ -d "$here/node_modules/@supabase/supabase-js" ] || npm ci --prefix "$here" --no-audit --no-fund >/dev/null

work=$(mktemp -d /tmp/abjs-XXXXXX)
chmod 755 "$work"
data="$work/data"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
server_pid=
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

"$bin" serve --data-dir "$data" --port "$port" --no-demo >"$work/serve.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 200); do
  curl -sf "http://127.0.0.1:$port/auth/v1/health" >/dev/null 2>&1 && break
  kill -0 "$server_pid" 2>/dev/null || { cat "$work/serve.log"; exit 1; }
  sleep 0.05
done

add_user() { "$bin" users add --data-dir "$data" --email "$1" --password "$2" --tenant "$3" --role "$4" >/dev/null; }
# a1 owns tenant A, so it may manage shared organisation data (the default rule).
add_user a1@tenant-a.test "password-a1" tenant-a owner
add_user a2@tenant-a.test "password-a2" tenant-a member
add_user b1@tenant-b.test "password-b1" tenant-b member

# A function created while the server runs: exercises the schema reload.
psql -q "host=$data/run port=5432 user=postgres dbname=postgres" <<'SQL'
CREATE FUNCTION public.add_numbers(a integer, b integer) RETURNS integer LANGUAGE sql IMMUTABLE AS $$ SELECT a + b $$;
NOTIFY pgrst, 'reload schema';
SQL
sleep 0.3

export AGENTBASE_URL="http://127.0.0.1:$port"
export AGENTBASE_ANON_KEY=$("$bin" token --data-dir "$data" --role anon)
export AGENTBASE_SERVICE_KEY=$("$bin" token --data-dir "$data" --role service_role)
export AGENTBASE_USER_A1="a1@tenant-a.test:password-a1"
export AGENTBASE_USER_A2="a2@tenant-a.test:password-a2"
export AGENTBASE_USER_B1="b1@tenant-b.test:password-b1"

status=0
(cd "$here" && node --test --test-concurrency=1 .) || status=$?

kill -TERM "$server_pid"
if ! wait "$server_pid"; then
  echo "agentbase serve did not exit cleanly on SIGTERM"; cat "$work/serve.log"; status=1
fi
server_pid=
exit $status
