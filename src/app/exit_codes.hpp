#pragma once
// Exit codes of every agentbase command (documented in README.md).

namespace agentbase::app {

enum ExitCode : int {
  kExitOk = 0,
  kExitDifferences = 1,  // verify found differences; plan --check found pending changes; status --check found drift
  kExitUsage = 2,        // bad flags or arguments, or an invalid database URL
  kExitDatabase = 3,     // cannot connect, or the database refused a statement (nothing was changed)
  kExitBlocked = 4,      // push refused by preflight or a conflict (nothing was changed)
  kExitInternal = 70,    // a bug: please report it
};

}  // namespace agentbase::app
