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
#include "rest/response.hpp"
#include "rest/schema_cache.hpp"
#include "util/result.hpp"

namespace agentbase::rest {

// "name" with embedded quotes doubled.
std::string Ident(const std::string& name);
std::string Qualified(const std::string& schema, const std::string& name);
// A PostgreSQL array literal of text elements: {"a","b\"c"}.
std::string ArrayLiteral(const std::vector<std::string>& items);
Error ColumnNotFound(const Table& table, const std::string& column);

// The body text of the rows named `row`, in that form: JSON, or CSV as
// PostgREST writes it (the first row's keys, then each row's record text
// without its parentheses, one per line).
std::string RowsBody(BodyForm form, std::string_view row);
// The select list of every statement's one row, as ReadStatementRow reads
// it: total, page_total, body, inserted (the given expressions), then the
// response.headers and response.status settings a function or trigger may
// have made (NULL when unset), read after the rows were produced. A body
// longer than the agentbase.max_response_bytes setting (or any body, when
// that is unset: a statement run outside a request) fails the statement
// (see ResponseTooLarge).
std::string StatementRowColumns(const std::string& total, const std::string& page_total, const std::string& body,
                                const std::string& inserted);

// The statement's final SELECT over the rows of `source` (StatementRowColumns,
// the body in `form`).
std::string Envelope(const std::string& source, const std::string& total, BodyForm form, const std::string& inserted);

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

// What one level's select list adds to its query besides the columns.
struct LevelExtras {
  std::vector<std::string> conditions;  // EXISTS (...) of !inner embeds, for the level's WHERE
  std::string joins;                    // LEFT JOIN LATERAL (...) of spread embeds, for its FROM
};

class QueryWriter {
 public:
  // `max_rows` caps every to-many embed as it caps the top level (Supabase's
  // db-max-rows), so no embed can return an unbounded array.
  QueryWriter(const SchemaCache& cache, const QueryParams& query, std::optional<int64_t> max_rows)
      : cache_(cache), query_(query), max_rows_(max_rows) {}

  Params& params() { return params_; }
  std::string NewAlias() { return "_" + std::to_string(alias_counter_++); }

  // The select list of one level, as "expr AS "key"" items; `extras`
  // collects what the level's WHERE and FROM need for it (LevelExtras).
  Result<std::string> Projection(const Table& table, const std::string& alias, const std::vector<SelectItem>& items,
                                 const EmbedPath& path, LevelExtras& extras);
  // The filters and and/or trees addressed to `path`, ANDed ("" if none).
  Result<std::string> Where(const Table& table, const std::string& alias, const EmbedPath& path);
  // `items` is the level's select list: `order=rel(col)` must name one of
  // its to-one embeds.
  Result<std::string> OrderBy(const Table& table, const std::string& alias, const EmbedPath& path,
                              const std::vector<SelectItem>& items);
  std::string LimitOffset(const EmbedPath& path, std::optional<int64_t> max_rows);
  Result<std::string> FieldExpr(const Table& table, const std::string& alias, const Field& field);
  // The whole read statement over `source` (a table, or a function call
  // returning rows of `table`): selected, filtered, ordered and paged as the
  // query says, wrapped in the Envelope; with count_exact the total counts
  // the filtered rows of `source` again.
  Result<std::string> ReadFrom(const Table& table, const std::string& source, bool count_exact, BodyForm form,
                               std::optional<int64_t> max_rows);

 private:
  Result<std::string> FieldItem(const Table& table, const std::string& alias, const SelectItem& item);
  Result<Relationship> Resolve(const Table& parent, const SelectItem& item);
  std::string JoinCondition(const Relationship& relationship, const std::string& parent_alias,
                            const std::string& target_alias);
  // An embedded resource's rows: "FROM target AS alias WHERE <join, filters>"
  // and its select list; adds its EXISTS to `extras` when it is !inner.
  struct EmbedSource {
    Relationship relationship;
    EmbedPath path;
    std::string alias;
    std::string projection;
    std::string from;
  };
  Result<EmbedSource> Source(const Table& parent, const std::string& parent_alias, const SelectItem& item,
                             const EmbedPath& parent_path, LevelExtras& extras);
  Result<std::string> Embed(const Table& parent, const std::string& parent_alias, const SelectItem& item,
                            const EmbedPath& parent_path, LevelExtras& extras);
  Result<std::string> Spread(const Table& parent, const std::string& parent_alias, const SelectItem& item,
                             const EmbedPath& parent_path, LevelExtras& extras);
  Result<std::string> RelatedOrderExpr(const Table& parent, const std::string& parent_alias, const OrderTerm& term,
                                       const std::vector<SelectItem>& items);
  Result<std::string> FilterSql(const Table& table, const std::string& alias, const Filter& filter);
  Result<std::string> LogicSql(const Table& table, const std::string& alias, const LogicTree& tree);
  Result<std::string> ConditionSql(const std::string& expr, const Column* column, bool plain_column,
                                   const Condition& condition);

  const SchemaCache& cache_;
  const QueryParams& query_;
  std::optional<int64_t> max_rows_;
  Params params_;
  int alias_counter_ = 0;
};

}  // namespace agentbase::rest
