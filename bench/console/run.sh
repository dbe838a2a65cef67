#!/usr/bin/env bash
# The web console's speed (issue 13): the initial download (compressed), the
# first render with a cold cache, frame timings while scrolling a
# 1,000-message conversation and a 1,000-conversation list, and while panning
# and zooming an org chart of 1,000 roles and 2,000 agents, in Debian's
# chromium (playwright-core from tests/browser). Starts `agentbase serve` on a
# fresh embedded data directory with one user, whose data measure.mjs writes
# through the API with the service key. docs/benchmarks.md, "Web console
# (issue 13)", records what it showed.
#
# Usage: bench/console/run.sh [path/to/agentbase]
# Settings (environment): RUNS (10 cold loads per page), PARTS (cold,scroll,org:
#   which measurements), PAGES (/,/chat,/memory,/agents,/org: which cold loads),
#   WATERFALL=1 (each cold load's files and API calls, and its long tasks).
#   TRACE=directory (the last cold load of each page traced there, for DevTools).
# compare.sh loads two builds' pages in turn, load by load.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
source "$root/tests/lib/serve.sh"
bin=${1:-$root/build/agentbase}
[ -x "$bin" ] || { echo "no agentbase binary at $bin (build it first)" >&2; exit 2; }
[ -d "$root/tests/browser/node_modules/playwright-core" ] || npm ci --prefix "$root/tests/browser" --no-audit --no-fund >/dev/null

serve_init "$bin" abconsole-bench
serve_start
serve_add_user reader@bench.test "password-reader" bench-tenant owner
serve_export
# tests/browser/lib.js reads its users from here; the bench needs only one.
export AGENTBASE_USER_A1="reader@bench.test:password-reader" AGENTBASE_USER_A2=unused:unused AGENTBASE_USER_B1=unused:unused
export AGENTBASE_BROWSER_OUTPUT="$work/output"
echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
node "$here/measure.mjs"
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
serve_stop
