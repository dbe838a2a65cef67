#include "auth/jwt.hpp"

#include <gtest/gtest.h>
#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>

#include <boost/json/serialize.hpp>
#include <limits>
#include <random>

#include "jwt_test_support.hpp"

namespace agentbase::auth {
namespace {

using namespace test;  // NOLINT: the vectors and helpers are the vocabulary here

VerifyOptions At(std::int64_t now) {
  VerifyOptions options;
  options.now = now;
  return options;
}

void ExpectError(const Result<VerifiedToken>& result, std::string_view code, std::string_view message,
                 std::string_view detail = {}) {
  ASSERT_FALSE(result.ok()) << "verified, but expected: " << message;
  EXPECT_EQ(result.error().code, code);
  EXPECT_EQ(result.error().message, message);
  if (!detail.empty()) {
    EXPECT_EQ(result.error().detail, detail);
  }
}

void ExpectDecodeError(const Result<VerifiedToken>& result, std::string_view message, std::string_view detail = {}) {
  ExpectError(result, "PGRST301", message, detail);
}

void ExpectClaimsError(const Result<VerifiedToken>& result, std::string_view message) {
  ExpectError(result, "PGRST303", message);
}

constexpr std::string_view kBadCrypto = "JWT cryptographic operation failed";
constexpr std::string_view kKeyError = "No suitable key or wrong key type";
constexpr std::string_view kBadAlgorithm = "Wrong or unsupported encoding algorithm";
constexpr std::string_view kNoSuitableKey = "No suitable key was found to decode the JWT";
constexpr std::string_view kNoKeyVerified = "None of the keys was able to decode the JWT";

KeySet SecretKeys() { return KeysOf({*VerificationKey::FromSecret(std::string(kSecret))}); }

// ---- RFC 7515 Appendix A ----

TEST(JwtRfc7515, A1Hs256Verifies) {
  auto verified = Verify(A1Token(), KeysOf({JwkKey(kA1Jwk)}), At(kBeforeRfcExp));
  ASSERT_TRUE(verified.ok()) << verified.error().message;
  EXPECT_EQ(verified->alg, Algorithm::kHs256);
  EXPECT_EQ(verified->claims.at("iss").as_string(), "joe");
  EXPECT_EQ(verified->claims.at("http://example.com/is_root").as_bool(), true);
  ASSERT_TRUE(verified->exp.has_value());
  EXPECT_EQ(*verified->exp, kRfcExp);
  EXPECT_EQ(verified->role, "");
}

TEST(JwtRfc7515, A2Rs256Verifies) {
  auto verified = Verify(A2Token(), KeysOf({JwkKey(kA2Jwk)}), At(kBeforeRfcExp));
  ASSERT_TRUE(verified.ok()) << verified.error().message << " / " << verified.error().detail;
  EXPECT_EQ(verified->alg, Algorithm::kRs256);
  EXPECT_EQ(verified->claims.at("iss").as_string(), "joe");
}

TEST(JwtRfc7515, A3Es256Verifies) {
  auto verified = Verify(A3Token(), KeysOf({JwkKey(kA3Jwk)}), At(kBeforeRfcExp));
  ASSERT_TRUE(verified.ok()) << verified.error().message << " / " << verified.error().detail;
  EXPECT_EQ(verified->alg, Algorithm::kEs256);
  EXPECT_EQ(verified->claims.at("iss").as_string(), "joe");
}

TEST(JwtRfc7515, VectorsAreExpiredTodayBeyondTheLeeway) {
  ExpectClaimsError(Verify(A1Token(), KeysOf({JwkKey(kA1Jwk)})), "JWT expired");
  ExpectClaimsError(Verify(A2Token(), KeysOf({JwkKey(kA2Jwk)}), At(kRfcExp + 31)), "JWT expired");
  EXPECT_TRUE(Verify(A3Token(), KeysOf({JwkKey(kA3Jwk)}), At(kRfcExp + 30)).ok());
}

TEST(JwtRfc7515, EachKeyTriedWhenTheTokenHasNoKid) {
  auto keys =
      KeysOf({JwkKey(kA2Jwk), JwkKey(kA3Jwk), *VerificationKey::FromSecret(std::string(kSecret)), JwkKey(kA1Jwk)});
  EXPECT_TRUE(Verify(A1Token(), keys, At(kBeforeRfcExp)).ok());
  EXPECT_TRUE(Verify(A2Token(), keys, At(kBeforeRfcExp)).ok());
  EXPECT_TRUE(Verify(A3Token(), keys, At(kBeforeRfcExp)).ok());
}

// ---- tampering ----

TEST(JwtVerify, TamperedPayloadFails) {
  std::string payload = R"({"iss":"joe","exp":1300819380,"http://example.com/is_root":true,"role":"service_role"})";
  auto keys = KeysOf({JwkKey(kA1Jwk), JwkKey(kA2Jwk), JwkKey(kA3Jwk)});
  for (auto [header, signature] :
       {std::pair{kA1Header, kA1Signature}, std::pair{kA2Header, kA2Signature}, std::pair{kA3Header, kA3Signature}}) {
    ExpectDecodeError(Verify(Join3(header, Base64UrlEncode(payload), signature), keys, At(kBeforeRfcExp)), kKeyError,
                      kNoKeyVerified);
  }
}

TEST(JwtVerify, TamperedSignatureFails) {
  auto keys = KeysOf({JwkKey(kA1Jwk), JwkKey(kA2Jwk), JwkKey(kA3Jwk)});
  for (std::string token : {A1Token(), A2Token(), A3Token()}) {
    std::size_t at = token.rfind('.') + 5;
    token[at] = token[at] == 'A' ? 'B' : 'A';
    ExpectDecodeError(Verify(token, keys, At(kBeforeRfcExp)), kKeyError, kNoKeyVerified);
  }
}

TEST(JwtVerify, TruncatedSignatureFails) {
  auto keys = KeysOf({JwkKey(kA1Jwk), JwkKey(kA2Jwk), JwkKey(kA3Jwk)});
  for (const std::string& token : {A1Token(), A2Token(), A3Token()}) {
    std::size_t signature_at = token.rfind('.') + 1;
    std::string bytes = *Base64UrlDecode(token.substr(signature_at));
    for (std::size_t keep : {bytes.size() - 1, bytes.size() / 2, std::size_t{0}}) {
      std::string truncated = token.substr(0, signature_at) + Base64UrlEncode(bytes.substr(0, keep));
      ExpectDecodeError(Verify(truncated, keys, At(kBeforeRfcExp)), kKeyError, kNoKeyVerified);
    }
    // Extra bytes after a good signature do not pass either.
    std::string extended = token.substr(0, signature_at) + Base64UrlEncode(bytes + std::string(1, '\0'));
    ExpectDecodeError(Verify(extended, keys, At(kBeforeRfcExp)), kKeyError, kNoKeyVerified);
  }
  // One character fewer of 86 leaves a length no byte string encodes to.
  std::string es = A3Token();
  ExpectDecodeError(Verify(es.substr(0, es.size() - 1), keys, At(kBeforeRfcExp)), kBadCrypto);
}

TEST(JwtVerify, DerEncodedEs256SignatureFails) {
  auto key = SigningKey::GenerateEs256();
  ASSERT_TRUE(key.ok());
  auto token = Sign(boost::json::object{{"role", "anon"}}, *key);
  ASSERT_TRUE(token.ok());
  auto keys = KeysOf({key->PublicKey()});
  ASSERT_TRUE(Verify(*token, keys).ok());

  // Re-encode the raw r||s as the DER that OpenSSL itself produces.
  std::string raw = *Base64UrlDecode(token->substr(token->rfind('.') + 1));
  ASSERT_EQ(raw.size(), 64u);
  ECDSA_SIG* signature = ECDSA_SIG_new();
  ECDSA_SIG_set0(signature, BN_bin2bn(reinterpret_cast<const unsigned char*>(raw.data()), 32, nullptr),
                 BN_bin2bn(reinterpret_cast<const unsigned char*>(raw.data()) + 32, 32, nullptr));
  unsigned char* der = nullptr;
  int der_size = i2d_ECDSA_SIG(signature, &der);
  std::string der_text(reinterpret_cast<const char*>(der), static_cast<std::size_t>(der_size));
  OPENSSL_free(der);
  ECDSA_SIG_free(signature);
  std::string der_token = token->substr(0, token->rfind('.') + 1) + Base64UrlEncode(der_text);
  ExpectDecodeError(Verify(der_token, keys), kKeyError, kNoKeyVerified);
}

// ---- algorithms and keys ----

TEST(JwtVerify, AlgNoneIsRefusedInAnyCase) {
  auto keys = KeysOf({JwkKey(kA1Jwk), *VerificationKey::FromSecret(std::string(kSecret))});
  for (std::string alg : {"none", "NONE", "None", "nOnE"}) {
    std::string header = Base64UrlEncode(R"({"alg":")" + alg + R"(","typ":"JWT"})");
    std::string payload = Base64UrlEncode(R"({"role":"service_role"})");
    ExpectDecodeError(Verify(header + "." + payload + ".", keys), kBadAlgorithm,
                      "JWT is unsecured but expected 'alg' was not 'none'");
    // Even with a signature made with the real secret.
    ExpectDecodeError(Verify(HmacToken(R"({"alg":")" + alg + R"("})", R"({"role":"x"})", kSecret), keys),
                      kBadAlgorithm);
  }
  // The RFC's own unsecured example.
  ExpectDecodeError(Verify(Join3("eyJhbGciOiJub25lIn0", kRfcPayload, ""), keys, At(kBeforeRfcExp)), kBadAlgorithm);
}

TEST(JwtVerify, AlgorithmsOutsideTheAllowlistAreRefused) {
  auto keys = SecretKeys();
  for (std::string header :
       {R"({"alg":"HS512"})", R"({"alg":"hs256"})", R"({"alg":"PS256"})", R"({"alg":"EdDSA"})", R"({"alg":""})"}) {
    ExpectDecodeError(Verify(HmacToken(header, "{}", kSecret), keys), kBadAlgorithm);
  }
  ExpectDecodeError(Verify(HmacToken(R"({"typ":"JWT"})", "{}", kSecret), keys), kBadAlgorithm,
                    "The JWT header has no 'alg'");
  ExpectDecodeError(Verify(HmacToken(R"({"alg":256})", "{}", kSecret), keys), kBadAlgorithm);
  ExpectDecodeError(Verify(HmacToken(R"({"alg":null})", "{}", kSecret), keys), kBadAlgorithm);
}

// The libjwt 1.10 hole: an HS256 token keyed with the RSA public key's PEM or
// JWK text must not verify against that RSA key.
TEST(JwtVerify, HmacKeyedWithThePublicKeyDoesNotVerify) {
  auto rsa = JwkKey(kA2Jwk);
  auto ec = JwkKey(kA3Jwk);
  auto keys = KeysOf({rsa, ec});
  for (const auto* key : {&rsa, &ec}) {
    std::string pem = *key->ToPublicKeyPem();
    std::string jwk = boost::json::serialize(*key->ToPublicJwk());
    for (const std::string& forged_secret : {pem, jwk, std::string(kA2Jwk)}) {
      auto forged = HmacToken(R"({"alg":"HS256","typ":"JWT"})", R"({"role":"service_role"})", forged_secret);
      ExpectDecodeError(Verify(forged, keys), kKeyError, kNoSuitableKey);
    }
  }
}

TEST(JwtVerify, AsymmetricTokenAgainstHmacOnlyKeysFails) {
  auto keys = KeysOf({JwkKey(kA1Jwk), *VerificationKey::FromSecret(std::string(kSecret))});
  ExpectDecodeError(Verify(A2Token(), keys, At(kBeforeRfcExp)), kKeyError, kNoSuitableKey);
  ExpectDecodeError(Verify(A3Token(), keys, At(kBeforeRfcExp)), kKeyError, kNoSuitableKey);
  // And an RS256 token against an ES256 key, and the reverse.
  ExpectDecodeError(Verify(A2Token(), KeysOf({JwkKey(kA3Jwk)}), At(kBeforeRfcExp)), kKeyError, kNoSuitableKey);
  ExpectDecodeError(Verify(A3Token(), KeysOf({JwkKey(kA2Jwk)}), At(kBeforeRfcExp)), kKeyError, kNoSuitableKey);
}

TEST(JwtVerify, KidSelectsOnlyThatKey) {
  auto right = *VerificationKey::FromSecret(std::string(kSecret), "right");
  auto other = *VerificationKey::FromSecret(std::string(kSecret) + "-other", "other");
  auto keys = KeysOf({other, right});
  EXPECT_TRUE(Verify(HmacToken(R"({"alg":"HS256","kid":"right"})", "{}", kSecret), keys).ok());
  // The signature is right, but the kid names a key that did not make it.
  ExpectDecodeError(Verify(HmacToken(R"({"alg":"HS256","kid":"other"})", "{}", kSecret), keys), kKeyError,
                    kNoKeyVerified);
  ExpectDecodeError(Verify(HmacToken(R"({"alg":"HS256","kid":"unknown"})", "{}", kSecret), keys), kKeyError,
                    kNoSuitableKey);
  ExpectDecodeError(Verify(HmacToken(R"({"alg":"HS256","kid":""})", "{}", kSecret), keys), kKeyError, kNoSuitableKey);
  ExpectDecodeError(Verify(HmacToken(R"({"alg":"HS256","kid":7})", "{}", kSecret), keys), kKeyError, kNoSuitableKey);
}

// GoTrue adds a kid to HS256 tokens when a key id is configured; with a
// single secret (which has no kid) PostgREST ignores it, and so do we.
TEST(JwtVerify, KidIsIgnoredByAKeyWithoutOne) {
  EXPECT_TRUE(Verify(HmacToken(R"({"alg":"HS256","kid":"x"})", "{}", kSecret), SecretKeys()).ok());
  ExpectDecodeError(
      Verify(HmacToken(R"({"alg":"HS256","kid":"x"})", "{}", std::string(kSecret) + "-wrong"), SecretKeys()), kKeyError,
      kNoKeyVerified);
  // A key that has a kid still answers only to its own.
  auto named = *VerificationKey::FromSecret(std::string(kSecret), "mine");
  ExpectDecodeError(Verify(HmacToken(R"({"alg":"HS256","kid":"x"})", "{}", kSecret), KeysOf({named})), kKeyError,
                    kNoSuitableKey);
}

// libpq cuts a parameter at a NUL: "service_role\u0000x" must never become
// "service_role", so a NUL anywhere in the claims refuses the token.
TEST(JwtVerify, NulInAnyClaimIsRefused) {
  for (std::string_view payload : {R"({"role":"service_role\u0000x"})", R"({"sub":"a\u0000"})",
                                   R"({"app_metadata":{"tenant":["x\u0000"]}})", R"({"k\u0000ey":1})"}) {
    auto verified = Verify(HmacToken(R"({"alg":"HS256"})", payload, kSecret), SecretKeys());
    ASSERT_FALSE(verified.ok()) << payload;
    EXPECT_EQ(verified.error().code, kJwtClaimsErrorCode) << payload;
    EXPECT_EQ(verified.error().kind, ErrorKind::kPermission) << payload;
  }
  EXPECT_TRUE(
      Verify(HmacToken(R"({"alg":"HS256"})", R"({"role":"service_role\\u0000x"})", kSecret), SecretKeys()).ok());
}

TEST(JwtVerify, KidOfAKeyOfAnotherTypeFails) {
  auto rsa = VerificationKey::FromJwk(ParseObject(R"({"kid":"k1",)" + std::string(kA2Jwk).substr(1)));
  ASSERT_TRUE(rsa.ok()) << rsa.error().message;
  auto keys = KeysOf({*rsa, *VerificationKey::FromSecret(std::string(kSecret), "k2")});
  std::string pem = *rsa->ToPublicKeyPem();
  ExpectDecodeError(Verify(HmacToken(R"({"alg":"HS256","kid":"k1"})", "{}", pem), keys), kKeyError, kNoSuitableKey);
  ExpectDecodeError(Verify(HmacToken(R"({"alg":"HS256","kid":"k1"})", "{}", kSecret), keys), kKeyError, kNoSuitableKey);
  EXPECT_TRUE(Verify(HmacToken(R"({"alg":"HS256","kid":"k2"})", "{}", kSecret), keys).ok());
}

TEST(JwtVerify, EmbeddedKeysAndKeyUrlsAreIgnored) {
  // A token signed with the attacker's own secret, which its header offers as
  // a JWK and behind URLs: none of it is looked at.
  std::string attacker = "the attacker's own secret, long enough to be accepted";
  std::string header = R"({"alg":"HS256","jwk":{"kty":"oct","k":")" + Base64UrlEncode(attacker) +
                       R"("},"jku":"https://evil.example/jwks","x5u":"https://evil.example/cert"})";
  ExpectDecodeError(Verify(HmacToken(header, R"({"role":"service_role"})", attacker), SecretKeys()), kKeyError,
                    kNoKeyVerified);
  // The same members do not stop a good token from verifying either.
  EXPECT_TRUE(Verify(HmacToken(header, R"({"role":"anon"})", kSecret), SecretKeys()).ok());
}

TEST(JwtVerify, CriticalHeaderExtensionsAreRefused) {
  ExpectDecodeError(Verify(HmacToken(R"({"alg":"HS256","crit":["b64"],"b64":false})", "{}", kSecret), SecretKeys()),
                    kBadCrypto);
}

TEST(JwtVerify, EmptyKeySetVerifiesNothing) {
  ExpectDecodeError(Verify(A1Token(), KeySet(), At(kBeforeRfcExp)), kKeyError, kNoSuitableKey);
}

// ---- shape ----

TEST(JwtVerify, EmptyToken) {
  ExpectDecodeError(Verify("", SecretKeys()), "Empty JWT is sent in Authorization header");
}

TEST(JwtVerify, CountsTheParts) {
  ExpectDecodeError(Verify("ey9zdGdyZXN0.y4vZuu1dDdwAl0", SecretKeys()), "Expected 3 parts in JWT; got 2");
  ExpectDecodeError(Verify("a.b.c.d", SecretKeys()), "Expected 3 parts in JWT; got 4");
  ExpectDecodeError(Verify(A1Token() + ".", SecretKeys()), "Expected 3 parts in JWT; got 4");
  ExpectDecodeError(Verify("abc", SecretKeys()), "Expected 3 parts in JWT; got 1");
  ExpectDecodeError(Verify("....", SecretKeys()), "Expected 3 parts in JWT; got 5");
}

TEST(JwtVerify, OversizedTokenIsRefusedBeforeParsing) {
  auto keys = SecretKeys();
  std::string padding(8192, 'a');
  std::string big = HmacToken(R"({"alg":"HS256"})", R"({"pad":")" + padding + R"("})", kSecret);
  ASSERT_GT(big.size(), 8192u);
  ExpectDecodeError(Verify(big, keys), kBadCrypto, "The JWT is longer than 8192 bytes");
  VerifyOptions roomy;
  roomy.max_token_bytes = 16384;
  EXPECT_TRUE(Verify(big, keys, roomy).ok());
  VerifyOptions tight;
  tight.max_token_bytes = 10;
  ExpectDecodeError(Verify(A1Token(), KeysOf({JwkKey(kA1Jwk)}), tight), kBadCrypto);
}

TEST(JwtVerify, InvalidBase64UrlIsRefused) {
  auto keys = KeysOf({JwkKey(kA1Jwk)});
  std::string good = A1Token();
  ASSERT_TRUE(Verify(good, keys, At(kBeforeRfcExp)).ok());
  auto with = [&](std::size_t at, std::string_view text) {
    return good.substr(0, at) + std::string(text) + good.substr(at);
  };
  std::size_t signature_at = good.rfind('.') + 1;
  std::size_t payload_at = good.find('.') + 1;
  ExpectDecodeError(Verify(good + "=", keys, At(kBeforeRfcExp)), kBadCrypto);  // padding
  ExpectDecodeError(Verify(with(signature_at, "+"), keys, At(kBeforeRfcExp)), kBadCrypto);
  ExpectDecodeError(Verify(with(signature_at, "/"), keys, At(kBeforeRfcExp)), kBadCrypto);
  ExpectDecodeError(Verify(with(payload_at, " "), keys, At(kBeforeRfcExp)), kBadCrypto);
  ExpectDecodeError(Verify(with(payload_at, "%"), keys, At(kBeforeRfcExp)), kBadCrypto);
  ExpectDecodeError(Verify(with(0, "\n"), keys, At(kBeforeRfcExp)), kBadCrypto);
  // Standard base64 of the same signature bytes, with padding.
  std::string standard = good.substr(0, signature_at) + "dBjftJeZ4CVP+mB92K27uhbUJU1p1r/wW1gFWFOEjXk=";
  ExpectDecodeError(Verify(standard, keys, At(kBeforeRfcExp)), kBadCrypto);
  // A different spelling of the same last byte (non-zero unused bits).
  std::string respelled = good;
  respelled.back() = 'l';
  ExpectDecodeError(Verify(respelled, keys, At(kBeforeRfcExp)), kBadCrypto);
}

TEST(JwtVerify, HeaderMustBeAJsonObject) {
  auto keys = SecretKeys();
  ExpectDecodeError(Verify("quifquirndsjagnrgniur.fonvoienqhhdj.iuqvnvhojah", keys), kBadCrypto);
  ExpectDecodeError(Verify(HmacToken("not json", "{}", kSecret), keys), kBadCrypto);
  ExpectDecodeError(Verify(HmacToken(R"(["HS256"])", "{}", kSecret), keys), kBadCrypto);
  ExpectDecodeError(Verify(HmacToken(R"("HS256")", "{}", kSecret), keys), kBadCrypto);
  ExpectDecodeError(Verify(HmacToken(R"({"alg":"HS256"} trailing)", "{}", kSecret), keys), kBadCrypto);
  ExpectDecodeError(Verify(HmacToken(std::string(R"({"alg":"HS256","x":")") + "\xff\xfe" + "\"}", "{}", kSecret), keys),
                    kBadCrypto);  // not UTF-8
  ExpectDecodeError(Verify(HmacToken(std::string(100, '[') + std::string(100, ']'), "{}", kSecret), keys), kBadCrypto);
}

TEST(JwtVerify, PayloadMustBeAJsonObject) {
  auto keys = SecretKeys();
  for (std::string payload : {"[]", "\"role\"", "42", "null", "not json", "{\"a\":1", ""}) {
    ExpectClaimsError(Verify(HmacToken(R"({"alg":"HS256"})", payload, kSecret), keys), "Parsing claims failed");
  }
  // An unsigned payload problem is not reported before the signature is checked.
  std::string token = HmacToken(R"({"alg":"HS256"})", "[]", "another secret that is long enough......");
  ExpectDecodeError(Verify(token, keys), kKeyError, kNoKeyVerified);
}

TEST(JwtVerify, NeverThrowsOnGarbage) {
  auto keys = KeysOf({JwkKey(kA1Jwk), JwkKey(kA2Jwk), JwkKey(kA3Jwk)});
  std::mt19937 random(7515);
  const std::string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.=+/ \"{}";
  std::vector<std::string> seeds = {A1Token(), A2Token(), A3Token()};
  for (int round = 0; round < 3000; ++round) {
    std::string token;
    if (round % 2 == 0) {
      std::size_t length = random() % 200;
      for (std::size_t i = 0; i < length; ++i) token.push_back(alphabet[random() % alphabet.size()]);
    } else {
      token = seeds[random() % seeds.size()];
      for (int flips = 1 + random() % 3; flips > 0; --flips) {
        token[random() % token.size()] = alphabet[random() % alphabet.size()];
      }
    }
    Result<VerifiedToken> result = Error{};
    EXPECT_NO_THROW(result = Verify(token, keys, At(kBeforeRfcExp))) << token;
    if (!result.ok()) {
      EXPECT_TRUE(result.error().code == "PGRST301" || result.error().code == "PGRST303") << token;
      EXPECT_FALSE(result.error().message.empty());
    }
  }
}

// ---- claims ----

constexpr std::int64_t kNow = 1700000000;

std::string TokenWith(std::string_view payload) {
  return HmacToken(R"({"alg":"HS256","typ":"JWT"})", payload, kSecret);
}

TEST(JwtClaims, ExpiryHasThirtySecondsOfLeeway) {
  auto keys = SecretKeys();
  std::string token = TokenWith(R"({"exp":1700000000,"role":"authenticated"})");
  EXPECT_TRUE(Verify(token, keys, At(kNow - 1000)).ok());
  EXPECT_TRUE(Verify(token, keys, At(kNow)).ok());
  EXPECT_TRUE(Verify(token, keys, At(kNow + 30)).ok());
  ExpectClaimsError(Verify(token, keys, At(kNow + 31)), "JWT expired");
  VerifyOptions strict = At(kNow + 1);
  strict.leeway = 0;
  ExpectClaimsError(Verify(token, keys, strict), "JWT expired");
  ExpectClaimsError(Verify(TokenWith(R"({"exp":1})"), keys), "JWT expired");
}

TEST(JwtClaims, NotBeforeAndIssuedAtInTheFuture) {
  auto keys = SecretKeys();
  EXPECT_TRUE(Verify(TokenWith(R"({"nbf":1700000030})"), keys, At(kNow)).ok());
  ExpectClaimsError(Verify(TokenWith(R"({"nbf":1700000031})"), keys, At(kNow)), "JWT not yet valid");
  EXPECT_TRUE(Verify(TokenWith(R"({"iat":1700000030})"), keys, At(kNow)).ok());
  ExpectClaimsError(Verify(TokenWith(R"({"iat":1700000031})"), keys, At(kNow)), "JWT issued at future");
  EXPECT_TRUE(Verify(TokenWith(R"({"iat":1,"nbf":1})"), keys, At(kNow)).ok());
}

TEST(JwtClaims, TimeClaimsAreCheckedOnlyWhenPresent) {
  auto verified = Verify(TokenWith(R"({"role":"anon"})"), SecretKeys(), At(kNow));
  ASSERT_TRUE(verified.ok());
  EXPECT_FALSE(verified->exp.has_value());
  EXPECT_EQ(verified->role, "anon");
}

TEST(JwtClaims, TimeClaimsMustBeNumbers) {
  auto keys = SecretKeys();
  ExpectClaimsError(Verify(TokenWith(R"({"exp":"soon"})"), keys, At(kNow)), "The JWT 'exp' claim must be a number");
  ExpectClaimsError(Verify(TokenWith(R"({"exp":"1800000000"})"), keys, At(kNow)),
                    "The JWT 'exp' claim must be a number");
  ExpectClaimsError(Verify(TokenWith(R"({"exp":null})"), keys, At(kNow)), "The JWT 'exp' claim must be a number");
  ExpectClaimsError(Verify(TokenWith(R"({"nbf":true})"), keys, At(kNow)), "The JWT 'nbf' claim must be a number");
  ExpectClaimsError(Verify(TokenWith(R"({"iat":[1]})"), keys, At(kNow)), "The JWT 'iat' claim must be a number");
  // PostgREST's order: exp is reported before nbf.
  ExpectClaimsError(Verify(TokenWith(R"({"nbf":"x","exp":1})"), keys, At(kNow)), "JWT expired");
}

TEST(JwtClaims, OddNumbersAreHandled) {
  auto keys = SecretKeys();
  auto fractional = Verify(TokenWith(R"({"exp":1700000000.9})"), keys, At(kNow));
  ASSERT_TRUE(fractional.ok());
  EXPECT_EQ(*fractional->exp, kNow);
  auto huge = Verify(TokenWith(R"({"exp":1e300})"), keys, At(kNow));
  ASSERT_TRUE(huge.ok());
  EXPECT_EQ(*huge->exp, std::numeric_limits<std::int64_t>::max());
  EXPECT_TRUE(Verify(TokenWith(R"({"exp":18446744073709551615})"), keys, At(kNow)).ok());
  ExpectClaimsError(Verify(TokenWith(R"({"exp":-1e300})"), keys, At(kNow)), "JWT expired");
  ExpectClaimsError(Verify(TokenWith(R"({"nbf":1e300})"), keys, At(kNow)), "JWT not yet valid");
}

TEST(JwtClaims, AudienceIsCheckedOnlyWhenConfigured) {
  auto keys = SecretKeys();
  std::string other = TokenWith(R"({"aud":"someone-else"})");
  EXPECT_TRUE(Verify(other, keys, At(kNow)).ok());

  VerifyOptions options = At(kNow);
  options.audience = "authenticated";
  ExpectClaimsError(Verify(other, keys, options), "JWT not in audience");
  EXPECT_TRUE(Verify(TokenWith(R"({"aud":"authenticated"})"), keys, options).ok());
  EXPECT_TRUE(Verify(TokenWith(R"({"aud":["x","authenticated"]})"), keys, options).ok());
  ExpectClaimsError(Verify(TokenWith(R"({"aud":["x","y"]})"), keys, options), "JWT not in audience");
  ExpectClaimsError(Verify(TokenWith(R"({"aud":[]})"), keys, options), "JWT not in audience");
  ExpectClaimsError(Verify(TokenWith(R"({"aud":"Authenticated"})"), keys, options), "JWT not in audience");
  // No aud claim at all passes, as in PostgREST.
  EXPECT_TRUE(Verify(TokenWith(R"({"role":"anon"})"), keys, options).ok());
}

TEST(JwtClaims, AudienceMustBeAStringOrAnArrayOfStrings) {
  auto keys = SecretKeys();
  constexpr std::string_view kMessage = "The JWT 'aud' claim must be a string or an array of strings";
  ExpectClaimsError(Verify(TokenWith(R"({"aud":5})"), keys, At(kNow)), kMessage);
  ExpectClaimsError(Verify(TokenWith(R"({"aud":["x",5]})"), keys, At(kNow)), kMessage);
  VerifyOptions options = At(kNow);
  options.audience = "x";
  ExpectClaimsError(Verify(TokenWith(R"({"aud":{"x":1}})"), keys, options), kMessage);
}

TEST(JwtClaims, RoleIsTakenAsText) {
  auto keys = SecretKeys();
  EXPECT_EQ(Verify(TokenWith(R"({"role":"service_role"})"), keys, At(kNow))->role, "service_role");
  // A non-string role must not fall back to anon: it becomes a role name that does not exist.
  EXPECT_EQ(Verify(TokenWith(R"({"role":5})"), keys, At(kNow))->role, "5");
  EXPECT_EQ(Verify(TokenWith(R"({"role":null})"), keys, At(kNow))->role, "null");
  EXPECT_EQ(Verify(TokenWith(R"({"sub":"u"})"), keys, At(kNow))->role, "");
}

// ---- signing ----

boost::json::object SupabaseClaims() {
  return boost::json::object{{"aud", "authenticated"},
                             {"exp", kNow + 3600},
                             {"iat", kNow},
                             {"sub", "0b9d6b4e-2e0c-4d0e-9d8f-1c2b3a4d5e6f"},
                             {"role", "authenticated"},
                             {"email", "a@example.com"},
                             {"is_anonymous", false}};
}

void ExpectRoundTrip(const SigningKey& key, std::string_view alg) {
  auto token = Sign(SupabaseClaims(), key);
  ASSERT_TRUE(token.ok()) << token.error().message;
  auto header = boost::json::parse(*Base64UrlDecode(token->substr(0, token->find('.')))).as_object();
  EXPECT_EQ(header.at("alg").as_string(), alg);
  EXPECT_EQ(header.at("typ").as_string(), "JWT");
  if (key.kid().empty()) {
    EXPECT_FALSE(header.contains("kid"));
  } else {
    EXPECT_EQ(header.at("kid").as_string(), key.kid());
  }
  VerifyOptions options = At(kNow);
  options.audience = "authenticated";
  auto verified = Verify(*token, KeysOf({key.PublicKey()}), options);
  ASSERT_TRUE(verified.ok()) << verified.error().message;
  EXPECT_EQ(verified->claims, SupabaseClaims());
  EXPECT_EQ(verified->role, "authenticated");
  EXPECT_EQ(verified->exp, kNow + 3600);
  EXPECT_EQ(verified->kid, key.kid());
  EXPECT_EQ(AlgorithmName(verified->alg), alg);
}

TEST(JwtSign, Hs256RoundTrip) {
  ExpectRoundTrip(*SigningKey::FromSecret(std::string(kSecret)), "HS256");
  ExpectRoundTrip(*SigningKey::FromSecret(std::string(kSecret), "legacy"), "HS256");
  // The signature is the same as a plain HMAC over the same input.
  auto token = *Sign(boost::json::object{{"a", 1}}, *SigningKey::FromSecret(std::string(kSecret)));
  EXPECT_EQ(token, HmacToken(R"({"alg":"HS256","typ":"JWT"})", R"({"a":1})", kSecret));
}

TEST(JwtSign, Rs256RoundTrip) {
  auto key = SigningKey::GenerateRs256(2048);
  ASSERT_TRUE(key.ok()) << key.error().message;
  ExpectRoundTrip(*key, "RS256");
}

TEST(JwtSign, Es256RoundTripWithRawSignatures) {
  auto key = SigningKey::GenerateEs256("server-1");
  ASSERT_TRUE(key.ok()) << key.error().message;
  ExpectRoundTrip(*key, "ES256");
  for (int i = 0; i < 20; ++i) {  // r or s with leading zero bytes must still give 64 bytes
    auto token = *Sign(boost::json::object{{"i", i}}, *key);
    EXPECT_EQ(Base64UrlDecode(token.substr(token.rfind('.') + 1))->size(), 64u);
    EXPECT_TRUE(Verify(token, KeysOf({key->PublicKey()})).ok());
  }
}

TEST(JwtSign, TokensFromOneKeyDoNotVerifyWithAnother) {
  auto first = *SigningKey::GenerateEs256();
  auto second = *SigningKey::GenerateEs256();
  auto token = *Sign(boost::json::object{{"role", "anon"}}, first);
  // Each generated key's kid is its own thumbprint, so the kid already rules the other out.
  ExpectDecodeError(Verify(token, KeysOf({second.PublicKey()})), kKeyError, kNoSuitableKey);
  auto unnamed = *VerificationKey::FromJwk([&] {
    auto jwk = *second.PublicKey().ToPublicJwk();
    jwk.erase("kid");
    return jwk;
  }());
  std::string kidless = Base64UrlEncode(R"({"alg":"ES256"})");
  auto bare =
      *Sign(boost::json::object{{"role", "anon"}}, *SigningKey::FromPrivateKeyPem(*first.ToPrivateKeyPem(), "x"));
  std::string kidless_token = kidless + bare.substr(bare.find('.'));
  ExpectDecodeError(Verify(kidless_token, KeysOf({unnamed})), kKeyError, kNoKeyVerified);
}

TEST(JwtSign, JwksExportThenImportVerifies) {
  auto es = *SigningKey::GenerateEs256();
  auto rs = *SigningKey::GenerateRs256(2048, "rsa-1");
  auto hs = *SigningKey::FromSecret(std::string(kSecret), "legacy");
  auto published = KeysOf({es.PublicKey(), rs.PublicKey(), hs.PublicKey()}).ToPublicJwks();
  ASSERT_EQ(published.at("keys").as_array().size(), 2u);  // never the HMAC secret
  std::string text = boost::json::serialize(published);
  EXPECT_EQ(text.find(Base64UrlEncode(kSecret)), std::string::npos);

  auto imported = KeySet::FromConfig(text);
  ASSERT_TRUE(imported.ok()) << imported.error().message;
  ASSERT_EQ(imported->size(), 2u);
  for (const auto* key : {&es, &rs}) {
    auto token = *Sign(SupabaseClaims(), *key);
    auto verified = Verify(token, *imported, At(kNow));
    ASSERT_TRUE(verified.ok()) << verified.error().message;
    EXPECT_EQ(verified->kid, key->kid());
  }
  ExpectDecodeError(Verify(*Sign(SupabaseClaims(), hs), *imported, At(kNow)), kKeyError, kNoSuitableKey);
}

}  // namespace
}  // namespace agentbase::auth
