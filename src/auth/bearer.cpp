#include "auth/bearer.hpp"

#include "util/text.hpp"

namespace agentbase::auth {

Result<std::optional<std::string>> BearerToken(const http::Request& request) {
  auto header = request.Header("authorization");
  if (!header) return std::optional<std::string>();
  std::string_view value = *header;
  constexpr std::string_view kScheme = "bearer ";
  if (value.size() < kScheme.size() || ToLower(value.substr(0, kScheme.size())) != kScheme) {
    return Error::Permission("the Authorization header is not a bearer token", "bearer");
  }
  std::string token = Trim(value.substr(kScheme.size()));
  if (token.empty()) return Error::Permission("the Authorization header carries no token", "bearer");
  if (token.find_first_of(" \t") != std::string::npos) {
    return Error::Permission("the bearer token has blanks inside", "bearer");
  }
  return std::optional<std::string>(std::move(token));
}

}  // namespace agentbase::auth
