// The patterns' engine: how a pattern is weighed, what is refused, and that
// a search has ECMA-262's meaning (unanchored) without recursing per byte.

#include "jsonschema/pattern.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "json_schema_test_util.hpp"
#include "jsonschema/schema.hpp"

namespace agentbase::jsonschema::detail {
namespace {

using ::testing::HasSubstr;

PatternWeight Weigh(std::string_view source) {
  Result<PatternWeight> weight = WeighPattern(source);
  if (!weight) throw std::runtime_error("refused: " + weight.error().message);
  return *weight;
}

Pattern MustCompilePattern(std::string_view source) {
  Result<Pattern> pattern = Pattern::Compile(source);
  if (!pattern) throw std::runtime_error("refused: " + pattern.error().message);
  return *pattern;
}

TEST(JsonSchemaPattern, WeightCountsStatesAndRepetitions) {
  EXPECT_EQ(Weigh("").weight, 0u);
  EXPECT_EQ(Weigh("abc").weight, 3u);
  EXPECT_EQ(Weigh("[a-z0-9_]").weight, 1u);        // a class is one state
  EXPECT_EQ(Weigh("\\u0041\\x41\\d").weight, 3u);  // escapes are one character each
  EXPECT_EQ(Weigh("a*").weight, 2u);
  EXPECT_EQ(Weigh("a+").weight, 4u);  // "aa*"
  EXPECT_EQ(Weigh("a{100}").weight, 200u);
  EXPECT_EQ(Weigh("a{2,100}").weight, 200u);
  EXPECT_EQ(Weigh("a{3,}").weight, 8u);      // three copies and a loop
  EXPECT_EQ(Weigh("(ab){10}").weight, 50u);  // a group is its content and two states, per copy
  EXPECT_EQ(Weigh("a|b").weight, 3u);
  EXPECT_EQ(Weigh("a*?").weight, Weigh("a*").weight);      // lazy costs the same
  EXPECT_EQ(Weigh("(x{1000}){1000}").weight, 2'003'000u);  // repeats multiply
  // A lookahead runs from every position: its content is weighed apart.
  PatternWeight lookahead = Weigh("^(?=.*[0-9]).{8,}$");
  EXPECT_EQ(lookahead.lookahead_weight, 5u);
  EXPECT_EQ(lookahead.weight, 22u);
}

TEST(JsonSchemaPattern, RefusesWhatThePolynomialModeCannotRun) {
  EXPECT_THAT(WeighPattern("(a)\\1").error().message, HasSubstr("backreferences (\\1) are not supported"));
  EXPECT_THAT(WeighPattern("(?<=a)b").error().message, HasSubstr("lookbehind"));
  EXPECT_THAT(WeighPattern("(?<name>a)").error().message, HasSubstr("named groups"));
  EXPECT_THAT(WeighPattern("(?=a(?=b))").error().message, HasSubstr("a lookahead inside a lookahead"));
  EXPECT_THAT(WeighPattern(testing_util::Repeat("(", 33) + testing_util::Repeat(")", 33)).error().message,
              HasSubstr("groups nest deeper than 32 levels"));
  EXPECT_TRUE(WeighPattern(testing_util::Repeat("(", 32) + testing_util::Repeat(")", 32)).ok());
  // \0 is a NUL character, not a backreference.
  EXPECT_TRUE(Pattern::Compile("a\\0").ok());
}

TEST(JsonSchemaPattern, CompileChecksSyntaxAndSize) {
  EXPECT_THAT(Pattern::Compile("(").error().message, HasSubstr("not a valid regular expression"));
  EXPECT_THAT(Pattern::Compile("a{2,1}").error().message, HasSubstr("not a valid regular expression"));
  // Valid only inside the search's own group: refused on its own.
  EXPECT_THAT(Pattern::Compile("a)(b").error().message, HasSubstr("not a valid regular expression"));
  EXPECT_THAT(Pattern::Compile("a{1001}").error().message, HasSubstr("it is too large: it weighs about 2002"));
  EXPECT_TRUE(Pattern::Compile("a{499}").ok());
  // libstdc++ would read these numbers into a long and overflow (found by
  // fuzz_json_schema): refused before std::regex sees them.
  for (const char* overlong : {"??{2,18446744073709551616}", "a{18446744073709551616}", "x{1234567890,}"}) {
    EXPECT_THAT(Pattern::Compile(overlong).error().message, HasSubstr("more than 9 digits after a '{'")) << overlong;
  }
}

TEST(JsonSchemaPattern, SearchIsUnanchoredAsEcmaScriptSays) {
  Pattern inner = MustCompilePattern("b+");
  EXPECT_TRUE(inner.Search("abbbc"));
  EXPECT_FALSE(inner.Search("ac"));
  Pattern anchored = MustCompilePattern("^ab$");
  EXPECT_TRUE(anchored.Search("ab"));
  EXPECT_FALSE(anchored.Search("xab"));
  EXPECT_FALSE(anchored.Search("ab\n"));  // "$" only at the end: no multiline
  EXPECT_FALSE(anchored.Search("x\nab"));
  Pattern alternatives = MustCompilePattern("^a|b$");
  EXPECT_TRUE(alternatives.Search("ax"));
  EXPECT_TRUE(alternatives.Search("xb"));
  EXPECT_FALSE(alternatives.Search("xa"));
  Pattern password = MustCompilePattern("^(?=.*[A-Z])(?=.*[0-9]).{8,}$");
  EXPECT_TRUE(password.Search("abcdefG1"));
  EXPECT_FALSE(password.Search("abcdefgh1"));
  Pattern word = MustCompilePattern("\\bcat\\b");
  EXPECT_TRUE(word.Search("a cat here"));
  EXPECT_FALSE(word.Search("concatenate"));
  EXPECT_TRUE(MustCompilePattern("").Search(""));
  EXPECT_TRUE(MustCompilePattern("a\\0b").Search(std::string("xa\0b", 4)));
  // Bytes, not code points: "." is one byte of "é".
  EXPECT_FALSE(MustCompilePattern("^.$").Search("\xC3\xA9"));
  EXPECT_TRUE(MustCompilePattern("^..$").Search("\xC3\xA9"));
}

// The engine itself has no per-byte recursion and no backtracking: a
// megabyte on a 128 KB stack, against patterns that crash or hang the
// default std::regex long before.
TEST(JsonSchemaPattern, SearchNeedsNoStackPerByteAndNoBacktracking) {
  Pattern alternation = MustCompilePattern("^(a|b)*$");
  Pattern nested = MustCompilePattern("^(a+)+$");
  const std::string megabyte(1'000'000, 'a');
  testing_util::RunWithStack(128 * 1024, [&] {
    EXPECT_TRUE(alternation.Search(megabyte));
    EXPECT_FALSE(alternation.Search(megabyte + "c"));
    EXPECT_FALSE(nested.Search(megabyte + "b"));
  });
}

TEST(JsonSchemaPattern, WorkGrowsWithSubjectAndWeight) {
  Pattern plain = MustCompilePattern("abc");
  EXPECT_EQ(plain.WorkFor(0), 3u + kPatternWorkPerByte);
  EXPECT_EQ(plain.WorkFor(99), 100 * (3u + kPatternWorkPerByte));
  Pattern lookahead = MustCompilePattern("(?=x)");
  EXPECT_EQ(lookahead.WorkFor(9), 10 * (2u + kPatternWorkPerByte) + 100 * 3u);
}

}  // namespace
}  // namespace agentbase::jsonschema::detail
