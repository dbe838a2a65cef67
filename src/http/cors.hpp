#pragma once
// CORS as PostgREST answers it (its Cors.hs policy over wai-cors), with every
// origin allowed. The server applies it to every response when
// ServerOptions::cors is set, its own error responses included, so a browser
// can read a 413 or a 500 too.
//
// One difference: PostgREST adds CORS headers only when the request carries
// Origin; we add them always (harmless to non-browser clients, and it keeps
// cached responses usable across origins).

#include <string_view>

#include "http/message.hpp"

namespace agentbase::http {

inline constexpr std::string_view kCorsAllowMethods = "GET, POST, PATCH, PUT, DELETE, OPTIONS";
inline constexpr std::string_view kCorsExposeHeaders =
    "Content-Encoding, Content-Location, Content-Range, Content-Type, Date, Location, Server, Transfer-Encoding, "
    "Range-Unit";
inline constexpr std::string_view kCorsMaxAgeSeconds = "86400";

// A preflight is an OPTIONS request carrying Access-Control-Request-Method;
// any other OPTIONS goes to the handler (which may answer with Allow).
bool IsPreflight(const Request& request);

// 200, empty body: Allow-Origin *, Allow-Methods, Allow-Headers ("Authorization"
// plus every name asked for in Access-Control-Request-Headers), Max-Age 86400.
Response PreflightResponse(const Request& request);

// Access-Control-Allow-Origin: * and Access-Control-Expose-Headers, unless the
// response already sets them.
void AddCorsHeaders(Response& response);

}  // namespace agentbase::http
