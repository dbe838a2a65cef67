#pragma once
// What `agentbase serve` exposes at /metrics, in Prometheus' text format
// (version 0.0.4): requests by route, method and status, their latency,
// errors by code, and gauges read at scrape time (connections, the pool,
// resident memory, the memory index, realtime).
//
// Updated and read on the server's one event-loop thread only, so plain
// integers serve; every label comes from a small fixed set (routes are
// classes, not paths; codes are PostgREST's and SQLSTATEs), so no client can
// grow the series without bound.

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <tuple>

namespace agentbase::metrics {

// Values read when scraped.
struct Gauges {
  size_t open_connections = 0;  // client connections
  size_t idle_connections = 0;  // of those, waiting for a request
  size_t pool_open = 0;         // API database connections
  size_t pool_busy = 0;
  size_t pool_waiting = 0;     // requests waiting for a connection now
  uint64_t pool_waits = 0;     // requests that had to wait, ever
  uint64_t pool_timeouts = 0;  // of those, given up (504)
  size_t resident_bytes = 0;
  // User memory's in-memory search index (src/memory).
  uint64_t memory_searches = 0;   // answered from the index
  uint64_t memory_passed_on = 0;  // left to the SQL function
  uint64_t memory_reloads = 0;    // users loaded whole
  uint64_t memory_evictions = 0;  // users dropped to stay under the budget
  size_t memory_index_bytes = 0;  // held now
  size_t memory_index_users = 0;
  // Realtime (src/realtime, src/changes).
  size_t realtime_channels = 0;        // channels joined now, all sockets
  size_t realtime_queued_changes = 0;  // waiting to be judged and sent
  uint64_t realtime_changes = 0;       // received from the change feed
  uint64_t realtime_changes_dropped = 0;
  uint64_t realtime_changes_withheld = 0;
  uint64_t realtime_change_deliveries = 0;
  uint64_t realtime_broadcast_deliveries = 0;
  uint64_t realtime_presence_deliveries = 0;
  uint64_t realtime_authorizer_queries = 0;
};

class Registry {
 public:
  // Upper bounds of the latency buckets, in seconds.
  static constexpr std::array<double, 14> kBuckets = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                                      0.1,    0.25,  0.5,    1,     2.5,  5,     10};

  void CountRequest(std::string_view route, std::string_view method, int status, double seconds);
  // `code`: a PostgREST code, a SQLSTATE or one of ours (ABnnn).
  void CountError(std::string_view code);
  std::string Render(const Gauges& gauges) const;

 private:
  struct Histogram {
    std::array<uint64_t, kBuckets.size()> buckets{};  // not cumulative; Render adds them up
    uint64_t count = 0;
    double sum = 0;
  };
  std::map<std::tuple<std::string, std::string, int>, uint64_t, std::less<>> requests_;  // route, method, status
  std::map<std::string, Histogram, std::less<>> latency_;                                // by route
  std::map<std::string, uint64_t, std::less<>> errors_;
};

// This process's resident set size, from /proc/self/statm (0 if unreadable).
size_t ResidentSetBytes();

}  // namespace agentbase::metrics
