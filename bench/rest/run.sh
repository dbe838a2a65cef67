#!/usr/bin/env bash
# REST benchmarks for `agentbase serve`, side by side with pgbench running the
# identical transaction. See docs/benchmarks.md ("REST API").
#
#   bench/rest/run.sh
#
# Self-contained: builds build/agentbase when it is missing and copies the
# binary (a rebuild during the run changes nothing), starts its own throwaway
# PostgreSQL 15 cluster (scripts/lib/test-cluster.sh), seeds it, starts
# `agentbase serve`, and stops both and removes its temporary directories at
# the end, also when it fails. Raw outputs (wrk and pgbench output, pgbench's
# per-transaction logs, CPU/memory probes, the captured SQL, summary.md) stay in
# a results directory (BENCH_OUT, default /tmp/agentbase-rest-bench-*).
#
# What it does:
#  1. Seeds 5 tenants with one user each and 1000 conversations per tenant
#     (10 messages each). Then, in the benchmark database only
#     (extra_schema.sql): tags (8 per tenant), the junction
#     conversation_tags (1 to 3 tags per conversation; primary key = its two
#     foreign keys) and the RETURNS TABLE function conversation_messages(uuid),
#     with grants and row level security like the schema's tables. VACUUM
#     ANALYZE.
#  2. Starts `agentbase serve --pool-size POOL_SIZE` and records its idle memory.
#  3. Sends one request of each kind with curl while PostgreSQL logs every
#     statement (log_statement=all):
#       list      GET /rest/v1/conversations?select=*&order=last_message_at.desc&limit=20
#       insert    POST /rest/v1/messages
#       junction  GET /rest/v1/conversations?select=id,title,tags(name)&order=last_message_at.desc&limit=20
#                 (tags embedded through the conversation_tags junction)
#       function  GET /rest/v1/rpc/conversation_messages?conversation=<id>&message_number=gt.4
#                     &select=message_number,role,content
#     checks the answers (200 with the 20 newest conversations, all of the
#     user's tenant; 201; the junction's 20 rows with the tags the database
#     has for them; the function's 6 rows as the database has them), and
#     turns the logged transactions into pgbench scripts (make_pgbench.py):
#     the same set_config statement with the same values and the same SQL
#     with the same parameters, in one \startpipeline..\endpipeline (one
#     implicit transaction, as the server sends it).
#  4. For each request in REQUESTS and each of REPS rounds, measures
#     agentbase (wrk -t1 -cN) and pgbench (-c N -j 1 -M prepared, or -M
#     extended when PREPARED=0, matching the server's statements) at
#     LOW_CLIENTS and HIGH_CLIENTS clients, alternating the two tools and
#     reversing the order every other round (ABBA). Every measured run has its
#     own WARMUP-second warm-up run first and a VACUUM ANALYZE + CHECKPOINT
#     before that, outside the timing. Before a read's rounds it is sent and
#     checked once more (the inserts move conversations to the top), and that
#     answer's size is what every wrk answer must average.
#  5. A short burst with STRESS_CLIENTS connections on the list, for the
#     memory peak.
#  6. Prints summary.md (summarize.py).
#
# It fails loudly (non-zero exit) if any request answers >= 400 or a socket
# error/timeout happens in wrk (the server has no 1xx/3xx answers for these
# requests), if a read's answers are not the full answer (mean size within
# 2 % of the checked one), if an insert run's row count does not match its
# answers, or if pgbench reports a failed or aborted transaction.
#
# Knobs (environment): PREPARED (1: the server prepares its statements, its
# default, and pgbench runs -M prepared; 0: --no-prepared-statements and
# -M extended), REQUESTS (which requests to measure, in this order; default
# "list insert junction function"), DURATION (4 s per measured run),
# WARMUP (1 s; 0 skips the warm-up runs), REPS (4 rounds), POOL_SIZE (4),
# LOW_CLIENTS (4), HIGH_CLIENTS (16), INSERT_CONVERSATIONS (100, at most 128: the inserts spread over this many of
# the user's conversations, the same ones on both sides, so that row locks on
# a few hot conversations do not dominate), STRESS_CLIENTS (256; 0 skips),
# STRESS_DURATION (3 s), AGENTBASE_BIN (default build/agentbase), BENCH_OUT,
# BENCH_HOLD (non-empty: after the set-up, keep the seeded database and the
# server running until interrupted, for profiling by hand; settings in
# BENCH_OUT/hold.env), SERVER_SCHED_BATCH (1: the server's default
# --sched-batch; 0: --no-sched-batch), PGBENCH_BATCH (1: also measure pgbench
# under SCHED_BATCH, `chrt -b 0`, in every round at equal client counts, to
# show the comparison with the same scheduling policy on both sides; 0 skips
# it). With the defaults it takes about 12-14 minutes (about 3 per request).
#
# MEASURE=instructions counts instead of timing: after the same set-up it
# restarts PostgreSQL and the server under valgrind's callgrind, sends
# COUNT (default 1000) requests of each of REQUESTS one after another on one
# connection (after WARMUP_COUNT, default 100), and prints the instructions
# executed per request by the server and by every PostgreSQL process
# (backends, WAL sender, background processes; autovacuum off). Instruction
# counts do not depend on what else the machine runs, so two binaries
# (AGENTBASE_BIN) can be compared to a fraction of a percent on a busy
# machine; they are not time (cache misses and system calls are not
# weighed). Takes about 5 minutes per request kind. SCHEMA_BIN=<binary>
# pushes that binary's schema (and makes the users and token) instead, and
# the server serves it with --no-push: the same server over two schemas.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
DURATION=${DURATION:-4}
WARMUP=${WARMUP:-1}
REPS=${REPS:-4}
POOL_SIZE=${POOL_SIZE:-4}
SERVER_SCHED_BATCH=${SERVER_SCHED_BATCH:-1}
PGBENCH_BATCH=${PGBENCH_BATCH:-1}
PREPARED=${PREPARED:-1}
LOW_CLIENTS=${LOW_CLIENTS:-4}
HIGH_CLIENTS=${HIGH_CLIENTS:-16}
INSERT_CONVERSATIONS=${INSERT_CONVERSATIONS:-100}
STRESS_CLIENTS=${STRESS_CLIENTS:-256}
STRESS_DURATION=${STRESS_DURATION:-3}
REQUESTS=${REQUESTS:-list insert junction function}
MEASURE=${MEASURE:-rate}
COUNT=${COUNT:-1000}
WARMUP_COUNT=${WARMUP_COUNT:-100}
PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
JWT_SECRET=agentbase-rest-benchmark-secret-0123456789
START_TIME=$(date +%s)

log() { printf '==> %s\n' "$*" >&2; }
die() { printf 'run.sh: FAIL: %s\n' "$*" >&2; exit 1; }
need() { command -v "$1" >/dev/null 2>&1 || die "$1 not found ($2)"; }

need chrt "apt-get install util-linux"
need curl "apt-get install curl"
need python3 "apt-get install python3"
case "$MEASURE" in
  rate) need wrk "apt-get install wrk" ;;
  instructions) need valgrind "apt-get install valgrind" ;;
  *) die "MEASURE must be rate or instructions" ;;
esac
[ -x "$PG_BIN/psql" ] && [ -x "$PG_BIN/pgbench" ] && [ -x "$PG_BIN/initdb" ] ||
  die "PostgreSQL 15 binaries (psql, pgbench, initdb) not found in $PG_BIN (apt-get install postgresql-15)"
PSQL="$PG_BIN/psql"
PGBENCH="$PG_BIN/pgbench"

# Nothing from the caller's environment may redirect the tools.
unset DATABASE_URL AGENTBASE_DATA_DIR AGENTBASE_PG_BIN AGENTBASE_PG_USER AGENTBASE_EMBEDDING_DIMENSIONS \
  AGENTBASE_HOST AGENTBASE_PORT AGENTBASE_POOL_SIZE AGENTBASE_MAX_CONNECTIONS AGENTBASE_BODY_LIMIT \
  AGENTBASE_STATEMENT_TIMEOUT_MS AGENTBASE_MAX_ROWS AGENTBASE_JWT_SECRET AGENTBASE_JWKS AGENTBASE_LOG_LEVEL AGENTBASE_PIPELINE_DEPTH \
  AGENTBASE_PREPARED_STATEMENTS AGENTBASE_API_DB_URL AGENTBASE_SCHED_BATCH \
  PGHOST PGPORT PGUSER PGPASSWORD PGDATABASE PGSERVICE PGOPTIONS

# --- agentbase -----------------------------------------------------------------
if [ -z "${AGENTBASE_BIN:-}" ]; then
  AGENTBASE_BIN=$ROOT/build/agentbase
  if [ ! -x "$AGENTBASE_BIN" ]; then
    log "building agentbase (make -j1)"
    cmake -S "$ROOT" -B "$ROOT/build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
    make -C "$ROOT/build" -j1 agentbase >/dev/null
  fi
fi
[ -x "$AGENTBASE_BIN" ] || die "agentbase binary not found at $AGENTBASE_BIN"
for workload in $REQUESTS; do
  case $workload in list | insert | junction | function) ;; *) die "REQUESTS: unknown request '$workload'" ;; esac
done
[ -n "${REQUESTS// /}" ] || die "REQUESTS is empty"
# pgbench takes at most 128 scripts (one per insert body).
((INSERT_CONVERSATIONS >= 1 && INSERT_CONVERSATIONS <= 128)) || die "INSERT_CONVERSATIONS must be 1..128"

# --- work and results directories ----------------------------------------------
WORK=$(mktemp -d /tmp/abr-XXXXXX)
OUT=${BENCH_OUT:-$(mktemp -d /tmp/agentbase-rest-bench-XXXXXX)}
mkdir -p "$OUT/runs" "$OUT/pgbench"
RUNS=$OUT/runs

# shellcheck source=../../scripts/lib/test-cluster.sh
source "$ROOT/scripts/lib/test-cluster.sh"

SERVER_PID=
stop_server() {
  [ -n "$SERVER_PID" ] || return 0
  if kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$SERVER_PID" 2>/dev/null || true
  fi
  wait "$SERVER_PID" 2>/dev/null || true
  SERVER_PID=
}
HOLD_PID=
cleanup() {
  local rc=$?
  set +e
  [ -n "$HOLD_PID" ] && kill "$HOLD_PID" 2>/dev/null
  stop_server
  stop_test_cluster
  rm -rf "$WORK"
  if [ "$rc" = 130 ] && [ -n "${BENCH_HOLD:-}" ]; then
    printf 'run.sh: stopped; logs in %s\n' "$OUT" >&2
  elif [ "$rc" != 0 ]; then
    printf 'run.sh: FAILED (exit %s); logs in %s\n' "$rc" "$OUT" >&2
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Snapshot the binary: others may relink build/agentbase during the run.
mkdir -p "$WORK/bin"
cp "$AGENTBASE_BIN" "$WORK/bin/agentbase"
AB=$WORK/bin/agentbase
# SCHEMA_BIN: another binary's schema under this one's server (which then
# serves it as it is, --no-push), to tell a schema's cost from the server's.
SB=$AB
if [ -n "${SCHEMA_BIN:-}" ]; then
  cp "$SCHEMA_BIN" "$WORK/bin/agentbase-schema"
  SB=$WORK/bin/agentbase-schema
fi

# --- machine and versions ---------------------------------------------------------
{
  echo "date: $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo "nproc: $(nproc)"
  echo "cpu: $(lscpu | sed -n 's/^Model name: *//p')"
  free -h | sed -n '1,2p'
  echo "kernel: $(uname -r)"
  echo "load: $(cat /proc/loadavg)"
  echo "agentbase: $("$AB" --version) ($AGENTBASE_BIN, sha256 $(sha256sum "$AB" | cut -c1-12); the tree at $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown))"
  echo "uncommitted: $(git -C "$ROOT" status --porcelain 2>/dev/null | grep -v '^??' | awk '{print $2}' | tr '\n' ' ')"
  [ -n "${SCHEMA_BIN:-}" ] && echo "schema: pushed by $SCHEMA_BIN (sha256 $(sha256sum "$SCHEMA_BIN" | cut -c1-12))"
  echo "postgres: $("$PG_BIN/postgres" --version)"
  echo "pgbench: $("$PGBENCH" --version)"
  echo "wrk: $(wrk -v 2>&1 | head -1)"
  echo "curl: $(curl --version | head -1)"
  echo "settings: PREPARED=$PREPARED DURATION=$DURATION WARMUP=$WARMUP REPS=$REPS POOL_SIZE=$POOL_SIZE LOW_CLIENTS=$LOW_CLIENTS" \
    "HIGH_CLIENTS=$HIGH_CLIENTS INSERT_CONVERSATIONS=$INSERT_CONVERSATIONS STRESS_CLIENTS=$STRESS_CLIENTS" \
    "SERVER_SCHED_BATCH=$SERVER_SCHED_BATCH PGBENCH_BATCH=$PGBENCH_BATCH REQUESTS='$REQUESTS'"
} >"$OUT/machine.txt"
cat >"$OUT/settings.json" <<EOF
{"prepared": $PREPARED, "duration": $DURATION, "warmup": $WARMUP, "reps": $REPS, "pool_size": $POOL_SIZE,
 "low_clients": $LOW_CLIENTS, "high_clients": $HIGH_CLIENTS, "insert_conversations": $INSERT_CONVERSATIONS,
 "stress_clients": $STRESS_CLIENTS, "stress_duration": $STRESS_DURATION,
 "server_sched_batch": $SERVER_SCHED_BATCH, "pgbench_batch": $PGBENCH_BATCH,
 "requests": "$REQUESTS"}
EOF

# --- database ------------------------------------------------------------------------
log "starting a throwaway PostgreSQL 15 cluster"
start_test_cluster
PG_DATA=$TEST_PG_ROOT/data
ADMIN_DB=$TEST_PG_ADMIN_URL
"$PSQL" "$ADMIN_DB" -qX -v ON_ERROR_STOP=1 -c "CREATE DATABASE bench" >/dev/null
# The server and pgbench both connect like this: superuser over the unix
# socket. `agentbase serve --db-url` pushes the schema at start-up and its API
# pool uses the same user (see docs/benchmarks.md); both then switch to
# `authenticated` inside each transaction.
DB=${TEST_PG_ADMIN_URL/dbname=postgres/dbname=bench}
sql() { "$PSQL" "$DB" -qXAt -v ON_ERROR_STOP=1 "$@"; }
messages() { sql -c "SELECT count(*) FROM public.messages"; }

log "pushing the schema and seeding 5 tenants x 1000 conversations"
"$SB" db push --db-url "$DB" >"$OUT/push.log"
"$SB" users add --db-url "$DB" --email bench@example.com --password bench-password --tenant bench >"$OUT/users.log"
for i in 1 2 3 4; do
  "$SB" users add --db-url "$DB" --email "other$i@example.com" --password bench-password --tenant "other$i" >>"$OUT/users.log"
done
sql <<'EOF'
BEGIN;
-- Seed data only: no triggers or foreign key checks while loading.
SET LOCAL session_replication_role = replica;
-- Every tenant's conversations interleave in time, so a list without row
-- level security would return other tenants' rows first.
INSERT INTO public.conversations (tenant_id, user_id, title, last_message_at, created_at)
SELECT p.tenant_id, p.id, 'Conversation ' || g,
       now() - g * interval '37 minutes' - random() * interval '30 minutes',
       now() - interval '60 days'
FROM public.profiles p, generate_series(1, 1000) AS g;
INSERT INTO public.messages (tenant_id, conversation_id, role, content, created_at)
SELECT c.tenant_id, c.id, CASE WHEN m % 2 = 0 THEN 'assistant' ELSE 'user' END,
       'seed message ' || m, c.last_message_at - (10 - m) * interval '1 minute'
FROM public.conversations c, generate_series(1, 10) AS m;
COMMIT;
EOF
# Only in the benchmark database: the platform schema has no many-to-many
# junction, so tags reach conversations through public.conversation_tags (its
# primary key is its two foreign keys, which makes it a junction). Grants and
# row level security follow the schema's tables: a user reads the tags of
# their tenant and the links of the conversations they can read. Created
# before the server starts, so its schema cache has them.
sql <"$HERE/extra_schema.sql"
sql -c "VACUUM ANALYZE"
USER_ID=$(sql -c "SELECT id FROM auth.users WHERE email = 'bench@example.com'")
TENANT_ID=$(sql -c "SELECT tenant_id FROM public.profiles WHERE id = '$USER_ID'")
[ "$(sql -c "SELECT count(*) FROM public.conversations WHERE tenant_id = '$TENANT_ID'")" = 1000 ] ||
  die "seeding failed"
# The insert bodies: INSERT_CONVERSATIONS of the user's conversations, one JSON
# object per line, exactly as wrk sends them and pgbench binds them.
sql -c "SELECT format('{\"tenant_id\":\"%s\",\"conversation_id\":\"%s\",\"role\":\"user\",\"content\":\"hello\"}',
                      tenant_id, id)
        FROM public.conversations WHERE user_id = '$USER_ID' ORDER BY id LIMIT $INSERT_CONVERSATIONS" >"$OUT/bodies.txt"
[ "$(wc -l <"$OUT/bodies.txt")" = "$INSERT_CONVERSATIONS" ] || die "could not pick $INSERT_CONVERSATIONS conversations"
TOKEN=$("$SB" token --db-url "$DB" --jwt-secret "$JWT_SECRET" --user bench@example.com)

# --- server --------------------------------------------------------------------------
PORT=$(_free_port)
case "$PREPARED" in
  1) SERVER_FLAGS=(--prepared-statements) PGB_MODE=prepared ;;
  0) SERVER_FLAGS=(--no-prepared-statements) PGB_MODE=extended ;;
  *) die "PREPARED must be 1 or 0" ;;
esac
case "$SERVER_SCHED_BATCH" in
  1) SERVER_FLAGS+=(--sched-batch) ;;
  0) SERVER_FLAGS+=(--no-sched-batch) ;;
  *) die "SERVER_SCHED_BATCH must be 1 or 0" ;;
esac
[ "$PGBENCH_BATCH" = 1 ] || [ "$PGBENCH_BATCH" = 0 ] || die "PGBENCH_BATCH must be 1 or 0"
# Every wrk connection comes from 127.0.0.1: the per-address cap (64) would
# turn most of STRESS_CLIENTS away.
[ "$SB" != "$AB" ] && SERVER_FLAGS+=(--no-push)
# (Binaries older than that cap lack the flag: AGENTBASE_BIN may be one.)
if "$AB" serve --help | grep -q -- --max-connections-per-address; then
  SERVER_FLAGS+=(--max-connections-per-address 0)
fi
BASE=http://127.0.0.1:$PORT
# start_server [COMMAND PREFIX...]: agentbase serve, waited for (up to
# START_TRIES tenths of a second) until it answers.
START_TRIES=100
start_server() {
  log "starting agentbase serve on port $PORT (pool size $POOL_SIZE)"
  "$@" "$AB" serve --db-url "$DB" --jwt-secret "$JWT_SECRET" --port "$PORT" --pool-size "$POOL_SIZE" --no-demo \
    "${SERVER_FLAGS[@]}" --log-level warn >>"$OUT/server.log" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq "$START_TRIES"); do
    kill -0 "$SERVER_PID" 2>/dev/null || { cat "$OUT/server.log" >&2; die "agentbase serve exited"; }
    curl -s -o /dev/null "$BASE/rest/v1/" && break
    sleep 0.1
  done
  curl -s -o /dev/null "$BASE/rest/v1/" || die "agentbase serve is not answering on $BASE"
}
start_server
# Idle: started, schema cache loaded, one probe request answered, nothing else.
sleep 1
python3 "$HERE/summarize.py" memory "$SERVER_PID" idle "$OUT"

# --- the four requests, captured -------------------------------------------------------
log "capturing the server's transactions (log_statement=all for four requests)"
# The reads (GET): the list, the embed of tags through the conversation_tags
# junction, and the RETURNS TABLE function with a filter on one of its output
# columns. The function reads one of the user's conversations that no insert
# touches (the bodies take the first INSERT_CONVERSATIONS by id, at most 128
# of 1000), so its answer stays the same throughout.
FUNCTION_CONVERSATION=$(sql -c "SELECT id FROM public.conversations WHERE user_id = '$USER_ID' ORDER BY id DESC LIMIT 1")
declare -A READ_PATH=(
  [list]="/rest/v1/conversations?select=*&order=last_message_at.desc&limit=20"
  [junction]="/rest/v1/conversations?select=id,title,tags(name)&order=last_message_at.desc&limit=20"
  [function]="/rest/v1/rpc/conversation_messages?conversation=$FUNCTION_CONVERSATION&message_number=gt.4&select=message_number,role,content"
)
declare -A READ_BYTES
# The headers wrk sends: Host, Authorization (+ Content-Type, Content-Length).
CURL=(curl -s -H 'User-Agent:' -H 'Accept:' -H "Authorization: Bearer $TOKEN")
# read_request WORKLOAD: one GET as wrk sends it; the answer in OUT/WORKLOAD.{headers,json}.
read_request() {
  local status
  status=$("${CURL[@]}" -D "$OUT/$1.headers" -o "$OUT/$1.json" -w '%{http_code}' "$BASE${READ_PATH[$1]}")
  [ "$status" = 200 ] || die "$1 request answered $status: $(cat "$OUT/$1.json")"
}
# check_read WORKLOAD: the answer in OUT/WORKLOAD.json must be what the
# database holds for the user (asked as superuser, tenant named explicitly);
# its size (head and body) is then what every wrk answer must average.
check_read() {
  case $1 in
    list) python3 "$HERE/check.py" list-response "$OUT/list.json" "$TENANT_ID" 20 ;;
    junction)
      sql -c "SELECT json_agg(json_build_object('id', c.id, 'title', c.title, 'tags',
                (SELECT coalesce(json_agg(t.name ORDER BY t.name), '[]')
                 FROM public.conversation_tags ct JOIN public.tags t ON t.id = ct.tag_id
                 WHERE ct.conversation_id = c.id)) ORDER BY c.last_message_at DESC)
              FROM (SELECT * FROM public.conversations WHERE tenant_id = '$TENANT_ID'
                    ORDER BY last_message_at DESC LIMIT 20) c" >"$OUT/junction.expected.json"
      python3 "$HERE/check.py" junction-response "$OUT/junction.json" "$OUT/junction.expected.json" ;;
    function)
      sql -c "SELECT json_agg(json_build_object('message_number', n, 'role', role, 'content', content) ORDER BY n)
              FROM (SELECT role, content, row_number() OVER (ORDER BY created_at, id) AS n
                    FROM public.messages WHERE conversation_id = '$FUNCTION_CONVERSATION') s
              WHERE n > 4" >"$OUT/function.expected.json"
      python3 "$HERE/check.py" function-response "$OUT/function.json" "$OUT/function.expected.json" 6 ;;
  esac
  READ_BYTES[$1]=$(($(wc -c <"$OUT/$1.headers") + $(wc -c <"$OUT/$1.json")))
}
if [ "$MEASURE" = instructions ]; then
  export BENCH_TOKEN=$TOKEN
  # Everything again under callgrind: PostgreSQL (every process it forks)
  # and the server. Each process writes its count when it exits, so each
  # request kind runs in two sessions of the server, WARMUP_COUNT requests
  # and WARMUP_COUNT + COUNT: the difference is COUNT requests, with the
  # start-up, the warm-up and the connections' lives cancelled out.
  # (PostgreSQL's own background processes, which live on, are not counted.)
  CALLGRIND=$OUT/callgrind
  mkdir -p "$CALLGRIND"
  chmod 777 "$CALLGRIND"
  chmod 755 "$WORK" "$WORK/bin"
  cat >"$WORK/bin/postgres-under-callgrind" <<EOF
#!/bin/sh
exec valgrind --tool=callgrind --trace-children=yes --callgrind-out-file=$CALLGRIND/postgres.%p "$PG_BIN/postgres" "\$@"
EOF
  chmod 755 "$WORK/bin/postgres-under-callgrind"
  stop_server
  # A vacuum started by the clock would be counted for whichever side it hit.
  sql -c "ALTER SYSTEM SET autovacuum = off" >/dev/null
  log "restarting PostgreSQL under callgrind"
  TEST_PG_POSTGRES=$WORK/bin/postgres-under-callgrind TEST_PG_START_SECONDS=600 restart_test_cluster ||
    die "PostgreSQL did not start under callgrind"
  START_TRIES=3000
  # settle: until no process has written its file for 3 s (a backend ends
  # when its connection closes; under valgrind that and the writing of its
  # count take a moment), failing after 300 s.
  settle() {
    local settled=0 files previous=-1 waited=0
    while ((settled < 3)); do
      ((waited++ < 300)) || die "callgrind files still appearing after 300 s"
      sleep 1
      files=$(find "$CALLGRIND" -maxdepth 1 -type f | wc -l)
      if [ "$files" = "$previous" ]; then settled=$((settled + 1)); else settled=0; fi
      previous=$files
    done
  }
  # session NAME REQUESTS WORKLOAD: a server under callgrind answers REQUESTS
  # of WORKLOAD and stops; the files of every process that ended with it
  # (the server, its connections' backends) go to CALLGRIND/NAME, not those
  # of psql's backends before it.
  session() {
    local name=$1 requests=$2 workload=$3
    settle
    find "$CALLGRIND" -maxdepth 1 -type f >"$WORK/before-session"
    start_server valgrind --tool=callgrind "--callgrind-out-file=$CALLGRIND/agentbase.%p"
    python3 "$HERE/send_requests.py" "$BASE" "$requests" "$workload" "${READ_PATH[$workload]:-$OUT/bodies.txt}" ||
      die "$workload requests failed"
    stop_server
    settle
    mkdir -p "$CALLGRIND/$name"
    find "$CALLGRIND" -maxdepth 1 -type f | grep -vxFf "$WORK/before-session" | xargs -r mv -t "$CALLGRIND/$name"
  }
  for workload in $REQUESTS; do
    log "$workload: a session of $WARMUP_COUNT requests, then one of $((WARMUP_COUNT + COUNT))"
    session "$workload-base" "$WARMUP_COUNT" "$workload"
    before=$(messages)
    session "$workload" $((WARMUP_COUNT + COUNT)) "$workload"
    if [ "$workload" = insert ]; then
      [ "$(messages)" = $((before + WARMUP_COUNT + COUNT)) ] || die "insert: not $((WARMUP_COUNT + COUNT)) rows written"
    fi
  done
  python3 "$HERE/summarize.py" instructions "$CALLGRIND" "$COUNT" "$OUT/machine.txt" $REQUESTS | tee "$OUT/summary.md"
  exit 0
fi

PG_LOG=$TEST_PG_ROOT/postgres.log
LOG_START=$(wc -l <"$PG_LOG")
sql -c "ALTER SYSTEM SET log_statement = 'all'" -c "SELECT pg_reload_conf()" >/dev/null
sleep 0.5
read_request list
status=$("${CURL[@]}" -o "$OUT/insert.json" -w '%{http_code}' -H 'Content-Type: application/json' \
  --data-binary "$(head -1 "$OUT/bodies.txt")" "$BASE/rest/v1/messages")
[ "$status" = 201 ] || die "insert request answered $status: $(cat "$OUT/insert.json")"
read_request junction
read_request function
sql -c "ALTER SYSTEM RESET log_statement" -c "SELECT pg_reload_conf()" >/dev/null
tail -n +"$((LOG_START + 1))" "$PG_LOG" >"$OUT/captured-postgres.log"
for workload in list junction function; do check_read "$workload"; done
python3 "$HERE/make_pgbench.py" "$OUT/captured-postgres.log" "$OUT/bodies.txt" "$OUT/pgbench"

PGB_VARS=()
while IFS= read -r line; do PGB_VARS+=(-D "$line"); done <"$OUT/pgbench/vars.txt"
PGB_INSERT=()
for ((k = 0; k < INSERT_CONVERSATIONS; k++)); do PGB_INSERT+=(-f "$OUT/pgbench/insert_$k.sql@1"); done
# pgbench: extended protocol with text parameters, statements prepared once
# per connection or unnamed as the server's, no vacuum of pgbench's own
# tables, one thread like wrk.
PGB=("$PGBENCH" -n -M "$PGB_MODE" -j 1 "${PGB_VARS[@]}")
# One transaction of each through pgbench, to fail early on a script error.
for workload in list junction function; do
  "${PGB[@]}" -c 1 -t 1 -f "$OUT/pgbench/$workload.sql" "$DB" >"$OUT/pgbench-smoke-$workload.out" 2>&1 ||
    { cat "$OUT/pgbench-smoke-$workload.out" >&2; die "pgbench $workload script failed"; }
  python3 "$HERE/check.py" pgbench "$OUT/pgbench-smoke-$workload.out"
done
before=$(sql -c "SELECT count(*) FROM public.messages")
"${PGB[@]}" -c 1 -t 1 -f "$OUT/pgbench/insert_0.sql" "$DB" >"$OUT/pgbench-smoke-insert.out" 2>&1 ||
  { cat "$OUT/pgbench-smoke-insert.out" >&2; die "pgbench insert script failed"; }
python3 "$HERE/check.py" pgbench "$OUT/pgbench-smoke-insert.out" \
  --inserted $(($(sql -c "SELECT count(*) FROM public.messages") - before))

export BENCH_TOKEN=$TOKEN BENCH_BODIES_FILE=$OUT/bodies.txt

if [ -n "${BENCH_HOLD:-}" ]; then
  # For profiling by hand: keep everything up until interrupted.
  cat >"$OUT/hold.env" <<EOF
export BENCH_TOKEN='$TOKEN' BENCH_BODIES_FILE='$OUT/bodies.txt'
# wrk.lua's reads take BENCH_PATH: one of these
LIST_PATH='${READ_PATH[list]}'
JUNCTION_PATH='${READ_PATH[junction]}'
FUNCTION_PATH='${READ_PATH[function]}'
BASE='$BASE'
DB='$DB'
SERVER_PID=$SERVER_PID
PG_DATA='$PG_DATA'
PGB_VARS_FILE='$OUT/pgbench/vars.txt'
PGB_DIR='$OUT/pgbench'
EOF
  log "holding: server pid $SERVER_PID at $BASE, database '$DB'; settings in $OUT/hold.env; interrupt to stop"
  sleep infinity &
  HOLD_PID=$!
  wait "$HOLD_PID"
fi

# --- measurements ------------------------------------------------------------------------
# prepare: the same for every run, outside the timing.
prepare() {
  sql -c "VACUUM ANALYZE public.conversations, public.messages, public.tags, public.conversation_tags" \
    -c "CHECKPOINT" >/dev/null
}

# measure WORKLOAD SIDE CLIENTS REP [stress]
measure() {
  local workload=$1 side=$2 clients=$3 rep=$4 stress=${5:-}
  local name="$workload-$side-c$clients-r$rep" duration=$DURATION
  [ -n "$stress" ] && { name="stress-$workload-c$clients"; duration=$STRESS_DURATION; }
  log "$name (${duration}s, load $(cut -d' ' -f1-3 /proc/loadavg))"
  prepare
  local probe=(python3 "$HERE/probe.py" --out "$RUNS/$name.json" --stdout "$RUNS/$name.out" --pg-data "$PG_DATA"
    --label "workload=$workload" --label "side=$side" --label "clients=$clients" --label "rep=$rep")
  [ -n "$stress" ] && probe+=(--label stress=1)
  local check_args=() before
  if [ "$side" = server ]; then
    export BENCH_MODE=$workload BENCH_CONNECTIONS=$clients BENCH_PATH=${READ_PATH[$workload]:-}
    if ((WARMUP > 0)); then
      wrk -t1 -c"$clients" -d"${WARMUP}s" -s "$HERE/wrk.lua" "$BASE" >"$RUNS/$name.warmup.out"
      python3 "$HERE/check.py" wrk "$RUNS/$name.warmup.out"
    fi
    before=$(messages)
    "${probe[@]}" --server-pid "$SERVER_PID" -- \
      wrk -t1 -c"$clients" -d"${duration}s" --timeout 10s -s "$HERE/wrk.lua" "$BASE" ||
      die "wrk failed (see $RUNS/$name.out)"
    if [ "$workload" = insert ]; then
      check_args+=(--inserted $(($(messages) - before)) --connections "$clients")
    else
      check_args+=(--expect-bytes "${READ_BYTES[$workload]}")
    fi
    python3 "$HERE/check.py" wrk "$RUNS/$name.out" "${check_args[@]}"
  else
    local scripts=(-f "$OUT/pgbench/$workload.sql") pgb=("${PGB[@]}")
    [ "$workload" = insert ] && scripts=("${PGB_INSERT[@]}")
    [ "$side" = pgbench-batch ] && pgb=(chrt -b 0 "${PGB[@]}")
    if ((WARMUP > 0)); then
      "${pgb[@]}" -c "$clients" -T "$WARMUP" "${scripts[@]}" "$DB" >"$RUNS/$name.warmup.out" 2>&1 ||
        { tail -5 "$RUNS/$name.warmup.out" >&2; die "pgbench warm-up failed"; }
    fi
    before=$(messages)
    "${probe[@]}" -- "${pgb[@]}" -c "$clients" -T "$duration" -l --log-prefix="$RUNS/$name-txlog" \
      "${scripts[@]}" "$DB" || { tail -5 "$RUNS/$name.out" >&2; die "pgbench failed or aborted (see $RUNS/$name.out)"; }
    [ "$workload" = insert ] && check_args+=(--inserted $(($(messages) - before)) --connections "$clients")
    python3 "$HERE/check.py" pgbench "$RUNS/$name.out" "${check_args[@]}"
  fi
}

for workload in $REQUESTS; do
  if [ "$workload" != insert ]; then
    # The inserts move their conversations to the top of the list: ask again
    # and check, so the size every answer must have is the current one.
    read_request "$workload"
    check_read "$workload"
  fi
  for ((rep = 1; rep <= REPS; rep++)); do
    order=()
    for clients in "$LOW_CLIENTS" "$HIGH_CLIENTS"; do
      order+=("server $clients" "pgbench $clients")
      [ "$PGBENCH_BATCH" = 1 ] && order+=("pgbench-batch $clients")
    done
    if ((rep % 2 == 0)); then # ABBA: reverse every other round
      for ((i = 0, j = ${#order[@]} - 1; i < j; i++, j--)); do
        item=${order[i]} order[i]=${order[j]} order[j]=$item
      done
    fi
    for item in "${order[@]}"; do
      read -r side clients <<<"$item"
      measure "$workload" "$side" "$clients" "$rep"
    done
  done
done
sleep 1
python3 "$HERE/summarize.py" memory "$SERVER_PID" after-load "$OUT"

if ((STRESS_CLIENTS > 0)); then
  read_request list
  check_read list
  measure list server "$STRESS_CLIENTS" 1 stress
  sleep 1
  python3 "$HERE/summarize.py" memory "$SERVER_PID" after-stress "$OUT"
fi

kill -0 "$SERVER_PID" 2>/dev/null || die "agentbase serve died during the benchmark"
grep -E '\[(warning|error|critical)\]' "$OUT/server.log" >"$OUT/server-warnings.log" || true
stop_server

python3 "$HERE/summarize.py" report "$OUT" >"$OUT/summary.md"
{
  echo
  echo "Machine and versions:"
  sed 's/^/    /' "$OUT/machine.txt"
  echo
  echo "Server warnings/errors logged: $(wc -l <"$OUT/server-warnings.log")"
  echo "Total time: $(($(date +%s) - START_TIME)) s. Raw results: $OUT"
} >>"$OUT/summary.md"
cat "$OUT/summary.md"
