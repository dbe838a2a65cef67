// JWT verification: auth::Verify of the token text a client sends in
// Authorization: Bearer, against a fixed key set like a server configured
// with an HS256 secret and a JWKS of an EC (ES256) and an RSA (RS256) key.
//
// Properties: no crash, exception or leak; a refusal is a value with
// PGRST301 (cannot decode / bad signature) or PGRST303 (claims) and a
// message; an accepted token's claims_text is its claims serialized, its
// role is the role claim, and its algorithm is one of the keys'.
//
// Input, either of:
//  - the token text. The seeds are real tokens signed with the keys under
//    tests/fuzz/keys (tools/make_jwt_seeds.cpp), so mutations start from
//    signatures that check out;
//  - "<header JSON>\n<claims JSON>" (starting with '{'): the target signs it
//    with the HS256 secret, so mutated headers and claims still carry a good
//    signature and reach the header and claim checks behind it, which a
//    mutated token almost never passes.

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "auth/jwk.hpp"
#include "auth/jwt.hpp"
#include "fuzz_check.hpp"
#include "util/base64url.hpp"

using namespace agentbase;

namespace {

// The same secret and public keys as tools/make_jwt_seeds.cpp used (test keys only).
constexpr std::string_view kSecret = "fuzzing-secret-of-at-least-32-bytes!!";
constexpr std::string_view kEcJwk =
    R"({"kty":"EC","kid":"fuzz-ec","use":"sig","alg":"ES256","crv":"P-256",)"
    R"("x":"GH-f8eFlF2xe8lKQzYximFvptzx_Kxts0faBvhS8OBE","y":"BwKeeR2HHLIsWYrU_vEB0OPEiSVqVMRZtc12gL6FxyQ"})";
constexpr std::string_view kRsaJwk =
    R"({"kty":"RSA","kid":"fuzz-rsa","use":"sig","alg":"RS256","e":"AQAB","n":"wJt0-YLGebnHye5XhzMkjNbFGxa56brwU3gKI8fcqpIKIMyZitIJWPu3Vx9DUM5G_4GhoyiVRvkjScETtEpXwmg7m8dSmP-dCqKErbZawUbS4vvuoVjqvGx5YuALiCmJo6Pq7IP6y-JggW666iQvxlmA5DwpQBKb6nXZEO75VGhEceTOUg-9HGrPftg4lqVYNFzVYaNH23H_5dLd_dJbQZK3727Su6_oN3XQbVlSk_Go6v6xLyTseRpNJ9uk5Nv8yshraNGao8eUj3ZREVORULod9C3fCrK0ISbAdAnZwUJw5nanaDaqSNU47TI2_Plb1dmBrjg2kwJVA2vOVdYwBw"})";
// The seeds' tokens were made for this moment, so they never expire.
constexpr std::int64_t kNow = 1'800'000'000;

auth::KeySet MakeKeySet() {
  auth::KeySet keys;
  auto add = [&](Result<auth::VerificationKey> key) {
    if (!key) fuzz::PropertyViolated("a fixed test key does not load", key.error().message);
    if (auto added = keys.Add(*key); !added)
      fuzz::PropertyViolated("a fixed test key was refused", added.error().message);
  };
  add(auth::VerificationKey::FromSecret(std::string(kSecret)));
  add(auth::VerificationKey::FromJwk(boost::json::parse(kEcJwk).as_object()));
  add(auth::VerificationKey::FromJwk(boost::json::parse(kRsaJwk).as_object()));
  return keys;
}

const auth::KeySet& Keys() {
  static const auth::KeySet keys = MakeKeySet();
  return keys;
}

// header.claims.signature with the HS256 secret, whatever the two texts hold.
std::string SignWithSecret(std::string_view header, std::string_view claims) {
  std::string signing_input = Base64UrlEncode(header) + "." + Base64UrlEncode(claims);
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int mac_size = 0;
  HMAC(EVP_sha256(), kSecret.data(), static_cast<int>(kSecret.size()),
       reinterpret_cast<const unsigned char*>(signing_input.data()), signing_input.size(), mac, &mac_size);
  return signing_input + "." + Base64UrlEncode(std::string_view(reinterpret_cast<const char*>(mac), mac_size));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  std::string signed_token;
  std::string_view token = input;
  if (size_t newline = input.find('\n'); input.starts_with('{') && newline != std::string_view::npos) {
    signed_token = SignWithSecret(input.substr(0, newline), input.substr(newline + 1));
    token = signed_token;
  }
  auth::VerifyOptions options;
  options.now = kNow;
  // Half the inputs check the audience, as a server with jwt-aud set does.
  if (size % 2 == 0) options.audience = "authenticated";

  auto verified = auth::Verify(token, Keys(), options);
  if (!verified) {
    const Error& error = verified.error();
    fuzz::Require(error.code == auth::kJwtDecodeErrorCode || error.code == auth::kJwtClaimsErrorCode,
                  "a JWT refusal without PGRST301/PGRST303", error.code + ": " + error.message);
    fuzz::Require(!error.message.empty(), "a JWT refusal without a message", error.code);
    fuzz::Trace("refused", error.code + " " + error.message);
    return 0;
  }
  fuzz::Trace("accepted", verified->claims_text);
  fuzz::Require(boost::json::serialize(verified->claims) == verified->claims_text,
                "claims_text is not the claims serialized", verified->claims_text);
  if (const auto* role = verified->claims.if_contains("role"); role != nullptr && role->is_string()) {
    fuzz::Require(verified->role == std::string_view(role->as_string()), "role is not the role claim", verified->role);
  }
  bool known = false;
  for (const auto& key : Keys().keys()) known = known || key.alg() == verified->alg;
  fuzz::Require(known, "verified with an algorithm no key has");
  return 0;
}
