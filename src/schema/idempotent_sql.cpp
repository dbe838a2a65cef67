#include "schema/idempotent_sql.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <stdexcept>

#include "schema/desired_schema.hpp"
#include "schema/platform_shape.hpp"
#include "util/text.hpp"

namespace agentbase::schema {

namespace {

// Stands for the vector extension's schema until the script knows it.
constexpr std::string_view kVectorSchemaMarker = "agentbase_vector_schema_marker";

std::string Guarded(const std::string& absent_condition, const std::string& statement) {
  return fmt::format("DO $agentbase$\nBEGIN\n  IF {} THEN\n    {};\n  END IF;\nEND\n$agentbase$", absent_condition,
                     ReplaceAll(statement, "\n", "\n    "));
}

// "CREATE TABLE x" -> "CREATE TABLE IF NOT EXISTS x" (likewise for the
// other kinds whose statement PostgreSQL accepts IF NOT EXISTS in).
std::string WithIfNotExists(const SchemaObject& object) {
  for (const char* keyword : {"CREATE TABLE ", "CREATE SCHEMA ", "CREATE EXTENSION ", "CREATE INDEX ",
                              "CREATE UNIQUE INDEX ", "ADD COLUMN "}) {
    auto at = object.head.find(keyword);
    if (at != std::string::npos) {
      std::string sql = object.Sql();
      return sql.insert(at + std::string(keyword).size(), "IF NOT EXISTS ");
    }
  }
  throw std::logic_error("no IF NOT EXISTS form for " + object.Key());
}

std::string RegclassOf(const SchemaObject& object) {
  return QuoteLiteral(object.schema + "." + QuoteIdent(object.table)) + "::regclass";
}

std::string RenderObject(const SchemaObject& object) {
  switch (object.kind) {
    case ObjectKind::Extension:
    case ObjectKind::Schema:
    case ObjectKind::Index:
    case ObjectKind::Column: return WithIfNotExists(object);
    case ObjectKind::Table: {
      std::string out = WithIfNotExists(object);
      // A table created elsewhere may lack some of the parts.
      for (const auto& part : object.parts) out += ";\n" + RenderObject(part);
      return out;
    }
    case ObjectKind::Function: return object.ReplaceFunctionSql();
    case ObjectKind::Role:
      return Guarded("NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = " + QuoteLiteral(object.name) + ")",
                     object.Sql());
    case ObjectKind::Constraint:
      return Guarded("NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conname = " + QuoteLiteral(object.name) +
                         " AND conrelid = " + RegclassOf(object) + ")",
                     object.Sql());
    case ObjectKind::Policy: {
      // A policy of this name from an earlier run of the script is brought to
      // this definition in place (ALTER POLICY keeps the command and
      // permissiveness), so that running a newer script also tightens rules an
      // older one created.
      std::string alter = "ALTER POLICY " + QuoteIdent(object.name) + object.policy_alter_tail;
      return fmt::format(
          "DO $agentbase$\nBEGIN\n  IF NOT EXISTS (SELECT 1 FROM pg_policies WHERE schemaname = {} AND "
          "tablename = {} AND policyname = {}) THEN\n    {};\n  ELSE\n    {};\n  END IF;\nEND\n$agentbase$",
          QuoteLiteral(object.schema), QuoteLiteral(object.table), QuoteLiteral(object.name),
          ReplaceAll(object.Sql(), "\n", "\n    "), ReplaceAll(alter, "\n", "\n    "));
    }
    case ObjectKind::Trigger:
      return Guarded("NOT EXISTS (SELECT 1 FROM pg_trigger WHERE tgname = " + QuoteLiteral(object.name) +
                         " AND tgrelid = " + RegclassOf(object) + ")",
                     object.Sql());
    case ObjectKind::Publication:
      return Guarded("NOT EXISTS (SELECT 1 FROM pg_publication WHERE pubname = " + QuoteLiteral(object.name) + ")",
                     object.Sql());
    case ObjectKind::PublicationTable:
      return Guarded("NOT EXISTS (SELECT 1 FROM pg_publication_tables WHERE pubname = " + QuoteLiteral(object.name) +
                         " AND schemaname = " + QuoteLiteral(object.schema) +
                         " AND tablename = " + QuoteLiteral(object.table) + ")",
                     object.Sql());
    case ObjectKind::RoleMembership:
    case ObjectKind::SchemaGrant:
    case ObjectKind::TableGrant:
    case ObjectKind::RowSecurity:
    case ObjectKind::StorageParameter:
    case ObjectKind::Backfill: return object.Sql();  // already idempotent (a backfill must be)
  }
  return object.Sql();
}

// Statements that apply only with (or without) pgvector run through EXECUTE,
// choosing at run time, so one script serves both kinds of database.
std::string RenderConditional(const std::vector<SchemaObject>& objects, Condition condition) {
  std::string test = std::string(condition == Condition::WithVector ? "" : "NOT ") +
                     "EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'vector')";
  std::string out = "DO $agentbase_if$\nBEGIN\n  IF " + test + " THEN\n";
  for (const auto& object : objects) {
    std::string statement = ReplaceAll(RenderObject(object), "%", "%%");
    statement = ReplaceAll(statement, std::string(kVectorSchemaMarker), "%1$I");
    out += "    EXECUTE format($agentbase_sql$" + statement +
           "$agentbase_sql$,\n      (SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace"
           " WHERE e.extname = 'vector'));\n";
  }
  return out + "  END IF;\nEND\n$agentbase_if$";
}

// Cast, so that `text[] || literal` appends instead of reading an array literal.
std::string ProblemLiteral(const ShapeProblem& problem) {
  return QuoteLiteral(problem.object + ": " + problem.message) + "::text";
}

// The refusals of `agentbase db push`'s preflight (platform_shape.hpp), as a
// DO block that runs before the script changes anything and raises them all
// at once. The script runs in one transaction, so nothing is left behind.
std::string RenderPreflight(const std::vector<Requirement>& requirements) {
  auto exists = [](const std::string& table) {
    return "pg_catalog.to_regclass(" + QuoteLiteral(table) + ") IS NOT NULL";
  };
  auto absent = [](const std::string& table) { return "pg_catalog.to_regclass(" + QuoteLiteral(table) + ") IS NULL"; };
  std::string out =
      "-- Refuse, before changing anything, a database the five tables cannot be added to safely.\n"
      "DO $agentbase_preflight$\nDECLARE\n  problems text[] := '{}';\n  existing_type text;\n"
      "  existing_oid oid;\nBEGIN\n";
  const auto& platform = PlatformTables();
  for (const auto& missing : platform) {
    for (const auto& existing : platform) {
      if (existing == missing) continue;
      out += "  IF " + exists(existing) + " AND " + absent(missing) + " THEN\n    problems := problems || " +
             ProblemLiteral(PartialPlatform(existing, missing)) + ";\n  END IF;\n";
    }
  }
  for (const auto& requirement : requirements) {
    std::string table = requirement.schema + "." + requirement.table;
    std::string missing_condition = absent(table);
    // A partly present platform is reported above, table by table.
    if (std::find(platform.begin(), platform.end(), table) != platform.end()) {
      for (const auto& other : platform) {
        if (other != table) missing_condition += " AND " + absent(other);
      }
    }
    out += "  IF " + missing_condition + " THEN\n    problems := problems || " +
           ProblemLiteral(MissingRequiredTable(table)) + ";\n  END IF;\n";
    for (const auto& column : requirement.columns) {
      // The existing type is known only when the script runs: the message
      // carries a format() placeholder for it.
      constexpr std::string_view kTypeMarker = "agentbase_existing_type_marker";
      ShapeProblem incompatible = IncompatibleColumn(table, column.name, std::string(kTypeMarker), column.type);
      std::string template_text = ReplaceAll(ReplaceAll(incompatible.object + ": " + incompatible.message, "%", "%%"),
                                             std::string(kTypeMarker), "%1$s");
      out +=
          "  existing_oid := NULL;\n"
          "  SELECT a.atttypid, pg_catalog.format_type(a.atttypid, a.atttypmod) INTO existing_oid, existing_type\n"
          "    FROM pg_catalog.pg_attribute a\n"
          "   WHERE a.attrelid = pg_catalog.to_regclass(" +
          QuoteLiteral(table) + ") AND a.attname = " + QuoteLiteral(column.name) +
          " AND NOT a.attisdropped;\n"
          "  IF " +
          exists(table) + " AND existing_oid IS NULL THEN\n    problems := problems || " +
          ProblemLiteral(MissingRequiredColumn(table, column.name, column.type)) +
          ";\n"
          "  ELSIF existing_oid IS DISTINCT FROM pg_catalog.to_regtype(" +
          QuoteLiteral(column.type) +
          ") AND existing_oid IS NOT NULL THEN\n"
          "    problems := problems || pg_catalog.format(" +
          QuoteLiteral(template_text) +
          ", existing_type);\n"
          "  END IF;\n";
    }
  }
  out +=
      "  IF pg_catalog.cardinality(problems) > 0 THEN\n"
      "    RAISE EXCEPTION 'add_missing_tables.sql changed nothing:%', E'\\n' || pg_catalog.array_to_string(problems, "
      "E'\\n')\n"
      "      USING HINT = 'Each line names what is missing or incompatible; `agentbase db plan` shows the same.';\n"
      "  END IF;\nEND\n$agentbase_preflight$;\n";
  return out;
}

}  // namespace

Result<std::string> RenderIdempotentSql(const std::vector<SqlFile>& files, int embedding_dimensions) {
  std::string out =
      "-- Add the missing tables: conversations, agent_tools, organizational_roles,\n"
      "-- business_functions and user_memory, with their indexes, row level\n"
      "-- security and triggers.\n"
      "--\n"
      "-- Generated by `agentbase db sql` from database/schema/20_missing_tables.sql;\n"
      "-- do not edit by hand. Paste it into Supabase's SQL editor and run it: it is\n"
      "-- idempotent (running it again changes nothing) and never drops anything.\n"
      "-- `agentbase db push` applies the same objects, checking each one first.\n"
      "-- embedding: pgvector vector(" +
      std::to_string(embedding_dimensions) + ") where the extension is available, real[] otherwise.\n\nBEGIN;\n";
  Placeholders placeholders{std::string(kVectorSchemaMarker), embedding_dimensions};
  // The preflight, which comes first, needs every file's requirements.
  std::vector<ParsedFile> ensured;
  std::vector<Requirement> requirements;
  for (const auto& file : files) {
    auto parsed = ParseSqlFile(file);
    if (!parsed) return parsed.error();
    if (parsed->mode != Mode::Ensure) continue;
    requirements.insert(requirements.end(), parsed->requirements.begin(), parsed->requirements.end());
    ensured.push_back(std::move(*parsed));
  }
  out += "\n" + RenderPreflight(requirements);
  for (const auto& parsed : ensured) {
    for (const auto& section : parsed.sections) {
      std::string sql = SubstitutePlaceholders(section.sql, placeholders);
      sql = ReplaceAll(sql, QuoteIdent(kVectorSchemaMarker), std::string(kVectorSchemaMarker));
      auto objects = ParseObjects(sql, parsed.mode, section.condition, parsed.name);
      if (!objects) return objects.error();
      if (objects->empty()) continue;
      if (section.condition != Condition::Always) {
        out += "\n" + RenderConditional(*objects, section.condition) + ";\n";
        continue;
      }
      for (const auto& object : *objects) out += "\n" + RenderObject(object) + ";\n";
    }
  }
  return out + "\nCOMMIT;\n";
}

}  // namespace agentbase::schema
