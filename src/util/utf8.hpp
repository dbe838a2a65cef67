#pragma once
// UTF-8 checks for text that came from a client and goes where only valid
// UTF-8 may go (JSON bodies, PostgreSQL text).

#include <string>
#include <string_view>

namespace agentbase {

// Well-formed UTF-8 as RFC 3629 defines it: no overlong forms, no
// surrogates, nothing above U+10FFFF.
bool IsValidUtf8(std::string_view text);

// The text with every ill-formed sequence (a bad byte and the continuation
// bytes after it) replaced by one U+FFFD; valid text comes back unchanged.
std::string ToValidUtf8(std::string_view text);

}  // namespace agentbase
