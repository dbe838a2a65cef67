#pragma once
// The status line and header block of a response, written by hand: the
// response is then sent as two buffers (this head and the body) in one
// system call, without building Beast's header container per response.
//
// What it writes, in order:
//  - "HTTP/1.x <status> <reason>";
//  - the handler's headers as given, except Content-Length,
//    Transfer-Encoding and Connection (the server owns those) and any header
//    that could split the response (a name that is not an RFC 9110 token, a
//    value with CR, LF or NUL), which is dropped and logged;
//  - Server: agentbase, unless the handler set one;
//  - Content-Length, except on 204 and 304 (RFC 9110 8.6); for HEAD it is the
//    length GET would send;
//  - Connection: close (HTTP/1.1) or keep-alive (HTTP/1.0) when that differs
//    from the version's default.

#include <string>
#include <string_view>

#include "http/message.hpp"

namespace agentbase::http {

// `version` as Beast counts it: 10 or 11.
std::string ResponseHead(const Response& response, unsigned version, bool keep_alive);

// Whether a response with this status carries a body (and Content-Length).
bool StatusHasBody(int status);

// The standard reason phrase, or "" for a status without one.
std::string_view ReasonPhrase(int status);

}  // namespace agentbase::http
