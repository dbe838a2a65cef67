#pragma once
// What the REST API exposes, read from the live catalog: the tables, views
// and functions of the exposed schema, their columns, keys and the foreign
// keys that embedding follows. Rebuilt on start-up and on NOTIFY pgrst,
// 'reload schema'; requests see an immutable snapshot.

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "db/connection.hpp"
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

struct Table {
  std::string schema;
  std::string name;
  bool is_view = false;
  bool insertable = true;
  std::vector<Column> columns;  // in attnum order
  std::vector<std::string> primary_key;
  std::string description;

  const Column* FindColumn(const std::string& column) const;
};

// A foreign key from `table` (columns) to `referenced_table` (referenced_columns).
struct ForeignKey {
  std::string name;
  std::string table;
  std::vector<std::string> columns;
  std::string referenced_table;
  std::vector<std::string> referenced_columns;
};

struct FunctionArgument {
  std::string name;
  std::string type;
  bool has_default = false;
};

struct Function {
  std::string schema;
  std::string name;
  std::vector<FunctionArgument> arguments;  // IN / INOUT / VARIADIC arguments, in order
  bool returns_set = false;
  bool returns_void = false;
  // The table or view the function returns rows of (SETOF t / t), if any.
  std::optional<std::string> returns_table;
  char volatility = 'v';       // 'i' immutable, 's' stable, 'v' volatile
  std::string description;
};

class SchemaCache {
 public:
  // The catalog queries (one statement each); BuildFrom reads their results in order.
  static std::vector<std::string> Queries(const std::string& schema);
  static Result<std::shared_ptr<const SchemaCache>> BuildFrom(const std::string& schema,
                                                              const std::vector<db::PgResult>& results);
  // Blocking load, for start-up and tests.
  static Result<std::shared_ptr<const SchemaCache>> Load(db::Connection& connection, const std::string& schema);

  const std::string& Schema() const { return schema_; }
  const Table* FindTable(const std::string& name) const;
  // Every overload of `name` (usually one).
  std::vector<const Function*> FindFunctions(const std::string& name) const;
  const std::map<std::string, Table>& Tables() const { return tables_; }
  const std::multimap<std::string, Function>& Functions() const { return functions_; }
  // Foreign keys between two tables in either direction.
  std::vector<const ForeignKey*> ForeignKeysBetween(const std::string& a, const std::string& b) const;

 private:
  std::string schema_;
  std::map<std::string, Table> tables_;
  std::multimap<std::string, Function> functions_;
  std::vector<ForeignKey> foreign_keys_;
};

}  // namespace agentbase::rest
