#pragma once
// Text from a request that reaches the database (e-mail, password) or a hash
// (refresh token). libpq sends text parameters as C strings, so a NUL byte
// would silently end the value there ("password\0anything" would be checked
// as "password"), and PostgreSQL refuses invalid UTF-8 with an error. Both
// are refused up front instead, with a clear answer.

#include <optional>
#include <string>
#include <string_view>

namespace agentbase::auth {

// Why `value` cannot be used as the request field `field`, or nullopt.
std::optional<std::string> TextInputProblem(std::string_view field, std::string_view value);

}  // namespace agentbase::auth
