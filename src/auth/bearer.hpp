#pragma once
// The one reading of a request's bearer token, for the auth endpoints and
// the REST API alike.

#include <optional>
#include <string>
#include <string_view>

#include "http/message.hpp"
#include "util/result.hpp"

namespace agentbase::auth {

// The token of `Authorization: Bearer <token>` (the scheme in any letter
// case, the token trimmed). nullopt when there is no Authorization header;
// an error (kind kPermission, code "bearer") when there is one but it is not
// a bearer token: another scheme, no token, or a token with blanks inside.
Result<std::optional<std::string>> BearerToken(const http::Request& request);

// Whether the request's bearer token (as BearerToken reads it) is `secret`,
// compared in constant time. False for an empty `secret`.
bool BearerTokenIs(const http::Request& request, std::string_view secret);

}  // namespace agentbase::auth
