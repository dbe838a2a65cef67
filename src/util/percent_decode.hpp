#pragma once
// Percent-decoding for request targets and query strings.

#include <optional>
#include <string>
#include <string_view>

namespace agentbase {

// Strict (request paths): a malformed escape makes the whole text invalid.
std::optional<std::string> PercentDecodeStrict(std::string_view text);

// Lenient (query strings, as PostgREST): a malformed escape is kept as it
// is; with `plus_as_space`, '+' is a space.
std::string PercentDecodeLenient(std::string_view text, bool plus_as_space);

}  // namespace agentbase
