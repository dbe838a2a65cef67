#!/usr/bin/env bash
# Soak: `agentbase serve` at saturation for DURATION seconds (default 600)
# with a mix of reads (the conversation list), writes (a message append) and
# password sign-ins, from CLIENTS connections (default 16). Passes when no
# request failed (wrk: no socket errors, no non-2xx answers) and the server's
# RSS in the last minute stays within GROWTH_MIB (default 4) of the first
# minute after warm-up. Prints a summary; raw files stay in BENCH_OUT.
#
#   bench/soak/run.sh                 # 10 minutes
#   DURATION=60 bench/soak/run.sh     # a quick look
#
# The sign-in limits are switched off for the run (every request comes from
# one address and one account); everything else runs with the defaults.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
DURATION=${DURATION:-600}
CLIENTS=${CLIENTS:-16}
GROWTH_MIB=${GROWTH_MIB:-4}
BIN=${AGENTBASE_BIN:-$ROOT/build/agentbase}
SECRET=agentbase-soak-benchmark-secret-0123456789
OUT=${BENCH_OUT:-$(mktemp -d /tmp/agentbase-soak-XXXXXX)}
mkdir -p "$OUT"
command -v wrk >/dev/null || { echo "wrk not found (apt-get install wrk)" >&2; exit 1; }
[ -x "$BIN" ] || { echo "agentbase not found at $BIN" >&2; exit 1; }

source "$ROOT/scripts/lib/test-cluster.sh"
SERVER_PID=
SAMPLER=
cleanup() {
  local status=$?
  set +e
  [ -n "$SAMPLER" ] && kill "$SAMPLER" 2>/dev/null
  [ -n "$SERVER_PID" ] && kill -TERM "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null
  stop_test_cluster
  [ "$status" -ne 0 ] && echo "soak: FAILED (exit $status); raw files in $OUT" >&2
}
trap cleanup EXIT
start_test_cluster
DB="$TEST_PG_ADMIN_URL dbname=soak"
psql "$TEST_PG_ADMIN_URL" -qc "CREATE DATABASE soak"
"$BIN" db push --db-url "$DB" >/dev/null
"$BIN" users add --db-url "$DB" --email soak@tenant.test --password soak-password --tenant soak >/dev/null
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
"$BIN" serve --db-url "$DB" --api-db-url "$DB user=authenticator" --jwt-secret "$SECRET" --port "$PORT" \
  --sign-in-attempts-per-address 0 --sign-in-failures-per-account 0 --max-connections-per-address 0 \
  >"$OUT/serve.log" 2>&1 &
SERVER_PID=$!
URL=http://127.0.0.1:$PORT
ready=0
for _ in $(seq 300); do
  curl -sf "$URL/ready" >/dev/null 2>&1 && { ready=1; break; }
  kill -0 "$SERVER_PID" 2>/dev/null || break
  sleep 0.05
done
[ "$ready" = 1 ] || { echo "agentbase serve did not come up:" >&2; cat "$OUT/serve.log" >&2; exit 1; }
ANON=$("$BIN" token --db-url "$DB" --jwt-secret "$SECRET" --role anon)
SIGN_IN='{"email":"soak@tenant.test","password":"soak-password"}'
TOKEN=$(curl -sf "$URL/auth/v1/token?grant_type=password" -H "apikey: $ANON" -H 'Content-Type: application/json' \
  -d "$SIGN_IN" | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')
TENANT=$(psql "$DB" -Atc "SELECT tenant_id FROM public.profiles LIMIT 1")
USER_ID=$(psql "$DB" -Atc "SELECT id FROM public.profiles LIMIT 1")
CONVERSATION=$(curl -sf "$URL/rest/v1/conversations" -H "Authorization: Bearer $TOKEN" -H "apikey: $ANON" \
  -H 'Content-Type: application/json' -H 'Prefer: return=representation' \
  -d "{\"tenant_id\":\"$TENANT\",\"user_id\":\"$USER_ID\",\"title\":\"soak\"}" |
  python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["id"])')

cat >"$OUT/mix.lua" <<LUA
-- Reads, writes and sign-ins in turn (6 : 3 : 1).
local n = 0
local auth = { ["Authorization"] = "Bearer $TOKEN", ["apikey"] = "$ANON", ["Content-Type"] = "application/json" }
local anon = { ["apikey"] = "$ANON", ["Content-Type"] = "application/json" }
local message = '{"tenant_id":"$TENANT","conversation_id":"$CONVERSATION","role":"user","content":"soak message"}'
request = function()
  n = n + 1
  local k = n % 10
  if k < 6 then
    return wrk.format("GET", "/rest/v1/conversations?select=id,title,last_message_at&order=last_message_at.desc&limit=20", auth)
  elseif k < 9 then
    return wrk.format("POST", "/rest/v1/messages", auth, message)
  end
  return wrk.format("POST", "/auth/v1/token?grant_type=password", anon, '$SIGN_IN')
end
LUA

# RSS every 5 s, in KiB.
( while kill -0 "$SERVER_PID" 2>/dev/null; do
    awk '/VmRSS/ {print $2}' "/proc/$SERVER_PID/status" 2>/dev/null || true
    sleep 5
  done ) >"$OUT/rss.kib" &
SAMPLER=$!
wrk -t1 -c"$CLIENTS" -d"${DURATION}s" --latency -s "$OUT/mix.lua" "$URL" >"$OUT/wrk.txt" 2>&1 ||
  { echo "wrk failed:" >&2; cat "$OUT/wrk.txt" >&2; exit 1; }
kill "$SAMPLER" 2>/dev/null || true
SAMPLER=
kill -0 "$SERVER_PID" 2>/dev/null || { echo "agentbase serve died during the soak:" >&2; tail -n 30 "$OUT/serve.log" >&2; exit 1; }

python3 - "$OUT" "$GROWTH_MIB" "$DURATION" <<'PY'
import re, sys
out, growth_mib, duration = sys.argv[1], float(sys.argv[2]), int(sys.argv[3])
wrk = open(f"{out}/wrk.txt").read()
rss = [int(x) / 1024 for x in open(f"{out}/rss.kib").read().split()]
if len(rss) < 2:
    sys.exit(f"soak: FAILED: {len(rss)} RSS samples in {out}/rss.kib")
requests = int(re.search(r"(\d+) requests in", wrk).group(1))
non2xx = int(m.group(1)) if (m := re.search(r"Non-2xx or 3xx responses: (\d+)", wrk)) else 0
socket = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", wrk)
socket_errors = sum(int(x) for x in socket.groups()) if socket else 0
per_minute = 12  # samples
first = rss[per_minute:2 * per_minute] or rss[:per_minute]
last = rss[-per_minute:]
grew = max(last) - max(first)
print(f"duration {duration} s, {requests} requests ({requests / duration:.0f}/s), "
      f"non-2xx {non2xx}, socket errors {socket_errors}")
print(f"RSS MiB: start {rss[0]:.1f}, second minute max {max(first):.1f}, last minute max {max(last):.1f}, "
      f"peak {max(rss):.1f} (growth {grew:+.1f}, allowed {growth_mib})")
for line in wrk.splitlines():
    if re.match(r"\s+(50|99)%", line):
        print("latency", line.strip())
ok = non2xx == 0 and socket_errors == 0 and grew <= growth_mib
print("soak:", "passed" if ok else "FAILED")
sys.exit(0 if ok else 1)
PY
