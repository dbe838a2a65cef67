#pragma once
// Base64url without padding (RFC 4648 section 5), as JOSE uses it.

#include <optional>
#include <string>
#include <string_view>

namespace agentbase {

std::string Base64UrlEncode(std::string_view bytes);

// Strict: no padding, no white space, only the 64 URL-safe characters, a
// length that some byte string could have produced, and zero unused bits in
// the last character. Strictness keeps one encoding per byte string, so a
// signature cannot be re-encoded into a different token that still verifies.
std::optional<std::string> Base64UrlDecode(std::string_view text);

}  // namespace agentbase
