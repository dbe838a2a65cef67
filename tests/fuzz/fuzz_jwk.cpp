// Key parsing: a JWK, a JWKS or PostgREST's jwt-secret text, as
// VerificationKey::FromJwk, KeySet::FromJwkOrJwks and KeySet::FromConfig
// read them (the server reads such text from its configuration and from a
// JWKS URL it refreshes, so it is not always under the operator's control).
//
// Properties: no crash, exception or leak (OpenSSL objects are freed on
// every error path); errors are values with code "jwt-key" and a message;
// a key that loads survives a round trip through its public JWK with the
// same algorithm, kid and thumbprint.
//
// Input: the text (JSON for the first two).

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "auth/jwk.hpp"
#include "fuzz_check.hpp"

using namespace agentbase;

namespace {

void RequireKeyError(const Error& error, std::string_view stage) {
  fuzz::Require(error.code == "jwt-key" && !error.message.empty(), "a key error without code jwt-key or a message",
                std::string(stage) + ": '" + error.code + "' " + error.message);
}

void CheckRoundTrip(const auth::VerificationKey& key) {
  if (key.is_hmac()) {
    fuzz::Require(!key.ToPublicJwk(), "an HS256 secret was published as a JWK");
    return;
  }
  auto jwk = key.ToPublicJwk();
  fuzz::Require(jwk.ok(), "a loaded key has no public JWK", jwk ? "" : jwk.error().message);
  auto again = auth::VerificationKey::FromJwk(*jwk);
  fuzz::Require(again.ok(), "a key's own public JWK does not load", again ? "" : again.error().message);
  fuzz::Require(again->alg() == key.alg() && again->kid() == key.kid(), "the round trip changed alg or kid");
  auto first = key.Thumbprint();
  auto second = again->Thumbprint();
  fuzz::Require(first.ok() && second.ok() && *first == *second, "the round trip changed the thumbprint");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);

  auto config = auth::KeySet::FromConfig(text);
  if (!config) RequireKeyError(config.error(), "KeySet::FromConfig");

  boost::system::error_code ec;
  boost::json::value document = boost::json::parse(text, ec);
  if (ec || !document.is_object()) return 0;
  const boost::json::object& object = document.as_object();

  auto key = auth::VerificationKey::FromJwk(object);
  if (key)
    CheckRoundTrip(*key);
  else
    RequireKeyError(key.error(), "VerificationKey::FromJwk");

  auto keys = auth::KeySet::FromJwkOrJwks(object);
  if (keys) {
    for (const auto& each : keys->keys()) CheckRoundTrip(each);
    (void)keys->ToPublicJwks();
  } else {
    RequireKeyError(keys.error(), "KeySet::FromJwkOrJwks");
  }
  return 0;
}
