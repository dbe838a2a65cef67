#include "pgctl/server_processes.hpp"

#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <limits>
#include <sstream>
#include <string>
#include <system_error>

namespace agentbase::pgctl {

namespace fs = std::filesystem;

namespace {

// PostgreSQL's executable, whatever title each process shows in ps.
constexpr std::string_view kServerCommand = "postgres";

struct ProcStat {
  std::string command;
  char state = '?';
};

fs::path ProcDir(pid_t pid) { return fs::path("/proc") / std::to_string(pid); }

// /proc/<pid>/stat is "pid (command) state ...", and the command may itself
// contain spaces and parentheses: it ends at the last ')'.
std::optional<ProcStat> ReadProcStat(pid_t pid) {
  std::ifstream in(ProcDir(pid) / "stat");
  std::string line;
  if (!std::getline(in, line)) return std::nullopt;
  size_t open = line.find('(');
  size_t close = line.rfind(')');
  if (open == std::string::npos || close == std::string::npos || close < open || close + 2 >= line.size()) {
    return std::nullopt;
  }
  return ProcStat{line.substr(open + 1, close - open - 1), line[close + 2]};
}

bool ProcReadable() { return ReadProcStat(getpid()).has_value(); }

fs::path Resolved(const fs::path& path) {
  std::error_code ec;
  fs::path resolved = fs::weakly_canonical(path, ec);
  return ec ? path.lexically_normal() : resolved;
}

PidHolder Identify(pid_t pid, const fs::path& resolved_pgdata, uid_t server_uid) {
  if (pid <= 0) return PidHolder::kNobody;
  if (kill(pid, 0) != 0 && errno == ESRCH) return PidHolder::kNobody;
  auto stat = ReadProcStat(pid);
  if (!stat) {
    // Gone since kill() answered, unless /proc is unusable altogether.
    return ProcReadable() ? PidHolder::kNobody : PidHolder::kUndetermined;
  }
  if (stat->state == 'Z' || stat->state == 'X') return PidHolder::kNobody;
  // Judged by its command first: any process of the machine may exit while
  // /proc is scanned, and one that vanishes before its owner is read must
  // not count as possibly ours.
  if (stat->command != kServerCommand) return PidHolder::kUnrelated;
  struct stat owner {};
  if (::stat(ProcDir(pid).c_str(), &owner) != 0) {
    return errno == ENOENT ? PidHolder::kNobody : PidHolder::kUndetermined;
  }
  if (owner.st_uid != server_uid) return PidHolder::kUnrelated;
  std::error_code ec;
  fs::path cwd = fs::read_symlink(ProcDir(pid) / "cwd", ec);
  if (ec) return ec == std::errc::no_such_file_or_directory ? PidHolder::kNobody : PidHolder::kUndetermined;
  return cwd == resolved_pgdata ? PidHolder::kThisCluster : PidHolder::kUnrelated;
}

}  // namespace

PidHolder IdentifyPidHolder(pid_t pid, const ClusterIdentity& cluster) {
  return Identify(pid, Resolved(cluster.pgdata), cluster.server_uid);
}

std::optional<std::vector<pid_t>> LiveClusterProcesses(const ClusterIdentity& cluster) {
  if (!ProcReadable()) return std::nullopt;
  fs::path pgdata = Resolved(cluster.pgdata);
  std::vector<pid_t> members;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator("/proc", ec)) {
    const std::string name = entry.path().filename().string();
    char* end = nullptr;
    long pid = std::strtol(name.c_str(), &end, 10);
    if (name.empty() || *end != '\0' || pid <= 0) continue;
    PidHolder holder = Identify(static_cast<pid_t>(pid), pgdata, cluster.server_uid);
    // A process of the server's user running postgres whose directory cannot
    // be read might be ours: counting it keeps a live server's files intact.
    if (holder == PidHolder::kThisCluster || holder == PidHolder::kUndetermined) {
      members.push_back(static_cast<pid_t>(pid));
    }
  }
  if (ec) return std::nullopt;
  return members;
}

bool ProcessStopped(pid_t pid) {
  auto stat = ReadProcStat(pid);
  return stat && (stat->state == 'T' || stat->state == 't');
}

std::optional<pid_t> ReadLockFilePid(const fs::path& lock_file) {
  std::ifstream in(lock_file);
  long pid = 0;
  // A number beyond pid_t would wrap, possibly to -1: kill(-1, ...) signals
  // every process we may signal.
  if (!(in >> pid) || pid <= 0 || pid > std::numeric_limits<pid_t>::max()) return std::nullopt;
  return static_cast<pid_t>(pid);
}

}  // namespace agentbase::pgctl
