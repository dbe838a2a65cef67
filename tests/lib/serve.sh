# Source this file: `agentbase serve` on loopback, on a fresh embedded data
# directory, for the suites that talk to a real server (tests/js/run.sh,
# tests/attack/run.sh, bench/attack/run.sh).
#
#   serve_init BIN NAME       $bin (absolute), $work (/tmp/NAME-XXXXXX, removed
#                             on exit), $data ($work/data), $port (free), and an
#                             EXIT trap that stops the server
#   serve_start [option...]   `serve --data-dir --port --no-demo option...` in
#                             the background ($server_pid, log in $work/serve.log);
#                             returns once /auth/v1/health answers, or prints
#                             the log and fails if the server dies or 15 s pass
#   serve_add_user EMAIL PASSWORD TENANT ROLE
#   serve_export              exports AGENTBASE_URL, AGENTBASE_ANON_KEY,
#                             AGENTBASE_SERVICE_KEY and AGENTBASE_PSQL (the
#                             embedded database's owner, a libpq string)
#   serve_stop                SIGTERM; fails, with the log's tail, unless the
#                             server exits cleanly
#   serve_node_modules DIR    `npm ci` in DIR unless its supabase-js is there

serve_init() {
  bin=$(realpath "$1")
  work=$(mktemp -d "/tmp/$2-XXXXXX")
  # The embedded PostgreSQL runs as the postgres user when we are root.
  chmod 755 "$work"
  data="$work/data"
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
  server_pid=
  trap _serve_cleanup EXIT
}

_serve_cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
  rm -rf "$work"
}

serve_start() {
  "$bin" serve --data-dir "$data" --port "$port" --no-demo "$@" >"$work/serve.log" 2>&1 &
  server_pid=$!
  local _
  for _ in $(seq 1 300); do
    curl -sf "http://127.0.0.1:$port/auth/v1/health" >/dev/null 2>&1 && return 0
    kill -0 "$server_pid" 2>/dev/null || break
    sleep 0.05
  done
  echo "agentbase serve did not come up on port $port:" >&2
  cat "$work/serve.log" >&2
  return 1
}

serve_add_user() {
  "$bin" users add --data-dir "$data" --email "$1" --password "$2" --tenant "$3" --role "$4" >/dev/null
}

serve_export() {
  export AGENTBASE_URL="http://127.0.0.1:$port"
  export AGENTBASE_ANON_KEY AGENTBASE_SERVICE_KEY
  AGENTBASE_ANON_KEY=$("$bin" token --data-dir "$data" --role anon)
  AGENTBASE_SERVICE_KEY=$("$bin" token --data-dir "$data" --role service_role)
  export AGENTBASE_PSQL="host=$data/run port=5432 user=postgres dbname=postgres"
}

serve_stop() {
  kill -TERM "$server_pid"
  local status=0
  wait "$server_pid" || status=$?
  server_pid=
  if [ "$status" -ne 0 ]; then
    echo "agentbase serve did not exit cleanly on SIGTERM (status $status)" >&2
    tail -n 30 "$work/serve.log" >&2
    return 1
  fi
}

serve_node_modules() {
  [ -d "$1/node_modules/@supabase/supabase-js" ] || npm ci --prefix "$1" --no-audit --no-fund >/dev/null
}
