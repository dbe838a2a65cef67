#include <gtest/gtest.h>

#include "util/percent_decode.hpp"

namespace agentbase {
namespace {

TEST(SplitQuery, SplitsAndDecodesLikeHttpTypes) {
  auto pairs = SplitQuery("?select=id&a=1;b=%zz&&c&d=x%3Dy&e+f=g+h&");
  ASSERT_EQ(pairs.size(), 7u);
  EXPECT_EQ(pairs[0].key, "select");
  EXPECT_EQ(*pairs[1].value, "1");
  EXPECT_EQ(pairs[2].key, "b");       // ';' separates pairs too
  EXPECT_EQ(*pairs[2].value, "%zz");  // not an escape: kept
  EXPECT_EQ(pairs[3].key, "");
  EXPECT_FALSE(pairs[3].value);
  EXPECT_EQ(pairs[4].key, "c");
  EXPECT_FALSE(pairs[4].value);
  EXPECT_EQ(*pairs[5].value, "x=y");
  EXPECT_EQ(pairs[6].key, "e f");
  EXPECT_EQ(*pairs[6].value, "g h");
  EXPECT_TRUE(SplitQuery("").empty());
  EXPECT_TRUE(SplitQuery("?").empty());
}

TEST(SplitQuery, QueryValueIsTheFirstOccurrenceDecoded) {
  EXPECT_EQ(QueryValue("grant_type=password&grant_type=refresh_token", "grant_type"), "password");
  EXPECT_EQ(QueryValue("scope=oth%65rs", "scope"), "others");
  EXPECT_EQ(QueryValue("gr%61nt_type=a+b", "grant_type"), "a b");
  EXPECT_EQ(QueryValue("scope&x=1", "scope"), "");
  EXPECT_EQ(QueryValue("x=1", "scope"), std::nullopt);
}

}  // namespace
}  // namespace agentbase
