// What Validate reports: for every keyword valijson parses, the keyword, the
// JSON Pointer of the failing value and the message; then the order, the
// limit, Describe, and validation from several threads at once.

#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

#include "json_schema_test_util.hpp"
#include "jsonschema/schema.hpp"

namespace agentbase::jsonschema {
namespace {

using testing_util::Check;
using testing_util::Json;
using testing_util::MustCompile;

struct KeywordCase {
  const char* schema;
  const char* instance;
  std::vector<Violation> expected;
};

// One or more cases per constraint class of valijson (its ConstraintVisitor
// lists them: a new one would not compile until the validator handles it).
const KeywordCase kKeywordCases[] = {
    // TypeConstraint
    {R"({"type": "string"})", "5", {{"", "type", "must be string"}}},
    {R"({"type": ["string", "null"]})", "5", {{"", "type", "must be null or string"}}},
    {R"({"type": ["string", "integer", "boolean"]})", "[]", {{"", "type", "must be boolean, integer or string"}}},
    {R"({"type": "integer"})", "1.5", {{"", "type", "must be integer"}}},
    {R"({"type": "integer"})", "1.0", {}},
    {R"({"$schema": "http://json-schema.org/draft-04/schema#", "type": "integer"})",
     "1.0",
     {{"", "type", "must be integer"}}},
    {R"({"$schema": "http://json-schema.org/draft-04/schema#", "type": "integer"})", "1", {}},
    {R"({"type": "number"})", "18446744073709551615", {}},
    // EnumConstraint
    {R"({"enum": ["fast", "slow"]})", R"("medium")", {{"", "enum", R"(must be one of "fast", "slow")"}}},
    {R"({"enum": [1]})", "2", {{"", "enum", "must be 1"}}},
    {R"({"enum": [1, {"a": [true]}]})", R"({"a": [true]})", {}},
    // ConstConstraint
    {R"({"const": {"a": 1}})", R"({"a": 2})", {{"", "const", R"(must equal {"a":1})"}}},
    {R"({"const": 1})", "1.0", {}},
    // MaximumConstraint, from maximum and from draft-07's exclusiveMaximum
    {R"({"maximum": 5})", "6", {{"", "maximum", "must be <= 5"}}},
    {R"({"maximum": 2.5})", "2.75", {{"", "maximum", "must be <= 2.5"}}},
    {R"({"exclusiveMaximum": 5})", "5", {{"", "exclusiveMaximum", "must be < 5"}}},
    {R"({"$schema": "http://json-schema.org/draft-04/schema#", "maximum": 5, "exclusiveMaximum": true})",
     "5",
     {{"", "maximum", "must be < 5"}}},
    // MinimumConstraint
    {R"({"minimum": 1})", "0", {{"", "minimum", "must be >= 1"}}},
    {R"({"exclusiveMinimum": 0})", "0", {{"", "exclusiveMinimum", "must be > 0"}}},
    {R"({"$schema": "http://json-schema.org/draft-04/schema#", "minimum": 0, "exclusiveMinimum": true})",
     "0",
     {{"", "minimum", "must be > 0"}}},
    // MultipleOfIntConstraint, MultipleOfDoubleConstraint
    {R"({"multipleOf": 3})", "7", {{"", "multipleOf", "must be a multiple of 3"}}},
    {R"({"multipleOf": 3})", "7.5", {{"", "multipleOf", "must be a multiple of 3"}}},
    {R"({"multipleOf": 3})", "9.0", {}},
    {R"({"multipleOf": 0.01})", "0.015", {{"", "multipleOf", "must be a multiple of 0.01"}}},
    {R"({"multipleOf": 0.01})", "19.99", {}},
    // MaxLengthConstraint, MinLengthConstraint: code points, not bytes
    {R"({"maxLength": 3})", R"("abcd")", {{"", "maxLength", "must be at most 3 characters long"}}},
    {R"({"maxLength": 3})", "\"\u65e5\u672c\u8a9e\"", {}},
    {R"({"maxLength": 10})", "\"a\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\"", {}},
    {R"({"maxLength": 10})",
     "\"\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\"",
     {{"", "maxLength", "must be at most 10 characters long"}}},
    {R"({"minLength": 1})", R"("")", {{"", "minLength", "must be at least 1 character long"}}},
    // PatternConstraint
    {R"({"pattern": "^[a-z]+$"})", R"("Abc")", {{"", "pattern", "must match the pattern ^[a-z]+$"}}},
    {R"({"pattern": "b"})", R"("abc")", {}},
    // MaxItemsConstraint, MinItemsConstraint
    {R"({"maxItems": 1})", "[1, 2]", {{"", "maxItems", "must have at most 1 item"}}},
    {R"({"minItems": 2})", "[1]", {{"", "minItems", "must have at least 2 items"}}},
    // UniqueItemsConstraint: numbers by value, objects whatever their order
    {R"({"uniqueItems": true})",
     "[1, 2, 1.0, 2]",
     {{"", "uniqueItems", "must not hold duplicates: items 0 and 2 are equal"}}},
    {R"({"uniqueItems": true})",
     R"([{"a": 1, "b": 2}, {"b": 2, "a": 1}])",
     {{"", "uniqueItems", "must not hold duplicates: items 0 and 1 are equal"}}},
    {R"({"uniqueItems": true})", R"([1, "1", [1], {"1": 1}, true, null])", {}},
    // SingularItemsConstraint
    {R"({"items": {"type": "integer"}})",
     R"([1, "x", 3, "y"])",
     {{"/1", "type", "must be integer"}, {"/3", "type", "must be integer"}}},
    // LinearItemsConstraint: items as an array, and additionalItems
    {R"({"items": [{"type": "string"}], "additionalItems": false})",
     R"(["a", 1, 2])",
     {{"/1", "additionalItems", "is not allowed (additionalItems is false, and items lists 1 schema)"},
      {"/2", "additionalItems", "is not allowed (additionalItems is false, and items lists 1 schema)"}}},
    {R"({"items": [{"type": "string"}], "additionalItems": {"type": "integer"}})",
     R"([5, "x"])",
     {{"/0", "type", "must be string"}, {"/1", "type", "must be integer"}}},
    // ContainsConstraint
    {R"({"contains": {"const": 3}})",
     "[1, 2]",
     {{"", "contains", "must contain an item that matches the schema in contains"}}},
    // MaxPropertiesConstraint, MinPropertiesConstraint
    {R"({"maxProperties": 1})", R"({"a": 1, "b": 2})", {{"", "maxProperties", "must have at most 1 property"}}},
    {R"({"minProperties": 2})", R"({"a": 1})", {{"", "minProperties", "must have at least 2 properties"}}},
    // RequiredConstraint
    {R"({"required": ["url", "name"]})", R"({"name": "x"})", {{"", "required", R"(must have property "url")"}}},
    // PropertiesConstraint: properties, patternProperties, additionalProperties
    {R"({"properties": {"retries": {"maximum": 5}}})", R"({"retries": 7})", {{"/retries", "maximum", "must be <= 5"}}},
    {R"({"patternProperties": {"^x-": {"type": "string"}}})",
     R"({"x-a": 1, "y": 1})",
     {{"/x-a", "type", "must be string"}}},
    {R"({"properties": {"a": {}}, "patternProperties": {"^x-": {}}, "additionalProperties": false})",
     R"({"a": 1, "x-b": 2, "c": 3})",
     {{"/c", "additionalProperties", "is not allowed (additionalProperties is false)"}}},
    {R"({"additionalProperties": {"type": "integer"}})", R"({"n": "x"})", {{"/n", "type", "must be integer"}}},
    // PropertyNamesConstraint
    {R"({"propertyNames": {"pattern": "^[a-z]+$"}})",
     R"({"ok": 1, "Bad": 2})",
     {{"", "propertyNames", R"(property name "Bad" must match the pattern ^[a-z]+$)"}}},
    {R"({"propertyNames": false})",
     R"({"a": 1})",
     {{"", "propertyNames", R"(property name "a" is not allowed (its schema is false))"}}},
    // DependenciesConstraint: names, and schemas (whose own keywords report)
    {R"({"dependencies": {"card": ["billing"]}})",
     R"({"card": 1})",
     {{"", "dependencies", R"(property "card" requires property "billing")"}}},
    {R"({"dependencies": {"card": {"required": ["cvv"]}}})",
     R"({"card": 1})",
     {{"", "required", R"(must have property "cvv")"}}},
    // AllOfConstraint: each schema's own violations
    {R"({"allOf": [{"minimum": 1}, {"maximum": 3}]})", "5", {{"", "maximum", "must be <= 3"}}},
    // AnyOfConstraint, OneOfConstraint, NotConstraint
    {R"({"anyOf": [{"type": "string"}, {"type": "null"}]})",
     "5",
     {{"", "anyOf", "must match at least one of the 2 schemas in anyOf"}}},
    {R"({"oneOf": [{"type": "string"}, {"type": "null"}]})",
     "5",
     {{"", "oneOf", "must match exactly one of the 2 schemas in oneOf, but matches none"}}},
    {R"({"oneOf": [{"minimum": 0}, {"maximum": 10}, {"type": "integer"}]})",
     "5",
     {{"", "oneOf", "must match exactly one of the 3 schemas in oneOf, but matches more than one (#0 and #1)"}}},
    {R"({"not": {"type": "null"}})", "null", {{"", "not", "must not match the schema in not"}}},
    // ConditionalConstraint: the branch's own violations
    {R"({"if": {"properties": {"kind": {"const": "http"}}}, "then": {"required": ["url"]}, "else": {"required": ["command"]}})",
     R"({"kind": "http"})",
     {{"", "required", R"(must have property "url")"}}},
    {R"({"if": {"properties": {"kind": {"const": "http"}}}, "then": {"required": ["url"]}, "else": {"required": ["command"]}})",
     R"({"kind": "cli"})",
     {{"", "required", R"(must have property "command")"}}},
    // FormatConstraint: an annotation only
    {R"({"format": "email"})", R"("not an email")", {}},
    {R"({"format": "date-time"})", "5", {}},
    // false schemas
    {R"({"properties": {"legacy": false}})",
     R"({"legacy": 1})",
     {{"/legacy", "false", "is not allowed (its schema is false)"}}},
    {"false", "1", {{"", "false", "is not allowed (its schema is false)"}}},
    {"true", R"({"anything": [1]})", {}},
    // $ref, which valijson resolves to the subschema it names
    {R"({"definitions": {"port": {"type": "integer", "maximum": 65535}}, "properties": {"port": {"$ref": "#/definitions/port"}}})",
     R"({"port": 70000})",
     {{"/port", "maximum", "must be <= 65535"}}},
};

TEST(JsonSchemaValidate, EachKeywordReportsItselfWithPathAndMessage) {
  for (const KeywordCase& test : kKeywordCases) {
    EXPECT_EQ(Check(test.schema, test.instance), test.expected) << test.schema << " against " << test.instance;
  }
}

TEST(JsonSchemaValidate, PathsAreJsonPointersWithEscapesAndIndexes) {
  EXPECT_EQ(
      Check(R"({"properties": {"a/b": {"type": "string"}, "m~n": {"type": "string"}, "": {"type": "string"}}})",
            R"({"a/b": 1, "m~n": 2, "": 3})"),
      (std::vector<Violation>{
          {"/", "type", "must be string"}, {"/a~1b", "type", "must be string"}, {"/m~0n", "type", "must be string"}}));
  EXPECT_EQ(Check(R"({"properties": {"headers": {"items": {"properties": {"name": {"type": "string"}}}}}})",
                  R"({"headers": [{"name": "x"}, {"name": 5}]})"),
            (std::vector<Violation>{{"/headers/1/name", "type", "must be string"}}));
  EXPECT_EQ(
      Check(R"({"additionalProperties": false})", R"({"~/": 1})"),
      (std::vector<Violation>{{"/~0~1", "additionalProperties", "is not allowed (additionalProperties is false)"}}));
}

TEST(JsonSchemaValidate, TypeComesFirstThenTheOtherKeywords) {
  EXPECT_EQ(Check(R"({"enum": ["a", "b"], "type": "string"})", "5"),
            (std::vector<Violation>{{"", "type", "must be string"}, {"", "enum", R"(must be one of "a", "b")"}}));
}

TEST(JsonSchemaValidate, EveryViolationUpToTheLimitAndAtLeastOne) {
  const char* schema = R"({"items": {"type": "string"}})";
  EXPECT_EQ(Check(schema, "[1, 2, 3, 4, 5]").size(), 5u);
  EXPECT_EQ(Check(schema, "[1, 2, 3, 4, 5]", 2),
            (std::vector<Violation>{{"/0", "type", "must be string"}, {"/1", "type", "must be string"}}));
  EXPECT_EQ(Check(schema, "[1, 2, 3, 4, 5]", 0).size(), 1u);
  EXPECT_TRUE(Check(schema, R"(["a", "b"])", 0).empty());
}

TEST(JsonSchemaValidate, TheOrderIsStable) {
  const char* schema = R"({"properties": {"b": {"type": "string"}, "a": {"type": "string"}},
                           "additionalProperties": {"type": "integer"}, "required": ["z", "y"]})";
  const char* instance = R"({"c": "x", "b": 1, "d": "y", "a": 2})";
  std::vector<Violation> first = Check(schema, instance);
  ASSERT_EQ(first.size(), 6u);
  for (int i = 0; i < 5; ++i) EXPECT_EQ(Check(schema, instance), first);
  // properties by name, then the other members in the instance's order, then required
  EXPECT_EQ(first[0].path, "/a");
  EXPECT_EQ(first[1].path, "/b");
  EXPECT_EQ(first[2].path, "/c");
  EXPECT_EQ(first[3].path, "/d");
  EXPECT_EQ(first[4].message, R"(must have property "y")");
}

TEST(JsonSchemaValidate, DescribeNamesPathKeywordAndMessage) {
  EXPECT_EQ(Describe({"/retries", "maximum", "must be <= 5"}), "/retries: maximum: must be <= 5");
  EXPECT_EQ(Describe({"", "type", "must be object"}), "(root): type: must be object");
}

TEST(JsonSchemaValidate, DraftIsSevenUnlessTheSchemaSaysFour) {
  EXPECT_EQ(DraftOf(*MustCompile("{}")), Draft::kDraft7);
  EXPECT_EQ(DraftOf(*MustCompile(R"({"$schema": "http://json-schema.org/draft-07/schema#"})")), Draft::kDraft7);
  EXPECT_EQ(DraftOf(*MustCompile(R"({"$schema": "https://json-schema.org/draft-07/schema"})")), Draft::kDraft7);
  EXPECT_EQ(DraftOf(*MustCompile(R"({"$schema": "http://json-schema.org/draft-04/schema#"})")), Draft::kDraft4);
}

TEST(JsonSchemaValidate, ToolConfigurationExample) {
  auto schema = MustCompile(R"({
    "type": "object",
    "properties": {
      "url": {"type": "string", "pattern": "^https://"},
      "retries": {"type": "integer", "minimum": 0, "maximum": 5},
      "headers": {"type": "object", "additionalProperties": {"type": "string"},
                  "propertyNames": {"pattern": "^[A-Za-z0-9-]+$"}},
      "mode": {"enum": ["fast", "careful"]}
    },
    "required": ["url"],
    "additionalProperties": false
  })");
  EXPECT_TRUE(Validate(*schema, Json(R"({"url": "https://example.com", "retries": 3,
                                          "headers": {"X-Api-Key": "k"}, "mode": "fast"})"))
                  .empty());
  EXPECT_EQ(Validate(*schema, Json(R"({"url": "http://example.com", "retries": 9, "headers": {"bad name": 1},
                                       "mode": "slow", "extra": true})")),
            (std::vector<Violation>{
                {"/headers/bad name", "type", "must be string"},
                {"/headers", "propertyNames", R"(property name "bad name" must match the pattern ^[A-Za-z0-9-]+$)"},
                {"/mode", "enum", R"(must be one of "fast", "careful")"},
                {"/retries", "maximum", "must be <= 5"},
                {"/url", "pattern", "must match the pattern ^https://"},
                {"/extra", "additionalProperties", "is not allowed (additionalProperties is false)"},
            }));
}

TEST(JsonSchemaValidate, ManyThreadsShareOneSchema) {
  auto schema = MustCompile(R"({"type": "object",
    "properties": {"name": {"type": "string", "pattern": "^[a-z]+$"}, "tags": {"uniqueItems": true}},
    "patternProperties": {"^x-[0-9]+$": {"type": "integer"}}})");
  const std::vector<boost::json::value> instances = {
      Json(R"({"name": "abc", "tags": [1, 2], "x-1": 1})"),
      Json(R"({"name": "ABC", "tags": [1, 1], "x-2": "s"})"),
      Json(R"({"name": 5})"),
  };
  std::vector<std::vector<Violation>> expected;
  for (const auto& instance : instances) expected.push_back(Validate(*schema, instance));
  ASSERT_TRUE(expected[0].empty());
  ASSERT_EQ(expected[1].size(), 3u);
  std::vector<std::thread> threads;
  std::vector<int> mismatches(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int round = 0; round < 300; ++round) {
        std::size_t which = static_cast<std::size_t>(round + t) % instances.size();
        if (Validate(*schema, instances[which]) != expected[which]) ++mismatches[t];
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(mismatches, std::vector<int>(4, 0));
}

}  // namespace
}  // namespace agentbase::jsonschema
