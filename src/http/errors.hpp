#pragma once
// JSON error bodies in PostgREST's shape: {"code","message","details","hint"},
// with details and hint null when absent.
//
// Codes the HTTP layer itself answers with (the REST layer has its own):
//   AB400  malformed HTTP (request line, header, chunked encoding, target), or
//          body framing a proxy could read differently (request smuggling)
//   AB413  request body larger than ServerOptions::body_limit
//   AB431  request line plus headers larger than ServerOptions::header_limit
//   AB500  a handler threw, or returned an unusable response
//   AB501  a transfer coding other than chunked (gzip, chunked)
//   AB503  more connections than ServerOptions::max_connections, or than
//          max_connections_per_address from one address (with Retry-After)

#include <string>
#include <string_view>

#include "http/message.hpp"

namespace agentbase::http {

// A JSON string literal, quotes included.
std::string JsonQuote(std::string_view text);

// Empty details/hint become null.
std::string JsonErrorBody(std::string_view code, std::string_view message, std::string_view details = {},
                          std::string_view hint = {});

// A response with that body and Content-Type: application/json; charset=utf-8.
Response JsonError(int status, std::string_view code, std::string_view message, std::string_view details = {},
                   std::string_view hint = {});

}  // namespace agentbase::http
