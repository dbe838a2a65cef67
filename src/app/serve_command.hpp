#pragma once
// `agentbase serve`: the schema, then Supabase's API over it.

#include <CLI/CLI.hpp>

#include "app/global_options.hpp"
#include "app/serve_options.hpp"

namespace agentbase::app {

void AddServeCommand(CLI::App& app, GlobalOptions& global, ServeOptions& options, int& exit_code);
int RunServe(const GlobalOptions& global, const ServeOptions& options);

}  // namespace agentbase::app
