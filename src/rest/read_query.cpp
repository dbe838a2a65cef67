// Reads: GET and HEAD on a table or view.

#include "rest/api_error.hpp"
#include "rest/query_builder.hpp"
#include "rest/query_writer.hpp"
#include "util/text.hpp"

namespace agentbase::rest {

Result<SqlQuery> BuildRead(const SchemaCache& cache, const Table& table, const QueryParams& query,
                           const ReadOptions& options) {
  QueryWriter builder(cache, query);
  std::string alias = builder.NewAlias();
  std::vector<std::string> inner;
  auto projection = builder.Projection(table, alias, query.select, {}, inner);
  if (!projection) return projection.error();
  auto where = builder.Where(table, alias, {});
  if (!where) return where.error();
  std::vector<std::string> conditions;
  if (!where->empty()) conditions.push_back(*where);
  conditions.insert(conditions.end(), inner.begin(), inner.end());
  std::string where_sql = conditions.empty() ? "" : " WHERE " + Join(conditions, " AND ");
  auto order = builder.OrderBy(table, alias, {});
  if (!order) return order.error();
  std::string from = " FROM " + Qualified(table.schema, table.name) + " AS " + Ident(alias);
  std::string page =
      "(SELECT " + *projection + from + where_sql + *order + builder.LimitOffset({}, options.max_rows) + ")";
  std::string total = options.count_exact ? "(SELECT pg_catalog.count(*)" + from + where_sql + ")" : "NULL::bigint";
  return SqlQuery{Envelope(page, total, options.singular, "NULL::bigint"), builder.params().Take()};
}

}  // namespace agentbase::rest
