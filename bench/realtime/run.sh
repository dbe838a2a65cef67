#!/usr/bin/env bash
# Realtime postgres_changes under load (issue 10, "Speed and memory"):
# USERS subscribed websockets (default 1,000) across two tenants, each
# following its tenant's messages, while pgbench inserts messages into the
# two tenants' conversations alternately at a fixed rate. Starts
# `agentbase serve` on a fresh embedded data directory (tests/lib/serve.sh),
# creates the tenants, users and conversations directly in SQL, then
# bench/realtime/subscribers.mjs opens the sockets, joins, runs each phase's
# pgbench and checks every delivery (exactly once, never another tenant's,
# latency from commit to receipt). docs/benchmarks.md, "Realtime (issue 10)",
# records what it showed.
#
# Usage: bench/realtime/run.sh [path/to/agentbase]
# Settings (environment): USERS (1000), PHASES ("20:60 30:15 50:15 100:15 200:15
#   400:15": rate per second:seconds, the first is the main run),
#   PGBENCH_CLIENTS (4), SERVE_OPTIONS (extra `serve` options).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
source "$root/tests/lib/serve.sh"
bin=${1:-$root/build/agentbase}
[ -x "$bin" ] || { echo "no agentbase binary at $bin (build it first)" >&2; exit 2; }
[ -d "$root/tests/js/node_modules/ws" ] || npm ci --prefix "$root/tests/js" --no-audit --no-fund >/dev/null
users=${USERS:-1000}
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

serve_init "$bin" abrealtime-bench
# Every socket comes from 127.0.0.1: no per-address cap, room for all of them.
# shellcheck disable=SC2086
serve_start --max-connections $((users + 200)) --max-connections-per-address 0 ${SERVE_OPTIONS:-}
serve_export
export AGENTBASE_SERVER_PID=$server_pid
export AGENTBASE_JWT_SECRET_FILE="$data/keys/jwt-secret"

# The database's own count of the authorizer's calls (pg_stat_user_functions).
psql -XqAt "$AGENTBASE_PSQL" -c "ALTER SYSTEM SET track_functions = 'all'" -c "SELECT pg_reload_conf()" >/dev/null

# Two tenants, USERS users split evenly (auth.users + public.profiles, as
# `agentbase users add` makes them, without passwords: the bench signs their
# tokens itself), one conversation per tenant.
psql -XqAt -v ON_ERROR_STOP=1 -v users="$users" "$AGENTBASE_PSQL" >/dev/null <<'SQL'
CREATE SCHEMA bench;
CREATE SEQUENCE bench.seq;
INSERT INTO public.tenants (name, slug) VALUES ('Bench A', 'bench-a'), ('Bench B', 'bench-b');
CREATE TABLE bench.users AS
  SELECT gen_random_uuid() AS id, i,
         (SELECT id FROM public.tenants WHERE slug = CASE WHEN i % 2 = 0 THEN 'bench-a' ELSE 'bench-b' END) AS tenant_id
  FROM generate_series(0, :users - 1) i;
INSERT INTO auth.users (id, aud, role, email, email_confirmed_at, raw_app_meta_data, raw_user_meta_data)
  SELECT id, 'authenticated', 'authenticated', 'user' || i || '@bench.test', now(),
         jsonb_build_object('provider', 'email', 'providers', jsonb_build_array('email'), 'tenant_id', tenant_id), '{}'
  FROM bench.users;
INSERT INTO public.profiles (id, tenant_id, role) SELECT id, tenant_id, 'member' FROM bench.users;
-- k: the parity of bench.seq that writes into this conversation.
CREATE TABLE bench.conversations AS
  SELECT u.i AS k, gen_random_uuid() AS id, u.tenant_id, u.id AS user_id FROM bench.users u WHERE u.i < 2;
INSERT INTO public.conversations (id, tenant_id, user_id, title)
  SELECT id, tenant_id, user_id, 'bench ' || k FROM bench.conversations;
SQL
psql -XqAt -F $'\t' "$AGENTBASE_PSQL" -c "SELECT id, tenant_id FROM bench.users ORDER BY i" >"$work/users.tsv"
export BENCH_USERS_FILE="$work/users.tsv"
export BENCH_INSERT_SQL="$here/insert.sql"

echo "machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "agentbase: $(git -C "$root" rev-parse --short HEAD)$(git -C "$root" diff --quiet HEAD -- src database || echo ' (with uncommitted changes)'), $users users"
status=0
NODE_PATH="$root/tests/js/node_modules" node "$here/subscribers.mjs" || status=$?
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
cp "$work/serve.log" "${BENCH_SERVE_LOG:-/tmp/realtime-bench-serve.log}"
if grep -q "realtime:" "$work/serve.log"; then
  echo "server log (realtime), all of it in ${BENCH_SERVE_LOG:-/tmp/realtime-bench-serve.log}:"
  grep "realtime:" "$work/serve.log" | tail -n 20
fi
serve_stop || status=1
exit $status
