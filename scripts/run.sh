#!/usr/bin/env bash
# The main job on the embedded default, from a fresh Debian bookworm
# machine: installs what is missing, builds agentbase, brings the embedded
# PostgreSQL (created under ./agentbase-data on first use) up to the schema,
# and prints the verification. Extra arguments go to `agentbase db push`,
# e.g. --db-url postgresql://... to target another database.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc)" --target agentbase

./build/agentbase db push "$@"
./build/agentbase db verify "$@"
