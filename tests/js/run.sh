#!/usr/bin/env bash
# Runs the supabase-js suite against a real `agentbase serve` on loopback, on
# a fresh embedded data directory: starts the server, adds users in two
# tenants, runs `node --test`, then stops the server with SIGTERM and checks
# that it exits cleanly.
# Usage: tests/js/run.sh path/to/agentbase [test file...]   (default: all)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../lib/serve.sh"
serve_node_modules "$here"
serve_init "$1" abjs
serve_start

# a1 owns tenant A, so it may manage shared organisation data (the default rule).
serve_add_user a1@tenant-a.test "password-a1" tenant-a owner
serve_add_user a2@tenant-a.test "password-a2" tenant-a member
serve_add_user b1@tenant-b.test "password-b1" tenant-b member
serve_export
export AGENTBASE_JWT_SECRET_FILE="$data/keys/jwt-secret"
# For suites that add users, run SQL as the owner or start more servers on
# the same database (tests/js/lib/agentbase.js).
export AGENTBASE_BIN="$bin" AGENTBASE_DATA_DIR="$data"

# A function created while the server runs: exercises the schema reload.
psql -q "$AGENTBASE_PSQL" <<'SQL'
CREATE FUNCTION public.add_numbers(a integer, b integer) RETURNS integer LANGUAGE sql IMMUTABLE AS $$ SELECT a + b $$;
NOTIFY pgrst, 'reload schema';
SQL
sleep 0.3

export AGENTBASE_USER_A1="a1@tenant-a.test:password-a1"
export AGENTBASE_USER_A2="a2@tenant-a.test:password-a2"
export AGENTBASE_USER_B1="b1@tenant-b.test:password-b1"

status=0
files=("${@:2}")
[ ${#files[@]} -gt 0 ] || files=(.)
(cd "$here" && node --test --test-concurrency=1 "${files[@]}") || status=$?

serve_stop || status=1
exit $status
