#pragma once
// What the REST API exposes, read from the live catalog: the tables, views
// and functions of the exposed schema, their columns and keys, and the
// relationships that embedding follows (relationships.hpp). Rebuilt on
// start-up and on NOTIFY pgrst, 'reload schema'; requests see an immutable
// snapshot.

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "db/connection.hpp"
#include "rest/media_type_domain.hpp"
#include "rest/relationships.hpp"
#include "util/result.hpp"

namespace agentbase::rest {

struct Column {
  std::string name;
  std::string type;       // format_type(), e.g. "uuid", "text[]", "timestamp with time zone"
  std::string base_type;  // the type without modifiers or array brackets' element: "text" for "text[]"
  bool nullable = true;
  bool has_default = false;  // DEFAULT, identity or generated
  bool is_array = false;
};

struct Function;

struct Table {
  std::string schema;
  std::string name;
  bool is_view = false;
  // The writes PostgreSQL accepts: every one on a table; on a view those it
  // can make of it (auto-updatable) or an INSTEAD OF trigger or an
  // unconditional DO INSTEAD rule takes.
  bool insertable = true;
  bool updatable = true;
  bool deletable = true;
  std::vector<Column> columns;  // in attnum order
  // A view's is its table's, when it shows all of its columns
  // (relationships.hpp's ViewPrimaryKeys).
  std::vector<std::string> primary_key;
  // Column sets of the primary key and every unique constraint (sorted).
  std::vector<std::vector<std::string>> unique_keys;
  std::string description;
  // Row level security is enabled: the planner's row estimates count rows
  // the caller may not see, so counts are exact (plan_read.cpp).
  bool row_security = false;
  // Functions of this table's row type returning a scalar: computed fields,
  // selected and filtered like columns (PostgREST's `fn(table)` convention).
  std::vector<const Function*> computed_fields;

  const Column* FindColumn(const std::string& column) const;
  const Function* FindComputedField(const std::string& name) const;
};

struct FunctionArgument {
  std::string name;
  std::string type;
  bool has_default = false;
  bool is_composite = false;  // a table's or a composite type's row: given as a JSON object
  bool is_variadic = false;   // VARIADIC: called with `VARIADIC name => array`
};

struct Function {
  std::string schema;
  std::string name;
  std::vector<FunctionArgument> arguments;  // IN / INOUT / VARIADIC arguments, in order
  bool returns_set = false;
  bool returns_void = false;
  // The table or view the function returns rows of (SETOF t / t), if any.
  std::optional<std::string> returns_table;
  // Functions returning rows of no exposed table (RETURNS TABLE, OUT
  // arguments, a composite type): the columns of those rows, as a table
  // of its own that select, filters and order resolve against.
  std::optional<Table> returns_row;
  // The type a scalar function returns (empty for rows and void).
  std::string scalar_type;
  // The relation whose row type the first argument is, for computed fields
  // and computed relationships.
  std::optional<std::string> row_argument_of;
  bool single_row = false;  // not SETOF, or ROWS 1
  // The media-type domain it returns, if any (not SETOF): a client
  // accepting that type gets the value as it is.
  std::optional<MediaTypeDomain> media_domain;
  char volatility = 'v';  // 'i' immutable, 's' stable, 'v' volatile
  std::string description;

  bool ReturnsRows() const { return returns_table.has_value() || returns_row.has_value(); }
  bool ReturnsScalar() const { return !returns_void && !ReturnsRows(); }
};

// One exposed schema's snapshot. Several schemas may be exposed ("public,
// api"): the cache of the first, the default, holds the others, which a
// request chooses with Accept-Profile / Content-Profile.
class SchemaCache {
 public:
  // The catalog queries (one statement each) for every schema of the
  // comma-separated list; BuildFrom reads their results in order.
  static std::vector<std::string> Queries(const std::string& schemas);
  static Result<std::shared_ptr<const SchemaCache>> BuildFrom(const std::string& schemas,
                                                              const std::vector<db::PgResult>& results);
  // Blocking load, for start-up and tests.
  static Result<std::shared_ptr<const SchemaCache>> Load(db::Connection& connection, const std::string& schemas);

  const std::string& Schema() const { return schema_; }
  // Every exposed schema, comma-separated, the default first: what
  // Queries and BuildFrom take to build this cache again.
  const std::string& Exposed() const { return exposed_; }
  std::vector<std::string> ExposedSchemas() const;
  // The cache of one exposed schema (this one for its own), or nullptr.
  const SchemaCache* Profile(const std::string& schema) const;
  const Table* FindTable(const std::string& name) const;
  // The table or view whose name is closest to a misspelt one, as PostgREST's
  // hint finds it (util/fuzzy_match.hpp, a score of 0.75 at least, so that
  // the hint reveals no unrelated name); empty when none is that close.
  std::string ClosestTableName(const std::string& name) const;
  // Every overload of `name` (usually one).
  std::vector<const Function*> FindFunctions(const std::string& name) const;
  const std::map<std::string, Table>& Tables() const { return tables_; }
  const std::multimap<std::string, Function>& Functions() const { return functions_; }
  // Every relationship from `table` (a table, a view or a function's result
  // table), embedding's candidates.
  const std::vector<Relationship>& RelationshipsFrom(const std::string& table) const;
  // Every relationship, by the relation it starts from.
  const std::map<std::string, std::vector<Relationship>>& Relationships() const { return relationships_; }

 private:
  static Result<std::shared_ptr<SchemaCache>> BuildOne(const std::string& schema,
                                                       const std::vector<db::PgResult>& results, size_t first);

  std::string schema_;
  std::string exposed_;
  std::map<std::string, std::shared_ptr<const SchemaCache>> others_;
  std::map<std::string, Table> tables_;
  std::multimap<std::string, Function> functions_;
  std::map<std::string, std::vector<Relationship>> relationships_;
};

}  // namespace agentbase::rest
