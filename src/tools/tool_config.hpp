#pragma once
// Agents' tool configurations against their tools' JSON Schemas: the
// server's half of database/schema/90_tools.sql's validation. The database
// notes every config an API transaction writes; before COMMIT the server
// reads the notes back (kTakeUncheckedConfigs) and JudgeConfigs decides.
// Also a test call's arguments against the tool's input schema.
//
// Bounds: a config (JSON text, as PostgreSQL prints it) is at most
// kMaxConfigBytes; an instance is refused past that before any validation.

#include <boost/json/value.hpp>
#include <cstddef>
#include <list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "db/connection.hpp"
#include "jsonschema/schema.hpp"
#include "util/result.hpp"

namespace agentbase::tools {

inline constexpr size_t kMaxConfigBytes = 64 * 1024;

// Compiled schemas by their text, so a tool's schema is compiled once however
// many configs use it. Bounded: the least recently used go first.
class SchemaCache {
 public:
  explicit SchemaCache(size_t capacity = 256) : capacity_(capacity) {}
  Result<std::shared_ptr<const jsonschema::Schema>> Get(std::string_view schema_text);

 private:
  using Entry = std::pair<std::string, std::shared_ptr<const jsonschema::Schema>>;
  size_t capacity_;
  std::list<Entry> recent_;  // most recent first
  std::unordered_map<std::string_view, std::list<Entry>::iterator> by_text_;
};

// The statement (as the caller, inside the write's transaction) whose rows
// JudgeConfigs reads.
extern const char* const kTakeUncheckedConfigs;

// None when every noted config matches its tool's schema (and every changed
// schema compiles); otherwise the error the write is refused with: 23514
// naming the first failing config's tool, path and keyword, every violation
// as JSON in its detail; 22023 for a schema that is no usable JSON Schema.
std::optional<Error> JudgeConfigs(const db::PgResult& rows, SchemaCache& schemas);

// A test call's arguments against a tool's input schema (JSON text):
// {"valid": bool, "errors": [{"path", "keyword", "message"}]}. An input
// schema that does not compile is an error (22023).
Result<boost::json::object> ValidateArguments(SchemaCache& schemas, std::string_view input_schema_text,
                                              const boost::json::value& arguments);

}  // namespace agentbase::tools
