#include "schema/desired_schema.hpp"

#include "schema/sql_lexer.hpp"
#include "schema/statement_parser.hpp"
#include "util/checksum.hpp"

namespace agentbase::schema {

std::vector<const SchemaObject*> DesiredSchema::EnsuredTables() const {
  std::vector<const SchemaObject*> tables;
  for (const auto& object : objects) {
    // agentbase's own bookkeeping tables (schema agentbase) are not the seed's.
    if (object.kind == ObjectKind::Table && object.mode == Mode::Ensure && object.schema == "public") {
      tables.push_back(&object);
    }
  }
  return tables;
}

std::vector<const SchemaObject*> DesiredSchema::PartsOf(const std::string& qualified_table, ObjectKind kind) const {
  std::vector<const SchemaObject*> found;
  for (const auto& object : objects) {
    if (object.kind == ObjectKind::Table && object.QualifiedTable() == qualified_table) {
      for (const auto& part : object.parts) {
        if (part.kind == kind) found.push_back(&part);
      }
    } else if (object.kind == kind && object.BelongsToTable() && object.QualifiedTable() == qualified_table) {
      found.push_back(&object);
    }
  }
  return found;
}

Result<std::vector<SchemaObject>> ParseObjects(const std::string& sql, Mode mode, Condition condition,
                                               const std::string& source) {
  auto statements = SplitStatements(sql);
  if (!statements) return Error::Make(source + ": " + statements.error().message, "parse");
  std::vector<SchemaObject> objects;
  for (const auto& statement : *statements) {
    auto object = ParseStatement(statement);
    if (!object) return Error::Make(source + ": " + object.error().message, "parse");
    auto stamp = [&](SchemaObject& target) {
      target.mode = mode;
      target.condition = condition;
      target.source = source;
    };
    stamp(*object);
    for (auto& part : object->parts) stamp(part);
    if (object->kind == ObjectKind::Backfill) {
      if (objects.empty()) {
        return Error::Make(source + ": a backfill (SELECT) must follow the statement that creates what it completes",
                           "parse");
      }
      // Backfills in a row all follow the object before the first.
      const SchemaObject& previous = objects.back();
      object->anchor = previous.kind == ObjectKind::Backfill ? previous.anchor : previous.Key();
    }
    objects.push_back(std::move(*object));
  }
  return objects;
}

Result<DesiredSchema> BuildDesiredSchema(const std::vector<SqlFile>& files, const BuildOptions& options) {
  DesiredSchema schema;
  std::string resolved_sql;
  for (const auto& file : files) {
    auto parsed = ParseSqlFile(file);
    if (!parsed) return parsed.error();
    if (parsed->mode == Mode::Ensure) {
      schema.requirements.insert(schema.requirements.end(), parsed->requirements.begin(), parsed->requirements.end());
    }
    for (const auto& section : parsed->sections) {
      bool applies =
          section.condition == Condition::Always || (section.condition == Condition::WithVector) == options.with_vector;
      if (!applies) continue;
      std::string sql = SubstitutePlaceholders(section.sql, options.placeholders);
      resolved_sql += sql;
      auto objects = ParseObjects(sql, parsed->mode, section.condition, file.name);
      if (!objects) return objects.error();
      for (auto& object : *objects) schema.objects.push_back(std::move(object));
    }
  }
  schema.checksum = Sha256Hex(resolved_sql);
  return schema;
}

}  // namespace agentbase::schema
