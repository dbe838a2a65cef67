#include "auth/text_input.hpp"

namespace agentbase::auth {

bool IsValidUtf8(std::string_view text) {
  std::size_t i = 0;
  while (i < text.size()) {
    auto byte = static_cast<unsigned char>(text[i]);
    if (byte < 0x80) {
      ++i;
      continue;
    }
    std::size_t length = 0;
    unsigned char low = 0x80, high = 0xBF;  // the allowed range of the second byte
    if (byte >= 0xC2 && byte <= 0xDF) {
      length = 2;
    } else if (byte >= 0xE0 && byte <= 0xEF) {
      length = 3;
      if (byte == 0xE0) low = 0xA0;   // overlong below U+0800
      if (byte == 0xED) high = 0x9F;  // UTF-16 surrogates
    } else if (byte >= 0xF0 && byte <= 0xF4) {
      length = 4;
      if (byte == 0xF0) low = 0x90;   // overlong below U+10000
      if (byte == 0xF4) high = 0x8F;  // beyond U+10FFFF
    } else {
      return false;  // a continuation byte, an overlong lead (C0, C1) or F5..FF
    }
    if (i + length > text.size()) return false;
    auto second = static_cast<unsigned char>(text[i + 1]);
    if (second < low || second > high) return false;
    for (std::size_t k = 2; k < length; ++k) {
      auto next = static_cast<unsigned char>(text[i + k]);
      if (next < 0x80 || next > 0xBF) return false;
    }
    i += length;
  }
  return true;
}

std::optional<std::string> TextInputProblem(std::string_view field, std::string_view value) {
  if (value.find('\0') != std::string_view::npos) {
    return std::string(field) + " must not contain NUL characters";
  }
  if (!IsValidUtf8(value)) return std::string(field) + " must be valid UTF-8";
  return std::nullopt;
}

}  // namespace agentbase::auth
