#pragma once
// Running PostgreSQL's programs as an unprivileged operating-system user:
// initdb and postgres refuse to run as root.

#include <sys/types.h>

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "util/result.hpp"

namespace agentbase::pgctl {

struct OsUser {
  std::string name;
  uid_t uid = 0;
  gid_t gid = 0;
};

// The user PostgreSQL runs as: ourselves when we are not root, otherwise
// `requested` (default "postgres", which Debian's package creates).
Result<OsUser> ResolveServerUser(const std::string& requested);

// Checks that `user` can reach `path` (every parent directory traversable).
Status CheckTraversable(const std::filesystem::path& path, const OsUser& user);

// Makes `path` owned by `user` (no-op when we are that user).
Status ChownTo(const std::filesystem::path& path, const OsUser& user);

struct SpawnOptions {
  std::vector<std::string> argv;
  OsUser user;
  std::filesystem::path log_file;  // stdout and stderr go here
  bool new_session = false;        // detach from our terminal's signals
  // NAME=value entries set in the child's environment (ours, with these
  // added or replacing ours).
  std::vector<std::string> environment;
};

// Starts a child process; returns its pid.
Result<pid_t> Spawn(const SpawnOptions& options);

// Runs a child to completion; returns its exit status (0 = success).
Result<int> RunToCompletion(const SpawnOptions& options);

}  // namespace agentbase::pgctl
