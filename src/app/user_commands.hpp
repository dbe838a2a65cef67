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

#include "app/db_commands.hpp"
#include "auth/key_store.hpp"

namespace agentbase::app {

// How the server's JWT keys are configured (for `token` here, and for the
// server command).
struct KeyOptions {
  std::string jwt_secret;  // --jwt-secret / AGENTBASE_JWT_SECRET
  std::string jwks;        // --jwks / AGENTBASE_JWKS: a path, or inline JSON
};

// Adds --jwt-secret and --jwks (with their environment variables) to `command`.
void AddKeyOptions(CLI::App* command, KeyOptions& keys);

// Whether the global options select the embedded default (no --db-url and no
// DATABASE_URL), as DatabaseTarget::Open decides.
bool UsesEmbeddedDatabase(const TargetOptions& target);

// The KeyStore settings for that database: on the embedded default the keys
// live in <data-dir>/keys; on --db-url only what is configured counts.
auth::KeyStoreOptions KeyStoreOptionsFor(const GlobalOptions& options, const KeyOptions& keys);

// Adds the users and token subcommands to `app`; each sets `exit_code` when run.
void AddUserCommands(CLI::App& app, GlobalOptions& options, int& exit_code);

}  // namespace agentbase::app
