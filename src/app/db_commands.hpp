#pragma once
// `agentbase db ...`: plan, push, verify, status, sql.

#include <CLI/CLI.hpp>

#include "app/global_options.hpp"

namespace agentbase::app {

// Adds the db subcommands to `app`; each sets `exit_code` when run.
void AddDbCommands(CLI::App& app, GlobalOptions& options, int& exit_code);

}  // namespace agentbase::app
