#include <gtest/gtest.h>

#include "db/connection.hpp"

namespace agentbase::db {

TEST(CopyText, EscapesWhatWouldEndAFieldOrARow) {
  std::string row;
  AppendCopyText(row, "plain words");
  EXPECT_EQ(row, "plain words");
  row.clear();
  AppendCopyText(row, "a\tb\nc\rd\\e");
  EXPECT_EQ(row, "a\\tb\\nc\\rd\\\\e");
  row.clear();
  AppendCopyText(row, "\\N");  // the literal text, not NULL
  EXPECT_EQ(row, "\\\\N");
}

// Text[] parameters (rest's in/any filters and array arguments, the change
// authorizer's roles): every element quoted, quotes and backslashes escaped.
TEST(TextArrayLiteral, QuotesEveryItem) {
  EXPECT_EQ(TextArrayLiteral({"a", "b\"c", "d\\e", ""}), R"({"a","b\"c","d\\e",""})");
  EXPECT_EQ(TextArrayLiteral({"anon", "authenticated"}), R"({"anon","authenticated"})");
  EXPECT_EQ(TextArrayLiteral({R"(we"ird\role)", "a,b"}), R"({"we\"ird\\role","a,b"})");
  EXPECT_EQ(TextArrayLiteral({}), "{}");
}

}  // namespace agentbase::db
