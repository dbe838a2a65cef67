#pragma once
// The schema agentbase brings a database up to: every object of
// database/schema/*.sql, resolved for one database (with or without
// pgvector), in the order it is applied.

#include <string>
#include <vector>

#include "schema/schema_object.hpp"
#include "schema/sql_source.hpp"
#include "util/result.hpp"

namespace agentbase::schema {

// A version that names this schema in the history table; bump it whenever
// database/schema changes.
inline constexpr const char* kSchemaVersion = "2026.12.05.1";

struct BuildOptions {
  bool with_vector = false;
  Placeholders placeholders;
};

struct DesiredSchema {
  std::vector<SchemaObject> objects;
  std::vector<Requirement> requirements;
  std::string checksum;  // SHA-256 of the resolved SQL

  // The tables the ensure-mode files create in public (the seed's five).
  std::vector<const SchemaObject*> EnsuredTables() const;
  // The objects of one kind that hang off a table.
  std::vector<const SchemaObject*> PartsOf(const std::string& qualified_table, ObjectKind kind) const;
};

Result<DesiredSchema> BuildDesiredSchema(const std::vector<SqlFile>& files, const BuildOptions& options);

// Statements of a file's SQL, each parsed into an object.
Result<std::vector<SchemaObject>> ParseObjects(const std::string& sql, Mode mode, Condition condition,
                                               const std::string& source);

}  // namespace agentbase::schema
