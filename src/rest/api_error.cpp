#include "rest/api_error.hpp"

#include <boost/json.hpp>
#include <optional>

#include "rest/postgrest_errors.hpp"
#include "util/text.hpp"

namespace agentbase::rest {

namespace {

int StatusForSqlState(const Error& error, bool anonymous) {
  const std::string& code = error.code;
  if (code == "23503" || code == "23505") return 409;
  if (code == "25006") return 405;
  if (StartsWith(code, "0L") || StartsWith(code, "0P") || StartsWith(code, "28")) return 403;
  if (code == "53400") return 500;
  if (StartsWith(code, "08") || StartsWith(code, "53") || code == "57P01") return 503;
  if (code == "42883" || code == "42P01") return 404;
  if (code == "P0001") return 400;
  if (code == "42501") return anonymous ? 401 : 403;
  if (code == "21000") {
    return error.message.size() >= 23 && error.message.ends_with("requires a WHERE clause") ? 400 : 500;
  }
  if (code == "22023")
    return error.message.find("role") != std::string::npos && error.message.find("does not exist") != std::string::npos
               ? 401
               : 400;
  if (code.size() == 5 && StartsWith(code, "PT")) {
    int status = std::atoi(code.c_str() + 2);
    return status >= 100 && status <= 599 ? status : 500;
  }
  for (const char* prefix :
       {"09", "25", "2D", "38", "39", "3B", "40", "54", "55", "57", "58", "F0", "HV", "P0", "XX"}) {
    if (StartsWith(code, prefix)) return 500;
  }
  if (code == "42P17") return 500;
  return 400;
}

boost::json::value OrNull(const std::string& text) {
  return text.empty() ? boost::json::value(nullptr) : boost::json::value(text);
}

// Our own codes, ABnnn, carry their HTTP status.
std::optional<int> StatusForOwnCode(const std::string& code) {
  if (code.size() != 5 || !StartsWith(code, "AB")) return std::nullopt;
  int status = 0;
  for (char digit : code.substr(2)) {
    if (digit < '0' || digit > '9') return std::nullopt;
    status = status * 10 + (digit - '0');
  }
  return status >= 400 && status <= 599 ? std::optional<int>(status) : std::nullopt;
}

}  // namespace

int StatusFor(const Error& error, bool anonymous) {
  if (StartsWith(error.code, "PGRST")) return pgrst::StatusOf(error.code);
  if (auto own = StatusForOwnCode(error.code)) return *own;
  int status = StatusForSqlState(error, anonymous);
  // An error we found to be the request's (kind set so) is never the server's.
  if (status >= 500 && error.kind == ErrorKind::kInvalidInput) return 400;
  return status;
}

Error ApiError(const std::string& code, std::string message, std::string details, std::string hint) {
  return Error{std::move(message), code, std::move(details), std::move(hint), std::nullopt};
}

http::Response ErrorResponse(const Error& error, bool anonymous) {
  http::Response response;
  response.status = StatusFor(error, anonymous);
  // Messages may echo invalid UTF-8 the client sent: the HTTP server repairs
  // every error body before it goes out (http/server.cpp).
  boost::json::value details = OrNull(error.detail);
  // PGRST201 lists its candidate relationships as JSON, as PostgREST does.
  if (error.code == "PGRST201") {
    boost::system::error_code ec;
    auto candidates = boost::json::parse(error.detail, ec);
    if (!ec) details = std::move(candidates);
  }
  boost::json::object body{{"code", error.code.empty() ? "PGRST000" : error.code},
                           {"details", details},
                           {"hint", OrNull(error.hint)},
                           {"message", error.message}};
  response.body = boost::json::serialize(body);
  response.SetHeader("Content-Type", "application/json; charset=utf-8");
  response.SetHeader("Proxy-Status", "PostgREST; error=" + (error.code.empty() ? "PGRST000" : error.code));
  // A client that sees 503 or 504 should come back, and know when.
  if (response.status == 503 || response.status == 504) response.SetHeader("Retry-After", "1");
  if (response.status == 401) {
    std::string header = "Bearer";
    // PostgREST's: invalid_token for a token refused (301, 303), a bare
    // challenge when one is merely missing (302).
    if (error.code == "PGRST301" || error.code == "PGRST303") {
      header += " error=\"invalid_token\", error_description=\"" + ReplaceAll(error.message, "\"", "'") + "\"";
    }
    response.SetHeader("WWW-Authenticate", header);
  }
  return response;
}

}  // namespace agentbase::rest
