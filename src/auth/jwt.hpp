#pragma once
// Verifying and signing JWTs (JWS compact serialization) with HS256, RS256
// and ES256, with PostgREST's error codes and messages: PGRST301 for a token
// that cannot be decoded or whose signature does not check out, PGRST303 for
// claims that fail (expired, not yet valid, wrong audience, wrong types).
// The HTTP layer answers both with 401 and
// WWW-Authenticate: Bearer error="invalid_token", error_description="<message>".
// Verify and Sign keep no state of their own and may run on any thread.

#include <boost/json/object.hpp>
#include <cstdint>
#include <list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "auth/jwk.hpp"
#include "util/result.hpp"

namespace agentbase::auth {

// PostgREST's codes on purpose: these errors reach REST clients as they are
// (and rest/postgrest_errors.hpp has the same ones by name), while GoTrue's
// endpoints use only the message. Their kind is ErrorKind::kPermission.
inline constexpr std::string_view kJwtDecodeErrorCode = "PGRST301";
inline constexpr std::string_view kJwtClaimsErrorCode = "PGRST303";

struct VerifyOptions {
  // Seconds since the epoch; unset means the system clock at the time of the call.
  std::optional<std::int64_t> now;
  // Clock skew allowed on exp, nbf and iat, in seconds (PostgREST allows 30).
  std::int64_t leeway = 30;
  // When set, an aud claim must be this string or an array holding it. A
  // token without aud passes either way, as in PostgREST.
  std::optional<std::string> audience;
  // Longer tokens are refused before anything is decoded.
  std::size_t max_token_bytes = 8192;
};

struct VerifiedToken {
  boost::json::object claims;
  std::string claims_text;  // `claims` serialized once, for request.jwt.claims
  // The role claim: its text when it is a string, its JSON text otherwise (so
  // a non-string role names no real role and fails later, rather than falling
  // back to anon); empty when there is no role claim.
  std::string role;
  std::optional<std::int64_t> exp;  // seconds since the epoch, rounded down
  Algorithm alg = Algorithm::kHs256;
  std::string kid;  // of the key that verified the signature ("" when it has none)
};

// Checks the token against the keys, then its claims (a NUL anywhere in them
// is refused, PGRST303). Never throws for any
// token text; the error carries code PGRST301 or PGRST303 and PostgREST's
// message ("JWT expired", "Expected 3 parts in JWT; got 2", ...).
//
// Key choice: a header kid selects the key with that kid and the keys that
// have none (a single HS256 secret); without a kid every key is tried. Either way the header alg must be the
// key's own alg, "none" (in any case) is refused, and jku/x5u/jwk header
// members are ignored.
Result<VerifiedToken> Verify(std::string_view token, const KeySet& keys, const VerifyOptions& options = {});

// A signed token with header {"alg":..,"typ":"JWT","kid":..} (no kid when the
// key has none) and these claims, as they are: add exp/iat yourself.
Result<std::string> Sign(const boost::json::object& claims, const SigningKey& key);

// Seconds since the epoch by the system clock.
std::int64_t UnixNow();

// The raw 32-byte HMAC-SHA256 of `input` under `secret` (HS256's signature;
// also how a rotated refresh token is derived, auth/refresh_rotation.hpp).
// Throws only when OpenSSL itself fails.
std::string HmacSha256(std::string_view secret, std::string_view input);

// Remembers successful verifications, so a client that sends the same token
// on every request pays for the signature check once. Entries are re-checked
// against `now` on every hit: once exp (plus leeway) has passed, the entry is
// dropped and the token verified afresh, which then reports "JWT expired".
//
// Only successes are stored, so a stranger cannot fill the cache. At most
// `capacity` entries are kept; when full, SIEVE (as PostgREST's cache uses)
// picks the victim, preferring an expired entry or one not hit since it was
// last passed over.
//
// One cache serves one KeySet and one audience: Clear() it when the keys are
// reloaded. Not thread-safe: the server uses it from its event-loop thread.
class TokenCache {
 public:
  static constexpr std::size_t kDefaultCapacity = 1000;

  explicit TokenCache(std::size_t capacity = kDefaultCapacity);
  TokenCache(const TokenCache&) = delete;
  TokenCache& operator=(const TokenCache&) = delete;

  Result<std::shared_ptr<const VerifiedToken>> Verify(std::string_view token, const KeySet& keys,
                                                      const VerifyOptions& options = {});
  void Clear();
  std::size_t size() const { return entries_.size(); }
  std::size_t capacity() const { return capacity_; }

 private:
  struct Entry {
    std::string token;
    std::shared_ptr<const VerifiedToken> verified;
    bool visited = false;
  };
  using Iterator = std::list<Entry>::iterator;

  void Erase(Iterator entry);
  void EvictOne(std::int64_t now, std::int64_t leeway);

  std::size_t capacity_;
  std::list<Entry> entries_;  // newest first
  // Keys view the tokens inside entries_, whose nodes never move.
  std::unordered_map<std::string_view, Iterator> index_;
  Iterator hand_ = entries_.end();  // next eviction candidate; end() = start again at the oldest
};

}  // namespace agentbase::auth
