#include "app/cli_errors.hpp"

#include <iostream>

#include "app/exit_codes.hpp"

namespace agentbase::app {

int ExitCodeFor(const Error& error) { return error.Is(ErrorKind::kUsage) ? kExitUsage : kExitDatabase; }

int ReportError(const Error& error, int exit_code) {
  std::cerr << "error: " << error.message << "\n";
  if (!error.detail.empty()) std::cerr << "  detail: " << error.detail << "\n";
  if (!error.hint.empty()) std::cerr << "  hint: " << error.hint << "\n";
  return exit_code;
}

}  // namespace agentbase::app
