#!/usr/bin/env bash
# The main job on the embedded default, from a fresh Debian bookworm
# machine: installs what is missing, builds agentbase, brings the embedded
# PostgreSQL (created under ./agentbase-data on first use) up to the schema,
# prints the seed's verification, fills a new embedded database with the demo
# data (`agentbase seed --demo`: two tenants whose users can sign in at once),
# and serves the API on 127.0.0.1:54321 until Ctrl-C. Extra arguments go to
# `agentbase serve` (e.g. --port 8000).
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc)" --target agentbase

# A new embedded database gets the demo data; an existing one, or a database
# named by DATABASE_URL, is left as it is.
data_dir="${AGENTBASE_DATA_DIR:-agentbase-data}"
new_database=0
if [ -z "${DATABASE_URL:-}" ] && [ ! -e "$data_dir" ]; then new_database=1; fi

./build/agentbase db push
./build/agentbase db verify
if [ "$new_database" = 1 ]; then ./build/agentbase seed --demo; fi
exec ./build/agentbase serve "$@"
