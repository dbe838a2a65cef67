#!/usr/bin/env bash
# Runs the pgTAP tests of tests/pgtap/*.sql (RLS policies and triggers)
# against a database that `agentbase db push` has brought up to the schema.
#
# Usage:
#   tests/pgtap/run.sh "<libpq conninfo>"
#
# The single argument is a libpq connection string, key=value or URI form,
# naming the database, e.g.
#   tests/pgtap/run.sh "host=/tmp/abt-XXXX port=5433 user=postgres dbname=rls_test"
#   tests/pgtap/run.sh "postgresql://postgres@127.0.0.1:5433/rls_test"
# It reaches psql unchanged, as --dbname (which takes a whole conninfo), for
# the setup and for every test file. The usual PG* variables (PGPASSWORD,
# PGSSLMODE, ~/.pgpass, ...) apply as for any libpq client; psql never
# prompts for a password. pg_prove's own -d cannot carry a conninfo (it splits
# the value at '='), so pg_prove is given this script as its psql
# (--psql-bin), and the script, called that way, runs the real psql with the
# conninfo appended.
#
# The role must be a superuser: the tests insert fixtures past RLS, switch
# triggers off for a moment (session_replication_role) and SET ROLE anon,
# authenticated and service_role.
#
# The script creates the pgtap extension if absent (CREATE EXTENSION IF NOT
# EXISTS pgtap), then runs every tests/pgtap/*.sql file with pg_prove. Each
# file runs in one transaction that it rolls back, so the database is left as
# it was (apart from the extension). Exit status: pg_prove's, i.e. non-zero
# when any test fails.
set -euo pipefail

# Called by pg_prove as its psql (see above).
if [ -n "${AGENTBASE_PGTAP_CONNINFO:-}" ]; then
  exec psql --no-password "$@" --dbname "$AGENTBASE_PGTAP_CONNINFO"
fi

if [ $# -ne 1 ] || [ -z "$1" ]; then
  sed -n '2,/^set -euo/{/^#/s/^# \{0,1\}//p}' "$0" >&2
  exit 2
fi
conninfo=$1
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

command -v psql >/dev/null || { echo "run.sh: psql not found" >&2; exit 2; }
command -v pg_prove >/dev/null || { echo "run.sh: pg_prove not found (Debian: libtap-parser-sourcehandler-pgtap-perl)" >&2; exit 2; }

psql --no-psqlrc --no-password --quiet --set ON_ERROR_STOP=1 --dbname "$conninfo" \
  --command 'SET client_min_messages = warning' \
  --command 'CREATE EXTENSION IF NOT EXISTS pgtap'

shopt -s nullglob
tests=("$here"/*.sql)
if [ ${#tests[@]} -eq 0 ]; then
  echo "run.sh: no tests in $here" >&2
  exit 2
fi

# Relative names keep pg_prove's report short; \ir resolves fixtures.psql
# relative to each test file.
cd "$here"
AGENTBASE_PGTAP_CONNINFO=$conninfo exec pg_prove --psql-bin "$here/run.sh" "${tests[@]##*/}"
