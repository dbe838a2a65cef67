#include "auth/sign_in_limiter.hpp"

#include <gtest/gtest.h>

#include <string>

namespace agentbase::auth {
namespace {

using Clock = SignInLimiter::Clock;
using std::chrono::minutes;
using std::chrono::seconds;

SignInLimitOptions Limits(int per_address, seconds address_window, int per_account, seconds account_window,
                          std::size_t max_tracked = 1000) {
  SignInLimitOptions options;
  options.per_address = {per_address, address_window};
  options.failures_per_account = {per_account, account_window};
  options.max_tracked = max_tracked;
  return options;
}

BucketKey Key(std::uint8_t n) {
  BucketKey key{};
  key[0] = n;
  key[15] = n;
  return key;
}

TEST(TokenBucketTable, AllowsABurstThenRefillsEvenly) {
  TokenBucketTable table({3, seconds(30)}, 10);  // one token every 10 s
  auto start = Clock::now();
  EXPECT_FALSE(table.Take(Key(1), start));
  EXPECT_FALSE(table.Take(Key(1), start));
  EXPECT_FALSE(table.Take(Key(1), start));
  auto wait = table.Take(Key(1), start);
  ASSERT_TRUE(wait);
  EXPECT_NEAR(std::chrono::duration<double>(*wait).count(), 10.0, 0.01);
  EXPECT_GT(table.WaitFor(Key(1), start + seconds(9)), Clock::duration::zero());
  EXPECT_EQ(table.WaitFor(Key(1), start + seconds(10)), Clock::duration::zero());
  EXPECT_FALSE(table.Take(Key(1), start + seconds(10)));
  EXPECT_TRUE(table.Take(Key(1), start + seconds(10)));
  // Another key has its own bucket; a full refill takes the whole window.
  EXPECT_FALSE(table.Take(Key(2), start));
  for (int i = 0; i < 3; ++i) EXPECT_FALSE(table.Take(Key(1), start + seconds(40))) << i;
  EXPECT_TRUE(table.Take(Key(1), start + seconds(40)));
}

TEST(TokenBucketTable, GiveBackNeverExceedsTheBurst) {
  TokenBucketTable table({2, seconds(60)}, 10);
  auto now = Clock::now();
  table.GiveBack(Key(1), now);  // unknown: nothing to do
  EXPECT_EQ(table.Size(), 0u);
  EXPECT_FALSE(table.Take(Key(1), now));
  table.GiveBack(Key(1), now);
  table.GiveBack(Key(1), now);
  EXPECT_FALSE(table.Take(Key(1), now));
  EXPECT_FALSE(table.Take(Key(1), now));
  EXPECT_TRUE(table.Take(Key(1), now));
}

TEST(TokenBucketTable, StaysWithinItsSizeAndForgetsTheLeastRecentlyUsed) {
  TokenBucketTable table({1, seconds(60)}, 3);
  auto now = Clock::now();
  for (std::uint8_t n = 1; n <= 3; ++n) EXPECT_FALSE(table.Take(Key(n), now));
  EXPECT_TRUE(table.Take(Key(1), now));  // touches key 1: key 2 is now the oldest
  EXPECT_EQ(table.EarlyEvictions(), 0u);
  for (std::uint8_t n = 10; n < 200; ++n) {
    EXPECT_FALSE(table.Take(Key(n), now + seconds(n)));
    EXPECT_LE(table.Size(), 3u);
  }
  EXPECT_GT(table.EarlyEvictions(), 0u);
  // Once forgotten, a key starts again with a full bucket.
  EXPECT_FALSE(table.Take(Key(2), now + seconds(300)));
}

TEST(TokenBucketTable, DisabledLimitNeverRefusesNorTracks) {
  TokenBucketTable table({0, seconds(60)}, 3);
  auto now = Clock::now();
  for (int i = 0; i < 100; ++i) EXPECT_FALSE(table.Take(Key(1), now));
  EXPECT_EQ(table.Size(), 0u);
}

TEST(SignInLimiter, NamesAccountsAndClientsAsSignInMatchesThem) {
  EXPECT_EQ(SignInLimiter::AccountName("  Alice@Example.COM "), "alice@example.com");
  EXPECT_EQ(SignInLimiter::ClientName("203.0.113.7"), "203.0.113.7");
  EXPECT_EQ(SignInLimiter::ClientName("::ffff:203.0.113.7"), "203.0.113.7");
  EXPECT_EQ(SignInLimiter::ClientName("2001:db8:1:2:aaaa:bbbb:cccc:dddd"), "2001:db8:1:2::/64");
  EXPECT_EQ(SignInLimiter::ClientName("2001:db8:1:2::1"), SignInLimiter::ClientName("2001:db8:1:2:ffff::9"));
  EXPECT_NE(SignInLimiter::ClientName("2001:db8:1:2::1"), SignInLimiter::ClientName("2001:db8:1:3::1"));
  EXPECT_EQ(SignInLimiter::ClientName(" not an address "), "not an address");
}

TEST(SignInLimiter, CountsEveryAttemptPerAddress) {
  SignInLimiter limiter(Limits(3, minutes(5), 100, minutes(15)));
  auto now = Clock::now();
  // Successful sign-ins of three different accounts use up the address.
  for (const char* account : {"a@x", "b@x", "c@x"}) {
    ASSERT_FALSE(limiter.Admit(account, "10.0.0.1", now)) << account;
    limiter.Settle(account, "10.0.0.1", SignInOutcome::kNotAGuess, now);
  }
  auto refused = limiter.Admit("d@x", "10.0.0.1", now);
  ASSERT_TRUE(refused);
  EXPECT_EQ(*refused, seconds(100));  // 3 per 300 s: one every 100 s
  EXPECT_FALSE(limiter.Admit("d@x", "10.0.0.2", now));
  // A failure of the database gives the address its attempt back.
  limiter.Settle("d@x", "10.0.0.2", SignInOutcome::kServerFailure, now);
  EXPECT_FALSE(limiter.Admit("d@x", "10.0.0.2", now));
  EXPECT_FALSE(limiter.Admit("d@x", "10.0.0.2", now));
  EXPECT_FALSE(limiter.Admit("d@x", "10.0.0.2", now));
  EXPECT_TRUE(limiter.Admit("d@x", "10.0.0.2", now));
}

TEST(SignInLimiter, CountsOnlyFailuresPerAccountFromAnyAddress) {
  SignInLimiter limiter(Limits(100, minutes(5), 2, minutes(15)));
  auto now = Clock::now();
  // The owner signs in as often as they like.
  for (int i = 0; i < 10; ++i) {
    ASSERT_FALSE(limiter.Admit("alice@x", "10.0.0.1", now));
    limiter.Settle("alice@x", "10.0.0.1", SignInOutcome::kNotAGuess, now);
  }
  // Two wrong guesses from two addresses exhaust it, for every address.
  ASSERT_FALSE(limiter.Admit("alice@x", "10.0.0.2", now));
  limiter.Settle("alice@x", "10.0.0.2", SignInOutcome::kWrongCredentials, now);
  ASSERT_FALSE(limiter.Admit("alice@x", "10.0.0.3", now));
  limiter.Settle("alice@x", "10.0.0.3", SignInOutcome::kWrongCredentials, now);
  auto refused = limiter.Admit("alice@x", "10.0.0.1", now);
  ASSERT_TRUE(refused);
  EXPECT_EQ(*refused, seconds(450));
  // Other accounts are unaffected; the account comes back as it refills.
  EXPECT_FALSE(limiter.Admit("bob@x", "10.0.0.2", now));
  EXPECT_TRUE(limiter.Admit("alice@x", "10.0.0.1", now + seconds(449)));
  EXPECT_FALSE(limiter.Admit("alice@x", "10.0.0.1", now + seconds(450)));
}

TEST(SignInLimiter, GuessesInFlightAreCappedBeforeTheirOutcome) {
  SignInLimiter limiter(Limits(1000, minutes(5), 3, minutes(15)));
  auto now = Clock::now();
  int admitted = 0;
  for (int i = 0; i < 50; ++i) admitted += limiter.Admit("alice@x", "10.0.0." + std::to_string(i), now) ? 0 : 1;
  EXPECT_EQ(admitted, 3);
}

TEST(SignInLimiter, RefusedAttemptsCostNothingAndTrackNothing) {
  SignInLimiter limiter(Limits(1, minutes(5), 10, minutes(15)));
  auto now = Clock::now();
  ASSERT_FALSE(limiter.Admit("a@x", "10.0.0.1", now));
  for (int i = 0; i < 100; ++i) EXPECT_TRUE(limiter.Admit("user" + std::to_string(i) + "@x", "10.0.0.1", now));
  EXPECT_EQ(limiter.TrackedAccounts(), 1u);
  EXPECT_EQ(limiter.TrackedClients(), 1u);
  // The wait did not grow with the refusals.
  EXPECT_FALSE(limiter.Admit("a@x", "10.0.0.1", now + minutes(5)));
}

TEST(SignInLimiter, AFloodOfDistinctNamesStaysWithinTheCap) {
  SignInLimiter limiter(Limits(1000000, minutes(5), 10, minutes(15), 64));
  auto now = Clock::now();
  for (int i = 0; i < 5000; ++i) {
    std::string account = "user" + std::to_string(i) + "@example.com";
    std::string client = "10." + std::to_string(i / 256) + "." + std::to_string(i % 256) + ".1";
    ASSERT_FALSE(limiter.Admit(account, client, now));
    limiter.Settle(account, client, SignInOutcome::kWrongCredentials, now);
  }
  EXPECT_LE(limiter.TrackedAccounts(), 64u);
  EXPECT_LE(limiter.TrackedClients(), 64u);
}

}  // namespace
}  // namespace agentbase::auth
