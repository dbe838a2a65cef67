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

inline void Require(bool holds, std::string_view what, std::string_view detail = {}) {
  if (!holds) PropertyViolated(what, detail);
}

inline bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// PostgREST's own codes: PGRST followed by three digits.
inline bool IsPostgrestCode(std::string_view code) {
  return code.size() == 8 && code.substr(0, 5) == "PGRST" && IsDigit(code[5]) && IsDigit(code[6]) && IsDigit(code[7]);
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

}  // namespace agentbase::fuzz
