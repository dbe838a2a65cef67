#include "rest/postgrest_errors.hpp"

#include <array>

#include "util/text.hpp"

namespace agentbase::rest::pgrst {

namespace {

struct Entry {
  std::string_view code;
  int status;
  ErrorKind kind;
};

using K = ErrorKind;
constexpr std::array kEntries = {
    Entry{"PGRST000", 503, K::kUnavailable},  Entry{"PGRST001", 503, K::kUnavailable},
    Entry{"PGRST002", 503, K::kUnavailable},  Entry{"PGRST003", 504, K::kBusy},
    Entry{"PGRST100", 400, K::kInvalidInput}, Entry{"PGRST101", 405, K::kInvalidInput},
    Entry{"PGRST102", 400, K::kInvalidInput}, Entry{"PGRST103", 416, K::kInvalidInput},
    Entry{"PGRST105", 405, K::kInvalidInput}, Entry{"PGRST106", 406, K::kInvalidInput},
    Entry{"PGRST107", 406, K::kInvalidInput}, Entry{"PGRST108", 400, K::kInvalidInput},
    Entry{"PGRST111", 500, K::kInternal},     Entry{"PGRST112", 500, K::kInternal},
    Entry{"PGRST114", 400, K::kInvalidInput}, Entry{"PGRST115", 400, K::kInvalidInput},
    Entry{"PGRST116", 406, K::kInvalidInput}, Entry{"PGRST117", 405, K::kInvalidInput},
    Entry{"PGRST118", 400, K::kInvalidInput}, Entry{"PGRST119", 400, K::kInvalidInput},
    Entry{"PGRST120", 400, K::kInvalidInput}, Entry{"PGRST121", 500, K::kInternal},
    Entry{"PGRST122", 400, K::kInvalidInput}, Entry{"PGRST123", 400, K::kInvalidInput},
    Entry{"PGRST124", 400, K::kInvalidInput}, Entry{"PGRST125", 404, K::kNotFound},
    Entry{"PGRST126", 404, K::kNotFound},     Entry{"PGRST127", 400, K::kInvalidInput},
    Entry{"PGRST128", 400, K::kInvalidInput}, Entry{"PGRST200", 400, K::kNotFound},
    Entry{"PGRST201", 300, K::kInvalidInput}, Entry{"PGRST202", 404, K::kNotFound},
    Entry{"PGRST203", 300, K::kInvalidInput}, Entry{"PGRST204", 400, K::kNotFound},
    Entry{"PGRST205", 404, K::kNotFound},     Entry{"PGRST300", 500, K::kInternal},
    Entry{"PGRST301", 401, K::kPermission},   Entry{"PGRST302", 401, K::kPermission},
    Entry{"PGRST303", 401, K::kPermission},
};

const Entry* Find(std::string_view code) {
  for (const auto& entry : kEntries) {
    if (entry.code == code) return &entry;
  }
  return nullptr;
}

Error Make(std::string_view code, std::string message, std::string details = {}, std::string hint = {}) {
  const Entry* entry = Find(code);
  return Error{std::move(message), std::string(code), std::move(details), std::move(hint),
               entry != nullptr ? entry->kind : ErrorKind::kInternal};
}

std::string JoinViews(const std::vector<std::string>& items) { return Join(items, ", "); }

std::string NotToOneDetails(std::string_view origin, std::string_view target) {
  return "'" + std::string(origin) + "' and '" + std::string(target) +
         "' do not form a many-to-one or one-to-one relationship";
}

Error InvalidRange(std::string details) {
  return Make("PGRST103", "Requested range not satisfiable", std::move(details));
}

}  // namespace

int StatusOf(std::string_view code) {
  const Entry* entry = Find(code);
  return entry != nullptr ? entry->status : 500;
}

Error DatabaseClient(std::string details) {
  return Make("PGRST001", "Database client error. Retrying the connection.", std::move(details));
}
Error SchemaCacheUnavailable() {
  return Make("PGRST002", "Could not query the database for the schema cache. Retrying.");
}
Error PoolTimeout() { return Make("PGRST003", "Timed out acquiring connection from connection pool."); }

Error QueryParam(std::string message, std::string details, std::string hint) {
  return Make("PGRST100", std::move(message), std::move(details), std::move(hint));
}
Error InvalidRpcMethod(std::string_view method) {
  return Make("PGRST101", "Cannot use the " + std::string(method) + " method on RPC");
}
Error InvalidBody(std::string message, std::string details) {
  return Make("PGRST102", std::move(message), std::move(details));
}
Error RangeOutOfBounds(int64_t offset, int64_t total) {
  return InvalidRange("An offset of " + std::to_string(offset) + " was requested, but there are only " +
                      std::to_string(total) + " rows.");
}
Error RangeLowerAboveUpper() {
  return InvalidRange("The lower boundary must be lower than or equal to the upper boundary in the Range header.");
}
Error InvalidFilters() {
  return Make("PGRST105", "Filters must include all and only primary key columns with 'eq' operators");
}
Error UnacceptableSchema(std::string_view schema, const std::vector<std::string>& exposed) {
  return Make("PGRST106", "Invalid schema: " + std::string(schema), {},
              "Only the following schemas are exposed: " + JoinViews(exposed));
}
Error MediaTypeUnavailable(const std::vector<std::string>& media_types) {
  return Make("PGRST107", "None of these media types are available: " + JoinViews(media_types));
}
Error NotEmbedded(std::string_view resource, bool target_name_of_aliased) {
  std::string name(resource);
  return Make("PGRST108", "'" + name + "' is not an embedded resource in this request",
              target_name_of_aliased ? "Target names are not allowed in filters if they have an alias" : "",
              "Verify that '" + name + "' is included in the 'select' query parameter.");
}
Error GucHeaders() {
  return Make("PGRST111",
              "response.headers guc must be a JSON array composed of objects with a single key and a string value");
}
Error GucStatus() { return Make("PGRST112", "response.status guc must be a valid status code"); }
Error PutLimitNotAllowed() { return Make("PGRST114", "limit/offset querystring parameters are not allowed for PUT"); }
Error PutMatchingPk() { return Make("PGRST115", "Payload values do not match URL in primary key column(s)"); }
Error Singularity(int64_t rows) {
  return Make("PGRST116", "Cannot coerce the result to a single JSON object",
              "The result contains " + std::to_string(rows) + " rows");
}
Error UnsupportedMethod(std::string_view method) {
  return Make("PGRST117", "Unsupported HTTP method: " + std::string(method));
}
Error RelatedOrderNotToOne(std::string_view origin, std::string_view target) {
  return Make("PGRST118", "A related order on '" + std::string(target) + "' is not possible",
              NotToOneDetails(origin, target));
}
Error InvalidPreferences(const std::vector<std::string>& preferences) {
  return Make("PGRST122", "Invalid preferences given with handling=strict",
              "Invalid preferences: " + JoinViews(preferences));
}
Error AggregatesNotAllowed() { return Make("PGRST123", "Use of aggregate functions is not allowed"); }
Error MaxAffectedViolation(int64_t rows) {
  return Make("PGRST124", "Query result exceeds max-affected preference constraint",
              "The query affects " + std::to_string(rows) + " rows");
}
Error InvalidResourcePath() { return Make("PGRST125", "Invalid path specified in request URL"); }
Error MaxAffectedRpcViolation() {
  return Make("PGRST128",
              "Function must return SETOF or TABLE when max-affected preference is used with handling=strict");
}

Error RelationshipNotFound(std::string_view parent, std::string_view child, std::string_view schema,
                           std::optional<std::string_view> embed_hint, std::string suggestion) {
  std::string p(parent), c(child);
  std::string details = "Searched for a foreign key relationship between '" + p + "' and '" + c;
  if (embed_hint) details += "' using the hint '" + std::string(*embed_hint);
  details += "' in the schema '" + std::string(schema) + "', but no matches were found.";
  return Make("PGRST200", "Could not find a relationship between '" + p + "' and '" + c + "' in the schema cache",
              std::move(details), std::move(suggestion));
}
Error AmbiguousRelationship(std::string_view parent, std::string_view child, const std::vector<std::string>& candidates,
                            std::string details) {
  std::vector<std::string> quoted;
  for (const auto& candidate : candidates) quoted.push_back("'" + candidate + "'");
  return Make("PGRST201",
              "Could not embed because more than one relationship was found for '" + std::string(parent) + "' and '" +
                  std::string(child) + "'",
              std::move(details),
              "Try changing '" + std::string(child) + "' to one of the following: " + JoinViews(quoted) +
                  ". Find the desired relationship in the 'details' key.");
}
Error EmbedNotExposed(std::string_view relation) {
  return Make("PGRST200", "The embedded resource '" + std::string(relation) + "' is not exposed");
}
Error FunctionNotFound(std::string_view schema, std::string_view name, const std::vector<std::string>& arguments,
                       std::string_view whole_body_type, std::string suggestion) {
  std::string function = std::string(schema) + "." + std::string(name);
  if (whole_body_type == "text" || whole_body_type == "xml" || whole_body_type == "bytea") {
    return Make("PGRST202", "Could not find the function " + function + " in the schema cache",
                "Searched for the function " + function + " with a single unnamed " + std::string(whole_body_type) +
                    " parameter, but no matches were found in the schema cache.");
  }
  std::string listed = JoinViews(arguments);
  std::string in_message = arguments.empty() ? " without parameters" : "(" + listed + ")";
  std::string in_details = arguments.empty()
                               ? " without parameters"
                               : (arguments.size() > 1 ? " with parameters " : " with parameter ") + listed;
  if (whole_body_type == "json") in_details += " or with a single unnamed json/jsonb parameter";
  return Make("PGRST202", "Could not find the function " + function + in_message + " in the schema cache",
              "Searched for the function " + function + in_details + ", but no matches were found in the schema cache.",
              std::move(suggestion));
}
Error AmbiguousFunction(const std::vector<std::string>& candidates) {
  return Make("PGRST203", "Could not choose the best candidate function between: " + JoinViews(candidates), {},
              "Try renaming the parameters or the function itself in the database so function overloading can be "
              "resolved");
}
Error FunctionResultNotExposed(std::string_view function) {
  return Make("PGRST202", "The result type of " + std::string(function) + " is not exposed");
}
Error ColumnNotFound(std::string_view relation, std::string_view column) {
  return Make("PGRST204", "Could not find the '" + std::string(column) + "' column of '" + std::string(relation) +
                              "' in the schema cache");
}
Error TableNotFound(std::string_view schema, std::string_view table, std::string_view similar) {
  std::string hint = similar.empty()
                         ? std::string()
                         : "Perhaps you meant the table '" + std::string(schema) + "." + std::string(similar) + "'";
  return Make("PGRST205",
              "Could not find the table '" + std::string(schema) + "." + std::string(table) + "' in the schema cache",
              {}, std::move(hint));
}
Error UndefinedColumn(std::string_view relation, std::string_view column) {
  return Error::InvalidInput("column " + std::string(relation) + "." + std::string(column) + " does not exist",
                             "42703");
}

Error JwtDecode(std::string message, std::string details) {
  return Make("PGRST301", std::move(message), std::move(details));
}
Error JwtParts(int parts) { return JwtDecode("Expected 3 parts in JWT; got " + std::to_string(parts)); }
Error JwtClaims(std::string message, std::string details) {
  return Make("PGRST303", std::move(message), std::move(details));
}

Error ResponseTooLarge(int64_t max_bytes) {
  Error error = Error::InvalidInput(
      "The response would be larger than this server's limit of " + std::to_string(max_bytes) + " bytes", "AB400");
  error.hint = "Ask for fewer rows or columns (limit=, select=)";
  return error;
}

Error DatabaseGaveUp() {
  return Error::Timeout("The database did not answer in time; the request was given up", "AB504");
}

}  // namespace agentbase::rest::pgrst
