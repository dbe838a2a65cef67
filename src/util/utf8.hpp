#pragma once
// UTF-8 validation and repair for text the server passes on but did not
// produce: header values go into PostgreSQL's request.headers (a UTF-8
// database refuses the whole transaction over one bad byte, 22021), and
// anything a handler echoes into a JSON error body must stay valid JSON.

#include <string>
#include <string_view>

#include "util/result.hpp"

namespace agentbase {

// Whether `text` is well-formed UTF-8 (RFC 3629: no overlong forms, no
// surrogates, nothing above U+10FFFF). ASCII is checked eight bytes at a time.
bool IsValidUtf8(std::string_view text);

// `text` with each ill-formed sequence replaced by U+FFFD, one replacement per
// maximal ill-formed subpart (Unicode's recommended practice, as browsers
// decode), so valid text is unchanged and nothing else is dropped.
std::string ReplaceInvalidUtf8(std::string_view text);

// Appends `text` to `out`, repaired as ReplaceInvalidUtf8 does, without a
// temporary when it is valid.
void AppendValidUtf8(std::string& out, std::string_view text);

// Characters (code points) of UTF-8 text, as PostgreSQL's char_length counts
// them: every byte that does not continue a sequence.
inline size_t CountCodePoints(std::string_view text) {
  size_t count = 0;
  for (unsigned char byte : text) count += (byte & 0xC0) != 0x80;
  return count;
}

// PostgreSQL text cannot hold a NUL byte, and libpq would silently cut a
// statement or parameter at one: such input is refused, with the error
// PostgreSQL gives it (22021).
inline bool HasNulByte(std::string_view text) { return text.find('\0') != std::string_view::npos; }
inline Error NulByteError() {
  Error error = Error::Make("invalid byte sequence for encoding \"UTF8\": 0x00", "22021");
  error.detail = "The request holds a NUL byte, which PostgreSQL text cannot hold";
  return error;
}

}  // namespace agentbase
