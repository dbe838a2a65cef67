#include "util/utf8.hpp"

#include <gtest/gtest.h>

#include <string>

namespace agentbase {
namespace {

const std::string kReplacement = "\xEF\xBF\xBD";

TEST(Utf8, CountsCodePointsAsPostgresCharLength) {
  EXPECT_EQ(CountCodePoints(""), 0u);
  EXPECT_EQ(CountCodePoints("abc"), 3u);
  EXPECT_EQ(CountCodePoints("\xc3\xa9t\xc3\xa9"), 3u);  // été
  EXPECT_EQ(CountCodePoints("\xf0\x9f\x98\x80!"), 2u);  // an emoji (4 bytes) and !
}

TEST(Utf8, ValidTextPassesUnchanged) {
  for (std::string text : {std::string(), std::string("plain ascii, longer than eight bytes"),
                           std::string("caf\xC3\xA9"), std::string("\xE2\x82\xAC and \xF0\x9F\x98\x80"),
                           std::string("\xEF\xBF\xBF"), std::string("\xF4\x8F\xBF\xBF"), std::string("a\0b", 3)}) {
    EXPECT_TRUE(IsValidUtf8(text)) << text;
    EXPECT_EQ(ReplaceInvalidUtf8(text), text);
  }
}

TEST(Utf8, IllFormedSequencesAreRefused) {
  for (std::string text : {
           std::string("\x80"),              // a lone continuation byte
           std::string("\xC0\xAF"),          // overlong '/'
           std::string("\xE0\x80\xAF"),      // overlong, three bytes
           std::string("\xED\xA0\x80"),      // a UTF-16 surrogate
           std::string("\xF4\x90\x80\x80"),  // above U+10FFFF
           std::string("\xF5\x80\x80\x80"),  // no such lead byte
           std::string("\xE2\x82"),          // cut short at the end
           std::string("\xFF"),
           std::string("0123456789abcdef\xE9"),  // after the eight-byte ASCII run
       }) {
    EXPECT_FALSE(IsValidUtf8(text)) << text;
    EXPECT_TRUE(IsValidUtf8(ReplaceInvalidUtf8(text))) << text;
  }
}

// One U+FFFD per maximal ill-formed subpart, as Unicode recommends and
// browsers decode: a truncated sequence is one, each stray byte is one.
TEST(Utf8, ReplacesEachMaximalIllFormedSubpart) {
  EXPECT_EQ(ReplaceInvalidUtf8("caf\xE9!"), "caf" + kReplacement + "!");
  EXPECT_EQ(ReplaceInvalidUtf8("\xE2\x82x"), kReplacement + "x");
  EXPECT_EQ(ReplaceInvalidUtf8("\xE2\x82"), kReplacement);
  EXPECT_EQ(ReplaceInvalidUtf8("\xF0\x9F\x98"), kReplacement);
  EXPECT_EQ(ReplaceInvalidUtf8("\xC0\xAF"), kReplacement + kReplacement);
  EXPECT_EQ(ReplaceInvalidUtf8("\xED\xA0\x80"), kReplacement + kReplacement + kReplacement);
  EXPECT_EQ(ReplaceInvalidUtf8("\x80\x80"), kReplacement + kReplacement);
  EXPECT_EQ(ReplaceInvalidUtf8("a\xFF\xC3\xA9"), "a" + kReplacement + "\xC3\xA9");
}

TEST(Utf8, AppendAddsToWhatIsThere) {
  std::string out = "{";
  AppendValidUtf8(out, "x\xFFy");
  EXPECT_EQ(out, "{x" + kReplacement + "y");
}

}  // namespace
}  // namespace agentbase
