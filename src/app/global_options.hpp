#pragma once
// The options every command takes (which database, the embedded server's
// settings, the embedding dimensions) and the flags the db commands share.

#include <CLI/CLI.hpp>
#include <string>

#include "app/database_target.hpp"

namespace agentbase::app {

struct GlobalOptions {
  TargetOptions target;
  int embedding_dimensions = 1536;
  bool json = false;
  // Per-command flags.
  bool check = false;
  int lock_timeout_ms = 10000;
  std::string output;
};

// Adds --db-url, --data-dir, --pg-bin, --pg-user and --embedding-dimensions
// (with their environment variables) to `app`.
void AddGlobalOptions(CLI::App& app, GlobalOptions& options);

}  // namespace agentbase::app
