#pragma once
// Keys for signing and verifying JWTs: HS256 shared secrets, RS256 (RSA of at
// least 2048 bits) and ES256 (P-256) keys, built from a secret, a JWK, a JWKS
// or PEM. Each key is pinned to exactly one algorithm, so a token can only be
// checked the way its key was meant to be used (no HS256 with an RSA public
// key as the secret). Keys are immutable; copies share the OpenSSL object.

#include <openssl/types.h>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/result.hpp"

namespace agentbase::auth {

enum class Algorithm { kHs256, kRs256, kEs256 };

// "HS256", "RS256" or "ES256".
std::string_view AlgorithmName(Algorithm alg);
// Exact, case-sensitive match of one of the three names (as RFC 7518 spells them).
std::optional<Algorithm> AlgorithmFromName(std::string_view name);

// The smallest HS256 secret accepted, in bytes (RFC 7518 3.2: at least the hash size).
inline constexpr std::size_t kMinHmacSecretBytes = 32;
inline constexpr int kMinRsaBits = 2048;

namespace detail {
struct KeyMaterial;
}

// A key that can check signatures: an HMAC secret or a public (or private) key.
class VerificationKey {
 public:
  // HS256 with these bytes as the secret (at least 32 of them).
  static Result<VerificationKey> FromSecret(std::string secret, std::string kid = {});
  // One JWK object: kty RSA (n, e), EC (crv P-256, x, y) or oct (k). An "alg"
  // member, when present, must name the algorithm the key type implies; a
  // "use" other than "sig" is refused. Private members are ignored.
  static Result<VerificationKey> FromJwk(const boost::json::object& jwk);
  // A PEM "PUBLIC KEY" (SubjectPublicKeyInfo); an empty kid becomes the RFC 7638 thumbprint.
  static Result<VerificationKey> FromPublicKeyPem(std::string_view pem, std::string kid = {});

  Algorithm alg() const;
  const std::string& kid() const;
  bool is_hmac() const;
  // HS256 only: the secret bytes.
  const std::string& secret() const;
  // RS256/ES256 only: the key (never null for them).
  EVP_PKEY* pkey() const;

  // The public JWK {"kty","kid","use":"sig","alg", "n","e" | "crv","x","y"};
  // kid is left out when empty. An error for HMAC keys: secrets are never published.
  Result<boost::json::object> ToPublicJwk() const;
  // PEM "PUBLIC KEY"; an error for HMAC keys.
  Result<std::string> ToPublicKeyPem() const;
  // RFC 7638 JWK thumbprint (SHA-256, base64url); an error for HMAC keys.
  Result<std::string> Thumbprint() const;

 private:
  friend class SigningKey;
  explicit VerificationKey(std::shared_ptr<const detail::KeyMaterial> material);
  std::shared_ptr<const detail::KeyMaterial> material_;
};

// A key that can sign: an HMAC secret or a private key.
class SigningKey {
 public:
  static Result<SigningKey> FromSecret(std::string secret, std::string kid = {});
  // A PEM private key (PKCS#8 "PRIVATE KEY", or the traditional RSA/EC forms);
  // encrypted PEM is refused rather than prompting for a passphrase. An empty
  // kid becomes the RFC 7638 thumbprint of the public key.
  static Result<SigningKey> FromPrivateKeyPem(std::string_view pem, std::string kid = {});
  // A fresh P-256 key pair: the server's own signing key.
  static Result<SigningKey> GenerateEs256(std::string kid = {});
  static Result<SigningKey> GenerateRs256(int bits = kMinRsaBits, std::string kid = {});

  Algorithm alg() const;
  const std::string& kid() const;
  bool is_hmac() const;
  const std::string& secret() const;
  EVP_PKEY* pkey() const;

  // The key that verifies this key's signatures (the same secret for HS256).
  VerificationKey PublicKey() const;
  // Unencrypted PKCS#8 PEM; an error for HMAC keys.
  Result<std::string> ToPrivateKeyPem() const;

 private:
  explicit SigningKey(std::shared_ptr<const detail::KeyMaterial> material);
  std::shared_ptr<const detail::KeyMaterial> material_;
};

// The keys a token may be verified with. Non-empty kids are unique.
class KeySet {
 public:
  KeySet() = default;

  // PostgREST's jwt-secret: a JWKS {"keys":[...]}, a single JWK, or else a
  // plain HS256 secret of at least 32 characters.
  static Result<KeySet> FromConfig(std::string_view text);
  // {"keys":[...]}. Keys whose "use" is not "sig" are skipped; any other key
  // that cannot be used is an error (a weak or unknown key should not pass unseen).
  static Result<KeySet> FromJwks(const boost::json::value& jwks);
  // A JWKS {"keys":[...]} or a single JWK.
  static Result<KeySet> FromJwkOrJwks(const boost::json::object& document);

  // Errors when a key with the same non-empty kid is already present.
  Status Add(VerificationKey key);

  const std::vector<VerificationKey>& keys() const { return keys_; }
  bool empty() const { return keys_.empty(); }
  std::size_t size() const { return keys_.size(); }

  // {"keys":[...]} with the public keys; HMAC keys are left out.
  boost::json::object ToPublicJwks() const;

 private:
  std::vector<VerificationKey> keys_;
};

}  // namespace agentbase::auth
