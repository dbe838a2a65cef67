#include "auth/bearer.hpp"

#include <gtest/gtest.h>

namespace agentbase::auth {
namespace {

http::Request WithAuthorization(std::optional<std::string> value) {
  http::Request request;
  request.method = "GET";
  if (value) request.headers.emplace_back("authorization", *value);
  return request;
}

TEST(BearerToken, ReadsTheTokenInAnyCaseOfTheScheme) {
  auto token = BearerToken(WithAuthorization("Bearer abc.def.ghi"));
  ASSERT_TRUE(token);
  EXPECT_EQ(*token, std::optional<std::string>("abc.def.ghi"));
  EXPECT_EQ(*BearerToken(WithAuthorization("bEaReR   abc  ")), std::optional<std::string>("abc"));
}

TEST(BearerToken, NoHeaderIsNoTokenNotAnError) {
  auto token = BearerToken(WithAuthorization(std::nullopt));
  ASSERT_TRUE(token);
  EXPECT_FALSE(token->has_value());
}

TEST(BearerToken, AnythingElseIsAPermissionError) {
  for (const char* value : {"Basic dXNlcjpwYXNz", "Bearer", "Bearer ", "Bearer    ", "Bearer a b", "Bearerabc", ""}) {
    auto token = BearerToken(WithAuthorization(value));
    ASSERT_FALSE(token) << value;
    EXPECT_EQ(token.error().Kind(), ErrorKind::kPermission) << value;
    EXPECT_EQ(token.error().code, "bearer") << value;
  }
}

}  // namespace
}  // namespace agentbase::auth
