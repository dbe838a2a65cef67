#pragma once
// Plan and SQL for one REST request: resolves the parsed query against the
// schema cache (columns, relationships for embedding, functions) and writes
// the single statement that answers it, PostgREST-style. Values are bound as
// unknown-typed parameters so PostgreSQL casts them to the column types.
//
// Every statement returns one row: total (bigint, NULL unless counted),
// page_total (bigint), body (text: the JSON to send), inserted (bigint, NULL
// unless an upsert).
//
// Reads are in read_query.cpp, writes in mutation_query.cpp, calls in
// call_query.cpp, all written with the QueryWriter of query_writer.hpp.

#include <optional>
#include <string>
#include <string_view>

#include "db/async_connection.hpp"
#include "rest/prefer.hpp"
#include "rest/query_ast.hpp"
#include "rest/response.hpp"
#include "rest/schema_cache.hpp"

namespace agentbase::rest {

struct SqlQuery {
  std::string sql;
  db::Params params;
};

struct ReadOptions {
  bool count_exact = false;
  BodyForm form;                    // from Accept: object, nulls=stripped, CSV
  std::optional<int64_t> max_rows;  // db-max-rows: caps every read
};

Result<SqlQuery> BuildRead(const SchemaCache& cache, const Table& table, const QueryParams& query,
                           const ReadOptions& options);

// kPut: PostgREST's single-row upsert, `PUT /t?pk=eq.v` with the whole row;
// the filters must be exactly the primary key (PGRST105; limit/offset are
// the parser's PGRST114). The statement inserts or updates only a payload
// row whose key is the URL's, so the caller refuses (PGRST115) and rolls back
// when it did not touch exactly one row.
enum class MutationKind { kInsert, kUpdate, kDelete, kPut };

struct MutationOptions {
  MutationKind kind = MutationKind::kInsert;
  std::string_view body;            // the JSON payload (insert/update); the request's, not a copy
  bool representation = false;      // return=representation
  BodyForm form;
  std::optional<PreferResolution> resolution;  // upsert when set
  bool missing_default = false;     // missing=default: absent keys take column defaults, not NULL
  bool count_exact = false;
  std::optional<int64_t> max_rows;  // caps the embeds of return=representation
};

Result<SqlQuery> BuildMutation(const SchemaCache& cache, const Table& table, const QueryParams& query,
                               const MutationOptions& options);

struct CallOptions {
  std::string_view body;  // POST: a JSON object of arguments ("" for none); the request's, not a copy
  bool arguments_from_query = false;  // GET/HEAD: QueryParams::rpc_args
  BodyForm form;
  bool count_exact = false;
  std::optional<int64_t> max_rows;
};

struct CallPlan {
  const Function* function = nullptr;
  SqlQuery query;
};

Result<CallPlan> BuildCall(const SchemaCache& cache, const std::string& function_name, const QueryParams& query,
                           const CallOptions& options);

}  // namespace agentbase::rest
