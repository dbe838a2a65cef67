#include <gtest/gtest.h>

#include "auth/jwt.hpp"
#include "jwt_test_support.hpp"

namespace agentbase::auth {
namespace {

using namespace test;  // NOLINT: the vectors and helpers are the vocabulary here

constexpr std::int64_t kNow = 1700000000;

VerifyOptions At(std::int64_t now) {
  VerifyOptions options;
  options.now = now;
  return options;
}

KeySet Keys() { return KeysOf({*VerificationKey::FromSecret(std::string(kSecret))}); }

std::string Token(std::string_view payload) { return HmacToken(R"({"alg":"HS256"})", payload, kSecret); }

std::string Numbered(int i) { return Token(R"({"role":"authenticated","i":)" + std::to_string(i) + "}"); }

// An empty key set verifies nothing, so success with it means a cache hit.
bool Cached(TokenCache& cache, const std::string& token, std::int64_t now = kNow) {
  return cache.Verify(token, KeySet(), At(now)).ok();
}

TEST(TokenCache, HitSkipsVerification) {
  TokenCache cache;
  std::string token = Token(R"({"role":"anon","exp":1700003600})");
  auto first = cache.Verify(token, Keys(), At(kNow));
  ASSERT_TRUE(first.ok());
  EXPECT_EQ((*first)->role, "anon");
  EXPECT_EQ(cache.size(), 1u);
  auto second = cache.Verify(token, KeySet(), At(kNow + 10));
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->get(), first->get());
}

TEST(TokenCache, FailuresAreNotCached) {
  TokenCache cache;
  auto bad = cache.Verify(HmacToken(R"({"alg":"HS256"})", "{}", "some other secret, long enough to be used"), Keys(),
                          At(kNow));
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, "PGRST301");
  EXPECT_FALSE(cache.Verify("a.b", Keys()).ok());
  EXPECT_EQ(cache.size(), 0u);
}

TEST(TokenCache, EntriesExpireWithTheToken) {
  TokenCache cache;
  std::string token = Token(R"({"role":"anon","exp":1700000000})");
  ASSERT_TRUE(cache.Verify(token, Keys(), At(kNow - 100)).ok());
  EXPECT_TRUE(Cached(cache, token, kNow + 30));  // within the leeway
  auto expired = cache.Verify(token, Keys(), At(kNow + 31));
  ASSERT_FALSE(expired.ok());
  EXPECT_EQ(expired.error().code, "PGRST303");
  EXPECT_EQ(expired.error().message, "JWT expired");
  EXPECT_EQ(cache.size(), 0u);
}

TEST(TokenCache, TokensWithoutExpStayUntilEvicted) {
  TokenCache cache;
  std::string token = Token(R"({"role":"anon"})");
  ASSERT_TRUE(cache.Verify(token, Keys(), At(kNow)).ok());
  EXPECT_TRUE(Cached(cache, token, kNow + 100000000));
}

TEST(TokenCache, IsBounded) {
  TokenCache cache(3);
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(cache.Verify(Numbered(i), Keys(), At(kNow)).ok());
  EXPECT_EQ(cache.size(), 3u);
  EXPECT_EQ(cache.capacity(), 3u);
  EXPECT_TRUE(Cached(cache, Numbered(9)));
  EXPECT_FALSE(Cached(cache, Numbered(0)));
  EXPECT_EQ(TokenCache().capacity(), 1000u);
}

TEST(TokenCache, EvictionSparesRecentlyHitEntries) {
  TokenCache cache(3);
  for (int i = 1; i <= 3; ++i) ASSERT_TRUE(cache.Verify(Numbered(i), Keys(), At(kNow)).ok());
  ASSERT_TRUE(Cached(cache, Numbered(1)));  // the oldest, but in use
  ASSERT_TRUE(cache.Verify(Numbered(4), Keys(), At(kNow)).ok());
  EXPECT_EQ(cache.size(), 3u);
  EXPECT_TRUE(Cached(cache, Numbered(1)));
  EXPECT_FALSE(Cached(cache, Numbered(2)));
  EXPECT_TRUE(Cached(cache, Numbered(3)));
  EXPECT_TRUE(Cached(cache, Numbered(4)));
}

TEST(TokenCache, EvictionPrefersExpiredEntries) {
  TokenCache cache(2);
  std::string short_lived = Token(R"({"exp":1700000060})");
  std::string long_lived = Token(R"({"exp":1800000000})");
  ASSERT_TRUE(cache.Verify(long_lived, Keys(), At(kNow)).ok());
  ASSERT_TRUE(cache.Verify(short_lived, Keys(), At(kNow)).ok());
  ASSERT_TRUE(Cached(cache, long_lived));
  ASSERT_TRUE(Cached(cache, short_lived));
  // Both were hit; an hour later the short-lived one has expired and goes first.
  ASSERT_TRUE(cache.Verify(Numbered(1), Keys(), At(kNow + 3600)).ok());
  EXPECT_TRUE(Cached(cache, long_lived, kNow + 3600));
  EXPECT_TRUE(Cached(cache, Numbered(1), kNow + 3600));
}

TEST(TokenCache, ClearForgetsEverything) {
  TokenCache cache;
  std::string token = Numbered(1);
  ASSERT_TRUE(cache.Verify(token, Keys(), At(kNow)).ok());
  cache.Clear();
  EXPECT_EQ(cache.size(), 0u);
  EXPECT_FALSE(Cached(cache, token));
  ASSERT_TRUE(cache.Verify(token, Keys(), At(kNow)).ok());  // usable after Clear
  EXPECT_TRUE(Cached(cache, token));
}

TEST(TokenCache, ZeroCapacityStoresNothing) {
  TokenCache cache(0);
  EXPECT_TRUE(cache.Verify(Numbered(1), Keys(), At(kNow)).ok());
  EXPECT_EQ(cache.size(), 0u);
}

TEST(TokenCache, ManyInsertionsAndHitsStayConsistent) {
  TokenCache cache(50);
  for (int i = 0; i < 2000; ++i) {
    int n = (i * 7919) % 120;
    auto result = cache.Verify(Numbered(n), Keys(), At(kNow));
    ASSERT_TRUE(result.ok());
    EXPECT_EQ((*result)->claims.at("i").as_int64(), n);
    ASSERT_LE(cache.size(), 50u);
  }
}

}  // namespace
}  // namespace agentbase::auth
