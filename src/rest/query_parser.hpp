#pragma once
// The parse stage of the REST pipeline: query string (+ Prefer header) to the
// request description in query_ast.hpp / prefer.hpp.
//
// Grammar and error texts follow PostgREST (ApiRequest/QueryParams.hs): a
// malformed parameter gives Error{code "PGRST100" (HTTP 400), message like
//   "failed to parse filter (eq5)" (line 1, column 3)
// and detail like
//   unexpected "5" expecting operator (eq, gt, ...)}.
// Deliberate differences, all of them stricter:
//   - trailing input after a complete value is an error (PostgREST ignores
//     `select=id)`, `or=(a.eq.1))`, `in.(1,2)x`, `is.nullx`, `id!x=eq.1`);
//   - an and/or value must be a parenthesised list (PostgREST would read
//     `or=a.eq.1` as a filter on a column named "ora");
//   - nesting deeper than kMaxNestingDepth parentheses is refused;
//   - limit/offset must be non-negative integers (PostgREST ignores
//     non-numbers and answers a negative limit with 416 PGRST103).
// It never throws on client input and runs in time linear in the input.

#include <string>
#include <string_view>
#include <vector>

#include "rest/prefer.hpp"
#include "rest/query_ast.hpp"
#include "util/result.hpp"

namespace agentbase::rest {

// Most parentheses a select or and/or value may open inside each other.
inline constexpr int kMaxNestingDepth = 64;

// What one request may ask of the database at most, so that no query string
// can make PostgreSQL fail with an internal limit (1664 select-list entries,
// stack depth) or plan something huge. Beyond them: 400 PGRST100.
inline constexpr size_t kMaxSelectItems = 500;   // select items, all levels together
inline constexpr size_t kMaxEmbedDepth = 16;     // embedded resources inside each other
inline constexpr size_t kMaxJsonPathSteps = 64;  // -> / ->> steps of one field

struct QueryParseOptions {
  // GET or HEAD on /rpc/<fn>: a parameter whose value does not parse as a
  // filter is a function argument (QueryParams::rpc_args) instead of an error.
  // A value that starts like a filter but is malformed (`not.x`, `in.x`,
  // `is.maybe`) is still an error, as in PostgREST.
  bool rpc_read = false;
};

// `raw_query` is what follows '?', still percent-encoded ('+' is a space).
Result<QueryParams> ParseQueryParams(std::string_view raw_query, const QueryParseOptions& options = {});

// Single parameters, already decoded; errors are PGRST100 as above.
Result<std::vector<SelectItem>> ParseSelect(std::string_view value);
// `[not.]op.value` of a `col=` parameter.
Result<Condition> ParseFilterCondition(std::string_view value);
Result<std::vector<OrderTerm>> ParseOrder(std::string_view value);
// `op` is the parameter's operator: "and", "or", "not.and" or "not.or";
// `value` is the parenthesised list, e.g. "(a.eq.1,b.gt.2)".
Result<LogicTree> ParseLogicTree(std::string_view op, std::string_view value);
// columns= / on_conflict=: `param_name` only names the parameter in errors.
Result<std::vector<std::string>> ParseColumnList(std::string_view param_name, std::string_view value);

// What the parse stage needs from the HTTP request.
struct ApiRequestInput {
  std::string_view method;                       // "GET", "HEAD", "POST", "PATCH", "PUT", "DELETE", ...
  bool is_rpc = false;                           // path is /rpc/<fn>
  std::string_view query_string;                 // raw, after '?'
  std::vector<std::string_view> prefer_headers;  // every Prefer header value
};

struct ParsedApiRequest {
  QueryParams query;
  Preferences preferences;
};

// Query parameters first (PGRST100), then PUT with limit/offset (PGRST114
// "limit/offset querystring parameters are not allowed for PUT"), then
// unrecognised preferences under handling=strict (PGRST122).
Result<ParsedApiRequest> ParseApiRequest(const ApiRequestInput& input);

}  // namespace agentbase::rest
