#include "changes/authorizer.hpp"

#include <gtest/gtest.h>

namespace agentbase::changes {
namespace {

using Matrix = std::vector<std::vector<bool>>;

TEST(AuthorizerParsing, BooleanMatricesOfTheExpectedShape) {
  auto two = ParseBoolMatrix("{{t,f,t},{f,f,t}}", 2, 3);
  ASSERT_TRUE(two.ok()) << two.error().message;
  EXPECT_EQ(*two, (Matrix{{true, false, true}, {false, false, true}}));
  auto one = ParseBoolMatrix("{{t,f}}", 1, 2);
  ASSERT_TRUE(one.ok());
  EXPECT_EQ(*one, (Matrix{{true, false}}));
  EXPECT_TRUE(ParseBoolMatrix("{t,f}", 1, 2).ok());  // one record may come back one-dimensional
  // Anything else is an error, never a guess.
  EXPECT_FALSE(ParseBoolMatrix("{{t,f},{f}}", 2, 2).ok());
  EXPECT_FALSE(ParseBoolMatrix("{{t,f}", 1, 2).ok());
  EXPECT_FALSE(ParseBoolMatrix("{{{t}}}", 1, 1).ok());
  EXPECT_FALSE(ParseBoolMatrix("{t,NULL}", 1, 2).ok());
  EXPECT_FALSE(ParseBoolMatrix("t", 1, 1).ok());
  EXPECT_FALSE(ParseBoolMatrix("", 1, 1).ok());
}

}  // namespace
}  // namespace agentbase::changes
