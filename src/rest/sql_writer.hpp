#pragma once
// The SQL stage: the one statement that answers a request, written from a
// resolved plan (plan.hpp) as PostgREST writes it. Values are bound as
// unknown-typed parameters so PostgreSQL casts them to the column types.
//
// Every statement returns one row: total (bigint, NULL unless counted),
// page_total (bigint), body (text: the JSON to send), inserted (bigint, NULL
// unless an upsert), then the response.headers and response.status settings
// a function or trigger may have made (StatementRowColumns).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "db/connection.hpp"
#include "rest/plan.hpp"

namespace agentbase::rest {

struct SqlQuery {
  std::string sql;
  db::Params params;
  std::vector<size_t> binary_params = {};  // as db::Statement's
};

SqlQuery WriteRead(const ReadPlan& plan, int64_t max_response_bytes = kDefaultMaxResponseBytes);
// count=planned / count=estimated: EXPLAIN (FORMAT JSON) of the rows the read
// counts, whose top plan node's "Plan Rows" is the estimate.
std::optional<SqlQuery> WriteCountEstimate(const ReadPlan& plan);
// That estimate, from the EXPLAIN statement's one JSON value.
std::optional<int64_t> PlannedRows(std::string_view explain_json);
SqlQuery WriteMutation(const MutationPlan& plan, int64_t max_response_bytes = kDefaultMaxResponseBytes);

// "name" with embedded quotes doubled.
std::string Ident(const std::string& name);
std::string Qualified(const std::string& schema, const std::string& name);

// The body text of the rows (or values) `row`, in that form: JSON, CSV
// as PostgREST writes it (the first row's keys, then each row's record text
// without its parentheses, one per line), or a function's one value as it
// is (its text; a bytea's bytes as hex).
std::string RowsBody(const BodyForm& form, std::string_view row);
// The select list of every statement's one row, as ReadStatementRow reads
// it. A body longer than max_response_bytes fails the statement (see
// ResponseTooLarge). A hex body (bytes) counts as the bytes it stands for.
std::string StatementRowColumns(const std::string& total, const std::string& page_total, const std::string& body,
                                const std::string& inserted, int64_t max_response_bytes, bool hex_body = false);

}  // namespace agentbase::rest
