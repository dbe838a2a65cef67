#include "util/utf8.hpp"

#include <gtest/gtest.h>

namespace agentbase {
namespace {

TEST(Utf8, AcceptsWellFormedText) {
  for (std::string_view text : {"", "plain ascii", "caf\xC3\xA9", "\xE2\x82\xAC", "\xF0\x9F\x98\x80", "\xED\x9F\xBF",
                                "\xF4\x8F\xBF\xBF"}) {
    EXPECT_TRUE(IsValidUtf8(text)) << text;
    EXPECT_EQ(ToValidUtf8(text), text);
  }
}

TEST(Utf8, RefusesIllFormedText) {
  for (std::string_view text : {
           "\x80",              // a lone continuation byte
           "\xC3",              // cut short
           "\xC0\xAF",          // overlong '/'
           "\xE0\x80\xAF",      // overlong, three bytes
           "\xED\xA0\x80",      // a surrogate
           "\xF4\x90\x80\x80",  // above U+10FFFF
           "\xF5\x80\x80\x80",  // no such lead byte
           "\xFF",
       }) {
    EXPECT_FALSE(IsValidUtf8(text)) << testing::PrintToString(text);
  }
}

TEST(Utf8, ReplacesEachBadRunWithOneReplacementCharacter) {
  EXPECT_EQ(ToValidUtf8("a\xFF" "b"), "a\xEF\xBF\xBD" "b");
  EXPECT_EQ(ToValidUtf8("\xC3(\xC3\xA9"), "\xEF\xBF\xBD(\xC3\xA9");
  EXPECT_EQ(ToValidUtf8("x\xE2\x82"), "x\xEF\xBF\xBD");
  EXPECT_EQ(ToValidUtf8("\x80\x80\x80z"), "\xEF\xBF\xBDz");
  EXPECT_TRUE(IsValidUtf8(ToValidUtf8("\xED\xA0\x80\xF5\xC0")));
}

}  // namespace
}  // namespace agentbase
