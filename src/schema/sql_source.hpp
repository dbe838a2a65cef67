#pragma once
// The schema's SQL files and their directives.
//
// Each file under database/schema is plain PostgreSQL DDL, one object per
// statement, with a few directives in comments:
//   -- agentbase:mode ensure | if-absent
//   -- agentbase:requires schema.table(column type, ...)
//   -- agentbase:if vector | !vector   ...   -- agentbase:else   ...   -- agentbase:end
// and the placeholders {{vector_schema}} and {{embedding_dimensions}}.
//
// A SELECT statement is a backfill of the statement before it: it runs once,
// right after that object is created (by push, in the same transaction), to
// bring the rows already there in line with it (a trigger that maintains a
// table from another one: the rows written before the trigger existed). It
// must be safe to run again: the SQL-editor script runs it every time.

#include <string>
#include <vector>

#include "util/result.hpp"

namespace agentbase::schema {

struct SqlFile {
  std::string name;
  std::string text;
};

// database/schema/*.sql as compiled into the binary, in the order applied.
const std::vector<SqlFile>& EmbeddedSchemaFiles();

enum class Mode {
  Ensure,    // every object is created when missing and compared when present
  IfAbsent,  // objects are created only where absent; a table's parts only with the table
};

// Which databases a section applies to.
enum class Condition { Always, WithVector, WithoutVector };

struct RequiredColumn {
  std::string name;
  std::string type;
};

struct Requirement {
  std::string schema;
  std::string table;
  std::vector<RequiredColumn> columns;
};

struct Section {
  Condition condition = Condition::Always;
  std::string sql;
};

struct ParsedFile {
  std::string name;
  Mode mode = Mode::Ensure;
  std::vector<Requirement> requirements;
  std::vector<Section> sections;
};

Result<ParsedFile> ParseSqlFile(const SqlFile& file);

struct Placeholders {
  std::string vector_schema = "extensions";
  int embedding_dimensions = 1536;
};

std::string SubstitutePlaceholders(std::string sql, const Placeholders& values);

}  // namespace agentbase::schema
