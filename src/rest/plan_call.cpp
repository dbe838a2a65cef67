// The plan of a call: /rpc/<function> by POST (arguments in the body) or
// GET (in the query string). A function's rows, whatever their type, are
// selected, filtered, ordered, paged and counted like a table's.

#include <algorithm>
#include <boost/json.hpp>
#include <charconv>
#include <cmath>
#include <map>
#include <set>
#include <vector>

#include "db/connection.hpp"
#include "db/real_array.hpp"
#include "rest/api_error.hpp"
#include "rest/media_type.hpp"
#include "rest/plan.hpp"
#include "rest/postgrest_errors.hpp"
#include "rest/read_planner.hpp"
#include "rest/sql_writer.hpp"
#include "util/checksum.hpp"
#include "util/fuzzy_match.hpp"
#include "util/percent_decode.hpp"
#include "util/text.hpp"
#include "util/utf8.hpp"

namespace agentbase::rest {

namespace json = boost::json;

namespace {

// The arguments a request gives, by name, or the whole body for a function
// of one unnamed argument: json or jsonb for a JSON body, text for
// text/plain, xml for text/xml, bytea for application/octet-stream.
struct GivenArguments {
  GivenArguments() = default;
  GivenArguments(const GivenArguments&) = delete;  // `named` points into it
  GivenArguments& operator=(const GivenArguments&) = delete;

  // Arguments by name. A JSON body's values are read where they lie, in the
  // caller's parsed body or `body`: copying an embedding's 1,536 numbers cost
  // a tenth of a remember. Text values (a query string's, a form's) are kept
  // in `texts`.
  std::map<std::string, const json::value*> named;
  std::map<std::string, json::value> texts;
  json::value body;                            // parsed here, if nobody had
  std::optional<std::string_view> whole_body;  // the request's, not a copy
  std::string whole_body_type;                 // the argument type the whole body fits
  bool invalid_json = false;
  std::set<std::string> repeated;  // GET arguments given more than once
  // Named values are JSON from a JSON body (not text from a query string or
  // a form): a json or jsonb argument gets the value as JSON, so a string
  // stays a JSON string even when its text is JSON, as in PostgREST.
  bool json_values = false;
};

// Arguments by name; one given twice is an array of its values for a
// VARIADIC argument, else its last value (BindArguments).
void AddArgument(GivenArguments& given, const std::string& name, const std::string& value) {
  auto [slot, added] = given.texts.try_emplace(name, json::value(value));
  if (added) {
    given.named[name] = &slot->second;
    return;
  }
  given.repeated.insert(name);
  if (!slot->second.is_array()) slot->second = json::array{slot->second};
  slot->second.as_array().emplace_back(value);
}

void ReadArguments(const QueryParams& query, const CallRequest& request, GivenArguments& given) {
  if (request.arguments_from_query) {
    for (const auto& argument : query.rpc_args) AddArgument(given, argument.name, argument.value);
    return;
  }
  const std::string& type = request.content_type;
  if (type == "application/x-www-form-urlencoded") {
    for (const auto& pair : SplitQuery(request.body)) {
      if (!pair.key.empty()) AddArgument(given, pair.key, pair.value.value_or(""));
    }
    return;
  }
  static const std::map<std::string, std::string> kRawBodies = {
      {"text/plain", "text"}, {"text/xml", "xml"}, {"application/octet-stream", "bytea"}};
  if (auto raw = kRawBodies.find(type); raw != kRawBodies.end()) {
    given.whole_body = request.body;
    given.whole_body_type = raw->second;
    return;
  }
  if (TrimView(request.body).empty()) return;
  boost::system::error_code ec;
  if (!request.parsed_body) given.body = json::parse(request.body, ec);
  const json::value& payload = request.parsed_body ? *request.parsed_body : given.body;
  given.whole_body = request.body;
  given.whole_body_type = "json";
  // An array of objects (a bulk body, as for inserts) gives the first
  // object's arguments, as PostgREST takes them.
  const json::object* arguments = nullptr;
  if (!ec && payload.is_object()) {
    arguments = &payload.as_object();
  } else if (!ec && payload.is_array() && !payload.as_array().empty() && payload.as_array().front().is_object()) {
    arguments = &payload.as_array().front().as_object();
  }
  if (arguments && query.columns) {
    // ?columns= names the arguments, as for inserts: other keys of the body
    // are left out, and a named one it lacks is NULL (PostgREST reads the
    // body through json_to_record with those columns).
    static const json::value kNull;
    given.json_values = true;
    for (const auto& column : *query.columns) {
      auto found = arguments->find(column);
      given.named[column] = found != arguments->end() ? &found->value() : &kNull;
    }
  } else if (arguments) {
    given.json_values = true;
    for (const auto& [key, value] : *arguments) given.named[std::string(key)] = &value;
  } else {
    given.invalid_json = true;
  }
}

bool TakesWholeBody(const Function& function, const GivenArguments& given) {
  if (function.arguments.size() != 1 || !function.arguments.front().name.empty() || !given.whole_body) return false;
  const std::string& type = function.arguments.front().type;
  if (given.whole_body_type == "json") return type == "json" || type == "jsonb";
  return type == given.whole_body_type;
}

bool Fits(const Function& function, const GivenArguments& given) {
  if (TakesWholeBody(function, given)) return true;
  if (given.invalid_json || (given.whole_body && given.whole_body_type != "json")) return false;
  std::set<std::string> names;
  for (const auto& argument : function.arguments) {
    names.insert(argument.name);
    if (!argument.has_default && !given.named.contains(argument.name)) return false;
  }
  for (const auto& [name, value] : given.named) {
    if (!names.contains(name)) return false;
  }
  return true;
}

std::string Signature(const Function& function) {
  std::vector<std::string> arguments;
  for (const auto& argument : function.arguments) arguments.push_back(argument.name + " => " + argument.type);
  return function.schema + "." + function.name + "(" + Join(arguments, ", ") + ")";
}

// The functions PostgREST's schema cache holds: every parameter named, or a
// single unnamed one it can pass a whole body to. Its hints choose among
// these, so ours do.
bool CallableByName(const Function& function) {
  static const std::set<std::string> kWholeBodyTypes = {"json", "jsonb", "text", "xml", "bytea"};
  if (function.arguments.size() == 1 && function.arguments.front().name.empty()) {
    return kWholeBodyTypes.contains(function.arguments.front().type);
  }
  return std::none_of(function.arguments.begin(), function.arguments.end(),
                      [](const FunctionArgument& argument) { return argument.name.empty(); });
}

std::string ParameterList(std::vector<std::string> names) {
  std::sort(names.begin(), names.end());
  return "(" + Join(names, ", ") + ")";
}

// PostgREST's hint for a call that matched nothing: with no function of that
// name, the closest name in the schema (a score of 0.75 at least, so that a
// hint does not reveal unrelated names); with some, the closest of their
// parameter lists to the one given (0.33).
std::string FunctionHint(const SchemaCache& cache, const std::string& name, const std::vector<std::string>& given) {
  std::vector<std::string> overloads;
  for (const Function* function : cache.FindFunctions(name)) {
    if (!CallableByName(*function)) continue;
    std::vector<std::string> parameters;
    for (const auto& argument : function->arguments) parameters.push_back(argument.name);
    overloads.push_back(ParameterList(std::move(parameters)));
  }
  std::optional<std::string> closest;
  if (overloads.empty()) {
    std::vector<std::string> names;
    for (const auto& [function_name, function] : cache.Functions()) {
      if (CallableByName(function)) names.push_back(function_name);
    }
    closest = ClosestMatch(name, names, 0.75);
  } else if (auto parameters = ClosestMatch(ParameterList(given), overloads, 0.33)) {
    closest = name + *parameters;
  }
  return closest ? "Perhaps you meant to call the function " + cache.Schema() + "." + *closest : std::string();
}

Result<const Function*> ChooseOverload(const SchemaCache& cache, const std::string& name, const GivenArguments& given) {
  std::vector<const Function*> by_name, whole_body;
  for (const Function* candidate : cache.FindFunctions(name)) {
    if (!Fits(*candidate, given)) continue;
    (TakesWholeBody(*candidate, given) ? whole_body : by_name).push_back(candidate);
  }
  // Named arguments that fit beat a function taking the whole body.
  const std::vector<const Function*>& fitting = by_name.empty() ? whole_body : by_name;
  if (fitting.size() == 1) return fitting.front();
  if (fitting.size() > 1) {
    std::vector<std::string> signatures;
    for (const auto* function : fitting) signatures.push_back(Signature(*function));
    return pgrst::AmbiguousFunction(signatures);
  }
  std::vector<std::string> names;
  for (const auto& [argument, value] : given.named) {
    if (!argument.empty()) names.push_back(argument);
  }
  // A JSON body could also have been one unnamed json/jsonb argument; a
  // raw body only one of its type.
  return pgrst::FunctionNotFound(cache.Schema(), name, names, given.whole_body_type, FunctionHint(cache, name, names));
}

}  // namespace

namespace {

template <typename Number>
void AppendNumber(std::string& out, Number number) {
  char digits[32];
  auto written = std::to_chars(digits, digits + sizeof digits, number);
  out.append(digits, written.ptr);
}

}  // namespace

std::string ArrayLiteral(const json::array& items) {
  std::string out;
  out.reserve(2 + items.size() * 12);
  out += '{';
  for (size_t i = 0; i < items.size(); ++i) {
    if (i) out += ',';
    const json::value& item = items[i];
    // Numbers written straight into the literal, unquoted: an embedding's
    // 1,536 are the bulk of a remember, once a string and two copies each.
    // std::to_chars writes a double's shortest round-trip digits, as
    // json::serialize does; infinity (a JSON 1e999) is left to it, so that
    // PostgreSQL refuses it as before instead of reading "inf".
    switch (item.kind()) {
      case json::kind::null: out += "NULL"; break;  // a null element, as PostgREST passes it
      case json::kind::int64: AppendNumber(out, item.get_int64()); break;
      case json::kind::uint64: AppendNumber(out, item.get_uint64()); break;
      case json::kind::double_:
        if (std::isfinite(item.get_double())) {
          AppendNumber(out, item.get_double());
        } else {
          db::AppendQuotedArrayElement(out, json::serialize(item));
        }
        break;
      case json::kind::bool_: out += item.get_bool() ? "true" : "false"; break;
      case json::kind::string: db::AppendQuotedArrayElement(out, item.get_string()); break;
      default: db::AppendQuotedArrayElement(out, json::serialize(item));
    }
  }
  out += '}';
  return out;
}

std::optional<std::string> BinaryRealArray(const json::array& items) {
  if (items.empty()) return std::nullopt;
  std::vector<float> values;
  values.reserve(items.size());
  for (const json::value& item : items) {
    // The same float as the array literal would give. Anything else (null,
    // a string such as "NaN", a number out of range for real) goes as text,
    // for PostgreSQL to read or refuse as it would.
    auto single = db::RealAsPostgresReads(item);
    if (!single) return std::nullopt;
    values.push_back(*single);
  }
  return db::RealArraySend(values);
}

namespace {

// A JSON argument as the text PostgreSQL parses for the argument's type
// (json and jsonb arguments from a JSON body: the value's own JSON text):
// arrays for array types become array literals, objects for composite
// types go through json_populate_record.
CallArgument ArgumentFor(const FunctionArgument& argument, const json::value& value, bool json_value) {
  CallArgument call{&argument, std::nullopt, CallArgument::Form::kCast};
  if (value.is_null()) return call;
  if (json_value && (argument.type == "json" || argument.type == "jsonb")) {
    call.value = json::serialize(value);
    return call;
  }
  if (argument.is_composite && value.is_object()) {
    call.form = CallArgument::Form::kComposite;
    call.value = json::serialize(value);
    return call;
  }
  // A VARIADIC argument given one value is an array of one.
  if (argument.is_variadic && !value.is_array()) return ArgumentFor(argument, json::array{value}, json_value);
  if (argument.type == "real[]" && !argument.is_variadic && value.is_array()) {
    if (auto binary = BinaryRealArray(value.as_array())) {
      call.value = std::move(*binary);
      call.form = CallArgument::Form::kBinaryRealArray;
      return call;
    }
  }
  if (argument.type.ends_with("[]") && value.is_array()) {
    call.value = ArrayLiteral(value.as_array());
    return call;
  }
  call.value = value.is_string() ? std::string(value.as_string()) : json::serialize(value);
  return call;
}

FunctionCall BindArguments(const Function& function, const GivenArguments& given) {
  FunctionCall call{&function, {}};
  if (TakesWholeBody(function, given)) {
    if (given.whole_body_type == "bytea") {
      call.arguments.push_back(
          {&function.arguments.front(), HexEncode(*given.whole_body), CallArgument::Form::kHexBody});
    } else {
      call.arguments.push_back(
          {&function.arguments.front(), std::string(*given.whole_body), CallArgument::Form::kWholeBody});
    }
    return call;
  }
  for (const auto& argument : function.arguments) {
    auto it = given.named.find(argument.name);
    if (it == given.named.end()) continue;
    bool last_wins = given.repeated.contains(argument.name) && !argument.is_variadic;
    const json::value& value = *it->second;
    call.arguments.push_back(ArgumentFor(argument, last_wins ? value.as_array().back() : value, given.json_values));
  }
  return call;
}

// The rows a function returns, as a table: an exposed table's, its own
// (RETURNS TABLE, OUT arguments, a composite type), or one column of
// scalars named after the function.
Result<const Table*> ResultTable(const SchemaCache& cache, const Function& function, ReadPlan& plan) {
  if (function.returns_table) {
    const Table* table = cache.FindTable(*function.returns_table);
    if (table == nullptr) return pgrst::FunctionResultNotExposed(function.name);
    return table;
  }
  if (function.returns_row) return &*function.returns_row;
  auto scalar = std::make_shared<Table>();
  scalar->schema = function.schema;
  scalar->name = function.name;
  scalar->insertable = false;
  Column column;
  column.name = function.name;
  column.type = function.scalar_type;
  column.base_type = function.scalar_type;
  column.is_array = function.scalar_type.ends_with("[]");
  scalar->columns.push_back(std::move(column));
  plan.scalar_table = scalar;
  return plan.scalar_table.get();
}

// With the default select only, as in PostgREST: a media type handler
// answers the whole value, not a selection from it.
bool SelectsEverything(const QueryParams& query) {
  if (query.select.size() != 1) return false;
  const SelectItem& item = query.select.front();
  return item.kind == SelectItem::Kind::kField && item.field.name == "*" && item.field.json_path.empty() &&
         !item.alias && !item.cast && !item.aggregate && !item.aggregate_cast;
}

// The body form the client's Accept chooses for the function called: a
// built-in one, or the media type of the domain the function returns.
Result<BodyForm> NegotiateFor(const Function& function, const QueryParams& query, const CallRequest& request) {
  std::vector<MediaTypeDomain> offered;
  if (function.media_domain && SelectsEverything(query)) offered.push_back(*function.media_domain);
  auto form = NegotiateBodyForm(request.accept, offered);
  if (!form) return pgrst::MediaTypeUnavailable({std::string(request.accept.value_or(""))});
  return *form;
}

}  // namespace

Result<ReadPlan> PlanCall(const PlanContext& context, const std::string& name, const QueryParams& query,
                          const CallRequest& request) {
  GivenArguments given;
  ReadArguments(query, request, given);
  if (given.invalid_json) {
    auto overloads = context.cache.FindFunctions(name);
    if (std::none_of(overloads.begin(), overloads.end(),
                     [&](const Function* f) { return TakesWholeBody(*f, given); })) {
      return pgrst::InvalidBody("Empty or invalid json");
    }
  }
  auto function = ChooseOverload(context.cache, name, given);
  if (!function) return function.error();
  ReadPlan plan;
  plan.call = BindArguments(**function, given);
  // Text arguments go out as C strings: a NUL byte would cut one short (a
  // bytea body goes as hex, numbers in binary, and those may hold any byte).
  for (const auto& argument : plan.call->arguments) {
    bool any_byte =
        argument.form == CallArgument::Form::kHexBody || argument.form == CallArgument::Form::kBinaryRealArray;
    if (argument.value && !any_byte && HasNulByte(*argument.value)) {
      return NulByteError();
    }
  }
  plan.count_exact = request.count_exact;
  plan.estimated_count = request.estimated_count;
  plan.exact_count_limit = context.max_rows;
  auto form = NegotiateFor(**function, query, request);
  if (!form) return form.error();
  plan.form = *form;
  if ((*function)->returns_void) return plan;
  if ((*function)->ReturnsScalar() && plan.form.csv) {
    return pgrst::MediaTypeUnavailable({"text/csv"});
  }
  auto table = ResultTable(context.cache, **function, plan);
  if (!table) return table.error();
  ReadPlanner planner(context, query);
  auto root = planner.PlanRoot(**table);
  if (!root) return root.error();
  if (auto paths = planner.CheckEmbedPaths(); !paths) return paths.error();
  plan.root = std::move(*root);
  CountExactlyWhereEstimatesLeak(plan);
  return plan;
}

}  // namespace agentbase::rest
