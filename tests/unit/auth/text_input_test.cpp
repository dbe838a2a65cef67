#include "auth/text_input.hpp"

#include <gtest/gtest.h>

#include <string>

namespace agentbase::auth {
namespace {

using namespace std::string_literals;

// The UTF-8 check itself is util/utf8's (tests/unit/util/utf8_test.cpp);
// these are the edges that matter for a password or an e-mail address.
TEST(TextInput, AcceptsWellFormedText) {
  for (const char* text : {"", "correct horse battery", "p\xC3\xA4sswort",  // ä
                           "\xE2\x82\xAC",                                  // €
                           "\xED\x9F\xBF",                                  // U+D7FF, just below the surrogates
                           "\xF0\x9F\x94\x91",                              // 🔑
                           "\xF4\x8F\xBF\xBF",                              // U+10FFFF
                           "p\xC3\xA4sswort \xF0\x9F\x94\x91"}) {
    EXPECT_EQ(TextInputProblem("password", text), std::nullopt) << text;
  }
}

TEST(TextInput, RefusesMalformedUtf8ByName) {
  for (const char* text : {"\x80",              // a stray continuation byte
                           "\xC3",              // cut short
                           "\xC3(",             // not a continuation
                           "\xC0\x80",          // overlong NUL: not UTF-8, so not a NUL either
                           "\xE0\x80\xAF",      // overlong '/'
                           "\xED\xA0\x80",      // a UTF-16 surrogate
                           "\xF0\x8F\xBF\xBF",  // overlong
                           "\xF4\x90\x80\x80",  // beyond U+10FFFF
                           "\xFF",
                           "ok\xE2\x82",  // cut short at the end
                           "a\xFF@b.c"}) {
    EXPECT_EQ(TextInputProblem("email", text), "email must be valid UTF-8") << text;
  }
}

TEST(TextInput, RefusesNulAnywhere) {
  EXPECT_EQ(TextInputProblem("password", "secret\0anything"s), "password must not contain NUL characters");
  EXPECT_EQ(TextInputProblem("email", "\0"s), "email must not contain NUL characters");
  EXPECT_EQ(TextInputProblem("password", "secret\0"s), "password must not contain NUL characters");
  // A NUL is named as such even where the rest is not UTF-8 either.
  EXPECT_EQ(TextInputProblem("password", "\xFF\0"s), "password must not contain NUL characters");
}

}  // namespace
}  // namespace agentbase::auth
