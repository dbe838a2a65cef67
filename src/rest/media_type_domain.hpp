#pragma once
// PostgREST's media type handlers for functions: a function that returns a
// domain named like a media type ("text/plain", "image/png",
// "application/vnd.acme+json", or "*/*" for any) and not a set answers a
// client that accepts that type with its value itself instead of JSON.

#include <string>

namespace agentbase::rest {

struct MediaTypeDomain {
  std::string media_type;  // the domain's name in lower case
  bool bytes = false;      // over bytea: the value's bytes are the body, not its text
};

}  // namespace agentbase::rest
