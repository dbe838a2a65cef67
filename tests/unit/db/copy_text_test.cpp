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

}  // namespace agentbase::db
