#pragma once
// The value of request.headers as PostgREST sets it for each transaction:
// one JSON object of the (lower-case) header names. A repeated header gives
// its last value; cookies are left out (request.cookies has them, below). A value that is not valid UTF-8 (header
// values are bytes; a UTF-8 database takes no others) has each ill-formed sequence replaced by U+FFFD. Control
// characters cannot occur: the server refuses them in header values (400 AB400), so no NUL can cut the setting short.

#include <string>

#include "http/message.hpp"

namespace agentbase::rest {

// Linear in the number of headers, so a request with thousands of tiny
// headers (all that fit the header limit) costs no more than their bytes.
std::string HeadersJson(const http::HeaderList& headers);

// The value of request.cookies: one JSON object of the Cookie headers'
// name=value pairs (a repeated name gives its last value; a pair without a
// name or an "=" is skipped). Values as sent, quotes included; bytes that
// are not UTF-8 replaced as above.
std::string CookiesJson(const http::HeaderList& headers);

}  // namespace agentbase::rest
