-- wrk script for bench/rest/run.sh: the supabase-js style requests.
--   BENCH_MODE=list      GET BENCH_PATH (run.sh's READ_PATH: the 20 newest conversations)
--   BENCH_MODE=junction  GET BENCH_PATH (tags embedded through a junction table)
--   BENCH_MODE=function  GET BENCH_PATH (a RETURNS TABLE function, /rest/v1/rpc/...)
--   BENCH_MODE=insert    POST /rest/v1/messages, one JSON body per request, taken
--                        round-robin from the lines of BENCH_BODIES_FILE
-- BENCH_TOKEN is the user's access token (Authorization: Bearer).
-- No response() callback on purpose: it would make wrk parse every response
-- in Lua and cost client CPU on a shared machine. Non-2xx answers are counted
-- by wrk itself (summary.errors.status, every status >= 400).
local mode = os.getenv("BENCH_MODE") or "list"
local token = os.getenv("BENCH_TOKEN")
assert(token, "BENCH_TOKEN is not set")

wrk.headers["Authorization"] = "Bearer " .. token

if mode == "list" or mode == "junction" or mode == "function" then
  local path = os.getenv("BENCH_PATH") or ""
  assert(path ~= "", "BENCH_PATH is not set")
  wrk.method = "GET"
  wrk.path = path
elseif mode == "insert" then
  local path = assert(os.getenv("BENCH_BODIES_FILE"), "BENCH_BODIES_FILE is not set")
  local file = assert(io.open(path, "r"))
  local bodies = {}
  for line in file:lines() do
    if #line > 0 then bodies[#bodies + 1] = line end
  end
  file:close()
  assert(#bodies > 0, "no request bodies")
  wrk.method = "POST"
  wrk.path = "/rest/v1/messages"
  wrk.headers["Content-Type"] = "application/json"
  local requests = {}
  for i, body in ipairs(bodies) do
    requests[i] = wrk.format("POST", "/rest/v1/messages", nil, body)
  end
  local next_index = 0
  request = function()
    next_index = next_index % #requests + 1
    return requests[next_index]
  end
else
  error("BENCH_MODE must be list, insert, junction or function")
end

-- wrk 4 "corrects" its latency histogram for coordinated omission before
-- done() sees it (stats_correct in wrk.c): every latency n of at least twice
-- the mean interval e (= duration / (requests / connections)) also adds
-- synthetic samples at n - e, n - 2e, ... down to just above e. pgbench
-- reports plain per-transaction latencies, so to compare like with like this
-- undoes that step (exactly: the additions only ever land below the sample
-- that caused them) and reports the recorded latencies. The number of
-- recovered samples must equal the number of requests, which is checked.
-- BENCH_CONNECTIONS must be wrk's -c.
local function raw_latencies(summary, latency)
  local connections = tonumber(os.getenv("BENCH_CONNECTIONS") or "")
  assert(connections, "BENCH_CONNECTIONS is not set")
  local values, counts = {}, {}
  for i = 1, #latency do
    local value, count = latency(i)
    values[i], counts[value] = value, count
  end
  local per_connection = math.floor(summary.requests / connections)
  if per_connection > 0 then
    local e = math.floor(summary.duration / per_connection)
    local added = {}
    for i = #values, 1, -1 do  -- from the largest value down
      local n = values[i]
      local original = counts[n] - (added[n] or 0)
      counts[n] = original
      if n >= 2 * e and original > 0 then
        local m = n - e
        while m > e do
          added[m] = (added[m] or 0) + original
          m = m - e
        end
      end
    end
  end
  local total = 0
  for _, n in ipairs(values) do total = total + counts[n] end
  local function percentile(p)
    local rank = math.max(1, math.ceil(p / 100 * total))
    local seen = 0
    for _, n in ipairs(values) do
      seen = seen + counts[n]
      if seen >= rank then return n end
    end
    return values[#values] or 0
  end
  local max, sum = 0, 0
  for _, n in ipairs(values) do
    if counts[n] > 0 then max = n end
    sum = sum + n * counts[n]
  end
  return {count = total, p50 = percentile(50), p90 = percentile(90), p99 = percentile(99), max = max,
          mean = total > 0 and sum / total or 0}
end

-- One machine-readable line for summarize.py: p50_us.. are the recorded
-- latencies, wrk_p50_us.. wrk's corrected ones.
done = function(summary, latency, requests)
  local e = summary.errors
  local raw = raw_latencies(summary, latency)
  io.write(string.format(
    'WRKJSON {"requests":%d,"duration_us":%d,"bytes":%d,"connect_errors":%d,"read_errors":%d,' ..
    '"write_errors":%d,"status_errors":%d,"timeouts":%d,"latency_samples":%d,"p50_us":%d,"p90_us":%d,' ..
    '"p99_us":%d,"max_us":%d,"mean_us":%.1f,"wrk_p50_us":%d,"wrk_p90_us":%d,"wrk_p99_us":%d,"wrk_mean_us":%.1f}\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status, e.timeout,
    raw.count, raw.p50, raw.p90, raw.p99, raw.max, raw.mean,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.mean))
end
