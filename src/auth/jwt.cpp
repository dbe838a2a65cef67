#include "auth/jwt.hpp"

#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

#include <algorithm>
#include <array>
#include <boost/json/array.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <chrono>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <vector>

#include "auth/openssl_handles.hpp"
#include "util/base64url.hpp"
#include "util/text.hpp"
#include "util/utf8.hpp"

namespace agentbase::auth {

namespace {

constexpr std::size_t kHs256Bytes = 32;
constexpr std::size_t kP256CoordinateBytes = 32;
constexpr std::size_t kEs256SignatureBytes = 2 * kP256CoordinateBytes;

// PostgREST's texts (src/PostgREST/Error.hs); the details are those of the
// Haskell jose library that PostgREST reports, where it reports any.
constexpr const char* kEmptyToken = "Empty JWT is sent in Authorization header";
constexpr const char* kBadCrypto = "JWT cryptographic operation failed";
constexpr const char* kBadAlgorithm = "Wrong or unsupported encoding algorithm";
constexpr const char* kKeyError = "No suitable key or wrong key type";
constexpr const char* kNoSuitableKey = "No suitable key was found to decode the JWT";
constexpr const char* kNoKeyVerified = "None of the keys was able to decode the JWT";

Error DecodeError(std::string message, std::string detail = {}) {
  Error error = Error::Permission(std::move(message), std::string(kJwtDecodeErrorCode));
  error.detail = std::move(detail);
  return error;
}

Error ClaimsError(std::string message) {
  return Error::Permission(std::move(message), std::string(kJwtClaimsErrorCode));
}

const unsigned char* Bytes(std::string_view text) { return reinterpret_cast<const unsigned char*>(text.data()); }

}  // namespace

std::string HmacSha256(std::string_view secret, std::string_view input) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> mac{};
  std::size_t length = 0;
  if (EVP_Q_mac(nullptr, "HMAC", nullptr, "SHA256", nullptr, secret.data(), secret.size(), Bytes(input), input.size(),
                mac.data(), mac.size(), &length) == nullptr) {
    throw std::runtime_error("HMAC-SHA256 failed: " + ossl::DrainErrors());
  }
  return std::string(reinterpret_cast<const char*>(mac.data()), length);
}

namespace {

// Sets up a SHA-256 sign or verify context; RSA gets PKCS#1 v1.5 padding (RS256).
ossl::MdCtx DigestContext(EVP_PKEY* pkey, bool for_signing) {
  ossl::MdCtx context(EVP_MD_CTX_new());
  EVP_PKEY_CTX* pkey_context = nullptr;
  int rc = !context      ? 0
           : for_signing ? EVP_DigestSignInit(context.get(), &pkey_context, EVP_sha256(), nullptr, pkey)
                         : EVP_DigestVerifyInit(context.get(), &pkey_context, EVP_sha256(), nullptr, pkey);
  if (rc != 1) throw std::runtime_error("cannot set up SHA-256 signatures: " + ossl::DrainErrors());
  if (EVP_PKEY_is_a(pkey, "RSA") && EVP_PKEY_CTX_set_rsa_padding(pkey_context, RSA_PKCS1_PADDING) != 1) {
    throw std::runtime_error("cannot select PKCS#1 v1.5 padding: " + ossl::DrainErrors());
  }
  return context;
}

bool DigestVerify(EVP_PKEY* pkey, std::string_view input, std::string_view signature) {
  auto context = DigestContext(pkey, false);
  int rc = EVP_DigestVerify(context.get(), Bytes(signature), signature.size(), Bytes(input), input.size());
  if (rc == 1) return true;
  ossl::DrainErrors();  // a bad signature queues errors; they are not news
  return false;
}

// JWS carries ECDSA signatures as r||s of 32 bytes each (RFC 7518 3.4);
// OpenSSL wants DER. Anything but exactly 64 bytes (a DER signature, a
// truncated one) is simply not a valid ES256 signature.
std::optional<std::string> RawEcdsaToDer(std::string_view raw) {
  if (raw.size() != kEs256SignatureBytes) return std::nullopt;
  ossl::Bignum r(BN_bin2bn(Bytes(raw), kP256CoordinateBytes, nullptr));
  ossl::Bignum s(BN_bin2bn(Bytes(raw) + kP256CoordinateBytes, kP256CoordinateBytes, nullptr));
  ossl::EcdsaSig signature(ECDSA_SIG_new());
  if (!r || !s || !signature || ECDSA_SIG_set0(signature.get(), r.get(), s.get()) != 1) {
    throw std::runtime_error("cannot build an ECDSA signature: " + ossl::DrainErrors());
  }
  (void)r.release();  // now owned by `signature`
  (void)s.release();
  int size = i2d_ECDSA_SIG(signature.get(), nullptr);
  if (size <= 0) throw std::runtime_error("cannot encode an ECDSA signature: " + ossl::DrainErrors());
  std::string der(static_cast<std::size_t>(size), '\0');
  auto* out = reinterpret_cast<unsigned char*>(der.data());
  if (i2d_ECDSA_SIG(signature.get(), &out) != size) throw std::runtime_error("i2d_ECDSA_SIG changed its mind");
  return der;
}

Result<std::string> DerEcdsaToRaw(std::string_view der) {
  const unsigned char* in = Bytes(der);
  ossl::EcdsaSig signature(d2i_ECDSA_SIG(nullptr, &in, static_cast<long>(der.size())));
  if (!signature) return Error::Make("cannot decode the ECDSA signature: " + ossl::DrainErrors(), "jwt-sign");
  const BIGNUM* r = nullptr;
  const BIGNUM* s = nullptr;
  ECDSA_SIG_get0(signature.get(), &r, &s);
  std::string raw(kEs256SignatureBytes, '\0');
  auto* out = reinterpret_cast<unsigned char*>(raw.data());
  if (BN_bn2binpad(r, out, kP256CoordinateBytes) != static_cast<int>(kP256CoordinateBytes) ||
      BN_bn2binpad(s, out + kP256CoordinateBytes, kP256CoordinateBytes) != static_cast<int>(kP256CoordinateBytes)) {
    return Error::Make("the ECDSA signature does not fit P-256", "jwt-sign");
  }
  return raw;
}

bool SignatureMatches(const VerificationKey& key, std::string_view input, std::string_view signature) {
  switch (key.alg()) {
    case Algorithm::kHs256: {
      if (signature.size() != kHs256Bytes) return false;
      std::string expected = HmacSha256(key.secret(), input);
      return expected.size() == signature.size() &&
             CRYPTO_memcmp(expected.data(), signature.data(), expected.size()) == 0;
    }
    case Algorithm::kRs256:
      // PKCS#1 v1.5 signatures are exactly as long as the modulus.
      if (signature.size() != static_cast<std::size_t>(EVP_PKEY_get_size(key.pkey()))) return false;
      return DigestVerify(key.pkey(), input, signature);
    case Algorithm::kEs256: {
      auto der = RawEcdsaToDer(signature);
      return der && DigestVerify(key.pkey(), input, *der);
    }
  }
  return false;
}

// A JSON number as whole seconds, rounded down and clamped to int64.
std::optional<std::int64_t> Seconds(const boost::json::value& value) {
  if (value.is_int64()) return value.get_int64();
  if (value.is_uint64()) {
    return static_cast<std::int64_t>(std::min<std::uint64_t>(
        value.get_uint64(), static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())));
  }
  if (value.is_double()) {
    double seconds = std::floor(value.get_double());
    // 2^63 as a double; anything at or beyond it (or NaN) clamps.
    constexpr double kLimit = 9223372036854775808.0;
    if (!(seconds < kLimit)) return std::numeric_limits<std::int64_t>::max();
    if (seconds < -kLimit) return std::numeric_limits<std::int64_t>::min();
    return static_cast<std::int64_t>(seconds);
  }
  return std::nullopt;
}

// Present and a number: its value; absent: nullopt; anything else: PGRST303.
Result<std::optional<std::int64_t>> TimeClaim(const boost::json::object& claims, std::string_view name) {
  const auto* value = claims.if_contains(name);
  if (value == nullptr) return std::optional<std::int64_t>();
  auto seconds = Seconds(*value);
  if (!seconds) return ClaimsError("The JWT '" + std::string(name) + "' claim must be a number");
  return seconds;
}

bool Expired(std::int64_t exp, std::int64_t now, std::int64_t leeway) { return exp < now - leeway; }

// PostgREST's order: exp, nbf, iat, aud; the first failure is reported.
Status CheckClaims(const boost::json::object& claims, const VerifyOptions& options, std::int64_t now,
                   std::int64_t leeway, std::optional<std::int64_t>& exp) {
  auto exp_claim = TimeClaim(claims, "exp");
  if (!exp_claim) return exp_claim.error();
  if (*exp_claim && Expired(**exp_claim, now, leeway)) return ClaimsError("JWT expired");
  auto nbf = TimeClaim(claims, "nbf");
  if (!nbf) return nbf.error();
  if (*nbf && **nbf > now + leeway) return ClaimsError("JWT not yet valid");
  auto iat = TimeClaim(claims, "iat");
  if (!iat) return iat.error();
  if (*iat && **iat > now + leeway) return ClaimsError("JWT issued at future");

  // The type of aud is checked even without a configured audience, as PostgREST does.
  if (const auto* aud = claims.if_contains("aud")) {
    constexpr const char* kAudType = "The JWT 'aud' claim must be a string or an array of strings";
    bool in_audience = false;
    if (aud->is_string()) {
      in_audience = !options.audience || aud->get_string() == *options.audience;
    } else if (aud->is_array()) {
      for (const auto& entry : aud->get_array()) {
        if (!entry.is_string()) return ClaimsError(kAudType);
        if (options.audience && entry.get_string() == *options.audience) in_audience = true;
      }
      // An empty array names nobody; PostgREST lets it pass, RFC 7519 4.1.3 does not.
      in_audience = in_audience || !options.audience;
    } else {
      return ClaimsError(kAudType);
    }
    if (!in_audience) return ClaimsError("JWT not in audience");
  }
  exp = *exp_claim;
  return Ok();
}

bool ContainsNul(const boost::json::value& value) {
  if (value.is_string()) return HasNulByte(value.get_string());
  if (value.is_array()) {
    for (const auto& entry : value.get_array()) {
      if (ContainsNul(entry)) return true;
    }
  } else if (value.is_object()) {
    for (const auto& member : value.get_object()) {
      if (HasNulByte(member.key()) || ContainsNul(member.value())) return true;
    }
  }
  return false;
}

struct Parts {
  std::string_view header;
  std::string_view payload;
  std::string_view signature;
  std::string_view signing_input;  // header.payload
};

}  // namespace

std::int64_t UnixNow() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

Result<VerifiedToken> Verify(std::string_view token, const KeySet& keys, const VerifyOptions& options) {
  if (token.empty()) return DecodeError(kEmptyToken);
  if (token.size() > options.max_token_bytes) {
    return DecodeError(kBadCrypto, "The JWT is longer than " + std::to_string(options.max_token_bytes) + " bytes");
  }
  auto dots = static_cast<std::size_t>(std::count(token.begin(), token.end(), '.'));
  if (dots != 2) return DecodeError("Expected 3 parts in JWT; got " + std::to_string(dots + 1));
  Parts parts;
  std::size_t first = token.find('.');
  std::size_t second = token.find('.', first + 1);
  parts.header = token.substr(0, first);
  parts.payload = token.substr(first + 1, second - first - 1);
  parts.signature = token.substr(second + 1);
  parts.signing_input = token.substr(0, second);

  // All three parts must be well-formed before any key is looked at.
  auto header_bytes = Base64UrlDecode(parts.header);
  auto payload_bytes = Base64UrlDecode(parts.payload);
  auto signature = Base64UrlDecode(parts.signature);
  if (!header_bytes || !payload_bytes || !signature) return DecodeError(kBadCrypto);
  boost::json::error_code parse_error;
  boost::json::value header_value = boost::json::parse(*header_bytes, parse_error);
  if (parse_error || !header_value.is_object()) return DecodeError(kBadCrypto);
  const boost::json::object& header = header_value.get_object();

  const auto* alg_value = header.if_contains("alg");
  if (alg_value == nullptr || !alg_value->is_string()) {
    return DecodeError(kBadAlgorithm, "The JWT header has no 'alg'");
  }
  std::string_view alg_name = alg_value->get_string();
  if (ToLower(alg_name) == "none") {
    return DecodeError(kBadAlgorithm, "JWT is unsecured but expected 'alg' was not 'none'");
  }
  auto alg = AlgorithmFromName(alg_name);
  if (!alg) return DecodeError(kBadAlgorithm, "Unsupported 'alg'; accepted are HS256, RS256 and ES256");
  // RFC 7515 4.1.11: extensions we do not understand must not be ignored.
  if (header.contains("crit")) return DecodeError(kBadCrypto, "Critical header extensions are not supported");

  const auto* kid_value = header.if_contains("kid");
  if (kid_value != nullptr && !kid_value->is_string()) return DecodeError(kKeyError, kNoSuitableKey);
  std::vector<const VerificationKey*> candidates;
  for (const auto& key : keys.keys()) {
    // A key without a kid (the project's HS256 secret) is tried whatever kid
    // the token names, as PostgREST does with a single secret: GoTrue adds
    // a kid when one is configured.
    if (kid_value != nullptr && !key.kid().empty() && key.kid() != kid_value->get_string()) continue;
    if (key.alg() != *alg) continue;  // never HMAC keyed with a public key, never RSA on an EC key
    candidates.push_back(&key);
  }
  if (candidates.empty()) return DecodeError(kKeyError, kNoSuitableKey);
  const VerificationKey* verified_by = nullptr;
  for (const auto* key : candidates) {
    if (SignatureMatches(*key, parts.signing_input, *signature)) {
      verified_by = key;
      break;
    }
  }
  if (verified_by == nullptr) return DecodeError(kKeyError, kNoKeyVerified);

  boost::json::value payload = boost::json::parse(*payload_bytes, parse_error);
  if (parse_error || !payload.is_object()) return ClaimsError("Parsing claims failed");
  // PostgreSQL cannot hold a NUL in text, and libpq would cut a parameter
  // at it ("service_role\u0000x" would become "service_role").
  if (ContainsNul(payload)) return ClaimsError("The JWT claims contain a NUL character");
  VerifiedToken verified;
  verified.claims = std::move(payload.get_object());
  verified.claims_text = boost::json::serialize(verified.claims);
  std::int64_t now = options.now.value_or(UnixNow());
  std::int64_t leeway = std::max<std::int64_t>(options.leeway, 0);
  if (auto checked = CheckClaims(verified.claims, options, now, leeway, verified.exp); !checked) {
    return checked.error();
  }
  if (const auto* role = verified.claims.if_contains("role")) {
    verified.role = role->is_string() ? std::string(role->get_string()) : boost::json::serialize(*role);
  }
  verified.alg = *alg;
  verified.kid = verified_by->kid();
  return verified;
}

Result<std::string> Sign(const boost::json::object& claims, const SigningKey& key) {
  boost::json::object header;
  header["alg"] = AlgorithmName(key.alg());
  header["typ"] = "JWT";
  if (!key.kid().empty()) header["kid"] = key.kid();
  std::string token =
      Base64UrlEncode(boost::json::serialize(header)) + "." + Base64UrlEncode(boost::json::serialize(claims));

  std::string signature;
  if (key.alg() == Algorithm::kHs256) {
    signature = HmacSha256(key.secret(), token);
  } else {
    auto context = DigestContext(key.pkey(), true);
    std::size_t size = 0;
    if (EVP_DigestSign(context.get(), nullptr, &size, Bytes(token), token.size()) != 1) {
      return Error::Make("cannot size the signature: " + ossl::DrainErrors(), "jwt-sign");
    }
    signature.resize(size);
    if (EVP_DigestSign(context.get(), reinterpret_cast<unsigned char*>(signature.data()), &size, Bytes(token),
                       token.size()) != 1) {
      return Error::Make("signing failed: " + ossl::DrainErrors(), "jwt-sign");
    }
    signature.resize(size);
    if (key.alg() == Algorithm::kEs256) {
      auto raw = DerEcdsaToRaw(signature);
      if (!raw) return raw.error();
      signature = std::move(*raw);
    }
  }
  token += '.';
  token += Base64UrlEncode(signature);
  return token;
}

// ---- TokenCache ----

TokenCache::TokenCache(std::size_t capacity) : capacity_(capacity) {}

void TokenCache::Clear() {
  index_.clear();
  entries_.clear();
  hand_ = entries_.end();
}

void TokenCache::Erase(Iterator entry) {
  if (hand_ == entry) hand_ = entry == entries_.begin() ? entries_.end() : std::prev(entry);
  index_.erase(entry->token);
  entries_.erase(entry);
}

// SIEVE: the hand walks from the oldest entry towards the newest, clearing
// visited marks, and evicts the first entry that has none (or has expired).
void TokenCache::EvictOne(std::int64_t now, std::int64_t leeway) {
  if (entries_.empty()) return;
  Iterator candidate = hand_ == entries_.end() ? std::prev(entries_.end()) : hand_;
  while (true) {
    const auto& exp = candidate->verified->exp;
    bool expired = exp && Expired(*exp, now, leeway);
    if (!candidate->visited || expired) break;
    candidate->visited = false;
    candidate = candidate == entries_.begin() ? std::prev(entries_.end()) : std::prev(candidate);
  }
  Erase(candidate);
}

Result<std::shared_ptr<const VerifiedToken>> TokenCache::Verify(std::string_view token, const KeySet& keys,
                                                                const VerifyOptions& options) {
  std::int64_t now = options.now.value_or(UnixNow());
  std::int64_t leeway = std::max<std::int64_t>(options.leeway, 0);
  if (auto found = index_.find(token); found != index_.end()) {
    Iterator entry = found->second;
    const auto& exp = entry->verified->exp;
    if (!exp || !Expired(*exp, now, leeway)) {
      entry->visited = true;
      return entry->verified;
    }
    Erase(entry);  // and verify afresh below, which reports the expiry
  }
  VerifyOptions fixed = options;
  fixed.now = now;
  auto verified = auth::Verify(token, keys, fixed);
  if (!verified) return verified.error();
  auto shared = std::make_shared<const VerifiedToken>(std::move(*verified));
  if (capacity_ == 0) return shared;
  while (entries_.size() >= capacity_) EvictOne(now, leeway);
  entries_.push_front(Entry{std::string(token), shared, false});
  index_.emplace(entries_.front().token, entries_.begin());
  return shared;
}

}  // namespace agentbase::auth
