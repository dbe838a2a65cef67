#pragma once
// `agentbase serve`: the schema, then Supabase's API over it.

#include <CLI/CLI.hpp>
#include <string>

#include "app/db_commands.hpp"
#include "app/user_commands.hpp"

namespace agentbase::app {

struct ServeOptions {
  std::string host = "127.0.0.1";
  int port = 54321;
  std::string api_db_url;  // the API pool's connection; see --api-db-url
  size_t pool_size = 4;
  size_t pipeline_depth = 4;  // API transactions in flight per connection
  bool prepared_statements = true;
  bool sched_batch = true;  // see app/cpu_scheduling.hpp
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
  KeyOptions keys;
  std::string schema = "public";
  int drain_timeout_ms = 10000;
  std::string log_level = "info";
  bool demo = true;
};

void AddServeCommand(CLI::App& app, GlobalOptions& global, ServeOptions& options, int& exit_code);
int RunServe(const GlobalOptions& global, const ServeOptions& options);

}  // namespace agentbase::app
