#pragma once
// /rest/v1: PostgREST's dialect over the exposed schema. Each request is
// read top-down as parse → authenticate → plan → SQL → one database round
// trip (BEGIN, settings, statement, COMMIT) → response. Tenant isolation is
// the database's: the request runs as the JWT's role with its claims set, and
// row level security decides what it sees.

#include <boost/json/object.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "auth/jwk.hpp"
#include "auth/jwt.hpp"
#include "db/pool.hpp"
#include "http/message.hpp"
#include "rest/plan.hpp"
#include "rest/response.hpp"
#include "rest/schema_cache.hpp"

namespace agentbase::rest {

struct PreparedRequest;
struct Caller;

struct RestOptions {
  // The exposed schemas, comma-separated, the default first; a request
  // names another with Accept-Profile / Content-Profile (supabase-js
  // .schema()). The schema cache is built for the same list.
  std::string schema = "public";
  std::string extra_search_path = "extensions";
  std::string anon_role = "anon";
  std::optional<int64_t> max_rows = 1000;  // Supabase's db-max-rows
  std::chrono::milliseconds statement_timeout{8000};
  std::optional<std::string> jwt_audience;
  // The roles a JWT's role claim may name, exactly; any other is refused
  // (401) instead of being handed to PostgreSQL.
  std::vector<std::string> jwt_roles = {"anon", "authenticated", "service_role"};
  // A larger answer is refused (400 AB400) by the database before it is
  // sent, so no request can make the server hold an unbounded body.
  int64_t max_response_bytes = kDefaultMaxResponseBytes;
  // PostgREST's db-aggregates-enabled: `col.sum()`, `count()` ... in select.
  // Off by default: an aggregate over a large table is a cheap way to make
  // the database work hard (statement_timeout still bounds it).
  bool aggregates_enabled = false;
  // PostgREST's db-plan-enabled: Accept: application/vnd.pgrst.plan answers
  // the statement's EXPLAIN. Off by default: plans tell a client about
  // tables, indexes and row counts beyond what it may read.
  bool plan_enabled = false;
};

// Settings every request sends that depend on the options only.
struct RequestConstants {
  std::string statement_timeout_ms;  // as set_config wants it
};

// A function the server answers itself instead of the database (app wires
// them: memory search from an in-memory index, embeddings computed for a
// call). It gets the call's JSON arguments, who calls, and a runner for
// statements as that caller; it answers a 200's JSON body, or nothing to let
// the database answer as for any other function, with the arguments as the
// function left them (args_changed: it added or changed some). Its errors
// are answered as PostgREST's.
struct ServerCall {
  boost::json::object args;
  bool args_changed = false;
  // False when the call asks for more than the function's rows as JSON (a
  // query string: select, filters, order, limit; Prefer; one object, CSV,
  // a plan): the database answers, and the function may only change the
  // arguments.
  bool may_answer = true;
  std::string role;
  std::string claims;  // JSON, with "role" set
  bool anonymous = true;
  // Runs `statements` after the caller's settings (role, claims, timeouts),
  // in one round trip and one transaction; their results, in order. A
  // statement's error comes back as the error.
  std::function<boost::asio::awaitable<Result<std::vector<db::PgResult>>>(std::vector<db::Statement>)> run;
};
using ServerFunction = std::function<boost::asio::awaitable<Result<std::optional<std::string>>>(ServerCall&)>;

// A rule PostgreSQL cannot judge (a tool's config against its JSON Schema),
// checked inside a write's transaction: after the write, `statement` runs as
// the caller and `judge` reads its rows; an error rolls the transaction back
// and is the answer, none lets it COMMIT. It applies to writes of `tables`
// and calls of volatile `functions`, named with their schema
// ("public.agent_tools"). Such writes take a second round trip (COMMIT).
struct WriteCheck {
  std::vector<std::string> tables;
  std::vector<std::string> functions;
  std::string statement;
  std::function<std::optional<Error>(const db::PgResult&)> judge;
};

class RestApi {
 public:
  RestApi(db::Pool& pool, const auth::KeySet& keys, RestOptions options);

  // Swaps in a new schema cache (start-up and NOTIFY reloads); plans made
  // against the old one are dropped.
  void SetSchemaCache(std::shared_ptr<const SchemaCache> cache);
  std::shared_ptr<const SchemaCache> Cache() const { return cache_; }
  void ClearTokenCache() { tokens_.Clear(); }
  // POST /rpc/<name> in the default schema with a JSON object body goes to
  // `function` first (which may answer it when a plain JSON answer is wanted).
  void SetServerFunction(std::string name, ServerFunction function) {
    server_functions_[std::move(name)] = std::move(function);
  }

  void AddWriteCheck(WriteCheck check) { write_checks_.push_back(std::move(check)); }

  // `request.path` starts with /rest/v1.
  boost::asio::awaitable<http::Response> Handle(http::Request request);

 private:
  // Every stage of a request; a failure comes back as an error value and
  // Handle turns it into the response. `anonymous` is set once the caller
  // is known (42501 is 401 for anon, 403 for others).
  // `arguments`: the body as a server function parsed (and rewrote) it, so
  // that the planner does not parse it again.
  boost::asio::awaitable<Result<http::Response>> Answer(const http::Request& request, bool& anonymous,
                                                        bool server_functions = true,
                                                        const boost::json::value* arguments = nullptr);
  // Parsed, planned and written, or taken from the read plans.
  Result<std::shared_ptr<const PreparedRequest>> PreparedFor(const http::Request& request, const std::string& resource,
                                                             bool is_rpc, BodyForm form, const SchemaCache& cache,
                                                             const boost::json::value* arguments);
  // A server function's answer (a response, or the body the database is to
  // answer instead); none: the database answers the request as it is.
  // `arguments` is the body's object as the function left it.
  struct ServerAnswer {
    std::optional<http::Response> response;
    std::optional<std::string> body;
    std::optional<boost::json::value> arguments;
  };
  boost::asio::awaitable<Result<ServerAnswer>> CallServerFunction(const ServerFunction& function,
                                                                  const http::Request& request, const Caller& caller,
                                                                  const std::string& schema, bool may_answer);
  // The check that applies to a request, if any.
  const WriteCheck* WriteCheckFor(const PreparedRequest& prepared, const std::string& qualified_resource,
                                  bool is_rpc) const;
  boost::asio::awaitable<Result<StatementRow>> Run(const PreparedRequest& prepared, const Caller& caller,
                                                   const http::Request& request, const std::string& path,
                                                   const std::string& schema, const WriteCheck* check);

  db::Pool& pool_;
  const auth::KeySet& keys_;
  RestOptions options_;
  std::string anon_claims_;  // {"role":"<anon role>"}
  RequestConstants constants_;
  std::shared_ptr<const SchemaCache> cache_;
  auth::TokenCache tokens_;
  // Reads repeat: their plan and SQL depend only on the request's target and
  // headers, so they are kept (bounded) and reused.
  std::unordered_map<std::string, std::shared_ptr<const PreparedRequest>> read_plans_;
  std::unordered_map<std::string, ServerFunction> server_functions_;
  std::vector<WriteCheck> write_checks_;
};

}  // namespace agentbase::rest
