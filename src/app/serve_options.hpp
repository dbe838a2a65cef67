#pragma once
// The options of `agentbase serve`, with their defaults, and their flags.

#include <CLI/CLI.hpp>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "app/key_options.hpp"

namespace agentbase::app {

struct ServeOptions {
  std::string host = "127.0.0.1";
  int port = 54321;
  std::string api_db_url;  // the API pool's connection; see --api-db-url
  size_t pool_size = 4;
  size_t pipeline_depth = 4;  // API transactions in flight per connection
  size_t pool_reserve = 2;    // connections kept for callers who stall none (db::PoolOptions::reserve)
  bool prepared_statements = true;
  bool sched_batch = true;   // see app/cpu_scheduling.hpp
  int jwks_refresh_s = 300;  // --jwks URL fetched again this often
  int pool_timeout_ms = 10000;
  size_t max_connections = 1024;
  size_t max_connections_per_address = 64;  // 0: no cap
  size_t body_limit = 1024 * 1024;
  int request_timeout_s = 30;
  int header_timeout_ms = 10000;
  int idle_timeout_ms = 60000;
  int statement_timeout_ms = 8000;
  int64_t max_rows = 1000;
  int64_t max_response_bytes = 16 * 1024 * 1024;
  std::vector<std::string> jwt_roles = {"anon", "authenticated", "service_role"};
  KeyOptions keys;
  std::string schema = "public";
  bool push = true;                 // bring the database up to agentbase's schema first
  bool aggregates_enabled = false;  // PostgREST's db-aggregates-enabled
  bool plan_enabled = false;        // PostgREST's db-plan-enabled
  int drain_timeout_ms = 10000;
  std::string log_level = "info";
  std::string log_format = "text";   // or json
  std::string auth_server = "auto";  // /auth/v1: auto (unless GoTrue is there), on, off
  bool access_log = false;
  std::string metrics_token;
  bool demo = true;
  // User memory: search_memories from an in-memory index where the
  // embedding column is real[] (no pgvector); the indexes' bytes at most.
  bool memory_index = true;
  size_t memory_index_bytes = size_t{1} << 30;
  // Expired memories are purged this often (0: never; `agentbase memory
  // purge` does it on demand).
  int memory_purge_interval_s = 600;
  int tool_call_retention_days = 90;
  // Embeddings of text (remember's value, search_memories' query_text):
  // "offline" (built in, lexical) or "openai" (any OpenAI-compatible
  // /embeddings endpoint).
  std::string embedder = "offline";
  std::string embedder_url = "https://api.openai.com/v1";
  std::string embedder_model = "text-embedding-3-small";
  std::string embedder_key;
  int embedder_timeout_ms = 10000;
  // /auth/v1 hardening (see auth/auth_api.hpp and auth/sign_in_limiter.hpp).
  int refresh_token_reuse_interval_s = 10;  // GoTrue's default
  int sign_in_attempts_per_address = 30;    // per sign_in_address_window_s; 0: no limit
  int sign_in_address_window_s = 300;
  int sign_in_failures_per_account = 10;  // per sign_in_account_window_s; 0: no limit
  int sign_in_account_window_s = 900;
  size_t sign_in_tracked = 100000;    // addresses, and accounts, the limits remember
  std::string client_address_header;  // behind a proxy, e.g. X-Forwarded-For
  // /realtime/v1's bounds per socket (realtime/options.hpp has the rest).
  size_t realtime_max_channels = 100;
  size_t realtime_max_messages_per_second = 200;
  size_t realtime_max_broadcasts_per_second = 100;
  size_t realtime_max_frame_bytes = 1024 * 1024;
  size_t realtime_max_queued_bytes = 4 * 1024 * 1024;
};

// Adds serve's flags (and their environment variables) to `serve`.
void AddServeOptions(CLI::App* serve, ServeOptions& options);

}  // namespace agentbase::app
