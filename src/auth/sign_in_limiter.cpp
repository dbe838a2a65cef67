#include "auth/sign_in_limiter.hpp"

#include <openssl/evp.h>
#include <openssl/rand.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio/ip/address.hpp>
#include <cmath>
#include <cstring>
#include <stdexcept>

#include "auth/openssl_handles.hpp"
#include "util/text.hpp"

namespace agentbase::auth {

namespace {

// Warnings about a flood of distinct keys at most this often.
constexpr auto kFloodWarningInterval = std::chrono::minutes(1);

std::chrono::seconds WholeSecondsAtLeastOne(TokenBucketTable::Clock::duration wait) {
  auto seconds = std::chrono::ceil<std::chrono::seconds>(wait);
  return std::max(seconds, std::chrono::seconds(1));
}

}  // namespace

std::size_t TokenBucketTable::KeyHash::operator()(const BucketKey& key) const {
  // The key is already a salted digest: any 8 of its bytes are a good hash.
  std::size_t hash = 0;
  std::memcpy(&hash, key.data(), std::min(sizeof hash, key.size()));
  return hash;
}

TokenBucketTable::TokenBucketTable(RateLimit limit, std::size_t max_tracked)
    : limit_(limit),
      tokens_per_second_(
          limit.Enabled() ? static_cast<double>(limit.attempts) / static_cast<double>(limit.window.count()) : 0.0),
      max_tracked_(std::max<std::size_t>(max_tracked, 1)) {}

double TokenBucketTable::Refilled(const Bucket& bucket, Clock::time_point now) const {
  double elapsed = std::chrono::duration<double>(now - bucket.updated).count();
  if (elapsed < 0) elapsed = 0;
  return std::min(static_cast<double>(limit_.attempts), bucket.tokens + elapsed * tokens_per_second_);
}

TokenBucketTable::Clock::duration TokenBucketTable::UntilOneToken(double tokens) const {
  std::chrono::duration<double> seconds((1.0 - tokens) / tokens_per_second_);
  return std::chrono::duration_cast<Clock::duration>(seconds);
}

TokenBucketTable::Bucket& TokenBucketTable::Touch(const BucketKey& key, Clock::time_point now) {
  auto found = buckets_.find(key);
  if (found != buckets_.end()) {
    Bucket& bucket = found->second;
    bucket.tokens = Refilled(bucket, now);
    bucket.updated = now;
    recency_.splice(recency_.end(), recency_, bucket.recency);
    return bucket;
  }
  if (buckets_.size() >= max_tracked_) EvictOldest(now);
  recency_.push_back(key);
  Bucket fresh;
  fresh.tokens = limit_.attempts;  // someone never seen before starts with the whole burst
  fresh.updated = now;
  fresh.recency = std::prev(recency_.end());
  return buckets_.emplace(key, fresh).first->second;
}

void TokenBucketTable::EvictOldest(Clock::time_point now) {
  if (recency_.empty()) return;
  auto oldest = buckets_.find(recency_.front());
  // A full bucket says nothing a missing one would not; forgetting one that
  // is still refilling hands that key a new burst, which only a flood of
  // more distinct keys than the table holds can bring about.
  if (oldest != buckets_.end()) {
    if (Refilled(oldest->second, now) < limit_.attempts) ++early_evictions_;
    buckets_.erase(oldest);
  }
  recency_.pop_front();
}

std::optional<TokenBucketTable::Clock::duration> TokenBucketTable::Take(const BucketKey& key, Clock::time_point now) {
  if (!limit_.Enabled()) return std::nullopt;
  Bucket& bucket = Touch(key, now);
  if (bucket.tokens >= 1.0) {
    bucket.tokens -= 1.0;
    return std::nullopt;
  }
  return UntilOneToken(bucket.tokens);
}

void TokenBucketTable::GiveBack(const BucketKey& key, Clock::time_point now) {
  if (!limit_.Enabled()) return;
  auto found = buckets_.find(key);
  if (found == buckets_.end()) return;  // forgotten meanwhile: a new bucket is full anyway
  Bucket& bucket = found->second;
  bucket.tokens = std::min(static_cast<double>(limit_.attempts), Refilled(bucket, now) + 1.0);
  bucket.updated = now;
}

TokenBucketTable::Clock::duration TokenBucketTable::WaitFor(const BucketKey& key, Clock::time_point now) const {
  if (!limit_.Enabled()) return Clock::duration::zero();
  auto found = buckets_.find(key);
  if (found == buckets_.end()) return Clock::duration::zero();
  double tokens = Refilled(found->second, now);
  if (tokens >= 1.0) return Clock::duration::zero();
  return UntilOneToken(tokens);
}

SignInLimiter::SignInLimiter(SignInLimitOptions options)
    : options_(options),
      clients_(options.per_address, options.max_tracked),
      accounts_(options.failures_per_account, options.max_tracked) {
  if (RAND_bytes(salt_.data(), static_cast<int>(salt_.size())) != 1) {
    throw std::runtime_error("RAND_bytes failed: " + ossl::DrainErrors());
  }
}

std::string SignInLimiter::AccountName(std::string_view email) { return ToLower(Trim(email)); }

std::string SignInLimiter::ClientName(std::string_view address) {
  std::string text = Trim(address);
  boost::system::error_code ec;
  auto parsed = boost::asio::ip::make_address(text, ec);
  if (ec) return text;
  if (parsed.is_v4()) return parsed.to_v4().to_string();
  auto v6 = parsed.to_v6();
  if (v6.is_v4_mapped()) return boost::asio::ip::make_address_v4(boost::asio::ip::v4_mapped, v6).to_string();
  auto bytes = v6.to_bytes();
  std::fill(bytes.begin() + 8, bytes.end(), 0);
  return boost::asio::ip::make_address_v6(bytes).to_string() + "/64";
}

BucketKey SignInLimiter::KeyFor(char kind, std::string_view name) const {
  ossl::MdCtx context(EVP_MD_CTX_new());
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  if (!context || EVP_DigestInit_ex(context.get(), EVP_sha256(), nullptr) != 1 ||
      EVP_DigestUpdate(context.get(), salt_.data(), salt_.size()) != 1 ||
      EVP_DigestUpdate(context.get(), &kind, 1) != 1 ||
      EVP_DigestUpdate(context.get(), name.data(), name.size()) != 1 ||
      EVP_DigestFinal_ex(context.get(), digest, &size) != 1 || size < sizeof(BucketKey)) {
    throw std::runtime_error("SHA-256 failed: " + ossl::DrainErrors());
  }
  BucketKey key;
  std::memcpy(key.data(), digest, key.size());
  return key;
}

std::optional<std::chrono::seconds> SignInLimiter::Admit(std::string_view account, std::string_view client,
                                                         Clock::time_point now) {
  BucketKey client_key = KeyFor('c', client);
  BucketKey account_key = KeyFor('a', account);
  std::lock_guard lock(mutex_);
  // Both are checked before either is taken: a refused attempt costs nothing
  // and creates no bucket, so hammering a limited account or from a limited
  // address neither extends the wait nor fills the tables.
  auto wait = std::max(clients_.WaitFor(client_key, now), accounts_.WaitFor(account_key, now));
  if (wait > Clock::duration::zero()) return WholeSecondsAtLeastOne(wait);
  // Neither can refuse now: both buckets were just seen to hold a token (or
  // not to exist, and a new bucket starts full).
  clients_.Take(client_key, now);
  accounts_.Take(account_key, now);
  WarnOfFloodIfNeeded(now);
  return std::nullopt;
}

void SignInLimiter::Settle(std::string_view account, std::string_view client, SignInOutcome outcome,
                           Clock::time_point now) {
  if (outcome == SignInOutcome::kWrongCredentials) return;  // both tokens stay spent
  BucketKey account_key = KeyFor('a', account);
  BucketKey client_key = KeyFor('c', client);
  std::lock_guard lock(mutex_);
  accounts_.GiveBack(account_key, now);
  if (outcome == SignInOutcome::kServerFailure) clients_.GiveBack(client_key, now);
}

std::size_t SignInLimiter::TrackedAccounts() const {
  std::lock_guard lock(mutex_);
  return accounts_.Size();
}

std::size_t SignInLimiter::TrackedClients() const {
  std::lock_guard lock(mutex_);
  return clients_.Size();
}

void SignInLimiter::WarnOfFloodIfNeeded(Clock::time_point now) {
  std::uint64_t early = clients_.EarlyEvictions() + accounts_.EarlyEvictions();
  if (early == early_evictions_warned_) return;
  if (last_flood_warning_ && now - *last_flood_warning_ < kFloodWarningInterval) return;
  spdlog::warn(
      "auth: sign-in attempts from more distinct addresses or for more distinct accounts than the limiter tracks "
      "({} each); {} buckets were forgotten before they refilled",
      options_.max_tracked, early - early_evictions_warned_);
  early_evictions_warned_ = early;
  last_flood_warning_ = now;
}

}  // namespace agentbase::auth
