#include "app/serve_options.hpp"

#include <gtest/gtest.h>

#include "auth/auth_api.hpp"

namespace agentbase::auth {
namespace {

// `agentbase serve` keeps its own copy of the /auth/v1 defaults (as plain
// numbers for its options); they must stay those of AuthOptions, and those
// the README states: 30 attempts per 5 minutes per address, 10 failures per
// 15 minutes per account, 100000 of each remembered, a 10 s reuse interval.
TEST(AuthOptions, ServeDefaultsAreTheAuthDefaultsTheReadmeStates) {
  AuthOptions auth;
  app::ServeOptions serve;
  EXPECT_EQ(serve.refresh_token_reuse_interval_s, auth.refresh_token_reuse_interval.count());
  EXPECT_EQ(serve.sign_in_attempts_per_address, auth.sign_in_limits.per_address.attempts);
  EXPECT_EQ(serve.sign_in_address_window_s, auth.sign_in_limits.per_address.window.count());
  EXPECT_EQ(serve.sign_in_failures_per_account, auth.sign_in_limits.failures_per_account.attempts);
  EXPECT_EQ(serve.sign_in_account_window_s, auth.sign_in_limits.failures_per_account.window.count());
  EXPECT_EQ(serve.sign_in_tracked, auth.sign_in_limits.max_tracked);
  EXPECT_EQ(serve.client_address_header, auth.client_address_header);

  EXPECT_EQ(auth.refresh_token_reuse_interval, std::chrono::seconds(10));
  EXPECT_EQ(auth.sign_in_limits.per_address.attempts, 30);
  EXPECT_EQ(auth.sign_in_limits.per_address.window, std::chrono::minutes(5));
  EXPECT_EQ(auth.sign_in_limits.failures_per_account.attempts, 10);
  EXPECT_EQ(auth.sign_in_limits.failures_per_account.window, std::chrono::minutes(15));
  EXPECT_EQ(auth.sign_in_limits.max_tracked, 100000u);
}

}  // namespace
}  // namespace agentbase::auth
