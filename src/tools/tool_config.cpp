#include "tools/tool_config.hpp"

#include <boost/json.hpp>

namespace agentbase::tools {

namespace json = boost::json;

const char* const kTakeUncheckedConfigs =
    "SELECT agent_tool_id, tool_id, tool_slug, effective_config, config_schema, input_schema, schema_changed "
    "FROM agentbase.take_unchecked_tool_configs()";

namespace {

// Columns of kTakeUncheckedConfigs.
enum Column { kAgentToolId, kToolId, kToolSlug, kEffectiveConfig, kConfigSchema, kInputSchema, kSchemaChanged };

constexpr size_t kMaxReportedViolations = 20;

json::value ViolationJson(const jsonschema::Violation& violation) {
  return json::object{{"path", violation.path}, {"keyword", violation.keyword}, {"message", violation.message}};
}

std::string ToolName(const db::PgResult& rows, int row) {
  return rows.IsNull(row, kToolSlug) ? rows.Text(row, kToolId) : rows.Text(row, kToolSlug);
}

// A changed schema: config_schema and input_schema must compile.
std::optional<Error> JudgeSchemas(const db::PgResult& rows, int row, SchemaCache& schemas) {
  for (auto [column, name] : {std::pair{kConfigSchema, "config_schema"}, std::pair{kInputSchema, "input_schema"}}) {
    if (rows.IsNull(row, column)) continue;
    auto compiled = schemas.Get(rows.Get(row, column));
    if (!compiled) {
      return Error{std::string(name) + " of tool \"" + ToolName(rows, row) +
                       "\" is not a usable JSON Schema: " + compiled.error().message,
                   "22023", compiled.error().detail, "agentbase takes JSON Schema draft-07 and draft-04.",
                   std::nullopt};
    }
  }
  return std::nullopt;
}

std::optional<Error> JudgeConfig(const db::PgResult& rows, int row, SchemaCache& schemas) {
  std::string tool = ToolName(rows, row);
  std::string_view text = rows.Get(row, kEffectiveConfig);
  auto refuse = [&](const std::string& what, json::array violations) {
    return Error{"config of tool \"" + tool + "\" (agent tool " + rows.Text(row, kAgentToolId) +
                     ") does not match its JSON Schema: " + what,
                 "23514", json::serialize(violations),
                 "The tool's schema is tool_schemas.config_schema; the config checked is the agent's config merged "
                 "over tool_schemas.default_config.",
                 std::nullopt};
  };
  if (text.size() > kMaxConfigBytes) {
    jsonschema::Violation too_large{"", "maxLength",
                                    "the config is larger than " + std::to_string(kMaxConfigBytes) + " bytes"};
    return refuse(jsonschema::Describe(too_large), json::array{ViolationJson(too_large)});
  }
  boost::system::error_code parse_error;
  json::value config = json::parse(text, parse_error);
  if (parse_error) throw std::runtime_error("PostgreSQL printed a config that is not JSON");
  if (!config.is_object()) {
    jsonschema::Violation not_object{"", "type", "a config is a JSON object"};
    return refuse(jsonschema::Describe(not_object), json::array{ViolationJson(not_object)});
  }
  if (rows.IsNull(row, kConfigSchema)) return std::nullopt;  // the tool declares no schema
  auto schema = schemas.Get(rows.Get(row, kConfigSchema));
  if (!schema) {
    return Error{"config_schema of tool \"" + tool + "\" is not a usable JSON Schema: " + schema.error().message,
                 "22023",
                 schema.error().detail,
                 {},
                 std::nullopt};
  }
  auto violations = jsonschema::Validate(**schema, config, kMaxReportedViolations);
  if (violations.empty()) return std::nullopt;
  json::array listed;
  for (const auto& violation : violations) listed.push_back(ViolationJson(violation));
  return refuse(jsonschema::Describe(violations.front()), std::move(listed));
}

}  // namespace

Result<std::shared_ptr<const jsonschema::Schema>> SchemaCache::Get(std::string_view schema_text) {
  if (auto found = by_text_.find(schema_text); found != by_text_.end()) {
    recent_.splice(recent_.begin(), recent_, found->second);
    return found->second->second;
  }
  boost::system::error_code parse_error;
  json::value document = json::parse(schema_text, parse_error);
  if (parse_error) return Error::InvalidInput("the schema is not JSON: " + parse_error.message(), "22023");
  auto compiled = jsonschema::Compile(document);
  if (!compiled) return compiled.error();
  if (recent_.size() >= capacity_) {
    by_text_.erase(recent_.back().first);
    recent_.pop_back();
  }
  recent_.emplace_front(std::string(schema_text), *compiled);
  by_text_.emplace(recent_.front().first, recent_.begin());
  return *compiled;
}

std::optional<Error> JudgeConfigs(const db::PgResult& rows, SchemaCache& schemas) {
  for (int row = 0; row < rows.Rows(); ++row) {
    std::optional<Error> refusal =
        rows.Bool(row, kSchemaChanged) ? JudgeSchemas(rows, row, schemas) : JudgeConfig(rows, row, schemas);
    if (refusal) return refusal;
  }
  return std::nullopt;
}

Result<json::object> ValidateArguments(SchemaCache& schemas, std::string_view input_schema_text,
                                       const json::value& arguments) {
  auto schema = schemas.Get(input_schema_text);
  if (!schema) {
    Error error = schema.error();
    error.message = "the tool's input_schema is not a usable JSON Schema: " + error.message;
    error.code = "22023";
    return error;
  }
  json::array errors;
  for (const auto& violation : jsonschema::Validate(**schema, arguments, kMaxReportedViolations)) {
    errors.push_back(ViolationJson(violation));
  }
  bool valid = errors.empty();
  return json::object{{"valid", valid}, {"errors", std::move(errors)}};
}

}  // namespace agentbase::tools
