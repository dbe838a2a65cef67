#pragma once
// Query-string splitting and percent-decoding, as PostgREST does it
// (http-types' parseQueryReplacePlus True).

#include <string>
#include <string_view>
#include <vector>

#include "rest/query_ast.hpp"

namespace agentbase::rest {

// "%41" -> "A"; with plus_as_space, "+" -> " ". A '%' not followed by two hex
// digits stays as it is (never an error). The result is bytes, not checked
// to be UTF-8.
std::string PercentDecode(std::string_view text, bool plus_as_space);

// Splits on '&' and ';' (both separate pairs), drops one leading '?', splits
// each pair at its first '=' and decodes both sides with '+' as space.
// Empty pieces ("a=1&&b=2") become a RawParam with an empty key and no value.
std::vector<RawParam> SplitQueryString(std::string_view query);

}  // namespace agentbase::rest
