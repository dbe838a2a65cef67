#pragma once
// Percent-decoding for request targets and query strings.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace agentbase {

// Strict (request paths): a malformed escape makes the whole text invalid.
std::optional<std::string> PercentDecodeStrict(std::string_view text);

// Lenient (query strings, as PostgREST): a malformed escape is kept as it
// is; with `plus_as_space`, '+' is a space.
std::string PercentDecodeLenient(std::string_view text, bool plus_as_space);

// One decoded `key=value` pair of a query string; no value for a bare `key`.
struct QueryPair {
  std::string key;
  std::optional<std::string> value;
};

// The one query-string splitter (PostgREST's, http-types' parseQueryReplacePlus
// True): drops one leading '?', splits on '&' and ';', each pair at its first
// '=', and decodes both sides leniently with '+' as space. Empty pieces
// ("a=1&&b=2") are pairs with an empty key and no value.
std::vector<QueryPair> SplitQuery(std::string_view query);

// The first value of `name` in `query` ("" for a bare `name`), or nullopt.
std::optional<std::string> QueryValue(std::string_view query, std::string_view name);

}  // namespace agentbase
