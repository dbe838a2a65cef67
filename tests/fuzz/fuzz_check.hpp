#pragma once
// The properties the fuzz targets check beyond "no crash": a violated one
// aborts with a message, which libFuzzer (or the replay driver) reports as a
// crash and saves the input for.

#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "util/result.hpp"

namespace agentbase::fuzz {

[[noreturn]] inline void PropertyViolated(std::string_view what, std::string_view detail = {}) {
  std::fprintf(stderr, "fuzz property violated: %.*s\n", static_cast<int>(what.size()), what.data());
  if (!detail.empty()) std::fprintf(stderr, "  %.*s\n", static_cast<int>(detail.size()), detail.data());
  std::abort();
}

// With AGENTBASE_FUZZ_TRACE set, targets say what became of each input (to
// check that seeds reach the code they are meant for); silent otherwise.
inline void Trace(std::string_view what, std::string_view detail = {}) {
  static const bool enabled = std::getenv("AGENTBASE_FUZZ_TRACE") != nullptr;
  if (!enabled) return;
  std::fprintf(stderr, "trace: %.*s %.*s\n", static_cast<int>(what.size()), what.data(),
               static_cast<int>(detail.size()), detail.data());
}

// Findings recorded under tests/fuzz/crashes and not yet fixed in src/.
// scripts/fuzz.sh sets AGENTBASE_FUZZ_KNOWN_FINDINGS=ignore for its fuzzing
// runs, so a known bug does not stop every run at its first input and the
// other properties keep being checked; `scripts/fuzz.sh --crashes` and a
// target run by hand check them, and fail until the bug is fixed.
inline bool KnownFindingsIgnored() {
  static const bool ignored = [] {
    const char* value = std::getenv("AGENTBASE_FUZZ_KNOWN_FINDINGS");
    return value != nullptr && std::string_view(value) == "ignore";
  }();
  return ignored;
}

inline void Require(bool holds, std::string_view what, std::string_view detail = {}) {
  if (!holds) PropertyViolated(what, detail);
}

inline bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// PostgREST's own codes: PGRST followed by three digits.
inline bool IsPostgrestCode(std::string_view code) {
  return code.size() == 8 && code.substr(0, 5) == "PGRST" && IsDigit(code[5]) && IsDigit(code[6]) &&
         IsDigit(code[7]);
}

// A SQLSTATE: five digits or upper-case letters.
inline bool IsSqlState(std::string_view code) {
  if (code.size() != 5) return false;
  for (char c : code) {
    if (!IsDigit(c) && !(c >= 'A' && c <= 'Z')) return false;
  }
  return true;
}

// A client error of the REST API must carry a code the HTTP layer can map to
// a status (api_error.cpp) and a message to show.
inline void RequireApiError(const Error& error, std::string_view context) {
  Require(IsPostgrestCode(error.code) || IsSqlState(error.code), "REST error without a PGRST/SQLSTATE code",
          std::string(context) + ": code '" + error.code + "', message '" + error.message + "'");
  Require(!error.message.empty(), "REST error without a message", std::string(context) + ": code " + error.code);
}

// Well-formed UTF-8 (no overlongs, surrogates or code points past U+10FFFF).
inline bool IsValidUtf8(std::string_view text) {
  size_t i = 0;
  while (i < text.size()) {
    auto byte = static_cast<unsigned char>(text[i]);
    size_t length = byte < 0x80 ? 1 : (byte >> 5) == 0x6 ? 2 : (byte >> 4) == 0xe ? 3 : (byte >> 3) == 0x1e ? 4 : 0;
    if (length == 0 || i + length > text.size()) return false;
    unsigned code_point = length == 1 ? byte : byte & (0x7f >> length);
    for (size_t k = 1; k < length; ++k) {
      auto next = static_cast<unsigned char>(text[i + k]);
      if ((next & 0xc0) != 0x80) return false;
      code_point = (code_point << 6) | (next & 0x3f);
    }
    static constexpr unsigned kSmallestOfLength[] = {0, 0, 0x80, 0x800, 0x10000};
    if (code_point < kSmallestOfLength[length] || code_point > 0x10ffff ||
        (code_point >= 0xd800 && code_point <= 0xdfff)) {
      return false;
    }
    i += length;
  }
  return true;
}

}  // namespace agentbase::fuzz
