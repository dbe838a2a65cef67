#pragma once
// Splitting a request target into the decoded path and the raw query.

#include <string>
#include <string_view>

#include "util/result.hpp"

namespace agentbase::http {

struct Target {
  std::string path;   // percent-decoded
  std::string query;  // after the first '?', still percent-encoded ('+' untouched)
};

// Accepts origin-form ("/a%20b?x=1"), absolute-form ("http://host/a?x=1", the
// authority is dropped) and "*" (OPTIONS *). A bad %-escape or an encoded NUL
// in the path is an error: the path would otherwise mean two things.
Result<Target> ParseTarget(std::string_view target);

}  // namespace agentbase::http
