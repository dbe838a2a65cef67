// Schemas and instances written to hurt: long strings against patterns,
// patterns that backtrack, deep nesting, schemas that multiply the work. Each
// ends in a bounded answer; several run on threads with small stacks to show
// how little they need.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <string>
#include <vector>

#include "json_schema_test_util.hpp"
#include "jsonschema/schema.hpp"

namespace agentbase::jsonschema {
namespace {

namespace json = boost::json;
using ::testing::HasSubstr;
using ::testing::StartsWith;
using testing_util::CompileError;
using testing_util::Json;
using testing_util::MustCompile;
using testing_util::Repeat;
using testing_util::RunWithStack;

constexpr std::size_t kSmallStack = 256 * 1024;

std::vector<Violation> ValidateString(const Schema& schema, std::string text) {
  return Validate(schema, json::value(json::string(text)));
}

// libstdc++'s default std::regex recurses per character, about 750 bytes of
// stack each for "^(a|b)*$": on a 256 KB stack it would crash at about 350
// bytes. The validator's matching does not recurse per character.
// (jsonschema/pattern_test.cpp searches a million bytes the same way.)
TEST(JsonSchemaHostile, LongStringsAgainstAPatternDoNotCrash) {
  auto alternation = MustCompile(R"({"pattern": "^(a|b)*$"})");
  auto letters = MustCompile(R"({"pattern": "^[a-z]*$"})");
  RunWithStack(kSmallStack, [&] {
    EXPECT_TRUE(ValidateString(*alternation, std::string(kMaxPatternSubjectBytes, 'a')).empty());
    EXPECT_EQ(ValidateString(*alternation, std::string(kMaxPatternSubjectBytes - 1, 'a') + "c"),
              (std::vector<Violation>{{"", "pattern", "must match the pattern ^(a|b)*$"}}));
    EXPECT_TRUE(ValidateString(*letters, std::string(kMaxPatternSubjectBytes, 'z')).empty());
  });
}

TEST(JsonSchemaHostile, StringsOverTheBoundAreRefusedNotMatched) {
  const std::string too_long(kMaxPatternSubjectBytes + 1, 'a');
  const std::vector<Violation> refused = {
      {"", "pattern",
       "the string is 10001 bytes long, and one longer than 10000 bytes is not matched against a pattern"}};
  EXPECT_EQ(ValidateString(*MustCompile(R"({"pattern": "^a*$"})"), too_long), refused);
  // Refused even where a failed match would make the instance valid: a
  // string that cannot be checked is never taken as not matching.
  EXPECT_EQ(ValidateString(*MustCompile(R"({"not": {"pattern": "<script"}})"), too_long), refused);
  EXPECT_EQ(ValidateString(*MustCompile(R"({"anyOf": [{"pattern": "^b"}, {"type": "string"}]})"), too_long), refused);
  // But where the value fails anyway, the pattern is skipped and the real failure reported.
  EXPECT_EQ(ValidateString(*MustCompile(R"({"maxLength": 10, "pattern": "^a*$"})"), too_long),
            (std::vector<Violation>{{"", "maxLength", "must be at most 10 characters long"}}));
  // Names matched against patternProperties are bounded the same way.
  json::object with_long_name;
  with_long_name[too_long] = 1;
  std::vector<Violation> name_refused =
      Validate(*MustCompile(R"({"patternProperties": {"^a": {}}})"), json::value(with_long_name));
  ASSERT_EQ(name_refused.size(), 1u);
  EXPECT_EQ(name_refused[0].path, "/" + too_long);
  EXPECT_EQ(name_refused[0].keyword, "pattern");
  EXPECT_EQ(name_refused[0].message,
            "the property name is 10001 bytes long, and one longer than 10000 bytes is not matched against a pattern");
}

// Backtracking takes 6.7 s for "^(a+)+$" against 28 'a's and a 'b' and would
// never end on these; the polynomial mode is linear in the subject.
TEST(JsonSchemaHostile, PatternsThatBacktrackExponentiallyRunInLinearTime) {
  EXPECT_EQ(ValidateString(*MustCompile(R"({"pattern": "^(a+)+$"})"), std::string(9'999, 'a') + "b"),
            (std::vector<Violation>{{"", "pattern", "must match the pattern ^(a+)+$"}}));
  EXPECT_EQ(ValidateString(*MustCompile(R"({"pattern": "(x+x+)+y"})"), std::string(10'000, 'x')),
            (std::vector<Violation>{{"", "pattern", "must match the pattern (x+x+)+y"}}));
  EXPECT_TRUE(ValidateString(*MustCompile(R"({"pattern": "(x+x+)+y"})"), std::string(9'999, 'x') + "y").empty());
}

TEST(JsonSchemaHostile, PatternWorkIsBudgetedPerValidate) {
  json::array strings;
  for (int i = 0; i < 5'000; ++i) strings.emplace_back(std::string(100, 'q'));
  std::vector<Violation> violations =
      Validate(*MustCompile(R"({"items": {"pattern": "^[a-z]+$"}})"), json::value(strings));
  ASSERT_EQ(violations.size(), 1u);
  EXPECT_THAT(violations[0].path, StartsWith("/"));
  EXPECT_EQ(violations[0].keyword, "pattern");
  EXPECT_EQ(violations[0].message,
            "matching the string against the pattern ^[a-z]+$ would take the pattern work of this instance past "
            "2000000 units (bytes times pattern weight)");
  // Fewer strings are simply checked.
  strings.resize(100);
  EXPECT_TRUE(Validate(*MustCompile(R"({"items": {"pattern": "^[a-z]+$"}})"), json::value(strings)).empty());
}

TEST(JsonSchemaHostile, DeepInstancesAreRefusedWhole) {
  auto any = MustCompile("{}");
  EXPECT_TRUE(Validate(*any, Json(Repeat("[", 64) + Repeat("]", 64))).empty());
  EXPECT_EQ(
      Validate(*any, Json(Repeat("[", 66) + Repeat("]", 66))),
      (std::vector<Violation>{{Repeat("/0", 65), "limit", "nests deeper than 64 levels, the most an instance may"}}));
  json::value very_deep = Json(Repeat(R"({"a":)", 10'000) + "1" + Repeat("}", 10'000));
  RunWithStack(kSmallStack, [&] {
    std::vector<Violation> violations = Validate(*MustCompile(R"({"properties": {"a": {"$ref": "#"}}})"), very_deep);
    ASSERT_EQ(violations.size(), 1u);
    EXPECT_EQ(violations[0].keyword, "limit");
    EXPECT_EQ(violations[0].path, Repeat("/a", 65));
  });
}

TEST(JsonSchemaHostile, ValidationStepsAreBudgeted) {
  json::array numbers;
  for (int i = 0; i < 400'000; ++i) numbers.emplace_back(i);
  std::vector<Violation> violations = Validate(
      *MustCompile(R"({"items": {"anyOf": [{"type": "string"}, {"type": "integer"}]}})"), json::value(numbers));
  ASSERT_EQ(violations.size(), 1u);
  EXPECT_EQ(violations[0].keyword, "limit");
  EXPECT_EQ(violations[0].message, "validating the instance against the schema needs more than 1000000 steps");
  // The root applies to each member twice, so the work doubles per level:
  // 2^60 applications without the budget.
  std::vector<Violation> doubled =
      Validate(*MustCompile(R"({"properties": {"a": {"$ref": "#"}}, "allOf": [{"properties": {"a": {"$ref": "#"}}}]})"),
               Json(Repeat(R"({"a":)", 60) + "1" + Repeat("}", 60)));
  ASSERT_EQ(doubled.size(), 1u);
  EXPECT_EQ(doubled[0].keyword, "limit");
  // The same with a long name to copy into the path at each step (found by
  // fuzz_json_schema: it was not counted).
  std::vector<Violation> long_names =
      Validate(*MustCompile(R"({"properties": {"a": {"$ref": "#"}}, "allOf": [{"properties": {"a": {"$ref": "#"}}}]})"),
               Json(Repeat(R"({"a":)", 27) + "{\"" + std::string(1'500, 'x') + R"(":1})" + Repeat("}", 27)));
  ASSERT_EQ(long_names.size(), 1u);
  EXPECT_EQ(long_names[0].keyword, "limit");
  // And a name of slashes, each escaped (~1) when written into a path: the
  // path is written out only for a violation, so entering the member costs
  // the same as a short name (found by fuzz_json_schema: escaping 30,000
  // slashes per step took 400 ms of the budget).
  std::vector<Violation> slashes =
      Validate(*MustCompile(R"({"properties": {"a": {"$ref": "#"}}, "allOf": [{"properties": {"a": {"$ref": "#"}}}]})"),
               Json(Repeat(R"({"a":)", 27) + "{\"" + std::string(30'000, '/') + R"(":{"a":1}})" + Repeat("}", 27)));
  ASSERT_EQ(slashes.size(), 1u);
  EXPECT_EQ(slashes[0].keyword, "limit");
  EXPECT_EQ(slashes[0].path.rfind("/a/a/", 0), 0u) << slashes[0].path.substr(0, 80);
  std::vector<Violation> escaped = Validate(*MustCompile(R"({"properties": {"x/y~z": {"items": {"type": "string"}}}})"),
                                            Json(R"({"x/y~z": ["ok", 2]})"));
  ASSERT_EQ(escaped.size(), 1u);
  EXPECT_EQ(escaped[0].path, "/x~1y~0z/1");
  // Long strings cost by their length: a thousand maxLength checks of 10 MB.
  std::string thousand_checks = "{\"allOf\": [" + Repeat(R"({"maxLength": 100000000},)", 999) + R"({"maxLength": 1}]})";
  const std::string ten_megabytes(10'000'000, 'a');  // NOLINT(bugprone-string-constructor): that long on purpose
  std::vector<Violation> long_string = ValidateString(*MustCompile(thousand_checks), ten_megabytes);
  ASSERT_EQ(long_string.size(), 1u);
  EXPECT_EQ(long_string[0].keyword, "limit");
}

TEST(JsonSchemaHostile, UniqueItemsIsNotQuadratic) {
  json::array numbers;
  for (int i = 0; i < 100'000; ++i) numbers.emplace_back(i);
  auto unique = MustCompile(R"({"uniqueItems": true})");
  EXPECT_TRUE(Validate(*unique, json::value(numbers)).empty());
  numbers.emplace_back(99'998.0);
  EXPECT_EQ(
      Validate(*unique, json::value(numbers)),
      (std::vector<Violation>{{"", "uniqueItems", "must not hold duplicates: items 99998 and 100000 are equal"}}));
}

// Subschemas applied within each other, here through a chain of allOf that
// comes back to the root one property further down.
std::string AllOfChain(int length) {
  std::string schema = R"({"$ref": "#/definitions/d0", "definitions": {)";
  for (int i = 0; i < length; ++i) {
    schema +=
        "\"d" + std::to_string(i) + R"(": {"allOf": [{"$ref": "#/definitions/d)" + std::to_string(i + 1) + "\"}]},";
  }
  return schema + "\"d" + std::to_string(length) + R"(": {"properties": {"a": {"$ref": "#/definitions/d0"}}}}})";
}

TEST(JsonSchemaHostile, ValidateNeedsLittleStack) {
  auto chain = MustCompile(AllOfChain(200));
  json::value deep = Json(Repeat(R"({"a":)", 64) + "1" + Repeat("}", 64));
  RunWithStack(kSmallStack, [&] {
    EXPECT_EQ(Validate(*chain, deep),
              (std::vector<Violation>{
                  {"/a/a", "limit", "the schema applies more than 512 subschemas within each other here"}}));
  });
  EXPECT_TRUE(Validate(*MustCompile(AllOfChain(3)), deep).empty());
}

TEST(JsonSchemaHostile, CompileNeedsBoundedStack) {
  // kCompileStackBytes for valijson's parse, about 160 KB for its URN check
  // of a reference kMaxReferenceBytes long, and little else.
  auto chain = [](int hops, const std::string& last) {
    std::string schema = R"({"$ref": "#/definitions/d0", "definitions": {)";
    for (int i = 0; i < hops; ++i) {
      schema +=
          "\"d" + std::to_string(i) + R"(": {"items": {"$ref": "#/definitions/d)" + std::to_string(i + 1) + "\"}},";
    }
    return schema + "\"d" + std::to_string(hops) + "\": " + last + "}}";
  };
  const std::string long_urn = R"({"$ref": "urn:ab:)" + std::string(kMaxReferenceBytes - 7, 'x') + "\"}";
  RunWithStack(2 * 1024 * 1024, [&] {
    EXPECT_THAT(CompileError(chain(2'000, "{}")), HasSubstr("the schema nests too deeply"));
    // As deep as the parse may go, then the URN check: whichever ends it, nothing crashes.
    EXPECT_THAT(CompileError(chain(380, long_urn)),
                ::testing::AnyOf(HasSubstr("points to another document"), HasSubstr("the schema nests too deeply")));
    EXPECT_THAT(CompileError(long_urn), HasSubstr("points to another document"));
    EXPECT_EQ(CompileError(R"({"pattern": ")" + Repeat("(", 32) + "a" + Repeat(")", 32) + "\"}"), "");
    EXPECT_EQ(CompileError(Repeat(R"({"not": )", 64) + "{}" + Repeat("}", 64)), "");
  });
}

// valijson changes the base of references at each "id" and parses the whole
// document again under every new base: each "id" below makes a new one.
TEST(JsonSchemaHostile, IdScopesThatGrowEndInAnError) {
  EXPECT_THAT(CompileError(R"({"properties": {"x": {"id": "a/", "properties": {"y": {"$ref": "#"}}},
                                              "z": {"id": "b/", "properties": {"y": {"$ref": "#"}}}}})"),
              ::testing::AnyOf(HasSubstr("nests too deeply"), HasSubstr("subschemas")));
}

}  // namespace
}  // namespace agentbase::jsonschema
