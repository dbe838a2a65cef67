#pragma once
// The server's JWT keys, from configuration and (on the embedded default)
// from files it creates under the data directory:
//
//   <data-dir>/keys/jwt-secret        HS256 secret (Supabase's legacy JWT secret)
//   <data-dir>/keys/signing-key.pem   ES256 private key (PKCS#8) for access tokens
//
// Both are created on first use, mode 0600 in a 0700 directory, and never
// replaced: deleting them (and restarting) is how to rotate, which ends every
// session. A configured --jwt-secret takes the place of the file's secret.
//
// What comes out:
//  - the key access tokens are signed with: ES256 when there is one, else the
//    HS256 secret;
//  - a KeySet that verifies everything accepted: the ES256 key, the HS256
//    secret and any configured JWKS (keys of other issuers, or old keys);
//  - the public JWKS served at /auth/v1/.well-known/jwks.json (public halves
//    only; a secret is never published);
//  - the legacy anon and service_role API keys: HS256 JWTs
//    {"iss":"agentbase","role":...,"iat","exp"} signed with the secret, which
//    supabase-js sends as its apikey.

#include <boost/json/object.hpp>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "auth/jwk.hpp"
#include "util/result.hpp"

namespace agentbase::auth {

inline constexpr std::string_view kApiKeyIssuer = "agentbase";
// The legacy keys are valid this long after their iat (Supabase's are too).
inline constexpr std::int64_t kApiKeyLifetimeSeconds = 10LL * 31557600;  // ten Julian years
// iat of the legacy keys when the secret was configured rather than created
// here (2025-01-01T00:00:00Z), so one secret always yields the same keys.
inline constexpr std::int64_t kConfiguredSecretEpoch = 1735689600;

struct KeyStoreOptions {
  // --jwt-secret / AGENTBASE_JWT_SECRET: at least 32 characters.
  std::string jwt_secret;
  // --jwks / AGENTBASE_JWKS: a file path, or the JSON itself ({"keys":[...]}
  // or one JWK). For verifying tokens that other issuers signed.
  std::string jwks;
  // Where the server's own keys live (<data-dir>/keys on the embedded
  // default). Empty: none are read or created, so tokens are signed with
  // jwt_secret (HS256), and without it nothing can be signed.
  std::filesystem::path key_dir;
};

// Whether a --jwks setting is an http(s) URL (fetched, and refreshed while
// serving) rather than a file or inline JSON.
bool IsJwksUrl(std::string_view setting);
// A JWKS {"keys":[...]} or a single JWK; errors (code "config") name `source`.
Result<KeySet> ParseJwks(std::string_view text, const std::string& source);

class KeyStore {
 public:
  // Reads (or creates) the keys. Errors carry code "config" for bad settings
  // and "io" for files that cannot be read or written.
  static Result<KeyStore> Load(const KeyStoreOptions& options);

  // Built from keys at hand (tests). `api_keys_issued_at` is the legacy keys' iat.
  static Result<KeyStore> FromKeys(std::optional<SigningKey> es256, std::optional<std::string> secret,
                                   const KeySet& extra, std::int64_t api_keys_issued_at);

  // The key access tokens are signed with; an error (code "config") that says
  // what to configure when there is none.
  Result<SigningKey> AccessTokenKey() const;
  // The HS256 secret as a key; an error when none is configured.
  Result<SigningKey> SecretKey() const;
  bool HasSecret() const { return secret_key_.has_value(); }
  bool HasEs256() const { return es256_key_.has_value(); }

  // Everything a presented token may be verified with.
  const KeySet& Verification() const { return verification_; }
  // The document a --jwks URL answered at start-up (empty for a file or
  // inline JSON), so that a refresh can tell whether it changed.
  const std::string& FetchedJwks() const { return fetched_jwks_; }
  // Replaces the configured (--jwks) keys, keeping the server's own; for a
  // JWKS URL fetched again. On an error (a kid taken by another key) nothing
  // changes.
  Status ReplaceConfiguredKeys(const KeySet& configured);
  // {"keys":[...]}: the public keys of Verification().
  boost::json::object PublicJwks() const { return verification_.ToPublicJwks(); }

  // The legacy API keys ("" without a secret).
  const std::string& AnonKey() const { return anon_key_; }
  const std::string& ServiceRoleKey() const { return service_role_key_; }
  // A key of that role valid from `issued_at` for `ttl` seconds (for
  // `agentbase token --role ... --ttl`).
  Result<std::string> ApiKey(std::string_view role, std::int64_t issued_at, std::int64_t ttl) const;

 private:
  KeyStore() = default;

  std::optional<SigningKey> es256_key_;
  std::optional<SigningKey> secret_key_;
  KeySet own_;           // the public halves of the keys above
  KeySet verification_;  // own_ and the configured keys
  std::string fetched_jwks_;
  std::string anon_key_;
  std::string service_role_key_;
};

}  // namespace agentbase::auth
