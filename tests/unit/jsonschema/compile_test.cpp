// What Compile refuses, and how it says so: every refusal is an error value
// (kInvalidInput, code "json-schema") with a message naming the problem.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "json_schema_test_util.hpp"
#include "jsonschema/schema.hpp"

namespace agentbase::jsonschema {
namespace {

using ::testing::HasSubstr;
using testing_util::CompileError;
using testing_util::CompileErrorFor;
using namespace std::string_literals;
using testing_util::Json;

TEST(JsonSchemaCompile, ValidSchemasCompile) {
  EXPECT_EQ(CompileError("{}"), "");
  EXPECT_EQ(CompileError("true"), "");
  EXPECT_EQ(CompileError(R"({"$schema": "http://json-schema.org/draft-07/schema", "type": "object"})"), "");
  EXPECT_EQ(CompileError(R"({"$schema": "http://json-schema.org/draft-04/schema#", "type": "object"})"), "");
  // Unknown keywords are ignored, as the drafts say; "format" is an annotation.
  EXPECT_EQ(CompileError(R"({"x-ui": {"widget": "slider"}, "format": "no-such-format"})"), "");
}

TEST(JsonSchemaCompile, NotASchema) {
  EXPECT_THAT(CompileError("5"), HasSubstr("invalid schema: Expected node at  to contain schema object or boolean"));
  EXPECT_THAT(CompileError(R"({"type": "strnig"})"), HasSubstr("Unrecognised JSON type name 'strnig'"));
  EXPECT_THAT(CompileError(R"({"type": 5})"), HasSubstr("Type name should be a string"));
  EXPECT_THAT(CompileError(R"({"maximum": "5"})"), HasSubstr("Expected numeric value for maximum constraint"));
  EXPECT_THAT(CompileError(R"({"additionalProperties": "false"})"),
              HasSubstr("Invalid type for 'additionalProperties' constraint"));
  EXPECT_THAT(CompileError(R"({"maxLength": -1})"), HasSubstr("non-negative integer value for 'maxLength'"));
  EXPECT_THAT(CompileError(R"({"properties": {"a": 5}})"), HasSubstr("to contain schema object or boolean"));
  EXPECT_THAT(CompileError(R"({"required": [1]})"), HasSubstr("required property name to be a string"));
  // Draft-04 has no boolean schemas.
  EXPECT_THAT(CompileError(R"({"$schema": "http://json-schema.org/draft-04/schema#", "properties": {"a": true}})"),
              HasSubstr("to contain schema object"));
}

TEST(JsonSchemaCompile, OnlyDraftSevenAndDraftFour) {
  for (const char* uri : {"http://json-schema.org/draft-06/schema#", "https://json-schema.org/draft/2020-12/schema",
                          "http://json-schema.org/draft-03/schema#", "http://example.com/my-meta-schema"}) {
    boost::json::value schema = {{"$schema", uri}};
    EXPECT_THAT(CompileErrorFor(schema), HasSubstr("unsupported $schema")) << uri;
    EXPECT_THAT(CompileErrorFor(schema), HasSubstr("only draft-07 (the default when $schema is absent) and draft-04"));
  }
  EXPECT_EQ(CompileError(R"({"$schema": 7})"), "$schema must be a string");
}

TEST(JsonSchemaCompile, ReferencesToOtherDocumentsAreRefusedNotFetched) {
  EXPECT_EQ(CompileError(R"({"$ref": "http://127.0.0.1:9/schema.json"})"),
            R"($ref "http://127.0.0.1:9/schema.json" points to another document: only references within the )"
            R"(schema ("#/...") are supported, and nothing is fetched)");
  EXPECT_THAT(CompileError(R"({"properties": {"a": {"$ref": "other.json#/definitions/a"}}})"),
              HasSubstr(R"($ref "other.json" points to another document)"));
  EXPECT_THAT(CompileError(R"({"$ref": "urn:example:schema"})"), HasSubstr("points to another document"));
}

TEST(JsonSchemaCompile, ReferencesThatNameNothing) {
  EXPECT_THAT(CompileError(R"({"definitions": {}, "$ref": "#/definitions/missing"})"),
              HasSubstr("invalid schema: Expected reference token to identify an element in the current object; "
                        "actual token: missing"));
  EXPECT_THAT(CompileError(R"({"$ref": 5})"), HasSubstr("$ref property expected to contain string value"));
}

TEST(JsonSchemaCompile, ReferenceCyclesAreRefused) {
  EXPECT_EQ(CompileError(R"({"$ref": "#"})"), R"($ref leads back to itself: "#" -> "#")");
  // valijson reads a relative reference at the root as one into the document.
  EXPECT_EQ(CompileError(R"({"$ref": "schema.json"})"), R"($ref leads back to itself: "schema.json" -> "schema.json")");
  EXPECT_EQ(CompileError(R"({"definitions": {"a": {"$ref": "#/definitions/b"}, "b": {"$ref": "#/definitions/a"}},
                            "properties": {"x": {"$ref": "#/definitions/a"}}})"),
            R"($ref leads back to itself: "#/definitions/b" -> "#/definitions/a" -> "#/definitions/b")");
  // A reference back to an enclosing schema is fine when it descends into the value...
  EXPECT_EQ(CompileError(R"({"properties": {"child": {"$ref": "#"}}})"), "");
  // ...but not when it applies the schema to the same value again.
  for (const char* schema : {R"({"allOf": [{"$ref": "#"}]})", R"({"anyOf": [{"type": "null"}, {"$ref": "#"}]})",
                             R"({"definitions": {"a": {"not": {"$ref": "#/definitions/b"}},
                                                 "b": {"oneOf": [{"$ref": "#/definitions/a"}]}},
                                 "properties": {"x": {"$ref": "#/definitions/a"}}})",
                             R"({"if": {"$ref": "#"}})", R"({"dependencies": {"a": {"$ref": "#"}}})"}) {
    EXPECT_THAT(CompileError(schema), HasSubstr("the schema applies itself to the same value without end")) << schema;
  }
}

TEST(JsonSchemaCompile, PatternsAreCheckedWhenCompiled) {
  EXPECT_THAT(CompileError(R"({"pattern": "(unclosed"})"),
              HasSubstr(R"(pattern "(unclosed" is refused: it is not a valid regular expression)"));
  EXPECT_THAT(CompileError(R"({"patternProperties": {"[z-a]": {}}})"),
              HasSubstr(R"(pattern "[z-a]" is refused: it is not a valid regular expression)"));
  EXPECT_EQ(CompileError(R"({"pattern": "(a)\\1"})"),
            R"(pattern "(a)\\1" is refused: backreferences (\1) are not supported)");
  EXPECT_THAT(CompileError(R"({"pattern": "(?<=a)b"})"), HasSubstr("lookbehind"));
  EXPECT_THAT(CompileError(R"json({"pattern": "(?=a(?!b))"})json"), HasSubstr("a lookahead inside a lookahead"));
  EXPECT_THAT(CompileError(R"({"pattern": "a{5000}"})"),
              HasSubstr("it is too large: it weighs about 10000 (the most is 1000"));
  EXPECT_THAT(
      CompileError(R"({"pattern": ")" + testing_util::Repeat("(", 40) + "a" + testing_util::Repeat(")", 40) + R"("})"),
      HasSubstr("groups nest deeper than 32 levels"));
  // A pattern is checked wherever it is reachable, including through $ref.
  EXPECT_THAT(CompileError(R"({"definitions": {"d": {"pattern": "["}}, "items": {"$ref": "#/definitions/d"}})"),
              HasSubstr(R"(pattern "[" is refused)"));
}

TEST(JsonSchemaCompile, MultipleOfMustBePositive) {
  EXPECT_EQ(CompileError(R"({"multipleOf": 0})"), "multipleOf must be greater than 0, not 0");
  EXPECT_EQ(CompileError(R"({"multipleOf": -2})"), "multipleOf must be greater than 0, not -2");
  EXPECT_EQ(CompileError(R"({"multipleOf": -0.5})"), "multipleOf must be greater than 0, not -0.5");
}

TEST(JsonSchemaCompile, SizeAndDepthAreBounded) {
  std::string wide = "{\"enum\": [" + testing_util::Repeat("1,", kMaxSchemaValues) + "1]}";
  EXPECT_EQ(CompileError(wide), "the schema has more than 10000 JSON values");
  std::string deep = testing_util::Repeat(R"({"items": )", 40) + "{}" + testing_util::Repeat("}", 40);
  EXPECT_EQ(CompileError(deep), "");  // 40 schemas nest 40 deep
  std::string deeper = testing_util::Repeat(R"({"not": )", 65) + "{}" + testing_util::Repeat("}", 65);
  EXPECT_EQ(CompileError(deeper),
            "the schema nests deeper than 64 levels (at " + testing_util::Repeat("/not", 65) + ")");
}

TEST(JsonSchemaCompile, NulBytesAndLongReferencesAreRefused) {
  boost::json::value nul_name = {{"properties", {{std::string("a\0b", 3), boost::json::object()}}}};
  EXPECT_EQ(CompileErrorFor(nul_name), "the schema holds a NUL byte in a name (at /properties/a\0b)"s);
  boost::json::value nul_pattern = {{"pattern", std::string("a\0", 2)}};
  EXPECT_EQ(CompileErrorFor(nul_pattern), "the schema holds a NUL byte (at /pattern)");
  boost::json::value long_reference = {{"$ref", "#/definitions/" + std::string(kMaxReferenceBytes, 'a')}};
  EXPECT_EQ(CompileErrorFor(long_reference), "/$ref is longer than 512 bytes");
  boost::json::value long_id = {{"properties", {{"a", {{"id", std::string(kMaxReferenceBytes + 1, 'a')}}}}}};
  EXPECT_EQ(CompileErrorFor(long_id), "/properties/a/id is longer than 512 bytes");
}

TEST(JsonSchemaCompile, LongReferenceChainsStopAtTheStackBudget) {
  auto chain = [](int hops) {
    std::string schema = R"({"$ref": "#/definitions/d0", "definitions": {)";
    for (int i = 0; i < hops; ++i) {
      schema += "\"d" + std::to_string(i) + R"(": {"properties": {"a": {"$ref": "#/definitions/d)" +
                std::to_string(i + 1) + "\"}}},";
    }
    return schema + "\"d" + std::to_string(hops) + "\": {}}}";
  };
  EXPECT_EQ(CompileError(chain(100)), "");
  EXPECT_EQ(CompileError(chain(2000)),
            "the schema nests too deeply: parsing it needs more than 1024 KB of stack (a long chain of $refs, each "
            "to a place not parsed yet, does this; so does an \"id\" under which a $ref to \"#\" parses the "
            "document again)");
}

}  // namespace
}  // namespace agentbase::jsonschema
