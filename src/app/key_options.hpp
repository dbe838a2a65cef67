#pragma once
// How the server's JWT keys are configured (--jwt-secret, --jwks), for
// `agentbase serve` and `agentbase token`, and where they are kept.

#include <CLI/CLI.hpp>
#include <string>

#include "app/global_options.hpp"
#include "auth/key_store.hpp"

namespace agentbase::app {

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

}  // namespace agentbase::app
