#include "util/text.hpp"

#include <gtest/gtest.h>

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

}  // namespace agentbase
