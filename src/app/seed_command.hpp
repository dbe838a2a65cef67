#pragma once
// `agentbase seed`: data to try the platform with, or to measure it with.
//
//   agentbase seed --demo       the demo dataset (demo.hpp); idempotent
//   agentbase seed --scale N    N generated messages for benchmarks (scale_seed.hpp)
//
// Both work on the embedded default and on --db-url, on a database that
// `agentbase db push` has brought up to the schema.

#include <CLI/CLI.hpp>

#include "app/global_options.hpp"

namespace agentbase::app {

void AddSeedCommand(CLI::App& app, GlobalOptions& options, int& exit_code);

}  // namespace agentbase::app
