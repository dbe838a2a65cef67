#pragma once
// `agentbase users add` and `agentbase token`: making sign-in users and
// minting tokens for scripts.
//
//   agentbase users add --email E --password P [--tenant SLUG] [--tenant-name NAME]
//                       [--role owner|admin|member] [--service]
//   agentbase token (--user EMAIL | --role anon|service_role) [--ttl SECONDS]
//
// Both work on the embedded default (the server's keys are read from, or
// created in, <data-dir>/keys) and on --db-url, where `token` needs the
// server's --jwt-secret / AGENTBASE_JWT_SECRET to sign with.

#include <CLI/CLI.hpp>
#include <string>

#include "app/global_options.hpp"
#include "app/key_options.hpp"

namespace agentbase::app {

// Adds the users and token subcommands to `app`; each sets `exit_code` when run.
void AddUserCommands(CLI::App& app, GlobalOptions& options, int& exit_code);

}  // namespace agentbase::app
