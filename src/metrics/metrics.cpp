#include "metrics/metrics.hpp"

#include <unistd.h>

#include <fmt/format.h>

#include <fstream>

namespace agentbase::metrics {

namespace {

// Label values are ours (route classes, methods, codes), but a method is the
// client's word: anything outside a token's characters is replaced.
std::string LabelValue(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    bool plain = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-' ||
                 c == '.';
    out += plain ? c : '_';
  }
  return out.substr(0, 32);
}

void Header(std::string& out, std::string_view name, std::string_view type, std::string_view help) {
  out += fmt::format("# HELP {} {}\n# TYPE {} {}\n", name, help, name, type);
}

}  // namespace

void Registry::CountRequest(std::string_view route, std::string_view method, int status, double seconds) {
  ++requests_[{std::string(route), LabelValue(method), status}];
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
  auto found = errors_.find(code);
  if (found == errors_.end()) found = errors_.emplace(LabelValue(code), 0).first;
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
  for (const auto& [code, count] : errors_) out += fmt::format("agentbase_errors_total{{code=\"{}\"}} {}\n", code, count);
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
  return out;
}

size_t ResidentSetBytes() {
  std::ifstream statm("/proc/self/statm");
  size_t total_pages = 0, resident_pages = 0;
  if (!(statm >> total_pages >> resident_pages)) return 0;
  return resident_pages * static_cast<size_t>(sysconf(_SC_PAGESIZE));
}

}  // namespace agentbase::metrics
