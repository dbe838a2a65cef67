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
source "$here/../../tests/lib/serve.sh"
serve_init "$1" abattack-bench
shift
cases=("${@:-shapes idle fairness}")
read -r -a cases <<<"${cases[*]}"

# The figures are about the server's defaults; only what a case needs is set.
serve_start
serve_add_user a@bench-a.test password-a bench-a owner
serve_add_user b@bench-b.test password-b bench-b owner

serve_export
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
