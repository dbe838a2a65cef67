#include "http/cors.hpp"

#include <algorithm>
#include <string>
#include <vector>

#include "util/text.hpp"

namespace agentbase::http {

namespace {

bool HasHeader(const Response& response, std::string_view lower_name) {
  for (const auto& [name, value] : response.headers) {
    if (EqualsIgnoreCase(name, lower_name)) return true;
  }
  return false;
}

// "Authorization" first, as PostgREST lists it, then the requested names in
// order, each once.
std::string AllowedHeaders(const Request& request) {
  std::vector<std::string> names{"Authorization"};
  std::vector<std::string> seen{"authorization"};
  for (std::string_view line : request.AllHeaders("access-control-request-headers")) {
    for (const std::string& part : Split(line, ',')) {
      std::string name = Trim(part);
      std::string lower = ToLower(name);
      if (name.empty() || std::find(seen.begin(), seen.end(), lower) != seen.end()) continue;
      seen.push_back(lower);
      names.push_back(std::move(name));
    }
  }
  return Join(names, ", ");
}

}  // namespace

bool IsPreflight(const Request& request) {
  return request.method == "OPTIONS" && request.Header("access-control-request-method").has_value();
}

Response PreflightResponse(const Request& request) {
  Response response;
  response.status = 200;
  response.headers = {
      {"Access-Control-Allow-Origin", "*"},
      {"Access-Control-Allow-Methods", std::string(kCorsAllowMethods)},
      {"Access-Control-Allow-Headers", AllowedHeaders(request)},
      {"Access-Control-Max-Age", std::string(kCorsMaxAgeSeconds)},
  };
  return response;
}

void AddCorsHeaders(Response& response) {
  if (!HasHeader(response, "access-control-allow-origin")) {
    response.headers.emplace_back("Access-Control-Allow-Origin", "*");
  }
  if (!HasHeader(response, "access-control-expose-headers")) {
    response.headers.emplace_back("Access-Control-Expose-Headers", std::string(kCorsExposeHeaders));
  }
}

}  // namespace agentbase::http
