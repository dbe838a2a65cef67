// Reads: GET and HEAD on a table or view.

#include "rest/api_error.hpp"
#include "rest/query_builder.hpp"
#include "rest/query_writer.hpp"
#include "util/text.hpp"

namespace agentbase::rest {

Result<SqlQuery> BuildRead(const SchemaCache& cache, const Table& table, const QueryParams& query,
                           const ReadOptions& options) {
  QueryWriter builder(cache, query, options.max_rows);
  auto sql = builder.ReadFrom(table, Qualified(table.schema, table.name), options.count_exact,
                              options.form, options.max_rows);
  if (!sql) return sql.error();
  return SqlQuery{std::move(*sql), builder.params().Take()};
}

}  // namespace agentbase::rest
