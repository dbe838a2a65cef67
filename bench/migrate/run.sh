#!/usr/bin/env bash
# Migration benchmarks for `agentbase db push`, compared with the supabase CLI
# and sqitch on the same server and the same SQL. See docs/benchmarks.md.
#
#   bench/migrate/run.sh
#
# Self-contained: builds build/agentbase when it is missing, installs
# supabase@2.117.0 from npm into bench/migrate/.tools (an untracked cache; set
# BENCH_TOOLS_DIR to put it elsewhere), starts and stops its own throwaway
# PostgreSQL 15 cluster, and removes its temporary directories. Raw hyperfine
# exports (JSON and markdown), logs, schema dumps and summary.md are written to
# a results directory that is kept (BENCH_OUT, default /tmp/agentbase-bench-*).
#
# Every tool's result is checked: `agentbase db verify` after its first run,
# and a schema-only pg_dump that must equal the one from applying the plain
# SQL with psql (each tool's own bookkeeping excluded). Any failure of a tool,
# a check or hyperfine exits non-zero.
#
# Knobs (environment): RUNS (10) timed runs for the first-run and cold-start
# measurements, NOOP_RUNS (15) for no-op runs, FLOOR_RUNS (5) for the
# process-start floor, WARMUP (1), AGENTBASE_BIN (default build/agentbase),
# HYPERFINE_TIMEOUT (180 s per hyperfine invocation).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
RUNS=${RUNS:-10}
NOOP_RUNS=${NOOP_RUNS:-15}
FLOOR_RUNS=${FLOOR_RUNS:-5}
WARMUP=${WARMUP:-1}
HYPERFINE_TIMEOUT=${HYPERFINE_TIMEOUT:-180}
SUPABASE_VERSION=2.117.0
TOOLS_DIR=${BENCH_TOOLS_DIR:-$HERE/.tools}
PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
ROLES="authenticator, anon, authenticated, service_role"
START_TIME=$(date +%s)

log() { printf '==> %s\n' "$*" >&2; }
die() { printf 'run.sh: FAIL: %s\n' "$*" >&2; exit 1; }
need() { command -v "$1" >/dev/null 2>&1 || die "$1 not found ($2)"; }

need hyperfine "apt-get install hyperfine"
need sqitch "apt-get install sqitch"
need npm "apt-get install npm"
need python3 "apt-get install python3"
need timeout "coreutils"
[ -x "$PG_BIN/psql" ] && [ -x "$PG_BIN/pg_dump" ] && [ -x "$PG_BIN/initdb" ] ||
  die "PostgreSQL 15 client and server binaries not found in $PG_BIN (apt-get install postgresql-15)"
PSQL="$PG_BIN/psql"
PG_DUMP="$PG_BIN/pg_dump"

# Nothing from the caller's environment may redirect the tools.
unset DATABASE_URL AGENTBASE_DATA_DIR AGENTBASE_PG_BIN AGENTBASE_PG_USER AGENTBASE_EMBEDDING_DIMENSIONS \
  PGHOST PGPORT PGUSER PGPASSWORD PGDATABASE PGSERVICE SQITCH_TARGET

# --- agentbase -----------------------------------------------------------------
if [ -z "${AGENTBASE_BIN:-}" ]; then
  AGENTBASE_BIN=$ROOT/build/agentbase
  if [ ! -x "$AGENTBASE_BIN" ]; then
    log "building agentbase (make -j1)"
    cmake -S "$ROOT" -B "$ROOT/build" >/dev/null
    make -C "$ROOT/build" -j1 agentbase >/dev/null
  fi
fi
[ -x "$AGENTBASE_BIN" ] || die "agentbase binary not found at $AGENTBASE_BIN"

# --- supabase CLI (npm, pinned) -------------------------------------------------
find_supabase_bin() {
  local b
  for b in "$TOOLS_DIR"/node_modules/@supabase/cli-linux-x64/bin/supabase \
    "$TOOLS_DIR"/node_modules/@supabase/cli-linux-*/bin/supabase; do
    [ -x "$b" ] && { echo "$b"; return 0; }
  done
  return 1
}
SB=${SUPABASE_BIN:-$(find_supabase_bin || true)}
if [ -z "$SB" ] || [ "$("$SB" --version 2>/dev/null)" != "$SUPABASE_VERSION" ]; then
  log "installing supabase@$SUPABASE_VERSION into $TOOLS_DIR (npm)"
  mkdir -p "$TOOLS_DIR"
  (cd "$TOOLS_DIR" && npm install --no-audit --no-fund --save-exact "supabase@$SUPABASE_VERSION" >/dev/null) ||
    die "npm install supabase@$SUPABASE_VERSION failed"
  SB=$(find_supabase_bin) || die "supabase native binary not found under $TOOLS_DIR/node_modules/@supabase"
fi
[ "$("$SB" --version)" = "$SUPABASE_VERSION" ] || die "$SB is not supabase $SUPABASE_VERSION"
# No update check and no telemetry: both are network calls (failing fast here,
# where only Debian and npm are reachable), not part of applying migrations.
export DO_NOT_TRACK=1 SUPABASE_TELEMETRY_DISABLED=1 SUPABASE_NO_UPDATE_NOTIFIER=1

# --- work and results directories ----------------------------------------------
WORK=$(mktemp -d /tmp/abm-XXXXXX) # short: unix socket paths live below it
chmod 755 "$WORK"                  # the embedded PostgreSQL runs as user postgres
OUT=${BENCH_OUT:-$(mktemp -d /tmp/agentbase-bench-XXXXXX)}
mkdir -p "$OUT"
EMB=$WORK/e # embedded data directory

# shellcheck source=../../scripts/lib/test-cluster.sh
source "$ROOT/scripts/lib/test-cluster.sh"

cleanup() {
  local rc=$?
  set +e
  # agentbase stops its embedded PostgreSQL when it exits; if a run was killed,
  # stop what it left behind.
  if [ -f "$EMB/pgdata/postmaster.pid" ]; then
    _run_as_pg "$PG_BIN/pg_ctl" -D "$EMB/pgdata" -m immediate stop >/dev/null 2>&1
  fi
  stop_test_cluster
  rm -rf "$WORK"
  if [ "$rc" != 0 ]; then
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
"$AB" --version >/dev/null || die "$AGENTBASE_BIN does not run"

# --- machine and versions ------------------------------------------------------
loadavg() { cut -d' ' -f1-3 /proc/loadavg; }
top_cpu() { ps -eo pcpu=,comm= --sort=-pcpu | head -5 | awk '{printf "%s %s%%; ", $2, $1}'; }
{
  echo "date: $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo "nproc: $(nproc)"
  echo "free -h:"; free -h
  echo "lscpu | head:"; lscpu | head
  echo "kernel: $(uname -sr)"
  echo "agentbase: $("$AB" --version) (sha256 $(sha256sum "$AB" | cut -c1-12), from $AGENTBASE_BIN)"
  dirty=$(git -C "$ROOT" status --porcelain 2>/dev/null | awk '{print $2}' | cut -d/ -f1 | sort -u | paste -sd, -)
  echo "git: $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')${dirty:+ (uncommitted or untracked changes in: $dirty)}"
  echo "schema files: $(cd "$ROOT/database/schema" && ls -- *.sql | paste -sd' ' -)"
  echo "supabase: $("$SB" --version) (native binary $SB)"
  echo "sqitch: $(sqitch --version 2>&1 | head -1)"
  echo "psql: $("$PSQL" --version)"
  echo "hyperfine: $(hyperfine --version)"
} >"$OUT/machine.txt"

# --- test cluster --------------------------------------------------------------
log "starting the test cluster"
start_test_cluster
PORT=$TEST_PG_PORT
ADMIN=$TEST_PG_ADMIN_URL
PW=bench
"$PSQL" -X -q -v ON_ERROR_STOP=1 "$ADMIN" -c "ALTER ROLE postgres PASSWORD '$PW'"
echo "server: $("$PSQL" -X -At "$ADMIN" -c 'SELECT version()')" >>"$OUT/machine.txt"
# Every tool connects the same way: TCP to 127.0.0.1, scram-sha-256, no TLS.
export PGSSLMODE=disable
url() { echo "postgresql://postgres:$PW@127.0.0.1:$PORT/$1?sslmode=disable"; }
sqitch_target() { echo "db:pg://postgres:$PW@127.0.0.1:$PORT/$1"; }
psql_admin() { PGOPTIONS="-c client_min_messages=warning" "$PSQL" -X -q -v ON_ERROR_STOP=1 "$ADMIN" "$@"; }

# A fresh empty database with none of the schema's cluster-wide roles: every
# tool then runs the whole schema, roles included (see docs/benchmarks.md).
cat >"$WORK/reset-db.sh" <<EOF
#!/usr/bin/env bash
# usage: reset-db.sh DB [verify]  (with verify: first check what the previous run left)
set -euo pipefail
db=\$1
if [ "\${2:-}" = verify ] && [ "\$("$PSQL" -X -At "$ADMIN" -c "SELECT 1 FROM pg_database WHERE datname = '\$db'")" = 1 ]; then
  "$AB" --db-url "postgresql://postgres:$PW@127.0.0.1:$PORT/\$db?sslmode=disable" db verify >"$WORK/last-verify.txt" 2>&1 ||
    { echo "agentbase db verify failed on the database a timed run left:" >&2; cat "$WORK/last-verify.txt" >&2; exit 1; }
fi
PGOPTIONS="-c client_min_messages=warning" "$PSQL" -X -q -v ON_ERROR_STOP=1 "$ADMIN" \\
  -c "DROP DATABASE IF EXISTS \"\$db\" WITH (FORCE)" \\
  -c "DROP ROLE IF EXISTS $ROLES" -c "CREATE DATABASE \"\$db\""
EOF
chmod +x "$WORK/reset-db.sh"
reset_db() { bash "$WORK/reset-db.sh" "$@"; }
drop_db() {
  psql_admin -c "DROP DATABASE IF EXISTS \"$1\" WITH (FORCE)" -c "DROP ROLE IF EXISTS $ROLES"
}

# Schema-only dump without any tool's own bookkeeping (agentbase's history
# table, supabase's supabase_migrations schema, sqitch's registry schema).
dump_schema() {
  "$PG_DUMP" --schema-only --no-owner \
    --exclude-table=agentbase.schema_history \
    --exclude-schema=supabase_migrations --exclude-schema=sqitch \
    "$ADMIN dbname=$1" | grep -v -E '^\\(un)?restrict ' >"$2"
}

# --- the plain-SQL equivalent of the schema -----------------------------------
# database/schema/*.sql in order. The "-- agentbase:mode ensure" files (20, and
# any later ones) carry directives and placeholders; their plain, idempotent
# rendering is database/sql/add_missing_tables.sql, used in place of the first
# of them. The "if-absent" files are plain SQL apart from
# "-- agentbase:if vector|!vector" sections, resolved here as agentbase
# resolves them: by whether pgvector is available on the server.
log "preparing the plain SQL (database/schema/*.sql, database/sql/add_missing_tables.sql for the ensure-mode files)"
PLAIN=$WORK/plain
mkdir -p "$PLAIN"
HAS_VECTOR=$("$PSQL" -X -At "$ADMIN" -c "SELECT count(*) FROM pg_available_extensions WHERE name = 'vector'")
render_plain() { # FILE: resolve the vector sections and placeholders, or fail
  awk -v vec="$HAS_VECTOR" -v file="$1" '
    /^-- agentbase:if / {
      if (depth) { print file ": nested agentbase:if" > "/dev/stderr"; exit 2 }
      cond = $3
      if (cond == "vector") on = (vec > 0); else if (cond == "!vector") on = (vec == 0);
      else { print file ": cannot render agentbase:if " cond > "/dev/stderr"; exit 2 }
      depth = 1; next
    }
    /^-- agentbase:else/ { on = !on; next }
    /^-- agentbase:end/ { depth = 0; next }
    depth && !on { next }
    { gsub(/\{\{embedding_dimensions\}\}/, "1536"); gsub(/\{\{vector_schema\}\}/, "extensions"); print }
  ' "$1"
}
PLAIN_FILES=()
ENSURE_DONE=
for src in "$ROOT"/database/schema/*.sql; do
  f=$(basename "$src")
  if head -1 "$src" | grep -q -- '-- agentbase:mode ensure'; then
    [ -n "$ENSURE_DONE" ] && continue # already in add_missing_tables.sql
    ENSURE_DONE=1
    f=${f%%_*}_add_missing_tables.sql
    cp "$ROOT/database/sql/add_missing_tables.sql" "$PLAIN/$f"
  else
    render_plain "$src" >"$PLAIN/$f" || die "cannot render $src as plain SQL"
  fi
  grep -q '{{' "$PLAIN/$f" && die "$PLAIN/$f still has a {{placeholder}}"
  PLAIN_FILES+=("$f")
done
[ -n "$ENSURE_DONE" ] && [ "${#PLAIN_FILES[@]}" -ge 4 ] || die "unexpected database/schema layout: ${PLAIN_FILES[*]}"
echo "plain SQL: ${PLAIN_FILES[*]}" >>"$OUT/machine.txt"

# The reference: the plain SQL applied with psql to an empty database.
reset_db bench_ref
for f in "${PLAIN_FILES[@]}"; do
  "$PSQL" -X -q -v ON_ERROR_STOP=1 "$ADMIN dbname=bench_ref" -f "$PLAIN/$f" >>"$OUT/psql-plain.log" 2>&1 ||
    { tail -5 "$OUT/psql-plain.log" >&2; die "the plain SQL does not apply cleanly with psql ($f)"; }
done
"$AB" --db-url "$(url bench_ref)" db verify >"$OUT/verify-psql-plain.txt" 2>&1 ||
  { tail -5 "$OUT/verify-psql-plain.txt" >&2; die "agentbase db verify fails after psql applied the plain SQL"; }
dump_schema bench_ref "$OUT/schema-reference.sql"
drop_db bench_ref

# --- supabase and sqitch projects holding the same SQL -------------------------
log "setting up the supabase and sqitch projects"
mkdir -p "$WORK/supabase"
(cd "$WORK/supabase" && "$SB" init --yes >"$OUT/supabase-init.log" 2>&1) || die "supabase init failed"
mkdir -p "$WORK/supabase/supabase/migrations"
i=0
for f in "${PLAIN_FILES[@]}"; do
  cp "$PLAIN/$f" "$WORK/supabase/supabase/migrations/$(printf '202501010000%02d' "$i")_${f#??_}"
  i=$((i + 1))
done

export SQITCH_FULLNAME=bench SQITCH_EMAIL=bench@localhost
: >"$WORK/sqitch-user.conf"
export SQITCH_USER_CONFIG=$WORK/sqitch-user.conf
mkdir -p "$WORK/sqitch"
(
  cd "$WORK/sqitch"
  sqitch init agentbase_bench --engine pg
  for f in "${PLAIN_FILES[@]}"; do sqitch add "${f%.sql}" -n "${f%.sql}"; done
) >"$OUT/sqitch-init.log" 2>&1 || die "sqitch init/add failed"
for f in "${PLAIN_FILES[@]}"; do
  if grep -q -E '^BEGIN;' "$PLAIN/$f"; then
    cp "$PLAIN/$f" "$WORK/sqitch/deploy/$f" # already one transaction
  else # sqitch's convention: each deploy script is one transaction
    { echo "-- Deploy agentbase_bench:${f%.sql} (the benchmark's plain SQL)"; echo "BEGIN;";
      cat "$PLAIN/$f"; echo; echo "COMMIT;"; } >"$WORK/sqitch/deploy/$f"
  fi
done

# The commands compared, all against database $1 over the same TCP connection.
cmd_agentbase() { echo "$AB --db-url $(url "$1") db push"; }
cmd_supabase() { echo "$SB --workdir $WORK/supabase db push --db-url $(url "$1") --yes"; }
cmd_sqitch() { echo "sqitch --chdir $WORK/sqitch deploy $(sqitch_target "$1")"; }

# hyperfine NAME [hyperfine args...]: output to $OUT/NAME.{txt,json,md}
hf() {
  local name=$1
  shift
  echo "[$(date -u +%T)] load $(loadavg); top: $(top_cpu)" >>"$OUT/load.txt"
  timeout "$HYPERFINE_TIMEOUT" hyperfine --style basic --export-json "$OUT/$name.json" \
    --export-markdown "$OUT/$name.md" "$@" >"$OUT/$name.txt" 2>&1 ||
    { tail -15 "$OUT/$name.txt" >&2; die "hyperfine $name failed (a tool exited non-zero, a check failed or it timed out)"; }
  log "  $(grep -E 'Time \(mean' "$OUT/$name.txt" | tr -s ' ' | sed 's/^ //' | paste -sd ';' -)"
}

# --- 0. process start floor ----------------------------------------------------
log "process start floor (--version)"
hf floor -N --warmup 1 --runs "$FLOOR_RUNS" \
  -n agentbase "$AB --version" -n supabase "$SB --version" -n sqitch "sqitch --version"

# --- a. cold start on the embedded default --------------------------------------
log "cold start: empty data directory -> pushed and verified (embedded PostgreSQL)"
hf cold --warmup "$WARMUP" --runs "$RUNS" --prepare "rm -rf $EMB" \
  -n "agentbase cold start (embedded)" "$AB --data-dir $EMB db push && $AB --data-dir $EMB db verify"
"$AB" --data-dir "$EMB" db verify >"$OUT/verify-embedded.txt" 2>&1 || die "embedded verify failed after the cold start runs"
log "embedded, existing data directory: push (start, no-op, stop)"
hf embedded_noop -N --warmup "$WARMUP" --runs "$RUNS" \
  -n "agentbase no-op push (embedded, existing data dir)" "$AB --data-dir $EMB db push"
pgrep -f "postgres -D $EMB" >/dev/null && die "the embedded PostgreSQL is still running after agentbase exited"
rm -rf "$EMB"

# --- b/c. per tool: first run checked, then its no-op run measured --------------
for tool in agentbase supabase sqitch; do
  log "$tool: first run on an empty database, checks, no-op runs"
  db=bench_$tool
  reset_db "$db"
  cmd=$(cmd_$tool "$db")
  read -r -a argv <<<"$cmd" # no globbing of the URL's '?'
  "${argv[@]}" >"$OUT/first-$tool.log" 2>&1 || { tail -15 "$OUT/first-$tool.log" >&2; die "$tool failed to apply the schema"; }
  "$AB" --db-url "$(url "$db")" db verify >"$OUT/verify-$tool.txt" 2>&1 ||
    { tail -5 "$OUT/verify-$tool.txt" >&2; die "agentbase db verify fails after $tool's first run"; }
  dump_schema "$db" "$OUT/schema-$tool.sql"
  diff -u "$OUT/schema-reference.sql" "$OUT/schema-$tool.sql" >"$OUT/schema-$tool.diff" ||
    { head -40 "$OUT/schema-$tool.diff" >&2; die "$tool's schema differs from the plain SQL applied with psql (see $OUT/schema-$tool.diff)"; }
  "${argv[@]}" >"$OUT/second-$tool.log" 2>&1 || { tail -15 "$OUT/second-$tool.log" >&2; die "$tool's second run failed"; }
  hf "noop_$tool" -N --warmup "$WARMUP" --runs "$NOOP_RUNS" -n "$tool" "$cmd"
  dump_schema "$db" "$OUT/schema-$tool-after-noop.sql"
  cmp -s "$OUT/schema-$tool.sql" "$OUT/schema-$tool-after-noop.sql" || die "$tool's no-op runs changed the schema"
  drop_db "$db"
done

# --- c. first run side by side, each run on a fresh empty database --------------
# The prepare step before each run verifies what the previous run left (when a
# database is there), then drops it and the roles and creates an empty one.
log "first run side by side (fresh empty database per run)"
hf first -N --warmup "$WARMUP" --runs "$RUNS" --prepare "bash $WORK/reset-db.sh bench_first verify" \
  -n agentbase "$(cmd_agentbase bench_first)" \
  -n supabase "$(cmd_supabase bench_first)" \
  -n sqitch "$(cmd_sqitch bench_first)"
"$AB" --db-url "$(url bench_first)" db verify >"$OUT/verify-first-last.txt" 2>&1 || die "verify failed after the last timed run"
drop_db bench_first
echo "[$(date -u +%T)] load $(loadavg); top: $(top_cpu)" >>"$OUT/load.txt"

# --- summary -------------------------------------------------------------------
{
  echo "elapsed: $(($(date +%s) - START_TIME)) s"
} >>"$OUT/machine.txt"
python3 "$HERE/summarize.py" "$OUT" | tee "$OUT/summary.md"
echo
echo "raw hyperfine exports, logs and schema dumps: $OUT"
