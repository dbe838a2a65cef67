#!/usr/bin/env bash
# Long attack cases, not run by scripts/test.sh: resource abuse that takes
# minutes or thousands of sockets. Starts `agentbase serve` on a fresh
# embedded data directory (as tests/attack/run.sh does), adds a user in each
# of two tenants, runs each case and prints its figures; docs/attack.md
# records what they showed.
# Usage: bench/attack/run.sh path/to/agentbase [case...]
#   cases: shapes (60 request shapes repeated; backend memory),
#          idle (1,100 idle connections), fairness (24 slow requests of one
#          tenant vs. a cheap one of another). Default: all three.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
bin=$(realpath "$1")
shift
cases=("${@:-shapes idle fairness}")
read -r -a cases <<<"${cases[*]}"

work=$(mktemp -d /tmp/abattack-bench-XXXXXX)
chmod 755 "$work"
data="$work/data"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
server_pid=
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

# The figures are about the server's defaults; only what a case needs is set.
"$bin" serve --data-dir "$data" --port "$port" --no-demo >"$work/serve.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 300); do
  curl -sf "http://127.0.0.1:$port/auth/v1/health" >/dev/null 2>&1 && break
  kill -0 "$server_pid" 2>/dev/null || { cat "$work/serve.log"; exit 1; }
  sleep 0.05
done
"$bin" users add --data-dir "$data" --email a@bench-a.test --password password-a --tenant bench-a --role owner >/dev/null
"$bin" users add --data-dir "$data" --email b@bench-b.test --password password-b --tenant bench-b --role owner >/dev/null

export AGENTBASE_URL="http://127.0.0.1:$port"
export AGENTBASE_ANON_KEY=$("$bin" token --data-dir "$data" --role anon)
export AGENTBASE_SERVICE_KEY=$("$bin" token --data-dir "$data" --role service_role)
export AGENTBASE_PSQL="host=$data/run port=5432 user=postgres dbname=postgres"
export AGENTBASE_USER_A="a@bench-a.test:password-a"
export AGENTBASE_USER_B="b@bench-b.test:password-b"
export AGENTBASE_SERVER_PID=$server_pid

# A function that takes its time, for the fairness case.
psql -q "$AGENTBASE_PSQL" <<'SQL'
CREATE FUNCTION public.bench_sleep(seconds double precision) RETURNS integer
  LANGUAGE sql VOLATILE AS $$ SELECT 1 FROM pg_sleep(seconds) $$;
GRANT EXECUTE ON FUNCTION public.bench_sleep(double precision) TO authenticated;
NOTIFY pgrst, 'reload schema';
SQL
sleep 0.5

status=0
for name in "${cases[@]}"; do
  echo "=== $name"
  node "$here/$name.mjs" || { status=1; echo "=== $name FAILED"; tail -n 20 "$work/serve.log"; }
done
exit $status
