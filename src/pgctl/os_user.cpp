#include "pgctl/os_user.hpp"

#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string_view>

namespace agentbase::pgctl {

Result<OsUser> ResolveServerUser(const std::string& requested) {
  if (geteuid() != 0) {
    const passwd* self = getpwuid(geteuid());
    return OsUser{self ? self->pw_name : std::to_string(geteuid()), geteuid(), getegid()};
  }
  const passwd* entry = getpwnam(requested.c_str());
  if (entry == nullptr) {
    Error error =
        Error::Make("PostgreSQL cannot run as root, and there is no user '" + requested + "' to run it as", "embedded");
    error.hint = "create one (useradd --system postgres) or name another with --pg-user";
    return error;
  }
  if (entry->pw_uid == 0) return Error::Make("--pg-user must not be root: PostgreSQL refuses to run as root", "usage");
  return OsUser{entry->pw_name, entry->pw_uid, entry->pw_gid};
}

Status CheckTraversable(const std::filesystem::path& path, const OsUser& user) {
  if (user.uid == 0 || user.uid == geteuid()) return Ok();
  for (auto dir = std::filesystem::absolute(path).parent_path(); !dir.empty(); dir = dir.parent_path()) {
    struct stat info {};
    if (stat(dir.c_str(), &info) == 0) {
      bool traversable = (info.st_mode & S_IXOTH) || (info.st_uid == user.uid && (info.st_mode & S_IXUSR)) ||
                         (info.st_gid == user.gid && (info.st_mode & S_IXGRP));
      if (!traversable) {
        Error error = Error::Make("the PostgreSQL user '" + user.name + "' cannot reach " + path.string() +
                                      " because it cannot enter " + dir.string(),
                                  "embedded");
        error.hint = "choose a data directory it can reach with --data-dir (for example under /var/lib or /tmp)";
        return error;
      }
    }
    if (dir == dir.root_path()) break;
  }
  return Ok();
}

Status ChownTo(const std::filesystem::path& path, const OsUser& user) {
  if (geteuid() != 0) return Ok();
  if (chown(path.c_str(), user.uid, user.gid) != 0) {
    return Error::Make("cannot hand " + path.string() + " to user " + user.name + ": " + std::strerror(errno),
                       "embedded");
  }
  return Ok();
}

namespace {

// Runs in the child between fork and exec: only async-signal-safe calls.
[[noreturn]] void ExecChild(const SpawnOptions& options, const std::vector<char*>& argv, const std::vector<char*>& envp,
                            int log_fd) {
  if (options.new_session) setsid();
  if (log_fd >= 0) {
    dup2(log_fd, STDOUT_FILENO);
    dup2(log_fd, STDERR_FILENO);
  }
  int null_fd = open("/dev/null", O_RDONLY);
  if (null_fd >= 0) dup2(null_fd, STDIN_FILENO);
  // Nothing else of ours may leak into the server: a server restarted under
  // serve would otherwise hold serve's listening socket and client
  // connections (Asio does not open them close-on-exec), keeping the port
  // taken and closed connections open after serve is gone.
  close_range(STDERR_FILENO + 1, ~0U, 0);
  if (geteuid() == 0 && options.user.uid != 0) {
    if (setgroups(0, nullptr) != 0 || setgid(options.user.gid) != 0 || setuid(options.user.uid) != 0) _exit(126);
  }
  // Start from default signal handling whatever our parent set.
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);
  execve(argv[0], argv.data(), envp.data());
  _exit(127);
}

// Our environment with `additions` set, built before fork (the child may
// only make async-signal-safe calls).
std::vector<char*> ChildEnvironment(const std::vector<std::string>& additions) {
  std::vector<char*> envp;
  for (char** entry = environ; *entry != nullptr; ++entry) {
    std::string_view current(*entry);
    std::string_view name = current.substr(0, current.find('='));
    bool replaced = std::any_of(additions.begin(), additions.end(), [&](const std::string& addition) {
      return addition.size() > name.size() && addition.compare(0, name.size(), name) == 0 &&
             addition[name.size()] == '=';
    });
    if (!replaced) envp.push_back(*entry);
  }
  for (const auto& addition : additions) envp.push_back(const_cast<char*>(addition.c_str()));
  envp.push_back(nullptr);
  return envp;
}

}  // namespace

Result<pid_t> Spawn(const SpawnOptions& options) {
  std::vector<char*> argv;
  for (const auto& arg : options.argv) argv.push_back(const_cast<char*>(arg.c_str()));
  argv.push_back(nullptr);
  int log_fd = -1;
  if (!options.log_file.empty()) {
    log_fd = open(options.log_file.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (log_fd < 0) return Error::Make("cannot open " + options.log_file.string() + ": " + std::strerror(errno));
    (void)ChownTo(options.log_file, options.user);
  }
  std::vector<char*> envp = ChildEnvironment(options.environment);
  pid_t pid = fork();
  if (pid < 0) {
    if (log_fd >= 0) close(log_fd);
    return Error::Make(std::string("fork failed: ") + std::strerror(errno));
  }
  if (pid == 0) ExecChild(options, argv, envp, log_fd);
  if (log_fd >= 0) close(log_fd);
  return pid;
}

Result<int> RunToCompletion(const SpawnOptions& options) {
  auto pid = Spawn(options);
  if (!pid) return pid.error();
  int status = 0;
  while (waitpid(*pid, &status, 0) < 0) {
    if (errno != EINTR) return Error::Make(std::string("waitpid failed: ") + std::strerror(errno));
  }
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  return 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
}

}  // namespace agentbase::pgctl
