#include "app/router.hpp"

#include <spdlog/spdlog.h>

#include <chrono>
#include <memory>
#include <random>

#include "auth/bearer.hpp"
#include "http/errors.hpp"
#include "rest/api_error.hpp"
#include "rest/postgrest_errors.hpp"
#include "util/text.hpp"
#include "util/utf8.hpp"

namespace agentbase::app {

namespace {

using Clock = std::chrono::steady_clock;

bool Under(const std::string& path, std::string_view prefix) {
  return StartsWith(path, prefix) && (path.size() == prefix.size() || path[prefix.size()] == '/');
}

// The route as a metrics label: a fixed set, never the path itself.
std::string_view RouteClass(const std::string& path) {
  if (Under(path, "/rest/v1/rpc")) return "rest_rpc";
  if (Under(path, "/rest/v1")) return "rest";
  if (Under(path, "/auth/v1")) return "auth";
  if (Under(path, "/realtime/v1")) return "realtime";
  if (path == "/health") return "health";
  if (path == "/" || Under(path, "/assets")) return "console";
  if (path == "/ready") return "ready";
  if (path == "/metrics") return "metrics";
  return "other";
}

bool IsLoopback(std::string_view address) {
  return StartsWith(address, "127.") || address == "::1" || StartsWith(address, "::ffff:127.");
}

http::Response Json(int status, std::string body) {
  http::Response response{status, {}, std::move(body)};
  response.SetHeader("Content-Type", "application/json; charset=utf-8");
  return response;
}

http::Response ConsoleResponse(const console::Reply& reply) {
  http::Response response{reply.status, {}, std::string(reply.body)};
  for (const auto& [name, value] : reply.headers) response.SetHeader(name, value);
  return response;
}

struct Observed {
  Routes routes;
  std::shared_ptr<metrics::Registry> registry = std::make_shared<metrics::Registry>();
};

boost::asio::awaitable<http::Response> Dispatch(const Observed& observed, http::Request request) {
  const Routes& routes = observed.routes;
  if (Under(request.path, "/rest/v1")) co_return co_await routes.rest(std::move(request));
  if (Under(request.path, "/auth/v1") && routes.auth) co_return co_await routes.auth(std::move(request));
  if (Under(request.path, "/realtime/v1") && routes.realtime) co_return co_await routes.realtime(std::move(request));
  if (request.path == "/health" || (request.path == "/" && !routes.console)) {
    co_return Json(200, R"({"status":"ok","service":"agentbase"})");
  }
  if (request.path == "/ready") {
    if (!routes.ready || co_await routes.ready()) co_return Json(200, R"({"status":"ready"})");
    http::Response response = Json(503, R"({"status":"unavailable","reason":"the database does not answer"})");
    response.SetHeader("Retry-After", "1");
    co_return response;
  }
  if (request.path == "/metrics" && routes.gauges) {
    bool allowed = IsLoopback(request.remote_address) || auth::BearerTokenIs(request, routes.metrics_token);
    if (!allowed)
      co_return http::JsonError(403, "AB403", "metrics are served to loopback clients or with the metrics token");
    http::Response response{200, {}, observed.registry->Render(routes.gauges())};
    response.SetHeader("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
    co_return response;
  }
  bool api_path = Under(request.path, "/rest") || Under(request.path, "/auth") || Under(request.path, "/realtime");
  if (routes.console && !api_path && (request.method == "GET" || request.method == "HEAD")) {
    auto reply = routes.console->Answer(request.path, request.Header("accept-encoding").value_or(""),
                                        request.Header("if-none-match").value_or(""));
    if (reply) co_return ConsoleResponse(*reply);
  }
  co_return rest::ErrorResponse(rest::pgrst::InvalidResourcePath());
}

// The code an error answer carries, from the Proxy-Status header that REST
// and auth errors set ("PostgREST; error=<code>").
std::string_view ErrorCode(const http::Response& response) {
  for (const auto& [name, value] : response.headers) {
    if (name != "Proxy-Status") continue;
    auto at = value.find("error=");
    if (at != std::string::npos) return std::string_view(value).substr(at + 6);
  }
  return {};
}

// What the log and the metrics keep of a request once it has been handed on.
struct RequestSummary {
  std::string method;
  std::string path;            // only with the access log
  std::string remote_address;  // only with the access log
};

void LogRequest(const Routes& routes, const RequestSummary& request, const http::Response& response,
                std::string_view id, double seconds) {
  if (routes.json_logs) {
    spdlog::info(
        "{{\"event\":\"request\",\"request_id\":{},\"method\":{},\"path\":{},\"status\":{},"
        "\"duration_ms\":{:.3f},\"remote\":{}}}",
        http::JsonQuote(id), http::JsonQuote(request.method), http::JsonQuote(ReplaceInvalidUtf8(request.path)),
        response.status, seconds * 1000, http::JsonQuote(request.remote_address));
  } else {
    spdlog::info("{} {} {} {:.3f} ms id={} from {}", request.method, request.path, response.status, seconds * 1000, id,
                 request.remote_address);
  }
}

boost::asio::awaitable<http::Response> Route(std::shared_ptr<const Observed> observed, http::Request request) {
  auto started = Clock::now();
  std::string id = RequestId(request);
  // Handlers read it from the request (REST hands it to PostgreSQL).
  bool sent_by_client = false;
  for (auto& [name, value] : request.headers) {
    if (name == "x-request-id") {
      value = id;
      sent_by_client = true;
    }
  }
  if (!sent_by_client) request.headers.emplace_back("x-request-id", id);
  std::string_view route = RouteClass(request.path);
  RequestSummary summary{request.method, {}, {}};
  if (observed->routes.access_log) {
    summary.path = request.path;
    summary.remote_address = request.remote_address;
  }
  http::Response response = co_await Dispatch(*observed, std::move(request));
  double seconds = std::chrono::duration<double>(Clock::now() - started).count();
  observed->registry->CountRequest(route, summary.method, response.status, seconds);
  if (response.status >= 400) {
    std::string_view code = ErrorCode(response);
    observed->registry->CountError(code.empty() ? std::to_string(response.status) : code);
  }
  response.SetHeader("X-Request-Id", id);
  if (observed->routes.access_log) LogRequest(observed->routes, summary, response, id, seconds);
  co_return response;
}

}  // namespace

std::string RequestId(const http::Request& request) {
  if (auto given = request.Header("x-request-id"); given && IsPlainToken(*given, 64)) return std::string(*given);
  // A random start per process and a counter: unique, and cheap per request.
  static const uint64_t start = std::random_device{}() * 0x9E3779B97F4A7C15ull;
  static uint64_t counter = 0;
  return fmt::format("{:016x}", start + ++counter);
}

http::Handler MakeRouter(Routes routes) {
  auto observed = std::make_shared<Observed>();
  observed->routes = std::move(routes);
  return [observed = std::shared_ptr<const Observed>(observed)](http::Request request) {
    return Route(observed, std::move(request));
  };
}

}  // namespace agentbase::app
