#pragma once
// The plan stage: a parsed request (query_ast.hpp) resolved against the
// schema cache. Every name is found here (columns, computed fields,
// relationships and their hints, functions and their overloads, payload
// columns, PUT's key) and every resolution error is raised here, with
// PostgREST's code, details and hint. The SQL stage (sql_writer.hpp) writes
// from a plan only and cannot fail on a name.

#include <boost/json/array.hpp>
#include <boost/json/value.hpp>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rest/prefer.hpp"
#include "rest/query_ast.hpp"
#include "rest/relationships.hpp"
#include "rest/response.hpp"
#include "rest/schema_cache.hpp"
#include "util/result.hpp"

namespace agentbase::rest {

// A value of a level's row: a column or a computed field, followed along a
// JSON path.
struct FieldRef {
  const Column* column = nullptr;
  const Function* computed = nullptr;
  JsonPath json_path;
};

struct SelectedField {
  enum class Kind { kAllColumns, kField, kRowCount };
  Kind kind = Kind::kField;
  FieldRef field;
  std::optional<std::string> cast;
  std::string key;  // the output name
  // `col.sum()`, `count()` (kRowCount): the level's rows are grouped by its
  // other fields. `aggregate_cast` applies to the aggregate's result.
  std::optional<AggregateFunction> aggregate;
  std::optional<std::string> aggregate_cast;
};

struct ResolvedFilter {
  FieldRef field;
  Condition condition;
  // `rel=is.null` / `rel=not.is.null`: whether the level's embed `rel` has
  // a row (its own filters applied), instead of a column's value.
  std::optional<size_t> embed;
};

struct ResolvedLogic {
  LogicTree::Kind kind = LogicTree::Kind::kGroup;
  bool negated = false;
  LogicOperator op = LogicOperator::kAnd;
  std::vector<ResolvedLogic> children;
  ResolvedFilter filter;  // kFilter
};

struct ResolvedOrder {
  std::optional<size_t> embed;  // `order=rel(col)`: the level's to-one child
  FieldRef field;
  std::optional<OrderDirection> direction;
  std::optional<NullsOrder> nulls;
};

// One level of a read: the root, or an embedded resource.
struct ReadNode {
  const Table* table = nullptr;
  struct Entry {
    bool is_embed = false;
    SelectedField field;
    size_t embed = 0;  // index into children
  };
  std::vector<Entry> select;
  std::vector<ResolvedFilter> filters;
  std::vector<ResolvedLogic> logic;
  std::vector<ResolvedOrder> order;
  std::optional<int64_t> limit;  // already capped by db-max-rows
  int64_t offset = 0;
  std::vector<ReadNode> children;

  // Embedded levels only.
  const Relationship* relationship = nullptr;
  std::string key;           // its output name
  bool inner = false;        // !inner: parents without a match are left out
  bool spread = false;       // ...rel(): its columns lifted into the parent
  bool filter_only = false;  // rel(): no columns, only its !inner effect
};

// How one argument reaches the function.
struct CallArgument {
  const FunctionArgument* argument = nullptr;
  std::optional<std::string> value;
  // kHexBody: a bytea argument's raw bytes, sent as hex text.
  // kBinaryRealArray: a real[] argument's numbers in PostgreSQL's binary
  // array format, so that the database parses no decimal text (an
  // embedding's 1,536 numbers through strtof were a tenth of a remember's
  // database time).
  enum class Form { kCast, kComposite, kWholeBody, kHexBody, kBinaryRealArray } form = Form::kCast;
};

struct FunctionCall {
  const Function* function = nullptr;
  std::vector<CallArgument> arguments;
};

struct ReadPlan {
  ReadNode root;
  std::optional<FunctionCall> call;  // rows of a function instead of a relation
  // A scalar function's values, as a one-column table named after it.
  std::shared_ptr<const Table> scalar_table;
  bool count_exact = false;
  BodyForm form;  // as the client accepts it (WriteRead writes a call's one row as an object)
  // count=planned: the planner's estimate of the rows; count=estimated: the
  // exact count up to `exact_count_limit` (db-max-rows), the estimate above.
  std::optional<PreferCount> estimated_count;
  std::optional<int64_t> exact_count_limit;
};

// kPut: PostgREST's single-row upsert, `PUT /t?pk=eq.v` with the whole row;
// the filters must be exactly the primary key (PGRST105). The statement
// writes only a payload row whose key is the URL's, so the caller refuses
// (PGRST115) and rolls back when it did not touch exactly one row.
enum class MutationKind { kInsert, kUpdate, kDelete, kPut };

// Rows that share their set of columns go in one INSERT.
struct PayloadGroup {
  std::vector<std::string> columns;
  std::string rows_json;  // a JSON array of objects
  size_t row_count = 0;
  // Where each row is in the payload, when rows are split among groups: the
  // written rows are put back in that order.
  std::vector<size_t> positions;
};

struct MutationPlan {
  MutationKind kind = MutationKind::kInsert;
  const Table* table = nullptr;
  std::vector<PayloadGroup> inserts;        // kInsert, kPut
  std::vector<std::string> update_columns;  // kUpdate
  // kUpdate with missing=default: the columns of update_columns the body
  // leaves out, set to their DEFAULT (without it they are set to NULL).
  std::vector<std::string> default_columns;
  std::string update_json;  // kUpdate: the payload object
  bool upsert = false;
  bool ignore_duplicates = false;
  std::vector<std::string> conflict_columns;
  // The root's filters (the rows to update or delete; PUT's key) and, with
  // return=representation, what is returned of the written rows.
  ReadNode rows;
  bool representation = false;
  bool count_exact = false;
  BodyForm form;
  // The target (a view) takes no write of this kind: the statement still
  // runs, for PostgreSQL's own error, which is the client's (55000 would
  // otherwise be a 500).
  bool target_refuses = false;
};

// The largest body a statement may answer (beyond: it fails, see
// StatementRowColumns); agentbase serve's --max-response-bytes.
constexpr int64_t kDefaultMaxResponseBytes = 16 * 1024 * 1024;

// What the plan stage needs besides the parsed query.
struct PlanContext {
  const SchemaCache& cache;
  std::optional<int64_t> max_rows;                        // db-max-rows: caps the root and every to-many embed
  bool aggregates_enabled = false;                        // PostgREST's db-aggregates-enabled
  int64_t max_response_bytes = kDefaultMaxResponseBytes;  // written into each statement
};

struct ReadRequest {
  bool count_exact = false;
  BodyForm form;
  std::optional<PreferCount> estimated_count;  // planned or estimated
};

// count=planned / count=estimated over a table with row level security (or
// one an !inner embed joins) is answered exactly: the estimate would count
// rows the caller may not see.
void CountExactlyWhereEstimatesLeak(ReadPlan& plan);

Result<ReadPlan> PlanRead(const PlanContext& context, const std::string& relation, const QueryParams& query,
                          const ReadRequest& request);

struct MutationRequest {
  MutationKind kind = MutationKind::kInsert;
  std::string_view body;  // the request's, not a copy
  bool representation = false;
  BodyForm form;
  std::optional<PreferResolution> resolution;  // upsert when set
  bool missing_default = false;
  bool count_exact = false;
};

Result<MutationPlan> PlanMutation(const PlanContext& context, const std::string& relation, const QueryParams& query,
                                  const MutationRequest& request);

struct CallRequest {
  std::string_view body;  // POST: the arguments (or the one unnamed argument)
  // The body already parsed (a JSON object), where a server function has
  // read it: the planner takes its arguments from it instead of parsing again.
  const boost::json::value* parsed_body = nullptr;
  // POST's Content-Type (its media type, lower case): JSON by default; a
  // form (application/x-www-form-urlencoded) gives text arguments; text/plain,
  // text/xml and application/octet-stream are the whole body of a function's
  // one unnamed text, xml or bytea argument.
  std::string content_type;
  bool arguments_from_query = false;  // GET/HEAD: QueryParams::rpc_args
  bool count_exact = false;
  // The Accept header: the body form is negotiated once the function called
  // is known (the media-type domain it returns is one more it answers).
  std::optional<std::string_view> accept;
  std::optional<PreferCount> estimated_count;  // planned or estimated
};

// A JSON array as the PostgreSQL array literal of an array argument: nulls
// as NULL, numbers and booleans as they are, strings quoted, anything else
// (a nested array or object) as its JSON text, quoted.
std::string ArrayLiteral(const boost::json::array& items);
// A JSON array of numbers as a real[] in PostgreSQL's binary format (one
// dimension, float4 elements, each the float PostgreSQL would read from the
// array literal: db::RealAsPostgresReads), or nothing when an element is not
// a number PostgreSQL would take as a real (null, a string, out of range):
// those go as text.
std::optional<std::string> BinaryRealArray(const boost::json::array& items);

Result<ReadPlan> PlanCall(const PlanContext& context, const std::string& function, const QueryParams& query,
                          const CallRequest& request);

}  // namespace agentbase::rest
