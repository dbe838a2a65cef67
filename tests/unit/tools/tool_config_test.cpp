#include "tools/tool_config.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace agentbase::tools {
namespace {

namespace json = boost::json;

constexpr std::string_view kQuerySchema =
    R"({"type": "object", "properties": {"query": {"type": "string", "minLength": 1}}, "required": ["query"]})";

TEST(ToolArguments, ValidArgumentsHaveNoErrors) {
  SchemaCache schemas;
  auto outcome = ValidateArguments(schemas, kQuerySchema, json::parse(R"({"query": "flights"})"));
  ASSERT_TRUE(outcome.ok()) << outcome.error().message;
  EXPECT_EQ(json::serialize(*outcome), R"({"valid":true,"errors":[]})");
}

TEST(ToolArguments, InvalidArgumentsNameThePathAndKeyword) {
  SchemaCache schemas;
  auto wrong_type = ValidateArguments(schemas, kQuerySchema, json::parse(R"({"query": 7})"));
  ASSERT_TRUE(wrong_type.ok());
  EXPECT_FALSE(wrong_type->at("valid").as_bool());
  const auto& error = wrong_type->at("errors").as_array().at(0).as_object();
  EXPECT_EQ(error.at("path").as_string(), "/query");
  EXPECT_EQ(error.at("keyword").as_string(), "type");

  auto missing = ValidateArguments(schemas, kQuerySchema, json::parse("{}"));
  ASSERT_TRUE(missing.ok());
  EXPECT_EQ(missing->at("errors").as_array().at(0).as_object().at("keyword").as_string(), "required");
}

TEST(ToolArguments, AnInputSchemaThatIsNoSchemaIsAnError) {
  SchemaCache schemas;
  auto not_json = ValidateArguments(schemas, "{not json", json::object{});
  ASSERT_FALSE(not_json.ok());
  EXPECT_EQ(not_json.error().code, "22023");
  auto not_schema = ValidateArguments(schemas, R"({"type": "objekt"})", json::object{});
  ASSERT_FALSE(not_schema.ok());
  EXPECT_EQ(not_schema.error().code, "22023");
  EXPECT_NE(not_schema.error().message.find("input_schema"), std::string::npos) << not_schema.error().message;
}

TEST(ToolSchemaCache, CompilesEachSchemaOnceAndEvictsTheLeastRecentlyUsed) {
  SchemaCache schemas(2);
  auto first = schemas.Get(R"({"type": "object"})");
  ASSERT_TRUE(first.ok());
  auto again = schemas.Get(R"({"type": "object"})");
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(first->get(), again->get()) << "the same text is compiled once";
  ASSERT_TRUE(schemas.Get(R"({"type": "string"})").ok());
  ASSERT_TRUE(schemas.Get(R"({"type": "object"})").ok());  // now the most recent
  ASSERT_TRUE(schemas.Get(R"({"type": "number"})").ok());  // evicts "string"
  auto kept = schemas.Get(R"({"type": "object"})");
  EXPECT_EQ(first->get(), kept->get()) << "the recently used schema stayed";
}

}  // namespace
}  // namespace agentbase::tools
