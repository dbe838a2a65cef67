#!/usr/bin/env bash
# The main job on the embedded default, from a fresh Debian bookworm
# machine: installs what is missing, builds agentbase, brings the embedded
# PostgreSQL (created under ./agentbase-data on first use) up to the schema,
# prints the seed's verification, and serves the API on 127.0.0.1:54321
# until Ctrl-C. Extra arguments go to `agentbase serve` (e.g. --port 8000).
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc)" --target agentbase

./build/agentbase db push
./build/agentbase db verify
exec ./build/agentbase serve "$@"
