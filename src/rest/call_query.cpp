// Calls: /rpc/<function> by POST (arguments in the body) or GET (in the query string).

#include <boost/json.hpp>
#include <map>
#include <set>

#include "rest/api_error.hpp"
#include "rest/query_builder.hpp"
#include "rest/query_writer.hpp"
#include "util/text.hpp"

namespace agentbase::rest {

namespace json = boost::json;

namespace {

// A JSON argument as the text PostgreSQL parses for the argument's type.
std::optional<std::string> ArgumentText(const json::value& value) {
  if (value.is_null()) return std::nullopt;
  if (value.is_string()) return std::string(value.as_string());
  return json::serialize(value);
}

// JSON arrays for array-typed arguments become PostgreSQL array literals.
std::optional<std::string> ArgumentFor(const FunctionArgument& argument, const json::value& value) {
  bool array_type = argument.type.size() > 2 && argument.type.ends_with("[]");
  if (array_type && value.is_array()) {
    std::vector<std::string> items;
    for (const auto& item : value.as_array()) {
      items.push_back(item.is_string() ? std::string(item.as_string()) : json::serialize(item));
    }
    return ArrayLiteral(items);
  }
  return ArgumentText(value);
}

}  // namespace

Result<CallPlan> BuildCall(const SchemaCache& cache, const std::string& function_name, const QueryParams& query,
                           const CallOptions& options) {
  // The arguments given, by name.
  std::map<std::string, json::value> given;
  if (options.arguments_from_query) {
    for (const auto& argument : query.rpc_args) given[argument.name] = json::value(argument.value);
  } else if (!TrimView(options.body).empty()) {
    boost::system::error_code ec;
    json::value payload = json::parse(options.body, ec);
    if (ec || !payload.is_object()) return ApiError("PGRST102", "Empty or invalid json");
    for (const auto& [key, value] : payload.as_object()) given[std::string(key)] = value;
  }
  const Function* chosen = nullptr;
  for (const Function* candidate : cache.FindFunctions(function_name)) {
    bool fits = true;
    std::set<std::string> names;
    for (const auto& argument : candidate->arguments) {
      names.insert(argument.name);
      if (!argument.has_default && !given.count(argument.name)) fits = false;
    }
    for (const auto& [name, value] : given) fits = fits && names.count(name);
    if (fits) {
      if (chosen != nullptr) {
        return ApiError("PGRST203", "Could not choose the best candidate function between: " + cache.Schema() + "." +
                                        function_name);
      }
      chosen = candidate;
    }
  }
  if (chosen == nullptr) {
    std::vector<std::string> names;
    for (const auto& [name, value] : given) names.push_back(name);
    return ApiError("PGRST202",
                    "Could not find the function " + cache.Schema() + "." + function_name + "(" + Join(names, ", ") +
                        ") in the schema cache",
                    "Searched for the function " + cache.Schema() + "." + function_name +
                        (names.empty() ? " without parameters" : " with parameters " + Join(names, ", ")) +
                        ", but no matches were found in the schema cache.");
  }
  QueryWriter builder(cache, query, options.max_rows);
  std::vector<std::string> call_arguments;
  for (const auto& argument : chosen->arguments) {
    auto it = given.find(argument.name);
    if (it == given.end()) continue;
    call_arguments.push_back(Ident(argument.name) + " := " + builder.params().Add(ArgumentFor(argument, it->second)) +
                             "::" + argument.type);
  }
  std::string call = Qualified(chosen->schema, chosen->name) + "(" + Join(call_arguments, ", ") + ")";
  CallPlan plan;
  plan.function = chosen;
  if (chosen->returns_table) {
    const Table* table = cache.FindTable(*chosen->returns_table);
    if (table == nullptr) return ApiError("PGRST202", "function result type is not exposed");
    // A function returning one row (not SETOF) answers with an object;
    // count=exact calls the function a second time, over the same arguments.
    BodyForm form = options.form;
    form.singular = form.singular || !chosen->returns_set;
    auto sql = builder.ReadFrom(*table, call, options.count_exact, form, options.max_rows);
    if (!sql) return sql.error();
    plan.query = SqlQuery{std::move(*sql), builder.params().Take()};
    return plan;
  }
  if (chosen->returns_void) {
    plan.query = SqlQuery{"SELECT " + StatementRowColumns("NULL::bigint", "1::bigint", "''", "NULL::bigint") +
                              " FROM (SELECT " + call + ") _r",
                          builder.params().Take()};
    return plan;
  }
  // Scalars have no columns to head a CSV with.
  if (options.form.csv) return ApiError("PGRST107", "None of these media types are available: text/csv");
  BodyForm form = options.form;
  form.singular = !chosen->returns_set;
  std::string rows = chosen->returns_set ? "SELECT pg_catalog.to_json(_c) AS v FROM " + call + " AS _c"
                                         : "SELECT pg_catalog.to_json(" + call + ") AS v";
  // Every row is answered here (no filters or ranges apply), so the exact
  // count is the page's.
  std::string total = options.count_exact ? "pg_catalog.count(*)" : "NULL::bigint";
  plan.query = SqlQuery{"SELECT " +
                            StatementRowColumns(total, "pg_catalog.count(*)", RowsBody(form, "_r.v"), "NULL::bigint") +
                            " FROM (" + rows + ") _r",
                        builder.params().Take()};
  return plan;
}

}  // namespace agentbase::rest
