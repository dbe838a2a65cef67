#!/usr/bin/env bash
# Agents' tools in the database (issue 12's targets), on a throwaway test
# cluster: one tenant with 1,000 agents of 10 tools each, one of them (the
# measured agent) with a million recorded tool calls over the last 30 days.
# pgbench then calls each RPC as one signed-in user of that tenant would
# (role authenticated, their JWT claims, row level security on) and reports
# each RPC statement's mean latency in the database (pgbench -r: the
# statement alone, not the transaction around it).
#
#   bench/tools/run.sh                  # a million calls, 10 s per RPC
#   CALLS=100000 DURATION=5 bench/tools/run.sh
#
# BENCH_OUT keeps the pgbench scripts and logs.
set -euo pipefail
CALLS=${CALLS:-1000000}
DURATION=${DURATION:-10}
# shellcheck source=../lib/database.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib/database.sh"
bench_database tools

q() { psql "$url" -Atq -v ON_ERROR_STOP=1 -c "$1"; }
started=$(date +%s)
psql "$url" -q -v ON_ERROR_STOP=1 <<SQL
INSERT INTO public.tenants (id, name, slug) VALUES ('00000000-0000-0000-0000-00000000000a', 'Bench', 'bench');
INSERT INTO auth.users (id, email) VALUES ('00000000-0000-0000-0000-0000000000a1', 'bench@tools.test');
INSERT INTO public.profiles (id, tenant_id, role) VALUES ('00000000-0000-0000-0000-0000000000a1', '00000000-0000-0000-0000-00000000000a', 'owner');
INSERT INTO public.tools (id, name, slug)
SELECT ('00000000-0000-0000-0001-' || lpad(i::text, 12, '0'))::uuid, 'Tool ' || i, 'tool-' || i FROM generate_series(1, 10) i;
INSERT INTO public.tool_schemas (tool_id, config_schema, default_config, input_schema)
SELECT id, '{"type": "object", "properties": {"endpoint": {"type": "string"}, "timeout_ms": {"type": "integer", "minimum": 1}}, "additionalProperties": false}',
       '{"timeout_ms": 3000}', '{"type": "object", "properties": {"query": {"type": "string"}}, "required": ["query"]}'
FROM public.tools;
INSERT INTO public.agents (id, tenant_id, name)
SELECT ('00000000-0000-0000-0002-' || lpad(i::text, 12, '0'))::uuid, '00000000-0000-0000-0000-00000000000a', 'Agent ' || i
FROM generate_series(1, 1000) i;
INSERT INTO public.agent_tools (agent_id, tool_id, config, priority)
SELECT a.id, t.id, jsonb_build_object('endpoint', 'https://tools.example/' || t.slug), 0
FROM public.agents a CROSS JOIN public.tools t ORDER BY a.id, t.slug;
-- Durations: mostly 50-400 ms with a tail to a few seconds; one call in 20 fails.
INSERT INTO public.tool_calls (agent_id, tool_id, status, duration_ms, called_at)
SELECT '00000000-0000-0000-0002-000000000001', ('00000000-0000-0000-0001-' || lpad((1 + i % 10)::text, 12, '0'))::uuid,
       CASE WHEN i % 20 = 0 THEN 'error' ELSE 'success' END,
       (50 + (i::bigint * 7919) % 350) * CASE WHEN i % 25 = 0 THEN 10 ELSE 1 END,
       now() - interval '30 days' * (i::double precision / $CALLS)
FROM generate_series(1, $CALLS) i;
VACUUM ANALYZE;
SQL
echo "data: $(q "SELECT count(*) FROM public.tool_calls") tool calls, $(q "SELECT count(*) FROM public.tool_usage_rollups") rollup rows, $(q "SELECT count(*) FROM public.agent_tools") agent tools, built in $(( $(date +%s) - started )) s"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), load $(cut -d' ' -f1-3 /proc/loadavg)"

agent=00000000-0000-0000-0002-000000000001
tool=00000000-0000-0000-0001-000000000003
claims='{"sub":"00000000-0000-0000-0000-0000000000a1","role":"authenticated"}'
as_user="SET LOCAL ROLE authenticated;
SELECT set_config('request.jwt.claims', '$claims', true);"
declare -A calls=(
  [effective_tools]="SELECT jsonb_array_length(public.effective_tools('$agent'));"
  [record_tool_call]="SELECT (public.record_tool_call('$agent', '$tool', 'success', 120)).id;"
  [tool_usage_30_days]="SELECT count(*) FROM public.tool_usage('$agent', now() - interval '30 days', now());"
  [tool_usage_7_days]="SELECT count(*) FROM public.tool_usage('$agent');"
  [tool_usage_1_day]="SELECT count(*) FROM public.tool_usage('$agent', now() - interval '1 day', now());"
  [move_tool]="SELECT count(*) FROM public.move_tool('$agent', '$tool', 1 + (random() * 9)::int);"
)
echo
echo "usage over 30 days, as that user:"
psql "$url" -q -c "BEGIN; $as_user" -c "SELECT slug, calls, errors, round(error_rate::numeric, 3) AS error_rate, p50_ms, p95_ms,
  round(mean_ms::numeric, 1) AS mean_ms FROM public.tool_usage('$agent', now() - interval '30 days', now()) ORDER BY slug LIMIT 3" -c "COMMIT" |
  grep -v '^SET\|set_config\|^-*$\|^ *$\|(1 row)'
echo "exact, from the raw records (tool-1..3):"
q "SELECT t.slug, percentile_disc(0.5) WITHIN GROUP (ORDER BY duration_ms), percentile_disc(0.95) WITHIN GROUP (ORDER BY duration_ms)
   FROM public.tool_calls c JOIN public.tools t ON t.id = c.tool_id WHERE c.agent_id = '$agent'
   GROUP BY t.slug ORDER BY t.slug LIMIT 3" | sed 's/^/  /'

printf '\n%-24s %12s %10s\n' "rpc (as the tenant's user)" "mean ms" "calls"
for name in effective_tools record_tool_call tool_usage_30_days tool_usage_7_days tool_usage_1_day move_tool; do
  script="$OUT/$name.sql"
  printf 'BEGIN;\n%s\n%s\nCOMMIT;\n' "$as_user" "${calls[$name]}" >"$script"
  pgbench -n -r -T "$DURATION" -c 1 -f "$script" "$url" >"$OUT/$name.log" 2>&1 ||
    { cat "$OUT/$name.log" >&2; exit 1; }
  # pgbench -r prints one latency per statement; the RPC is the fourth.
  latency=$(awk '/statement latencies/ {on = 1; next} on && NF {n++; if (n == 4) {print $1; exit}}' "$OUT/$name.log")
  count=$(awk '/number of transactions actually processed/ {print $NF}' "$OUT/$name.log")
  printf '%-24s %12s %10s\n' "$name" "$latency" "$count"
done

[ -n "${BENCH_OUT:-}" ] || rm -rf "$OUT"
