#pragma once
// `agentbase db ...`: plan, push, verify, status, sql.

#include <CLI/CLI.hpp>

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

// Adds the db subcommands to `app`; each sets `exit_code` when run.
void AddDbCommands(CLI::App& app, GlobalOptions& options, int& exit_code);

}  // namespace agentbase::app
