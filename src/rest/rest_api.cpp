#include "rest/rest_api.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/json.hpp>
#include <charconv>
#include <optional>
#include <string_view>

#include "auth/bearer.hpp"
#include "rest/api_error.hpp"
#include "rest/headers_json.hpp"
#include "rest/media_type.hpp"
#include "rest/openapi.hpp"
#include "rest/plan.hpp"
#include "rest/postgrest_errors.hpp"
#include "rest/query_parser.hpp"
#include "rest/response.hpp"
#include "rest/sql_writer.hpp"
#include "util/checksum.hpp"
#include "util/text.hpp"

namespace agentbase::rest {

namespace asio = boost::asio;
namespace json = boost::json;

// Who is calling: the role to run as and the claims PostgreSQL sees.
struct Caller {
  std::string role;
  std::string claims;  // JSON, with "role" set
  // The sub and email claims when they are strings, else empty: set as
  // request.jwt.claim.sub and .email (SettingsStatement).
  std::string sub;
  std::string email;
  bool anonymous = true;
  // Whom the pool shares its connections fairly between (db::PoolOptions::
  // reserve): the tenant our tokens name, else the user, else (anon) the
  // role and the client's address.
  std::string key;
};

namespace {

constexpr std::string_view kPrefix = "/rest/v1";

// A claim's text when it is a JSON string; none otherwise.
std::optional<std::string_view> StringClaim(const json::object& claims, std::string_view name) {
  const json::value* value = claims.if_contains(name);
  if (value == nullptr || !value->is_string()) return std::nullopt;
  return std::string_view(value->get_string());
}

std::string CallerKey(const std::string& role, const boost::json::object* claims, const http::Request& request) {
  if (claims != nullptr) {
    const auto* metadata = claims->if_contains("app_metadata");
    if (metadata != nullptr && metadata->is_object()) {
      if (auto tenant = StringClaim(metadata->get_object(), "tenant_id")) return "tenant:" + std::string(*tenant);
    }
    if (auto sub = StringClaim(*claims, "sub")) return role + ":" + std::string(*sub);
  }
  return role + "@" + request.remote_address;
}

Result<Caller> Authenticate(const http::Request& request, auth::TokenCache& tokens, const auth::KeySet& keys,
                            const RestOptions& options, const std::string& anon_claims) {
  Caller caller;
  auto authorization = auth::BearerToken(request);
  // A header that is not a bearer token answers as PostgREST does for a
  // token that is not a JWT.
  if (!authorization) return pgrst::JwtParts(1);
  std::string bearer;
  if (*authorization) {
    bearer = std::move(**authorization);
  } else if (auto apikey = request.Header("apikey")) {
    // Supabase's gateway passes the apikey on as the bearer token when the
    // client sends no Authorization (curl -H "apikey: <service key>").
    bearer = TrimView(*apikey);
  } else {
    caller.role = options.anon_role;
    caller.claims = anon_claims;
    caller.key = CallerKey(caller.role, nullptr, request);
    return caller;
  }
  auth::VerifyOptions verify;
  verify.audience = options.jwt_audience;
  auto token = tokens.Verify(bearer, keys, verify);
  if (!token) return token.error();
  caller.anonymous = (*token)->role.empty() || (*token)->role == options.anon_role;
  caller.sub = StringClaim((*token)->claims, "sub").value_or("");
  caller.email = StringClaim((*token)->claims, "email").value_or("");
  if (!(*token)->role.empty()) {
    const auto& allowed = options.jwt_roles;
    if (std::find(allowed.begin(), allowed.end(), (*token)->role) == allowed.end()) {
      return pgrst::JwtClaims("The JWT 'role' claim does not name a role this server allows",
                              "Allowed roles: " + Join(allowed, ", "));
    }
    // The usual case: the claims already name the role; serialized once per token.
    caller.role = (*token)->role;
    caller.claims = (*token)->claims_text;
    caller.key = CallerKey(caller.role, &(*token)->claims, request);
    return caller;
  }
  json::object claims = (*token)->claims;
  caller.role = options.anon_role;
  caller.key = CallerKey(caller.role, &claims, request);
  claims["role"] = caller.role;
  caller.claims = json::serialize(claims);
  return caller;
}

enum class Shape { kRead, kInsert, kUpdateOrDelete, kCall };

}  // namespace

// Everything the round trip and the response need, decided before either.
struct PreparedRequest {
  Shape shape = Shape::kRead;
  SqlQuery query;
  bool read_only = true;
  BodyForm form;  // from Accept: object, nulls=stripped, CSV
  bool representation = false;
  bool rollback = false;  // Prefer: tx=rollback
  bool returns_void = false;
  bool decide_after = false;  // COMMIT or ROLLBACK only once the result is seen
  // Prefer: handling=strict, max-affected=<n> on PATCH and DELETE: more
  // affected rows are refused (PGRST124) and rolled back.
  std::optional<int64_t> max_affected;
  // PUT: exactly one row (the URL's key) is written, or nothing is (PGRST115).
  bool put = false;
  // The target view takes no such write (MutationPlan::target_refuses).
  bool target_refuses = false;
  int64_t offset = 0;
  std::string preference_applied;
  // count=planned / count=estimated: the EXPLAIN run before the statement,
  // and (estimated) the exact count's limit above which the estimate is used.
  std::optional<SqlQuery> estimate;
  std::optional<PreferCount> estimated_count;
  std::optional<int64_t> exact_count_limit;
  bool explain = false;  // the statement's EXPLAIN is the answer (BodyForm::plan)
};

namespace {

using Prepared = PreparedRequest;

constexpr size_t kMaxCachedReadPlans = 1024;

// What a read's plan depends on besides the schema cache.
std::string ReadPlanKey(const http::Request& request) {
  std::string key = request.method + '\n' + request.path + '\n' + request.query + '\n' +
                    std::string(request.Header("accept").value_or("")) + '\n' +
                    std::string(request.Header("range").value_or("")) + '\n';
  for (auto prefer : request.AllHeaders("prefer")) key += std::string(prefer) + ',';
  return key;
}

void SetEstimate(const ReadPlan& plan, Prepared& prepared) {
  prepared.estimate = WriteCountEstimate(plan);
  prepared.estimated_count = plan.estimated_count;
  prepared.exact_count_limit = plan.exact_count_limit;
}

// Prefer: handling=strict, max-affected=<n>: more affected rows are refused.
void HonourMaxAffected(const Preferences& preferences, Prepared& prepared, Preferences& honoured) {
  if (preferences.handling != PreferHandling::kStrict || !preferences.max_affected) return;
  prepared.max_affected = preferences.max_affected;
  honoured.handling = PreferHandling::kStrict;
  honoured.max_affected = preferences.max_affected;
}

// The count a read or call honours: exact, or the estimate the plan kept
// (an estimate over rows under row level security is counted exactly).
std::optional<PreferCount> HonouredCount(const ReadPlan& plan) {
  return plan.count_exact ? std::optional(PreferCount::kExact) : plan.estimated_count;
}

// Fills `prepared` (from its form and rollback) for a call, and `honoured`
// with the preferences it honours; Prepare adds what all shapes share.
Status PrepareCall(const http::Request& request, const std::string& function, const QueryParams& query,
                   const Preferences& preferences, const PlanContext& context, const json::value* arguments,
                   Prepared& prepared, Preferences& honoured) {
  if (request.method != "GET" && request.method != "HEAD" && request.method != "POST") {
    return pgrst::InvalidRpcMethod(request.method);
  }
  CallRequest call;
  call.arguments_from_query = request.method != "POST";
  call.body = request.body;
  call.parsed_body = arguments;
  std::string_view content_type = request.Header("content-type").value_or("");
  call.content_type = ToLower(Trim(content_type.substr(0, content_type.find(';'))));
  call.accept = request.Header("accept");
  call.count_exact = preferences.count == PreferCount::kExact;
  if (preferences.count != PreferCount::kExact) call.estimated_count = preferences.count;
  auto plan = PlanCall(context, function, query, call);
  if (!plan) return plan.error();
  SetEstimate(*plan, prepared);
  const Function& called = *plan->call->function;
  prepared.form = plan->form;  // negotiated for the function called
  prepared.shape = Shape::kCall;
  prepared.query = WriteRead(*plan, context.max_response_bytes);
  prepared.returns_void = called.returns_void;
  prepared.read_only = call.arguments_from_query || called.volatility != 'v';
  if (!prepared.read_only && preferences.handling == PreferHandling::kStrict && preferences.max_affected &&
      !called.returns_set) {
    return pgrst::MaxAffectedRpcViolation();
  }
  if (!prepared.read_only) HonourMaxAffected(preferences, prepared, honoured);
  // As for table writes: a call that may write keeps its transaction open
  // until the answer is known to be what was asked for (a single object)
  // or is to be rolled back anyway (tx=rollback).
  prepared.decide_after =
      !prepared.read_only && (prepared.form.singular || prepared.rollback || prepared.max_affected.has_value());
  honoured.count = HonouredCount(*plan);
  return Ok();
}

std::optional<MutationKind> MutationKindOf(const std::string& method) {
  if (method == "POST") return MutationKind::kInsert;
  if (method == "PATCH") return MutationKind::kUpdate;
  if (method == "DELETE") return MutationKind::kDelete;
  if (method == "PUT") return MutationKind::kPut;
  return std::nullopt;
}

Status PrepareMutation(const http::Request& request, const std::string& relation, const QueryParams& query,
                       const Preferences& preferences, const PlanContext& context, Prepared& prepared,
                       Preferences& honoured) {
  auto kind = MutationKindOf(request.method);
  if (!kind) return pgrst::UnsupportedMethod(request.method);
  MutationRequest mutation;
  mutation.kind = *kind;
  mutation.body = request.body;
  mutation.representation = preferences.representation == PreferReturn::kRepresentation;
  mutation.form = prepared.form;
  mutation.count_exact = preferences.count.has_value();  // a write's rows are counted exactly
  if (*kind == MutationKind::kInsert) mutation.resolution = preferences.resolution;
  if (*kind == MutationKind::kInsert || *kind == MutationKind::kUpdate) {
    mutation.missing_default = preferences.missing == PreferMissing::kDefault;
  }
  auto plan = PlanMutation(context, relation, query, mutation);
  if (!plan) return plan.error();
  prepared.query = WriteMutation(*plan, context.max_response_bytes);
  prepared.read_only = false;
  prepared.shape = *kind == MutationKind::kInsert ? Shape::kInsert : Shape::kUpdateOrDelete;
  prepared.representation = mutation.representation;
  if (*kind != MutationKind::kInsert) HonourMaxAffected(preferences, prepared, honoured);
  prepared.put = *kind == MutationKind::kPut;
  prepared.target_refuses = plan->target_refuses;
  prepared.decide_after = prepared.form.singular || prepared.rollback || prepared.max_affected || prepared.put;
  honoured.resolution = mutation.resolution;
  if (mutation.missing_default) honoured.missing = PreferMissing::kDefault;
  if (preferences.representation) {
    honoured.representation = mutation.representation ? PreferReturn::kRepresentation : PreferReturn::kMinimal;
  }
  if (mutation.count_exact) honoured.count = PreferCount::kExact;
  return Ok();
}

Status PrepareRead(const std::string& relation, const QueryParams& query, const Preferences& preferences,
                   const PlanContext& context, Prepared& prepared, Preferences& honoured) {
  ReadRequest read{preferences.count == PreferCount::kExact, prepared.form};
  if (preferences.count != PreferCount::kExact) read.estimated_count = preferences.count;
  auto plan = PlanRead(context, relation, query, read);
  if (!plan) return plan.error();
  prepared.query = WriteRead(*plan, context.max_response_bytes);
  SetEstimate(*plan, prepared);
  honoured.count = HonouredCount(*plan);
  return Ok();
}

// A read's Range header (`Range: 0-24`, `Range: 10-`), as PostgREST reads
// it for GET: the rows it asks for, intersected with limit= and offset=, become
// the top level's limit and offset. A header of another form is ignored; a
// lower bound above the upper one is refused (416 PGRST103).
Status ApplyRangeHeader(std::string_view header, QueryParams& query) {
  auto number = [](std::string_view digits) -> std::optional<int64_t> {
    int64_t value = 0;
    if (digits.empty() || digits.size() > 18) return std::nullopt;
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
    if (ec != std::errc() || end != digits.data() + digits.size()) return std::nullopt;
    return value;
  };
  size_t dash = header.find('-');
  if (dash == std::string_view::npos) return Ok();
  std::optional<int64_t> lower = number(header.substr(0, dash));
  std::string_view upper_text = header.substr(dash + 1);
  std::optional<int64_t> upper = upper_text.empty() ? std::nullopt : number(upper_text);
  if (!lower || (!upper_text.empty() && !upper)) return Ok();
  if (upper && *lower > *upper) return pgrst::RangeLowerAboveUpper();
  RangeParam* top = nullptr;
  for (auto& range : query.ranges) {
    if (range.embed_path.empty()) top = &range;
  }
  if (top == nullptr) top = &query.ranges.emplace_back();
  // The intersection of [lower, upper] with [offset, offset + limit - 1].
  int64_t from = std::max(*lower, top->offset.value_or(0));
  std::optional<int64_t> to = upper;
  if (top->limit) {
    int64_t param_to = top->offset.value_or(0) + *top->limit - 1;
    to = to ? std::min(*to, param_to) : param_to;
  }
  top->offset = from;
  top->limit = to ? std::optional<int64_t>(std::max<int64_t>(*to - from + 1, 0)) : std::nullopt;
  return Ok();
}

// Parse, then plan and write the SQL for the request's shape.
Result<Prepared> Prepare(const http::Request& request, const std::string& resource, bool is_rpc, BodyForm form,
                         const SchemaCache& cache, const RestOptions& options, const json::value* arguments) {
  std::vector<std::string_view> prefer = request.AllHeaders("prefer");
  ApiRequestInput input{request.method, is_rpc, request.query, prefer};
  auto parsed = ParseApiRequest(input);
  if (!parsed) return parsed.error();
  QueryParams& query = parsed->query;
  const Preferences& preferences = parsed->preferences;
  if (auto range = request.Header("range"); range && request.method == "GET") {
    if (auto applied = ApplyRangeHeader(*range, query); !applied) return applied.error();
  }
  PlanContext context{cache, options.max_rows, options.aggregates_enabled, options.max_response_bytes};

  Prepared prepared;
  prepared.form = form;
  prepared.rollback = preferences.transaction == PreferTransaction::kRollback;
  if (const RangeParam* range = query.RangeFor({}); range && range->offset) prepared.offset = *range->offset;
  Preferences honoured;  // what Preference-Applied reports
  bool reading = request.method == "GET" || request.method == "HEAD";
  Status planned = is_rpc ? PrepareCall(request, resource, query, preferences, context, arguments, prepared, honoured)
                   : reading ? PrepareRead(resource, query, preferences, context, prepared, honoured)
                             : PrepareMutation(request, resource, query, preferences, context, prepared, honoured);
  if (!planned) return planned.error();
  if (prepared.rollback) honoured.transaction = PreferTransaction::kRollback;
  prepared.preference_applied = PreferenceAppliedValue(honoured);
  return prepared;
}

// The statements of a request's transaction and which one is the request's own.
struct Transaction {
  std::vector<db::Statement> statements;
  size_t main = 0;
  std::optional<size_t> estimate;
};

// Most requests are one implicit transaction: the settings, then the
// statement, committed by PostgreSQL at the pipeline's Sync (or rolled back
// whole on an error), so they can share a pooled connection with others.
// Requests that decide COMMIT or ROLLBACK only after seeing the result use
// an explicit transaction on a connection of their own.
// The first statement of every request's transaction: the caller's role and
// claims, the request's method, path, headers and cookies, and the limits.
db::Statement SettingsStatement(const Caller& caller, const http::Request& request, const std::string& path,
                                const std::string& search_path, const RequestConstants& constants, bool read_only) {
  db::Params settings;
  settings.reserve(11);
  settings.emplace_back(search_path);
  settings.emplace_back(caller.role);
  settings.emplace_back(caller.claims);
  settings.emplace_back(request.method);
  settings.emplace_back(path);
  settings.emplace_back(HeadersJson(request.headers));
  settings.emplace_back(constants.statement_timeout_ms);
  // The request id (app/router.hpp) names the transaction in pg_stat_activity
  // and in PostgreSQL's log (%a).
  auto request_id = request.Header("x-request-id");
  settings.emplace_back(request_id ? "agentbase " + std::string(*request_id) : std::string("agentbase"));
  settings.emplace_back(CookiesJson(request.headers));
  settings.emplace_back(caller.sub);
  settings.emplace_back(caller.email);
  // Reads cannot write, also through functions they call; turning read-only
  // on is allowed at any point of a transaction.
  // The claims auth.uid(), auth.role() and auth.email() read also go one by
  // one, as PostgREST's legacy settings did: those functions take them first,
  // where each call otherwise parses all the claims as jsonb (a tenth of a
  // remember's work in the database, parsed eight times over). Empty for a
  // claim that is absent or no string, so those functions read the claims.
  static const std::string kSettings =
      "SELECT pg_catalog.set_config('search_path', $1, true), pg_catalog.set_config('role', $2, true), "
      "pg_catalog.set_config('request.jwt.claims', $3, true), "
      "pg_catalog.set_config('request.jwt.claim.sub', $10, true), "
      "pg_catalog.set_config('request.jwt.claim.role', $2, true), "
      "pg_catalog.set_config('request.jwt.claim.email', $11, true), "
      "pg_catalog.set_config('request.method', $4, true), "
      "pg_catalog.set_config('request.path', $5, true), "
      "pg_catalog.set_config('request.headers', $6, true), "
      "pg_catalog.set_config('statement_timeout', $7, true), "
      "pg_catalog.set_config('application_name', $8, true), "
      "pg_catalog.set_config('request.cookies', $9, true)";
  static const std::string kReadOnlySettings =
      kSettings + ", pg_catalog.set_config('transaction_read_only', 'on', true)";
  return {read_only ? kReadOnlySettings : kSettings, std::move(settings), true};
}

Transaction BuildTransaction(const Prepared& prepared, const Caller& caller, const http::Request& request,
                             const std::string& path, const std::string& search_path, const RequestConstants& constants,
                             bool decide_after) {
  Transaction transaction;
  auto& statements = transaction.statements;
  if (decide_after) statements.push_back({"BEGIN ISOLATION LEVEL READ COMMITTED", {}});
  statements.push_back(SettingsStatement(caller, request, path, search_path, constants, prepared.read_only));
  if (prepared.estimate) {
    transaction.estimate = statements.size();
    statements.push_back({prepared.estimate->sql, prepared.estimate->params, true, prepared.estimate->binary_params});
  }
  transaction.main = statements.size();
  statements.push_back({prepared.query.sql, prepared.query.params, true, prepared.query.binary_params});
  return transaction;
}

// Accept: application/vnd.pgrst.plan: the statement's EXPLAIN instead. With
// ANALYZE the statement runs, so a write is always rolled back.
void ExplainInstead(Prepared& prepared) {
  const BodyForm::Plan& plan = *prepared.form.plan;
  std::string options = plan.text ? "FORMAT TEXT" : "FORMAT JSON";
  for (const auto& option : plan.options) options += ", " + ToUpper(option);
  prepared.query.sql = "EXPLAIN (" + options + ") " + prepared.query.sql;
  prepared.explain = true;
  prepared.estimate.reset();
  prepared.max_affected.reset();
  prepared.put = false;
  bool analyze = std::find(plan.options.begin(), plan.options.end(), "analyze") != plan.options.end();
  prepared.rollback = prepared.rollback || (analyze && !prepared.read_only);
  prepared.decide_after = prepared.rollback && !prepared.read_only;
}

// The EXPLAIN's output: JSON as one document, text as its lines.
StatementRow ExplainRow(const db::PgResult& result, bool text) {
  StatementRow row;
  std::vector<std::string> lines;
  for (int i = 0; i < result.Rows(); ++i) lines.push_back(result.Text(i, 0));
  row.body = text ? Join(lines, "\n") : (lines.empty() ? "[]" : lines.front());
  return row;
}

std::string PlanContentType(const BodyForm& form) {
  std::string type = std::string("application/vnd.pgrst.plan+") + (form.plan->text ? "text" : "json") + "; for=\"" +
                     (form.singular ? "application/vnd.pgrst.object+json" : "application/json") + "\"";
  if (!form.plan->options.empty()) type += "; options=" + Join(form.plan->options, "|");
  return type + "; charset=utf-8";
}

// Takes the row: its body becomes the response body without a copy.
http::Response Shape200(const Prepared& prepared, StatementRow row) {
  if (prepared.explain) {
    http::Response response{200, {}, std::move(row.body)};
    response.SetHeader("Content-Type", PlanContentType(prepared.form));
    return response;
  }
  switch (prepared.shape) {
    case Shape::kRead:
    case Shape::kCall: {
      if (prepared.shape == Shape::kCall && prepared.returns_void) return http::Response{204, {}, ""};
      int status = RangeStatus(prepared.offset, row.page_total, row.total);
      if (status == 416) {
        Error error = pgrst::RangeOutOfBounds(prepared.offset, row.total.value_or(0));
        auto response = ErrorResponse(error);
        response.SetHeader("Content-Range", "*/" + std::to_string(row.total.value_or(0)));
        return response;
      }
      auto response = RowsResponse(status, std::move(row.body), prepared.form);
      response.SetHeader("Content-Range", ContentRange(prepared.offset, row.page_total, row.total));
      return response;
    }
    case Shape::kInsert: {
      // An upsert that only updated answers 200. Where that is unknown (a
      // view has no xmax), PUT answers 200 and POST 201, as PostgREST did.
      bool created = row.inserted ? *row.inserted > 0 || row.page_total == 0 : !prepared.put;
      int status = created ? 201 : 200;
      http::Response response = prepared.representation ? RowsResponse(status, std::move(row.body), prepared.form)
                                                        : http::Response{status, {}, ""};
      response.SetHeader("Content-Range", ContentRange(0, 0, row.total));
      return response;
    }
    case Shape::kUpdateOrDelete: {
      http::Response response =
          prepared.representation ? RowsResponse(200, std::move(row.body), prepared.form) : http::Response{204, {}, ""};
      response.SetHeader("Content-Range", ContentRange(0, row.page_total, row.total));
      return response;
    }
  }
  return http::Response{500, {}, ""};
}

// No connection to be had, or it failed under the request, by kind: a busy
// pool is PGRST003 (504), a request given up at the pool's deadline AB504,
// anything else (unreachable, lost, shutting down) PGRST001 (503). Why a
// connection failed names hosts, ports and users: that goes to the log,
// never to the client.
Error PoolFailure(const Error& error, const http::Request& request) {
  switch (error.Kind()) {
    case ErrorKind::kBusy:
      spdlog::debug("{} {}: {}", request.method, request.path, error.message);
      return pgrst::PoolTimeout();
    case ErrorKind::kTimeout:
      spdlog::warn("{} {}: {}", request.method, request.path, error.message);
      return pgrst::DatabaseGaveUp();
    default:
      spdlog::warn("no database connection for {} {}: {}", request.method, request.path, error.message);
      return pgrst::DatabaseClient();
  }
}

// count=planned answers the planner's estimate; count=estimated the exact
// count unless it passed its limit.
void ApplyEstimate(const Prepared& prepared, const db::PgResult& explain, StatementRow& row) {
  if (explain.Rows() < 1) return;
  auto planned = PlannedRows(explain.Get(0, 0));
  if (!planned) return;
  bool over_limit = !row.total || (prepared.exact_count_limit && *row.total > *prepared.exact_count_limit);
  if (prepared.estimated_count == PreferCount::kPlanned || over_limit)
    row.total = std::max(*planned, prepared.offset + row.page_total);
}

// Singular answers, PUT and max-affected: PostgREST never commits a write
// it will not report.
std::optional<Error> Refusal(const Prepared& prepared, const StatementRow& row) {
  if (prepared.form.singular && !(prepared.shape == Shape::kCall && prepared.returns_void)) {
    if (auto singular = SingularError(row.page_total)) return singular;
  }
  if (prepared.put && row.page_total != 1) {
    return pgrst::PutMatchingPk();
  }
  if (prepared.max_affected && row.page_total > *prepared.max_affected) {
    return pgrst::MaxAffectedViolation(row.page_total);
  }
  return std::nullopt;
}

// The resource a path names: "" for the root (OpenAPI), "rpc/<fn>" or a table.
struct Route {
  std::string resource;
  bool is_rpc = false;
  bool root = false;
};

Result<Route> Resolve(const std::string& path) {
  std::string_view rest = std::string_view(path).substr(kPrefix.size());
  while (!rest.empty() && rest.front() == '/') rest.remove_prefix(1);
  while (!rest.empty() && rest.back() == '/') rest.remove_suffix(1);
  Route route;
  if (rest.empty()) {
    route.root = true;
    return route;
  }
  if (StartsWith(rest, "rpc/")) {
    route.is_rpc = true;
    rest.remove_prefix(4);
  }
  if (rest.empty() || rest.find('/') != std::string_view::npos) {
    return pgrst::InvalidResourcePath();
  }
  route.resource = std::string(rest);
  return route;
}

}  // namespace

RestApi::RestApi(db::Pool& pool, const auth::KeySet& keys, RestOptions options)
    : pool_(pool),
      keys_(keys),
      options_(std::move(options)),
      anon_claims_(json::serialize(json::object{{"role", options_.anon_role}})),
      constants_{std::to_string(options_.statement_timeout.count())} {}

void RestApi::SetSchemaCache(std::shared_ptr<const SchemaCache> cache) {
  cache_ = std::move(cache);
  read_plans_.clear();
}

namespace {

// The exposed schema a request names with Accept-Profile (reads) or
// Content-Profile (writes); the default one when it names none.
Result<const SchemaCache*> ChooseProfile(const SchemaCache& exposed, const http::Request& request) {
  bool reading = request.method == "GET" || request.method == "HEAD";
  auto profile = request.Header(reading ? "accept-profile" : "content-profile");
  if (!profile) return &exposed;
  const SchemaCache* chosen = exposed.Profile(std::string(*profile));
  if (chosen == nullptr) {
    return pgrst::UnacceptableSchema(*profile, exposed.ExposedSchemas());
  }
  return chosen;
}

}  // namespace

asio::awaitable<http::Response> RestApi::Handle(http::Request request) {
  bool anonymous = true;
  auto answer = co_await Answer(request, anonymous);
  // The one place a failed request becomes PostgREST's error response.
  if (!answer) co_return ErrorResponse(answer.error(), anonymous);
  co_return std::move(*answer);
}

asio::awaitable<Result<http::Response>> RestApi::Answer(const http::Request& request, bool& anonymous,
                                                        bool server_functions, const json::value* arguments) {
  auto route = Resolve(request.path);
  if (!route) co_return route.error();
  std::shared_ptr<const SchemaCache> exposed = cache_;
  if (!exposed) co_return pgrst::SchemaCacheUnavailable();
  auto cache = ChooseProfile(*exposed, request);
  if (!cache) co_return cache.error();
  // A call may also be answered in the media type of a domain its function
  // returns: any overload's, until the one called is known (PlanCall).
  std::vector<MediaTypeDomain> offered;
  if (route->is_rpc) {
    for (const Function* function : (*cache)->FindFunctions(route->resource)) {
      if (function->media_domain) offered.push_back(*function->media_domain);
    }
  }
  auto form = NegotiateBodyForm(request.Header("accept"), offered);
  if (!form) {
    co_return pgrst::MediaTypeUnavailable({std::string(request.Header("accept").value_or(""))});
  }
  auto caller = Authenticate(request, tokens_, keys_, options_, anon_claims_);
  if (!caller) co_return caller.error();
  anonymous = caller->anonymous;

  if (route->root) {
    if (request.method != "GET" && request.method != "HEAD") {
      co_return pgrst::UnsupportedMethod(request.method);
    }
    // HEAD too: the server sends GET's Content-Length and drops the body.
    http::Response response{200, {}, OpenApiDocument(**cache, request)};
    response.SetHeader("Content-Type", "application/openapi+json; charset=utf-8");
    co_return response;
  }
  std::optional<json::value> server_arguments;
  if (auto function = server_functions_.find(route->resource);
      server_functions && function != server_functions_.end() && route->is_rpc && request.method == "POST" &&
      (*cache)->Schema() == exposed->Schema()) {
    // A call that asks for more than the rows as JSON is the database's to
    // answer; the function may still rewrite its arguments (remember's
    // embedding, with supabase-js's .select() or .single() too).
    bool may_answer = !form->singular && !form->strip_nulls && !form->csv && !form->plan && !form->raw &&
                      !request.Header("prefer") && request.target.find('?') == std::string::npos;
    auto answered = co_await CallServerFunction(function->second, request, *caller, (*cache)->Schema(), may_answer);
    if (!answered) co_return answered.error();
    if (answered->response) co_return std::move(*answered->response);
    if (answered->body) {
      http::Request rewritten = request;
      rewritten.body = std::move(*answered->body);
      co_return co_await Answer(rewritten, anonymous, false, answered->arguments ? &*answered->arguments : nullptr);
    }
    // The arguments as the function parsed them: the planner need not parse the body again.
    server_arguments = std::move(answered->arguments);
    if (server_arguments) arguments = &*server_arguments;
  }
  auto prepared = PreparedFor(request, route->resource, route->is_rpc, *form, **cache, arguments);
  if (!prepared) co_return prepared.error();
  std::string path = "/" + std::string(route->is_rpc ? "rpc/" : "") + route->resource;
  const WriteCheck* check = WriteCheckFor(**prepared, (*cache)->Schema() + "." + route->resource, route->is_rpc);
  auto row = co_await Run(**prepared, *caller, request, path, (*cache)->Schema(), check);
  if (!row) {
    Error error = row.error();
    // PostgreSQL refuses a write a view cannot take with 55000 ("cannot
    // insert into view"), which PostgREST answers with 500; the request is
    // what is wrong, so it is answered with 400 and the same body.
    if ((*prepared)->target_refuses && error.code == "55000") error.kind = ErrorKind::kInvalidInput;
    co_return error;
  }

  std::optional<std::string> response_headers = std::move(row->response_headers);
  std::optional<std::string> response_status = std::move(row->response_status);
  http::Response response = Shape200(**prepared, std::move(*row));
  if (!(*prepared)->preference_applied.empty()) {
    response.SetHeader("Preference-Applied", (*prepared)->preference_applied);
  }
  if (exposed->Exposed() != exposed->Schema()) response.SetHeader("Content-Profile", (*cache)->Schema());
  if (response_headers || response_status) {
    if (auto applied = ApplyResponseSettings(response, response_headers, response_status); !applied) {
      co_return applied.error();
    }
  }
  co_return response;
}

Result<std::shared_ptr<const PreparedRequest>> RestApi::PreparedFor(const http::Request& request,
                                                                    const std::string& resource, bool is_rpc,
                                                                    BodyForm form, const SchemaCache& cache,
                                                                    const json::value* arguments) {
  bool reading = request.method == "GET" || request.method == "HEAD";
  std::string plan_key = reading ? cache.Schema() + '\n' + ReadPlanKey(request) : std::string();
  if (auto cached = reading ? read_plans_.find(plan_key) : read_plans_.end(); cached != read_plans_.end()) {
    return cached->second;
  }
  auto planned = Prepare(request, resource, is_rpc, form, cache, options_, arguments);
  if (!planned) return planned.error();
  if (planned->form.plan) {
    if (!options_.plan_enabled) {
      return pgrst::MediaTypeUnavailable({std::string(request.Header("accept").value_or(""))});
    }
    ExplainInstead(*planned);
  }
  auto prepared = std::make_shared<const Prepared>(std::move(*planned));
  if (reading) {
    if (read_plans_.size() >= kMaxCachedReadPlans) read_plans_.clear();
    read_plans_.emplace(std::move(plan_key), prepared);
  }
  return prepared;
}

// A body that is no JSON object is left to the database's answer (PostgREST's
// error for it).
asio::awaitable<Result<RestApi::ServerAnswer>> RestApi::CallServerFunction(const ServerFunction& function,
                                                                           const http::Request& request,
                                                                           const Caller& caller,
                                                                           const std::string& schema, bool may_answer) {
  boost::system::error_code parse_error;
  json::value body = json::parse(request.body, parse_error);
  if (parse_error || !body.is_object()) co_return ServerAnswer{};
  ServerCall call;
  call.args = std::move(body.as_object());
  call.may_answer = may_answer;
  call.role = caller.role;
  call.claims = caller.claims;
  call.anonymous = caller.anonymous;
  std::string path = request.path.substr(kPrefix.size());
  call.run = [this, &request, &caller, path, search_path = Ident(schema) + ", " + options_.extra_search_path](
                 std::vector<db::Statement> statements) -> asio::awaitable<Result<std::vector<db::PgResult>>> {
    size_t count = statements.size();
    std::vector<db::Statement> transaction;
    transaction.reserve(count + 1);
    transaction.push_back(SettingsStatement(caller, request, path, search_path, constants_, false));
    for (auto& statement : statements) transaction.push_back(std::move(statement));
    auto outcome = co_await pool_.Submit(std::move(transaction), caller.key);
    if (!outcome) co_return PoolFailure(outcome.error(), request);
    if (outcome->failure) co_return *outcome->failure;
    if (outcome->results.size() != count + 1) co_return ApiError("XX000", "incomplete database answer");
    outcome->results.erase(outcome->results.begin());
    co_return std::move(outcome->results);
  };
  auto answered = co_await function(call);
  if (!answered) co_return answered.error();
  if (*answered && !may_answer) co_return ApiError("XX000", "a server function answered a call it may only rewrite");
  if (!*answered) {
    std::optional<std::string> rewritten;
    if (call.args_changed) rewritten = json::serialize(call.args);
    co_return ServerAnswer{std::nullopt, std::move(rewritten), json::value(std::move(call.args))};
  }
  http::Response response{200, {}, std::move(**answered)};
  response.SetHeader("Content-Type", "application/json; charset=utf-8");
  co_return ServerAnswer{std::move(response), std::nullopt};
}

const WriteCheck* RestApi::WriteCheckFor(const PreparedRequest& prepared, const std::string& qualified_resource,
                                         bool is_rpc) const {
  // A rolled-back write (tx=rollback, EXPLAIN ANALYZE) leaves nothing to check.
  if (prepared.read_only || prepared.rollback || prepared.explain) return nullptr;
  for (const WriteCheck& check : write_checks_) {
    const auto& names = is_rpc ? check.functions : check.tables;
    if (std::find(names.begin(), names.end(), qualified_resource) != names.end()) return &check;
  }
  return nullptr;
}

// One round trip, and for requests that decide after seeing their result
// (singular writes, PUT, max-affected, tx=rollback, a write check) a second
// one on the same connection: COMMIT or ROLLBACK.
asio::awaitable<Result<StatementRow>> RestApi::Run(const PreparedRequest& prepared, const Caller& caller,
                                                   const http::Request& request, const std::string& path,
                                                   const std::string& schema, const WriteCheck* check) {
  if (spdlog::should_log(spdlog::level::debug)) {
    spdlog::debug("{} {} as {}: {} -- params: {}", request.method, request.target, caller.role, prepared.query.sql,
                  prepared.query.params.size());
  }
  bool decide_after = prepared.decide_after || check != nullptr;
  auto transaction = BuildTransaction(prepared, caller, request, path,
                                      Ident(schema) + ", " + options_.extra_search_path, constants_, decide_after);
  std::optional<size_t> check_index;
  if (check) {
    check_index = transaction.statements.size();
    transaction.statements.push_back({check->statement, {}, true});
  }
  std::optional<db::Lease> lease;
  Result<db::PipelineOutcome> outcome = Error::Make("not run", "XX000");
  if (decide_after) {
    auto acquired = co_await pool_.Acquire(caller.key);
    if (!acquired) co_return PoolFailure(acquired.error(), request);
    lease.emplace(std::move(*acquired));
    outcome = co_await (*lease)->Run(std::move(transaction.statements), caller.key);
  } else {
    outcome = co_await pool_.Submit(std::move(transaction.statements), caller.key);
  }
  if (!outcome) co_return PoolFailure(outcome.error(), request);
  if (outcome->failure) {
    if (auto too_large = ResponseTooLarge(*outcome->failure, options_.max_response_bytes)) co_return *too_large;
    co_return *outcome->failure;
  }
  if (outcome->results.size() <= transaction.main) co_return ApiError("XX000", "incomplete database answer");
  const db::PgResult& result = outcome->results[transaction.main];
  auto row =
      prepared.explain ? Result<StatementRow>(ExplainRow(result, prepared.form.plan->text)) : ReadStatementRow(result);
  if (!row) co_return row.error();
  if (!prepared.explain && prepared.form.raw && prepared.form.raw->bytes) {
    auto bytes = HexDecode(row->body);
    if (!bytes) co_return ApiError("XX000", "a bytea body that is no hex text");
    row->body = std::move(*bytes);
  }
  // A plan is not written by StatementRowColumns, so its size is checked here.
  if (prepared.explain && static_cast<int64_t>(row->body.size()) > options_.max_response_bytes) {
    co_return pgrst::ResponseTooLarge(options_.max_response_bytes);
  }
  if (transaction.estimate) ApplyEstimate(prepared, outcome->results[*transaction.estimate], *row);
  std::optional<Error> refusal = prepared.explain ? std::nullopt : Refusal(prepared, *row);
  if (!refusal && check_index) {
    if (outcome->results.size() <= *check_index) co_return ApiError("XX000", "incomplete database answer");
    refusal = check->judge(outcome->results[*check_index]);
  }
  if (decide_after) {
    std::vector<db::Statement> finish;
    finish.push_back({refusal || prepared.rollback ? "ROLLBACK" : "COMMIT", {}});
    auto finished = co_await (*lease)->Run(std::move(finish));
    if (!finished) co_return PoolFailure(finished.error(), request);
    if (finished->failure) co_return *finished->failure;
  }
  if (refusal) co_return *refusal;
  co_return row;
}

}  // namespace agentbase::rest
