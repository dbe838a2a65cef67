#include "util/utf8.hpp"

#include <cstdint>
#include <cstring>

namespace agentbase {

namespace {

constexpr std::string_view kReplacementCharacter = "\xEF\xBF\xBD";

// The length of the well-formed sequence starting at text[i], or 0 when the
// bytes there are ill-formed; `consumed` is then the maximal ill-formed
// subpart (at least one byte) that one U+FFFD replaces.
size_t SequenceLength(std::string_view text, size_t i, size_t& consumed) {
  auto byte = [&](size_t k) { return static_cast<uint8_t>(text[k]); };
  uint8_t lead = byte(i);
  size_t length = 0;
  // The range the second byte must fall in (Unicode Table 3-7), which rules
  // out overlong forms, surrogates and code points above U+10FFFF.
  uint8_t low = 0x80, high = 0xBF;
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    if (lead == 0xE0) low = 0xA0;
    if (lead == 0xED) high = 0x9F;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    if (lead == 0xF0) low = 0x90;
    if (lead == 0xF4) high = 0x8F;
  } else {
    consumed = 1;
    return 0;
  }
  size_t k = 1;
  for (; k < length && i + k < text.size(); ++k) {
    uint8_t next = byte(i + k);
    bool fits = k == 1 ? (next >= low && next <= high) : (next >= 0x80 && next <= 0xBF);
    if (!fits) break;
  }
  if (k == length) {
    consumed = length;
    return length;
  }
  consumed = k;
  return 0;
}

// The first non-ASCII byte at or after `i`.
size_t SkipAscii(std::string_view text, size_t i) {
  constexpr uint64_t kHighBits = 0x8080808080808080ULL;
  while (i + 8 <= text.size()) {
    uint64_t word;
    std::memcpy(&word, text.data() + i, sizeof(word));
    if (word & kHighBits) break;
    i += 8;
  }
  while (i < text.size() && static_cast<uint8_t>(text[i]) < 0x80) ++i;
  return i;
}

}  // namespace

bool IsValidUtf8(std::string_view text) {
  size_t i = SkipAscii(text, 0);
  while (i < text.size()) {
    size_t consumed = 0;
    if (SequenceLength(text, i, consumed) == 0) return false;
    i = SkipAscii(text, i + consumed);
  }
  return true;
}

void AppendValidUtf8(std::string& out, std::string_view text) {
  size_t run = 0;  // start of the valid text not yet copied
  size_t i = SkipAscii(text, 0);
  while (i < text.size()) {
    size_t consumed = 0;
    if (SequenceLength(text, i, consumed) == 0) {
      out.append(text, run, i - run);
      out.append(kReplacementCharacter);
      run = i + consumed;
    }
    i = SkipAscii(text, i + consumed);
  }
  out.append(text, run, text.size() - run);
}

std::string ReplaceInvalidUtf8(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  AppendValidUtf8(out, text);
  return out;
}

}  // namespace agentbase
