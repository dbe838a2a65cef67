#pragma once
// Query-string splitting and percent-decoding, as PostgREST does it
// (http-types' parseQueryReplacePlus True).

#include <string>
#include <string_view>
#include <vector>

#include "rest/query_ast.hpp"

namespace agentbase::rest {

// Splits on '&' and ';' (both separate pairs), drops one leading '?', splits
// each pair at its first '=' and decodes both sides with '+' as space.
// Empty pieces ("a=1&&b=2") become a RawParam with an empty key and no value.
std::vector<RawParam> SplitQueryString(std::string_view query);

}  // namespace agentbase::rest
