#include "auth/refresh_rotation.hpp"

#include <gtest/gtest.h>

#include "auth/claims.hpp"

namespace agentbase::auth {
namespace {

TEST(RefreshRotation, TheReplacedTokenAndTheKeyLeadBackToTheSameToken) {
  std::string previous = NewRefreshToken();
  std::string key = NewRotationKey();
  std::string rotated = RotatedRefreshToken(key, previous);
  EXPECT_EQ(rotated.size(), 43u);  // as long as a fresh token: 32 bytes, base64url
  EXPECT_EQ(rotated.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
            std::string::npos);
  EXPECT_EQ(RotatedRefreshToken(key, previous), rotated);
  EXPECT_NE(RotatedRefreshToken(NewRotationKey(), previous), rotated);
  EXPECT_NE(RotatedRefreshToken(key, NewRefreshToken()), rotated);
  EXPECT_NE(rotated, previous);
  EXPECT_NE(NewRotationKey(), key);
}

// The derivation is pinned (RFC 4231's test case 2): a session rotated by
// one build must still be answered within the reuse interval by the next.
TEST(RefreshRotation, DerivationIsHmacSha256Base64Url) {
  EXPECT_EQ(RotatedRefreshToken("Jefe", "what do ya want for nothing?"), "W9zBRr9gdU5qBCQmCJV1x1oAPwidJzmDnexYuWTsOEM");
}

}  // namespace
}  // namespace agentbase::auth
