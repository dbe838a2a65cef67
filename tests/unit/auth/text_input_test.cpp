#include "auth/text_input.hpp"

#include <gtest/gtest.h>

#include <string>

#include "util/utf8.hpp"

namespace agentbase::auth {
namespace {

using namespace std::string_literals;

TEST(TextInput, AcceptsWellFormedUtf8) {
  EXPECT_TRUE(IsValidUtf8(""));
  EXPECT_TRUE(IsValidUtf8("correct horse battery"));
  EXPECT_TRUE(IsValidUtf8("p\xC3\xA4sswort"));              // ä
  EXPECT_TRUE(IsValidUtf8("\xE2\x82\xAC"));                 // €
  EXPECT_TRUE(IsValidUtf8("\xED\x9F\xBF"));                 // U+D7FF, just below the surrogates
  EXPECT_TRUE(IsValidUtf8("\xF0\x9F\x94\x91"));             // 🔑
  EXPECT_TRUE(IsValidUtf8("\xF4\x8F\xBF\xBF"));             // U+10FFFF
  EXPECT_FALSE(TextInputProblem("password", "p\xC3\xA4sswort \xF0\x9F\x94\x91").has_value());
}

TEST(TextInput, RefusesMalformedUtf8) {
  EXPECT_FALSE(IsValidUtf8("\x80"));                  // a stray continuation byte
  EXPECT_FALSE(IsValidUtf8("\xC3"));                  // cut short
  EXPECT_FALSE(IsValidUtf8("\xC3("));                 // not a continuation
  EXPECT_FALSE(IsValidUtf8("\xC0\x80"));              // overlong NUL
  EXPECT_FALSE(IsValidUtf8("\xE0\x80\xAF"));          // overlong '/'
  EXPECT_FALSE(IsValidUtf8("\xED\xA0\x80"));          // a UTF-16 surrogate
  EXPECT_FALSE(IsValidUtf8("\xF0\x8F\xBF\xBF"));      // overlong
  EXPECT_FALSE(IsValidUtf8("\xF4\x90\x80\x80"));      // beyond U+10FFFF
  EXPECT_FALSE(IsValidUtf8("\xFF"));
  EXPECT_FALSE(IsValidUtf8("ok\xE2\x82"));            // cut short at the end
}

TEST(TextInput, RefusesNulAnywhere) {
  EXPECT_EQ(TextInputProblem("password", "secret\0anything"s), "password must not contain NUL characters");
  EXPECT_TRUE(TextInputProblem("email", "\0"s).has_value());
  EXPECT_EQ(TextInputProblem("email", "a\xFF@b.c"), "email must be valid UTF-8");
}

}  // namespace
}  // namespace agentbase::auth
