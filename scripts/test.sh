#!/usr/bin/env bash
# The whole test suite, from a fresh Debian bookworm machine: installs what
# is missing, builds, starts a private PostgreSQL 15 (as an unprivileged
# user), and runs the style check (clang-format), the unit tests, the
# integration tests (with PostgREST's ported spec cases) against real
# PostgreSQL, the pgTAP tests of row level security, supabase-js and the
# attack suite against a real `agentbase serve`, the web console end to end
# in Debian's chromium (tests/browser), the pgvector path on PGlite
# (PostgreSQL 18 in WebAssembly with pgvector, from npm), and short fuzz runs
# (scripts/fuzz.sh --short, which builds the fuzz targets with clang in
# build-fuzz/).
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc)"

source scripts/lib/test-cluster.sh
trap stop_test_cluster EXIT
start_test_cluster

passed=0
failed=0
run_suite() {
  local name=$1
  shift
  echo "=== $name"
  if "$@"; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "=== $name FAILED"; fi
}

run_suite "style (clang-format)" scripts/check-style.sh
run_suite "unit tests" ./build/tests/unit_tests --gtest_brief=1
run_suite "integration tests (PostgreSQL)" ./build/tests/integration_tests --gtest_brief=1

pgtap_db=pgtap_rls
psql "$TEST_PG_ADMIN_URL" -qc "DROP DATABASE IF EXISTS $pgtap_db" -c "CREATE DATABASE $pgtap_db"
./build/agentbase db push --db-url "$TEST_PG_ADMIN_URL dbname=$pgtap_db" >/dev/null
run_suite "pgTAP: row level security and triggers" tests/pgtap/run.sh "$TEST_PG_ADMIN_URL dbname=$pgtap_db"

run_suite "supabase-js against agentbase serve" tests/js/run.sh build/agentbase
run_suite "pgvector path (PGlite)" tests/pglite/run.sh build/agentbase
run_suite "attack suite" tests/attack/run.sh build/agentbase
run_suite "web console in chromium" tests/browser/run.sh build/agentbase
run_suite "fuzz (short runs)" scripts/fuzz.sh --short

echo
echo "suites: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
