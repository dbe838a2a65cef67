#!/usr/bin/env bash
# Installs the Debian bookworm packages agentbase needs to build, run and
# test. Safe to run again: it installs only what is missing.
set -euo pipefail

packages=(
  build-essential cmake pkg-config
  libpq-dev libssl-dev libcli11-dev libspdlog-dev libfmt-dev
  libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  postgresql-15 postgresql-15-pgtap libtap-parser-sourcehandler-pgtap-perl
  python3 curl
  clang-14 libfuzzer-14-dev
  clang-format clang-tidy
  # src/jsonschema: valijson (header-only) parses JSON Schemas; the official
  # JSON-Schema-Test-Suite is what its unit test checks the validator against.
  libvalijson-dev json-schema-test-suite
  chromium fonts-dejavu-core
)
# chromium (and a font for it): the web console's browser tests
# (tests/browser), driven by npm's playwright-core, which brings no browser
# of its own.
# The web console's build and the supabase-js tests need Node.js 20; the
# machine image has it. Debian's own nodejs is installed only where there is
# none.
command -v node >/dev/null 2>&1 || packages+=(nodejs npm)
if [ "${1:-}" = "--with-test-tools" ]; then
  packages+=(hyperfine sqitch)
fi

missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
echo "Installing: ${missing[*]}"
sudo_cmd=()
[ "$(id -u)" = 0 ] || sudo_cmd=(sudo)
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
