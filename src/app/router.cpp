#include "app/router.hpp"

#include "rest/api_error.hpp"
#include "util/text.hpp"

namespace agentbase::app {

namespace {

bool Under(const std::string& path, std::string_view prefix) {
  return StartsWith(path, prefix) && (path.size() == prefix.size() || path[prefix.size()] == '/');
}

boost::asio::awaitable<http::Response> Route(Routes routes, http::Request request) {
  if (Under(request.path, "/rest/v1")) co_return co_await routes.rest(std::move(request));
  if (Under(request.path, "/auth/v1") && routes.auth) co_return co_await routes.auth(std::move(request));
  if (request.path == "/" || request.path == "/health") {
    http::Response response{200, {}, R"({"status":"ok","service":"agentbase"})"};
    response.SetHeader("Content-Type", "application/json; charset=utf-8");
    co_return response;
  }
  co_return rest::ErrorResponse(rest::ApiError("PGRST125", "Invalid path specified in request URL"));
}

}  // namespace

http::Handler MakeRouter(Routes routes) {
  return [routes](http::Request request) { return Route(routes, std::move(request)); };
}

}  // namespace agentbase::app
