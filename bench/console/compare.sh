#!/usr/bin/env bash
# Cold loads of two builds of the console, load by load in turn: on a shared
# machine whose load changes from minute to minute, two runs of run.sh one
# after the other compare the machine as much as the builds. Starts
# `agentbase serve` for each on a fresh data directory, seeds both alike
# (measure.mjs), then loads every page RUNS times from each, alternating.
#
# Usage: bench/console/compare.sh OTHER_AGENTBASE [THIS_AGENTBASE]
#   (this build defaults to build/agentbase; RUNS, PAGES, WATERFALL as run.sh)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
source "$root/tests/lib/serve.sh"
other=${1:?usage: bench/console/compare.sh OTHER_AGENTBASE [THIS_AGENTBASE]}
this=${2:-$root/build/agentbase}
for bin in "$other" "$this"; do [ -x "$bin" ] || { echo "no agentbase binary at $bin" >&2; exit 2; }; done
[ -d "$root/tests/browser/node_modules/playwright-core" ] || npm ci --prefix "$root/tests/browser" --no-audit --no-fund >/dev/null

# tests/browser/lib.js reads its users from here; the bench needs only one.
export AGENTBASE_USER_A1="reader@bench.test:password-reader" AGENTBASE_USER_A2=unused:unused AGENTBASE_USER_B1=unused:unused

# The other build's server, seeded by measure.mjs without loading a page.
serve_init "$other" abconsole-other
serve_start
serve_add_user reader@bench.test "password-reader" bench-tenant owner
serve_export
export AGENTBASE_BROWSER_OUTPUT="$work/output"
PARTS=cold PAGES=none node "$here/measure.mjs" >/dev/null
other_url=$AGENTBASE_URL other_pid=$server_pid other_work=$work

# This build's server (serve_init replaces the exit trap: both are stopped).
serve_init "$this" abconsole-this
trap 'kill "$other_pid" 2>/dev/null; wait "$other_pid" 2>/dev/null; rm -rf "$other_work"; _serve_cleanup' EXIT
serve_start
serve_add_user reader@bench.test "password-reader" bench-tenant owner
serve_export
export AGENTBASE_BROWSER_OUTPUT="$work/output"
echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg); other build: $other"
COMPARE_URL=$other_url COMPARE_LABEL="other build" PARTS=cold node "$here/measure.mjs"
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
