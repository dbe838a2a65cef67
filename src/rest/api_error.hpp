#pragma once
// Errors as PostgREST writes them: {"code","message","details","hint"} with
// its HTTP status for every PGRST code (rest/postgrest_errors.hpp's
// StatusOf) and SQLSTATE.

#include <string>

#include "http/message.hpp"
#include "util/result.hpp"

namespace agentbase::rest {

// The HTTP status PostgREST gives an error. `code` is a PGRSTnnn code or a
// SQLSTATE; `anonymous` tells whether the request ran as the anon role
// (42501 is 401 for anon, 403 otherwise).
int StatusFor(const Error& error, bool anonymous);

// The error response: JSON body, Content-Type, Proxy-Status and, for 401s,
// WWW-Authenticate.
http::Response ErrorResponse(const Error& error, bool anonymous = false);

// Shorthand for errors of our own making, their kind derived from `code`.
// PostgREST's own errors are made by name instead (rest/postgrest_errors.hpp:
// pgrst::TableNotFound(...), ...), with its exact wording.
Error ApiError(const std::string& code, std::string message, std::string details = {}, std::string hint = {});

}  // namespace agentbase::rest
