#!/usr/bin/env bash
# Runs the web console end to end in Debian's chromium (playwright-core)
# against a real `agentbase serve` on a fresh embedded data directory, with
# users in two tenants; screenshots of every page go to the output directory
# (default build/browser-output; --update-docs also copies them to
# docs/screenshots for the README).
# Usage: tests/browser/run.sh path/to/agentbase [--update-docs]
# (BROWSER_TESTS=file.test.js runs only those files.)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
source "$here/../lib/serve.sh"
if [ ! -x "${CHROMIUM:-/usr/bin/chromium}" ]; then
  echo "chromium is not installed (scripts/install-deps.sh installs Debian's chromium)" >&2
  exit 1
fi
serve_node_modules "$here"
[ -d "$here/node_modules/playwright-core" ] || npm ci --prefix "$here" --no-audit --no-fund >/dev/null
serve_init "$1" abbrowser
serve_start

serve_add_user a1@tenant-a.test "password-a1" tenant-a owner
serve_add_user a2@tenant-a.test "password-a2" tenant-a member
serve_add_user b1@tenant-b.test "password-b1" tenant-b member
serve_export
export AGENTBASE_USER_A1="a1@tenant-a.test:password-a1"
export AGENTBASE_USER_A2="a2@tenant-a.test:password-a2"
export AGENTBASE_USER_B1="b1@tenant-b.test:password-b1"
export AGENTBASE_BROWSER_OUTPUT=${AGENTBASE_BROWSER_OUTPUT:-$repo/build/browser-output}
rm -rf "$AGENTBASE_BROWSER_OUTPUT"
mkdir -p "$AGENTBASE_BROWSER_OUTPUT"

status=0
# shellcheck disable=SC2086 # a list of files
(cd "$here" && node --test --test-concurrency=1 ${BROWSER_TESTS:-.}) || status=$?

serve_stop || status=1
if [ "$status" -eq 0 ] && [ "${2:-}" = "--update-docs" ]; then
  mkdir -p "$repo/docs/screenshots"
  cp "$AGENTBASE_BROWSER_OUTPUT"/*.png "$repo/docs/screenshots/"
fi
echo "screenshots: $AGENTBASE_BROWSER_OUTPUT"
exit $status
