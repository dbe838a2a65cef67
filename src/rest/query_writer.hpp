#pragma once
// The pieces every REST statement is written from: quoted names, the
// parameter list, and the QueryWriter that turns a parsed select list,
// filters, order and ranges into SQL against the schema cache (resolving the
// foreign keys that embedding follows). Used by the read, mutation and call
// builders (query_builder.hpp).

#include <optional>
#include <string>
#include <vector>

#include "db/connection.hpp"
#include "rest/query_ast.hpp"
#include "rest/schema_cache.hpp"
#include "util/result.hpp"

namespace agentbase::rest {

// "name" with embedded quotes doubled.
std::string Ident(const std::string& name);
std::string Qualified(const std::string& schema, const std::string& name);
// A PostgreSQL array literal of text elements: {"a","b\"c"}.
std::string ArrayLiteral(const std::vector<std::string>& items);
Error ColumnNotFound(const Table& table, const std::string& column);

// The JSON text of the rows named `row`: an array, or for a singular answer
// its first element ('null' when there is none).
std::string JsonAggBody(bool singular, std::string_view row);
// The statement's final SELECT over the rows of `source`: total, page_total,
// body (the JSON text) and inserted.
std::string Envelope(const std::string& source, const std::string& total, bool singular, const std::string& inserted);

// Collects $n parameters while the SQL is written.
class Params {
 public:
  std::string Add(std::optional<std::string> value) {
    values_.push_back(std::move(value));
    return "$" + std::to_string(values_.size());
  }
  db::Params Take() { return std::move(values_); }

 private:
  db::Params values_;
};

// How an embedded resource joins its parent.
struct Relationship {
  const ForeignKey* key = nullptr;
  const Table* target = nullptr;
  bool to_one = false;  // the parent holds the foreign key
};

class QueryWriter {
 public:
  QueryWriter(const SchemaCache& cache, const QueryParams& query) : cache_(cache), query_(query) {}

  Params& params() { return params_; }
  std::string NewAlias() { return "_" + std::to_string(alias_counter_++); }

  // The select list of one level, as "expr AS "key"" items; `inner_joins`
  // collects the EXISTS conditions of !inner embeds for the parent's WHERE.
  Result<std::string> Projection(const Table& table, const std::string& alias, const std::vector<SelectItem>& items,
                                 const EmbedPath& path, std::vector<std::string>& inner_joins);
  // The filters and and/or trees addressed to `path`, ANDed ("" if none).
  Result<std::string> Where(const Table& table, const std::string& alias, const EmbedPath& path);
  Result<std::string> OrderBy(const Table& table, const std::string& alias, const EmbedPath& path);
  std::string LimitOffset(const EmbedPath& path, std::optional<int64_t> max_rows);
  Result<std::string> FieldExpr(const Table& table, const std::string& alias, const Field& field);
  // The whole read statement over `source` (a table, or a function call
  // returning rows of `table`): selected, filtered, ordered and paged as the
  // query says, wrapped in the Envelope; with count_exact the total counts
  // the filtered rows of `source` again.
  Result<std::string> ReadFrom(const Table& table, const std::string& source, bool count_exact, bool singular,
                               std::optional<int64_t> max_rows);

 private:
  Result<std::string> FieldItem(const Table& table, const std::string& alias, const SelectItem& item);
  Result<Relationship> Resolve(const Table& parent, const SelectItem& item);
  std::string JoinCondition(const Relationship& relationship, const std::string& parent_alias,
                            const std::string& target_alias);
  Result<std::string> Embed(const Table& parent, const std::string& parent_alias, const SelectItem& item,
                            const EmbedPath& parent_path, std::vector<std::string>& inner_joins);
  Result<std::string> FilterSql(const Table& table, const std::string& alias, const Filter& filter);
  Result<std::string> LogicSql(const Table& table, const std::string& alias, const LogicTree& tree);
  Result<std::string> ConditionSql(const std::string& expr, const Column* column, bool plain_column,
                                   const Condition& condition);

  const SchemaCache& cache_;
  const QueryParams& query_;
  Params params_;
  int alias_counter_ = 0;
};

}  // namespace agentbase::rest
