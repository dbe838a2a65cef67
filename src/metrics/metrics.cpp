#include "metrics/metrics.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <tuple>

#include "util/text.hpp"

namespace agentbase::metrics {

namespace {

// A method is the client's word: any it may send beyond the ones the API
// answers counts as "other", so no client can add series.
std::string_view MethodLabel(std::string_view method) {
  for (std::string_view known : {"GET", "HEAD", "POST", "PATCH", "PUT", "DELETE", "OPTIONS"}) {
    if (method == known) return known;
  }
  return "other";
}

// Error codes are ours, PostgREST's or SQLSTATEs, but a function may set any
// Proxy-Status: beyond this many distinct codes the rest count as "other".
constexpr size_t kMaxErrorCodes = 512;

void Header(std::string& out, std::string_view name, std::string_view type, std::string_view help) {
  out += fmt::format("# HELP {} {}\n# TYPE {} {}\n", name, help, name, type);
}

}  // namespace

void Registry::CountRequest(std::string_view route, std::string_view method, int status, double seconds) {
  // Found without building the key's strings: this runs on every request.
  auto key = std::make_tuple(route, MethodLabel(method), status);
  auto counted = requests_.find(key);
  if (counted == requests_.end()) {
    counted = requests_.emplace(std::make_tuple(std::string(route), std::string(std::get<1>(key)), status), 0).first;
  }
  ++counted->second;
  auto found = latency_.find(route);
  if (found == latency_.end()) found = latency_.emplace(std::string(route), Histogram{}).first;
  Histogram& histogram = found->second;
  ++histogram.count;
  histogram.sum += seconds;
  for (size_t i = 0; i < kBuckets.size(); ++i) {
    if (seconds <= kBuckets[i]) {
      ++histogram.buckets[i];
      break;
    }
  }
}

void Registry::CountError(std::string_view code) {
  if (!IsPlainToken(code, 32) || (errors_.size() >= kMaxErrorCodes && !errors_.contains(code))) code = "other";
  auto found = errors_.find(code);
  if (found == errors_.end()) found = errors_.emplace(std::string(code), 0).first;
  ++found->second;
}

std::string Registry::Render(const Gauges& gauges) const {
  std::string out;
  Header(out, "agentbase_http_requests_total", "counter", "HTTP requests answered, by route, method and status.");
  for (const auto& [key, count] : requests_) {
    const auto& [route, method, status] = key;
    out += fmt::format("agentbase_http_requests_total{{route=\"{}\",method=\"{}\",status=\"{}\"}} {}\n", route, method,
                       status, count);
  }
  Header(out, "agentbase_http_request_duration_seconds", "histogram",
         "Time from a request's arrival to its answer, by route.");
  for (const auto& [route, histogram] : latency_) {
    uint64_t cumulative = 0;
    for (size_t i = 0; i < kBuckets.size(); ++i) {
      cumulative += histogram.buckets[i];
      out += fmt::format("agentbase_http_request_duration_seconds_bucket{{route=\"{}\",le=\"{}\"}} {}\n", route,
                         kBuckets[i], cumulative);
    }
    out += fmt::format("agentbase_http_request_duration_seconds_bucket{{route=\"{}\",le=\"+Inf\"}} {}\n", route,
                       histogram.count);
    out += fmt::format("agentbase_http_request_duration_seconds_sum{{route=\"{}\"}} {}\n", route, histogram.sum);
    out += fmt::format("agentbase_http_request_duration_seconds_count{{route=\"{}\"}} {}\n", route, histogram.count);
  }
  Header(out, "agentbase_errors_total", "counter",
         "Error answers by code: PostgREST's, a SQLSTATE from the database, or agentbase's own (ABnnn).");
  for (const auto& [code, count] : errors_)
    out += fmt::format("agentbase_errors_total{{code=\"{}\"}} {}\n", code, count);
  auto gauge = [&](std::string_view name, std::string_view type, std::string_view help, auto value) {
    Header(out, name, type, help);
    out += fmt::format("{} {}\n", name, value);
  };
  gauge("agentbase_http_connections_open", "gauge", "Client connections open.", gauges.open_connections);
  gauge("agentbase_http_connections_idle", "gauge", "Client connections waiting for a request.",
        gauges.idle_connections);
  gauge("agentbase_db_pool_connections", "gauge", "API database connections open.", gauges.pool_open);
  gauge("agentbase_db_pool_busy", "gauge", "API database connections in use.", gauges.pool_busy);
  gauge("agentbase_db_pool_waiting", "gauge", "Requests waiting for a database connection.", gauges.pool_waiting);
  gauge("agentbase_db_pool_waits_total", "counter", "Requests that had to wait for a database connection.",
        gauges.pool_waits);
  gauge("agentbase_db_pool_timeouts_total", "counter", "Requests that waited in vain for a database connection.",
        gauges.pool_timeouts);
  gauge("process_resident_memory_bytes", "gauge", "Resident memory size in bytes.", gauges.resident_bytes);
  gauge("agentbase_memory_searches_total", "counter", "Memory searches answered from the in-memory index.",
        gauges.memory_searches);
  gauge("agentbase_memory_searches_passed_on_total", "counter", "Memory searches left to the SQL function.",
        gauges.memory_passed_on);
  gauge("agentbase_memory_index_reloads_total", "counter", "Users whose memories the index loaded whole.",
        gauges.memory_reloads);
  gauge("agentbase_memory_index_evictions_total", "counter",
        "Users dropped from the index to stay under --memory-index-bytes.", gauges.memory_evictions);
  gauge("agentbase_memory_index_bytes", "gauge", "Bytes the memory search index holds.", gauges.memory_index_bytes);
  gauge("agentbase_memory_index_users", "gauge", "Users the memory search index holds.", gauges.memory_index_users);
  gauge("agentbase_realtime_channels", "gauge", "Realtime channels joined, over all sockets.",
        gauges.realtime_channels);
  gauge("agentbase_realtime_changes_queued", "gauge", "Database changes waiting to be authorised and sent.",
        gauges.realtime_queued_changes);
  gauge("agentbase_realtime_changes_total", "counter", "Database changes received from the change feed.",
        gauges.realtime_changes);
  gauge("agentbase_realtime_changes_dropped_total", "counter",
        "Database changes dropped because too many were waiting.", gauges.realtime_changes_dropped);
  gauge("agentbase_realtime_changes_withheld_total", "counter",
        "Database changes sent to nobody because their authorisation failed.", gauges.realtime_changes_withheld);
  gauge("agentbase_realtime_change_messages_total", "counter", "postgres_changes messages sent to subscribers.",
        gauges.realtime_change_deliveries);
  gauge("agentbase_realtime_broadcast_messages_total", "counter", "Broadcast messages sent to channel members.",
        gauges.realtime_broadcast_deliveries);
  gauge("agentbase_realtime_presence_messages_total", "counter", "presence_diff messages sent to channel members.",
        gauges.realtime_presence_deliveries);
  gauge("agentbase_realtime_authorizer_queries_total", "counter",
        "Queries that decided which subscribers may see changes (one per batch of changes).",
        gauges.realtime_authorizer_queries);
  return out;
}

size_t ResidentSetBytes() {
  std::ifstream statm("/proc/self/statm");
  size_t total_pages = 0, resident_pages = 0;
  if (!(statm >> total_pages >> resident_pages)) return 0;
  return resident_pages * static_cast<size_t>(sysconf(_SC_PAGESIZE));
}

}  // namespace agentbase::metrics
