#pragma once
// How every command reports an expected failure: one "error:" line, then its
// detail and hint, and an exit code from exit_codes.hpp.

#include "util/result.hpp"

namespace agentbase::app {

// Problems on the operator's side (flags, settings, key files) exit 2
// (kExitUsage); everything else 3 (kExitDatabase).
int ExitCodeFor(const Error& error);

// Prints the error to stderr and returns `exit_code`.
int ReportError(const Error& error, int exit_code);
inline int ReportError(const Error& error) { return ReportError(error, ExitCodeFor(error)); }

}  // namespace agentbase::app
