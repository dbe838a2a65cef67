#include "app/key_options.hpp"

namespace agentbase::app {

void AddKeyOptions(CLI::App* command, KeyOptions& keys) {
  command
      ->add_option("--jwt-secret", keys.jwt_secret,
                   "HS256 JWT secret (at least 32 characters), like Supabase's legacy JWT secret; on the embedded "
                   "default it replaces <data-dir>/keys/jwt-secret")
      ->envname("AGENTBASE_JWT_SECRET");
  command->add_option("--jwks", keys.jwks, "Further keys to accept tokens from: a JWKS or JWK file, or the JSON itself")
      ->envname("AGENTBASE_JWKS");
}

bool UsesEmbeddedDatabase(const TargetOptions& target) { return target.Url().empty(); }

auth::KeyStoreOptions KeyStoreOptionsFor(const GlobalOptions& options, const KeyOptions& keys) {
  auth::KeyStoreOptions store;
  store.jwt_secret = keys.jwt_secret;
  store.jwks = keys.jwks;
  if (UsesEmbeddedDatabase(options.target)) store.key_dir = options.target.embedded.data_dir / "keys";
  return store;
}

}  // namespace agentbase::app
