#pragma once
// The value of request.headers as PostgREST sets it for each transaction:
// one JSON object of the (lower-case) header names. A repeated header gives
// its last value; cookies are left out (PostgREST has request.cookies for
// them).

#include <string>

#include "http/message.hpp"

namespace agentbase::rest {

// Linear in the number of headers, so a request with thousands of tiny
// headers (all that fit the header limit) costs no more than their bytes.
std::string HeadersJson(const http::HeaderList& headers);

}  // namespace agentbase::rest
