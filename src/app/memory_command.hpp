#pragma once
// `agentbase memory`: maintenance of user memory.
//
//   agentbase memory purge [--keep-log 1h]   deletes expired memories (and
//                                            prunes the index's change log)
//
// On the embedded default and on --db-url, as the database's owner.

#include <CLI/CLI.hpp>

#include "app/global_options.hpp"

namespace agentbase::app {

void AddMemoryCommand(CLI::App& app, GlobalOptions& options, int& exit_code);

}  // namespace agentbase::app
