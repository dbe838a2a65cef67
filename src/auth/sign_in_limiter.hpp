#pragma once
// Throttles password sign-in (POST /auth/v1/token?grant_type=password), so
// that passwords cannot be guessed at the speed the server answers:
//
//  - per client address: every attempt counts (credential stuffing, where one
//    address tries many accounts);
//  - per account (the e-mail address as sign-in matches it): only failed
//    attempts count, so a user who signs in successfully, from anywhere, never
//    uses up their own account's allowance (password guessing against one
//    account from many addresses).
//
// Each limit is a token bucket: `attempts` in a burst, then refilling evenly
// so that `attempts` more are allowed per `window`. An attempt takes a token
// from both buckets before the password is checked; a refused attempt never
// reaches the database, and it is refused the same way whether or not the
// account exists or the password would have been right (no oracle). The
// account's token is given back once the attempt turns out not to have been a
// wrong guess, which also caps how many guesses can be in flight at once.
//
// Memory is bounded: each table holds at most `max_tracked` buckets under
// fixed-size keys (a salted digest, whatever the length of the e-mail or
// address), and when full it forgets the bucket touched longest ago, which
// has had the longest to refill.

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <list>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace agentbase::auth {

struct RateLimit {
  int attempts = 0;                // the burst, and how many per window; 0: no limit
  std::chrono::seconds window{0};  // how long an empty bucket takes to refill completely
  bool Enabled() const { return attempts > 0 && window.count() > 0; }
};

struct SignInLimitOptions {
  // Supabase's default for sign-ins per IP address.
  RateLimit per_address{30, std::chrono::minutes(5)};
  RateLimit failures_per_account{10, std::chrono::minutes(15)};
  // Buckets kept per table (addresses, accounts): about 120 bytes each.
  std::size_t max_tracked = 100000;
};

// A fixed-size key: the first 16 bytes of SHA-256 over a per-process salt and
// the text, so that keys cannot be chosen to collide in the hash table.
using BucketKey = std::array<std::uint8_t, 16>;

// Token buckets of one rate, bounded in number. Not thread-safe by itself.
class TokenBucketTable {
 public:
  using Clock = std::chrono::steady_clock;

  TokenBucketTable(RateLimit limit, std::size_t max_tracked);

  // Takes a token for `key` and returns nullopt, or, when the bucket is
  // empty, takes nothing and returns how long until it holds a token.
  std::optional<Clock::duration> Take(const BucketKey& key, Clock::time_point now);
  // Puts back a token taken by Take (never beyond the bucket's capacity).
  void GiveBack(const BucketKey& key, Clock::time_point now);
  // How long until `key` holds a token: zero when it does now.
  Clock::duration WaitFor(const BucketKey& key, Clock::time_point now) const;

  std::size_t Size() const { return buckets_.size(); }
  // How many buckets were forgotten before they had refilled (the table was
  // full of recently used ones: a flood of distinct keys).
  std::uint64_t EarlyEvictions() const { return early_evictions_; }

 private:
  struct KeyHash {
    std::size_t operator()(const BucketKey& key) const;
  };
  struct Bucket {
    double tokens = 0;
    Clock::time_point updated;
    std::list<BucketKey>::iterator recency;  // position in recency_
  };

  double Refilled(const Bucket& bucket, Clock::time_point now) const;
  // How long a bucket holding `tokens` (< 1) takes to hold one.
  Clock::duration UntilOneToken(double tokens) const;
  Bucket& Touch(const BucketKey& key, Clock::time_point now);
  void EvictOldest(Clock::time_point now);

  RateLimit limit_;
  double tokens_per_second_;
  std::size_t max_tracked_;
  std::unordered_map<BucketKey, Bucket, KeyHash> buckets_;
  std::list<BucketKey> recency_;  // least recently touched first
  std::uint64_t early_evictions_ = 0;
};

// What an admitted sign-in attempt turned out to be, for SignInLimiter::Settle.
enum class SignInOutcome {
  kWrongCredentials,  // unknown e-mail or wrong password: counts against the account
  kNotAGuess,         // signed in, or the password was right (e.g. e-mail not confirmed)
  kServerFailure,     // the database could not answer: counts against nobody
};

class SignInLimiter {
 public:
  using Clock = TokenBucketTable::Clock;

  explicit SignInLimiter(SignInLimitOptions options);

  // The e-mail as sign-in matches it (trimmed; ASCII letters in lower case,
  // as PostgreSQL's lower() does in the C locale).
  static std::string AccountName(std::string_view email);
  // The client as the limit sees it: an IPv4 address (also when written as
  // IPv4-mapped IPv6), an IPv6 address's /64 prefix (one site, as a single
  // customer usually gets a whole /64), or the text as given.
  static std::string ClientName(std::string_view address);

  // Admits an attempt (nullopt) and takes a token from both buckets, or
  // refuses it, taking nothing, with the seconds to wait (at least 1).
  std::optional<std::chrono::seconds> Admit(std::string_view account, std::string_view client, Clock::time_point now);
  // Tells the limiter what an admitted attempt turned out to be.
  void Settle(std::string_view account, std::string_view client, SignInOutcome outcome, Clock::time_point now);

  std::size_t TrackedAccounts() const;
  std::size_t TrackedClients() const;

 private:
  BucketKey KeyFor(char kind, std::string_view name) const;
  void WarnOfFloodIfNeeded(Clock::time_point now);

  SignInLimitOptions options_;
  std::array<std::uint8_t, 16> salt_{};
  mutable std::mutex mutex_;  // handlers run on one event loop, but nothing here relies on it
  TokenBucketTable clients_;
  TokenBucketTable accounts_;
  std::uint64_t early_evictions_warned_ = 0;
  std::optional<Clock::time_point> last_flood_warning_;
};

}  // namespace agentbase::auth
