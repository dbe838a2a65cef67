# Source this file: start_test_cluster starts a throwaway PostgreSQL 15
# cluster for tests, as an unprivileged user when we are root (PostgreSQL
# refuses to run as root), and stop_test_cluster removes it.
#
# After start_test_cluster:
#   TEST_PG_SOCKET_DIR, TEST_PG_PORT  where it listens (unix socket and 127.0.0.1)
#   TEST_PG_ADMIN_URL                 superuser over the unix socket (trust)
#   TEST_PG_TCP_URL_BASE              postgresql://127.0.0.1:PORT (scram-sha-256 over TCP)

PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}

_run_as_pg() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

_free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

start_test_cluster() {
  TEST_PG_ROOT=$(mktemp -d /tmp/abt-XXXXXX)
  chmod 755 "$TEST_PG_ROOT"
  [ "$(id -u)" = 0 ] && chown postgres:postgres "$TEST_PG_ROOT"
  TEST_PG_PORT=${TEST_PG_PORT:-$(_free_port)}
  TEST_PG_SOCKET_DIR=$TEST_PG_ROOT
  _run_as_pg "$PG_BIN/initdb" -D "$TEST_PG_ROOT/data" -U postgres -E UTF8 --locale=C \
    --auth-local=trust --auth-host=scram-sha-256 --no-sync --no-instructions >"$TEST_PG_ROOT/initdb.log" 2>&1 ||
    { cat "$TEST_PG_ROOT/initdb.log"; return 1; }
  # The embedded cluster's allocator setting (src/pgctl/embedded_cluster.cpp:
  # glibc keeps 16 MiB of the heap's top), so that tests and the in-database
  # benchmarks run PostgreSQL as agentbase runs it.
  _start_test_postgres || return 1
  TEST_PG_ADMIN_URL="host=$TEST_PG_SOCKET_DIR port=$TEST_PG_PORT user=postgres dbname=postgres"
  TEST_PG_TCP_URL_BASE="postgresql://127.0.0.1:$TEST_PG_PORT"
  export TEST_PG_ROOT TEST_PG_PORT TEST_PG_SOCKET_DIR TEST_PG_ADMIN_URL TEST_PG_TCP_URL_BASE
}

# Starts the cluster's postmaster; TEST_PG_POSTGRES names another executable
# for pg_ctl to start in its place (e.g. a wrapper that runs postgres under
# valgrind, bench/rest/run.sh's MEASURE=instructions), waiting up to
# TEST_PG_START_SECONDS (60).
_start_test_postgres() {
  local postgres=()
  [ -n "${TEST_PG_POSTGRES:-}" ] && postgres=(-p "$TEST_PG_POSTGRES")
  _run_as_pg env MALLOC_TOP_PAD_="${MALLOC_TOP_PAD_:-16777216}" "$PG_BIN/pg_ctl" -D "$TEST_PG_ROOT/data" -l "$TEST_PG_ROOT/postgres.log" \
    -w -t "${TEST_PG_START_SECONDS:-60}" "${postgres[@]}" \
    -o "-k $TEST_PG_SOCKET_DIR -p $TEST_PG_PORT -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200 -c wal_level=logical -c max_replication_slots=20 -c max_wal_senders=20" \
    start >/dev/null || { cat "$TEST_PG_ROOT/postgres.log"; return 1; }
}

# Stops the cluster's postmaster and starts it again (same data, socket and
# port), e.g. with another TEST_PG_POSTGRES.
restart_test_cluster() {
  _run_as_pg "$PG_BIN/pg_ctl" -D "$TEST_PG_ROOT/data" -m fast -w stop >/dev/null || return 1
  _start_test_postgres
}

stop_test_cluster() {
  [ -n "${TEST_PG_ROOT:-}" ] || return 0
  _run_as_pg "$PG_BIN/pg_ctl" -D "$TEST_PG_ROOT/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$TEST_PG_ROOT"
  TEST_PG_ROOT=
}
