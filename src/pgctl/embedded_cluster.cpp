#include "pgctl/embedded_cluster.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <libpq-fe.h>
#include <poll.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <thread>

#include "util/checksum.hpp"
#include "util/text.hpp"

namespace agentbase::pgctl {

namespace fs = std::filesystem;

namespace {

constexpr int kPort = 5432;
// sockaddr_un.sun_path holds 108 bytes including the terminating NUL.
constexpr size_t kMaxSocketPath = 107;
const std::string kSuperuser = "postgres";

class FileLock {
 public:
  static Result<int> Open(const fs::path& path) {
    int fd = open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) return Error::Make("cannot open " + path.string() + ": " + std::strerror(errno), "embedded");
    return fd;
  }
  static Status Lock(int fd, int operation) {
    while (flock(fd, operation) != 0) {
      if (errno != EINTR) return Error::Make(std::string("flock failed: ") + std::strerror(errno), "embedded");
    }
    return Ok();
  }
};

std::string TailOfFile(const fs::path& path, size_t max_lines) {
  std::ifstream in(path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  std::vector<std::string> tail(lines.size() > max_lines ? lines.end() - static_cast<long>(max_lines) : lines.begin(),
                                lines.end());
  return Join(tail, "\n");
}

std::string Seconds(std::chrono::milliseconds duration) { return fmt::format("{:g} s", duration.count() / 1000.0); }

std::string DescribeExit(pid_t pid, int status) {
  std::string who = "(pid " + std::to_string(pid) + ")";
  if (WIFSIGNALED(status)) {
    // sigabbrev_np, unlike strsignal, is safe on the supervising thread.
    const char* name = sigabbrev_np(WTERMSIG(status));
    return who + " was killed by signal " + std::to_string(WTERMSIG(status)) +
           (name != nullptr ? std::string(" (SIG") + name + ")" : std::string());
  }
  return who + " exited with status " + std::to_string(WEXITSTATUS(status));
}

const char* SignalName(int signal) {
  switch (signal) {
    case SIGINT: return "SIGINT (fast shutdown)";
    case SIGQUIT: return "SIGQUIT (immediate shutdown)";
    default: return "SIGKILL";
  }
}

}  // namespace

Result<std::unique_ptr<EmbeddedCluster>> EmbeddedCluster::Acquire(const EmbeddedOptions& options) {
  std::unique_ptr<EmbeddedCluster> cluster(new EmbeddedCluster());
  cluster->options_ = options;
  auto user = ResolveServerUser(options.server_user);
  if (!user) return user.error();
  cluster->server_user_ = *user;

  std::error_code ec;
  fs::path data_dir = fs::absolute(options.data_dir);
  fs::create_directories(data_dir, ec);
  if (ec) return Error::Make("cannot create data directory " + data_dir.string() + ": " + ec.message(), "embedded");
  cluster->options_.data_dir = data_dir;
  if (!fs::exists(options.bin_dir / "postgres")) {
    Error error = Error::Make("PostgreSQL server binaries not found in " + options.bin_dir.string(), "embedded");
    error.hint =
        "install Debian's postgresql-15 package, or point --pg-bin at the directory holding postgres and initdb";
    return error;
  }
  cluster->pgdata_ = data_dir / "pgdata";
  // Keep the socket path under the kernel's limit: inside the data directory
  // when it fits, otherwise in a short directory derived from its path.
  fs::path socket_dir = data_dir / "run";
  if ((socket_dir / (".s.PGSQL." + std::to_string(kPort))).string().size() > kMaxSocketPath) {
    socket_dir = fs::path("/tmp") / ("agentbase-" + Sha256Hex(data_dir.string()).substr(0, 12));
  }
  cluster->socket_dir_ = socket_dir;

  auto control = FileLock::Open(data_dir / "control.lock");
  if (!control) return control.error();
  cluster->control_fd_ = *control;
  auto users = FileLock::Open(data_dir / "users.lock");
  if (!users) return users.error();
  cluster->users_fd_ = *users;

  // Start-up and shut-down decisions are made by one process at a time.
  if (auto locked = FileLock::Lock(cluster->control_fd_, LOCK_EX); !locked) return locked.error();
  Status started = cluster->InitIfNeeded();
  if (started) started = cluster->StartIfNeeded();
  if (started) started = FileLock::Lock(cluster->users_fd_, LOCK_SH);
  (void)FileLock::Lock(cluster->control_fd_, LOCK_UN);  // releasing cannot fail on a valid fd
  if (!started) {
    close(cluster->users_fd_);
    cluster->users_fd_ = -1;
    return started.error();
  }
  return cluster;
}

EmbeddedCluster::~EmbeddedCluster() {
  // No restart may race the decision to stop.
  StopSupervising();
  if (users_fd_ >= 0) {
    if (FileLock::Lock(control_fd_, LOCK_EX)) {
      flock(users_fd_, LOCK_UN);
      // Nobody else holds a shared lock: we are the last user.
      if (flock(users_fd_, LOCK_EX | LOCK_NB) == 0) {
        StopServer();
        flock(users_fd_, LOCK_UN);
      }
      flock(control_fd_, LOCK_UN);
    }
    close(users_fd_);
  }
  if (control_fd_ >= 0) close(control_fd_);
  // A server of ours that died is reaped even when others still use the
  // cluster (they restart it); a live one keeps running for them.
  ReapChildIfExited();
}

std::string EmbeddedCluster::Conninfo(const std::string& database) const {
  return "host=" + socket_dir_.string() + " port=" + std::to_string(kPort) + " user=" + kSuperuser +
         " dbname=" + database;
}

Status EmbeddedCluster::InitIfNeeded() {
  if (fs::exists(pgdata_ / "PG_VERSION")) return Ok();
  if (auto reachable = CheckTraversable(options_.data_dir, server_user_); !reachable) return reachable;
  if (auto owned = ChownTo(options_.data_dir, server_user_); !owned) return owned;
  // initdb writes into a scratch directory that is renamed into place only
  // when complete, so an interrupted initdb never leaves a half cluster.
  fs::path scratch = options_.data_dir / "pgdata.initdb";
  std::error_code ec;
  fs::remove_all(scratch, ec);
  fs::path log = options_.data_dir / "initdb.log";
  SpawnOptions spawn;
  spawn.argv = {(options_.bin_dir / "initdb").string(),
                "-D",
                scratch.string(),
                "-U",
                kSuperuser,
                "-E",
                "UTF8",
                "--locale=C",
                "--auth-local=trust",
                "--auth-host=reject",
                "--no-instructions"};
  spawn.user = server_user_;
  spawn.log_file = log;
  auto status = RunToCompletion(spawn);
  if (!status) return status.error();
  if (*status != 0) {
    Error error = Error::Make("initdb failed (exit " + std::to_string(*status) + ")", "embedded");
    error.detail = TailOfFile(log, 5);
    return error;
  }
  fs::rename(scratch, pgdata_, ec);
  if (ec) return Error::Make("cannot move the new cluster into place: " + ec.message(), "embedded");
  created_now_ = true;
  return Ok();
}

ClusterIdentity EmbeddedCluster::Identity() const { return ClusterIdentity{pgdata_, server_user_.uid}; }

void EmbeddedCluster::Log(LogLevel level, const std::string& message) const {
  if (options_.log) options_.log(level, message);
}

// The postmaster named by postmaster.pid when it is really this cluster's and
// alive: after a crash the PID may be a zombie or belong to another process.
pid_t EmbeddedCluster::RunningPostmasterPid() const {
  auto pid = ReadLockFilePid(pgdata_ / "postmaster.pid");
  if (!pid) return -1;
  PidHolder holder = IdentifyPidHolder(*pid, Identity());
  return holder == PidHolder::kThisCluster || holder == PidHolder::kUndetermined ? *pid : -1;
}

int EmbeddedCluster::PingServer() const {
  // A postmaster frozen by SIGSTOP accepts connections into its backlog and
  // never answers: without a timeout the ping would wait forever.
  return PQping((Conninfo() + " connect_timeout=5").c_str());
}

// PostgreSQL removes a lock file naming a dead PID itself, but refuses to
// start while the PID is in use by anything, even a zombie or an unrelated
// process that was given the PID later. Once no process of the cluster is left
// (and only then: PostgreSQL's own check of orphaned backends relies on
// postmaster.pid), such a file is removed.
Status EmbeddedCluster::RemoveStaleLockFiles() {
  ClusterIdentity cluster = Identity();
  // Backends of a killed postmaster notice its death and exit within moments.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  auto members = LiveClusterProcesses(cluster);
  while (members && !members->empty() && std::chrono::steady_clock::now() < deadline && !stopping_) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    members = LiveClusterProcesses(cluster);
  }
  // /proc unreadable: leave the files to PostgreSQL's own checks.
  if (!members) return Ok();
  if (!members->empty()) {
    // No postmaster answers, yet processes of the cluster still run (orphaned
    // backends, or a server whose postmaster.pid was deleted): a second
    // server on the same files would corrupt them.
    std::vector<std::string> pids;
    for (pid_t pid : *members) pids.push_back(std::to_string(pid));
    Error error = Error::Make("processes of the embedded PostgreSQL are still running without a postmaster (pid " +
                                  Join(pids, ", ") + "); not starting another server on " + pgdata_.string(),
                              "embedded");
    error.hint = "stop them (kill " + Join(pids, " ") + ") and try again";
    return error;
  }

  const fs::path lock_files[] = {pgdata_ / "postmaster.pid",
                                 socket_dir_ / (".s.PGSQL." + std::to_string(kPort) + ".lock")};
  for (const auto& lock_file : lock_files) {
    auto pid = ReadLockFilePid(lock_file);
    if (!pid) continue;
    bool in_use = kill(*pid, 0) == 0 || errno == EPERM;
    if (!in_use) continue;  // a dead PID: PostgreSQL's own case
    PidHolder holder = IdentifyPidHolder(*pid, cluster);
    if (holder == PidHolder::kUndetermined || holder == PidHolder::kThisCluster) continue;
    std::error_code ec;
    fs::remove(lock_file, ec);
    if (ec) {
      return Error::Make("cannot remove the stale lock file " + lock_file.string() + ": " + ec.message(), "embedded");
    }
    Log(LogLevel::kWarning, "removed the stale lock file " + lock_file.string() + ": its PID " + std::to_string(*pid) +
                                (holder == PidHolder::kNobody ? " is a dead process nobody reaped"
                                                              : " now belongs to an unrelated process") +
                                ", and no process of the embedded PostgreSQL is left");
  }
  return Ok();
}

Status EmbeddedCluster::StartIfNeeded() {
  if (PingServer() == PQPING_OK) return Ok();               // left running by another process, or by a crash
  if (RunningPostmasterPid() > 0) return WaitUntilReady();  // starting up or recovering
  if (auto cleared = RemoveStaleLockFiles(); !cleared) return cleared;
  // A server of ours that died since is waited for before its PID is forgotten.
  ReapChildIfExited();

  std::error_code ec;
  fs::create_directories(socket_dir_, ec);
  if (ec) return Error::Make("cannot create socket directory " + socket_dir_.string() + ": " + ec.message());
  chmod(socket_dir_.c_str(), 0700);
  if (auto owned = ChownTo(socket_dir_, server_user_); !owned) return owned;

  SpawnOptions spawn;
  spawn.argv = {(options_.bin_dir / "postgres").string(), "-D", pgdata_.string(), "-k", socket_dir_.string(), "-p",
                std::to_string(kPort), "-c", "listen_addresses=", "-c", "unix_socket_permissions=0700",
                // After a crash, recovery first flushes the whole data directory
                // to disk; one syncfs() of its file system does that in a
                // fraction of the time of an fsync() per file, so the server is
                // back sooner.
                "-c", "recovery_init_sync_method=syncfs",
                // Change capture for live updates (src/changes) reads the WAL
                // through logical replication. Given on the command line, it
                // holds for a cluster made by an older agentbase too, from its
                // next start. A replication slot left behind by a serving
                // process that died may hold back at most this much WAL before
                // PostgreSQL invalidates it (the default keeps WAL forever).
                "-c", "wal_level=logical", "-c", "max_slot_wal_keep_size=1GB"};
  spawn.user = server_user_;
  spawn.log_file = options_.data_dir / "postgres.log";
  spawn.new_session = true;  // outlives us while other agentbase processes use it
  // glibc gives the heap's top back to the kernel as soon as more than
  // 128 KiB of it is free, so a backend whose queries build megabytes (a
  // sort, a 600 kB org chart, a tuplestore) faults every page in afresh at
  // each query; on a VM each fault is dear (the org chart of 1,000 roles
  // took 34 ms, 8.3 ms with this; docs/benchmarks.md). Keeping 16 MiB of
  // the top (M_TOP_PAD) costs each backend at most that much resident
  // memory. An administrator's own setting wins.
  if (std::getenv("MALLOC_TOP_PAD_") == nullptr) spawn.environment.push_back("MALLOC_TOP_PAD_=16777216");
  auto pid = Spawn(spawn);
  if (!pid) return pid.error();
  child_pid_ = *pid;
  return WaitUntilReady();
}

// Waits for our own server when we just started it, otherwise for another
// process's, which may go away meanwhile.
Status EmbeddedCluster::WaitUntilReady() {
  auto deadline = std::chrono::steady_clock::now() + options_.start_timeout;
  auto pause = std::chrono::milliseconds(5);
  while (std::chrono::steady_clock::now() < deadline) {
    if (stopping_) return Error::Make("stopped waiting for the embedded PostgreSQL server: shutting down", "embedded");
    int ping = PingServer();
    if (ping == PQPING_OK) return Ok();
    if (child_pid_ > 0) {
      if (ReapChildIfExited()) {
        Error error = Error::Make("the embedded PostgreSQL server exited during start-up", "embedded");
        error.detail = TailOfFile(options_.data_dir / "postgres.log", 5);
        return error;
      }
    } else if (RunningPostmasterPid() < 0 && ping == PQPING_NO_RESPONSE) {
      return StartIfNeeded();  // the other process's server went away; start our own
    }
    std::this_thread::sleep_for(pause);
    pause = std::min(pause * 2, std::chrono::milliseconds(100));
  }
  Error error = Error::Make("the embedded PostgreSQL server did not become ready in time", "embedded");
  error.detail = TailOfFile(options_.data_dir / "postgres.log", 5);
  return error;
}

void EmbeddedCluster::StopServer() {
  pid_t pid = RunningPostmasterPid();
  if (pid > 0) {
    // Fast shutdown ends sessions and writes a checkpoint; immediate shutdown
    // skips the checkpoint (WAL recovery runs at the next start); SIGKILL is
    // for a server that acts on neither. Each step is bounded, so a hung
    // server cannot hold up our exit forever.
    struct Step {
      int signal;
      std::chrono::milliseconds patience;
    };
    const Step steps[] = {{SIGINT, options_.fast_stop_timeout},
                          {SIGQUIT, options_.immediate_stop_timeout},
                          {SIGKILL, std::chrono::seconds(5)}};
    for (const auto& step : steps) {
      kill(pid, step.signal);
      // A postmaster frozen by SIGSTOP holds every other signal until it is
      // continued: continue it so that it can shut down properly.
      if (step.signal != SIGKILL) kill(pid, SIGCONT);
      if (WaitForExit(pid, step.patience)) break;
      Log(LogLevel::kWarning, "the embedded PostgreSQL (pid " + std::to_string(pid) + ") did not stop after " +
                                  SignalName(step.signal) + " within " + Seconds(step.patience));
    }
  }
  ReapChildIfExited();
}

bool EmbeddedCluster::WaitForExit(pid_t pid, std::chrono::milliseconds patience) {
  auto start = std::chrono::steady_clock::now();
  auto stuck_since = std::chrono::steady_clock::time_point::max();
  while (std::chrono::steady_clock::now() - start < patience) {
    if (pid == child_pid_) {
      if (ReapChildIfExited()) return true;
    } else {
      PidHolder holder = IdentifyPidHolder(pid, Identity());
      if (holder != PidHolder::kThisCluster && holder != PidHolder::kUndetermined) return true;
    }
    // Still stopped although continued (a debugger holds it): waiting is futile.
    auto now = std::chrono::steady_clock::now();
    if (!ProcessStopped(pid))
      stuck_since = std::chrono::steady_clock::time_point::max();
    else if (stuck_since == std::chrono::steady_clock::time_point::max())
      stuck_since = now;
    else if (now - stuck_since > std::chrono::milliseconds(500))
      return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return false;
}

bool EmbeddedCluster::ReapChildIfExited() {
  if (child_pid_ <= 0 || waitpid(child_pid_, nullptr, WNOHANG) != child_pid_) return false;
  child_pid_ = -1;
  return true;
}

void EmbeddedCluster::Supervise(const SupervisionOptions& options) {
  if (supervisor_.joinable()) throw std::logic_error("EmbeddedCluster::Supervise called twice");
  supervisor_ = std::thread([this, options] {
    try {
      SuperviseLoop(options);
    } catch (const std::exception& failure) {
      // A bug, not a database problem: serving goes on, unsupervised, and says so.
      Log(LogLevel::kError, std::string("supervision of the embedded PostgreSQL stopped: ") + failure.what());
    }
  });
}

void EmbeddedCluster::StopSupervising() {
  {
    std::lock_guard<std::mutex> guard(supervisor_mutex_);
    stopping_ = true;
  }
  supervisor_wake_.notify_all();
  if (supervisor_.joinable()) supervisor_.join();
  if (watched_pidfd_ >= 0) close(watched_pidfd_);
  watched_pidfd_ = -1;
}

bool EmbeddedCluster::PauseUnlessStopping(std::chrono::milliseconds pause) {
  std::unique_lock<std::mutex> lock(supervisor_mutex_);
  return !supervisor_wake_.wait_for(lock, pause, [this] { return stopping_.load(); });
}

void EmbeddedCluster::SuperviseLoop(const SupervisionOptions& options) {
  auto delay = options.first_restart_delay;
  auto up_since = std::chrono::steady_clock::now();
  while (PauseUnlessStopping(options.poll_interval)) {
    auto gone = NoticeServerGone();
    if (!gone) {
      if (std::chrono::steady_clock::now() - up_since >= options.stable_after) delay = options.first_restart_delay;
      continue;
    }
    Log(LogLevel::kWarning, "the embedded PostgreSQL " + *gone + "; restarting it in " + Seconds(delay));
    while (PauseUnlessStopping(delay)) {
      auto restarted = RestartServer();
      delay = std::min(delay * 2, options.max_restart_delay);
      if (restarted) {
        // Clients hear of it before the log says so (tests wait for the log).
        if (options.on_running_again) options.on_running_again();
        Log(LogLevel::kInfo, *restarted);
        up_since = std::chrono::steady_clock::now();
        break;
      }
      if (stopping_) break;
      std::string detail = restarted.error().detail.empty() ? "" : " (" + OneLine(restarted.error().detail) + ")";
      Log(LogLevel::kError, "restarting the embedded PostgreSQL failed: " + restarted.error().message + detail +
                                "; next attempt in " + Seconds(delay));
    }
  }
}

// Why the server is gone, or nullopt while it runs. Our own child is waited
// for, so it never lingers as a zombie (which would also keep its PID, and
// so its lock files, in use).
std::optional<std::string> EmbeddedCluster::NoticeServerGone() {
  if (child_pid_ > 0) {
    int status = 0;
    pid_t reaped = waitpid(child_pid_, &status, WNOHANG);
    if (reaped == 0) return std::nullopt;
    pid_t pid = child_pid_;
    child_pid_ = -1;
    if (reaped == pid) return DescribeExit(pid, status);
    // Not ours to wait for any more (only if SIGCHLD were ignored): judge by postmaster.pid.
  }
  // Another process's server, once identified, is watched through a pidfd:
  // a tick is then one poll() instead of reading postmaster.pid and /proc.
  if (watched_pidfd_ >= 0) {
    pollfd exited{watched_pidfd_, POLLIN, 0};
    if (poll(&exited, 1, 0) == 0) return std::nullopt;
    close(watched_pidfd_);
    watched_pidfd_ = -1;
  }
  pid_t pid = RunningPostmasterPid();
  if (pid < 0) return std::string("is no longer running");
  // Judged again once the pidfd is open, so that it cannot name a process
  // that was given the PID in between. Without one, every tick judges anew.
  // Through syscall(): glibc 2.36's <sys/pidfd.h> declares pidfd_open without C linkage.
  int pidfd = static_cast<int>(syscall(SYS_pidfd_open, pid, 0));
  if (pidfd >= 0 && RunningPostmasterPid() == pid) {
    watched_pidfd_ = pidfd;
  } else if (pidfd >= 0) {
    close(pidfd);
  }
  return std::nullopt;
}

Result<std::string> EmbeddedCluster::RestartServer() {
  // Another process may hold control.lock for a whole start-up: poll it, so
  // that a shutdown of ours is not held up meanwhile.
  while (flock(control_fd_, LOCK_EX | LOCK_NB) != 0) {
    if (errno != EWOULDBLOCK && errno != EINTR) {
      return Error::Make(std::string("flock failed: ") + std::strerror(errno), "embedded");
    }
    if (!PauseUnlessStopping(std::chrono::milliseconds(50))) return Error::Make("shutting down", "embedded");
  }
  pid_t before = child_pid_;
  Status started = StartIfNeeded();
  (void)FileLock::Lock(control_fd_, LOCK_UN);  // releasing cannot fail on a valid fd
  if (!started) return started.error();
  if (child_pid_ > 0 && child_pid_ != before) {
    return "the embedded PostgreSQL is running again (restarted, pid " + std::to_string(child_pid_) + ")";
  }
  return std::string("the embedded PostgreSQL is running again (started by another agentbase process)");
}

}  // namespace agentbase::pgctl
