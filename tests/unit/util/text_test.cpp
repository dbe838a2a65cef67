#include "util/text.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace agentbase {

TEST(Text, CollapseWhitespaceJoinsRuns) { EXPECT_EQ(CollapseWhitespace("  a \n\t b  c "), "a b c"); }

TEST(Text, OneLineJoinsNonEmptyLines) {
  EXPECT_EQ(OneLine("could not connect\n\tIs the server running?\n"), "could not connect; Is the server running?");
}

TEST(Text, SplitKeepsEmptyPartsButNotEmptyInput) {
  EXPECT_TRUE(Split("", ',').empty());
  EXPECT_EQ(Split("a,,b", ','), (std::vector<std::string>{"a", "", "b"}));
}

TEST(Text, QuoteIdentQuotesOnlyWhenNeeded) {
  EXPECT_EQ(QuoteIdent("user_memory"), "user_memory");
  EXPECT_EQ(QuoteIdent("User"), "\"User\"");
  EXPECT_EQ(QuoteIdent("a\"b"), "\"a\"\"b\"");
  EXPECT_EQ(QuoteIdent("1abc"), "\"1abc\"");
}

TEST(Text, QuoteLiteralDoublesQuotes) { EXPECT_EQ(QuoteLiteral("it's"), "'it''s'"); }

TEST(Text, EqualsIgnoreCaseComparesAsciiLetters) {
  EXPECT_TRUE(EqualsIgnoreCase("Access-Control-Allow-Origin", "access-control-allow-origin"));
  EXPECT_FALSE(EqualsIgnoreCase("Content-Type", "content-typ"));
  EXPECT_FALSE(EqualsIgnoreCase("a-b", "a_b"));
}

TEST(Text, AppendJsonStringEscapesWhatJsonRequires) {
  std::string out = "x";
  AppendJsonString(out, std::string("a\"b\\c\nd\x01\x1f é\0", 13));
  EXPECT_EQ(out, "x\"a\\\"b\\\\c\\nd\\u0001\\u001f é\\u0000\"");
  // Whatever goes in comes back out of a JSON parser unchanged.
  std::string text = "tab\there \"quoted\" back\\slash \x7f";
  std::string json;
  AppendJsonString(json, text);
  EXPECT_EQ(boost::json::value_to<std::string>(boost::json::parse(json)), text);
}

}  // namespace agentbase
