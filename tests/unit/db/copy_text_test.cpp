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
  using Texts = std::vector<std::string>;
  EXPECT_EQ(TextArrayLiteral(Texts{"a", "b\"c", "d\\e", ""}), R"({"a","b\"c","d\\e",""})");
  EXPECT_EQ(TextArrayLiteral(Texts{"anon", "authenticated"}), R"({"anon","authenticated"})");
  // A null element is NULL unquoted; the text NULL stays quoted.
  using Items = std::vector<std::optional<std::string>>;
  EXPECT_EQ(TextArrayLiteral(Items{"1", std::nullopt, "NULL"}), R"({"1",NULL,"NULL"})");
  EXPECT_EQ(TextArrayLiteral(Texts{R"(we"ird\role)", "a,b"}), R"({"we\"ird\\role","a,b"})");
  EXPECT_EQ(TextArrayLiteral(Texts{}), "{}");
}

}  // namespace agentbase::db
