#pragma once
// The embedded default: a private PostgreSQL cluster under a data directory,
// created with initdb on first use, reachable only through a unix socket,
// shared by every agentbase process that uses the same directory and stopped
// by the last of them.
//
// Layout of the data directory:
//   pgdata/          PostgreSQL's own data directory
//   run/             the unix socket (when the path is short enough)
//   postgres.log     the server's log
//   control.lock     held exclusively while starting or stopping
//   users.lock       held shared by every process using the cluster
//
// Both locks are flock()s, which the kernel drops when their holder dies, so
// a killed agentbase leaves no lock behind. What a killed server leaves behind
// (postmaster.pid and the socket's lock file) is judged before each start: see
// server_processes.hpp.

#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "pgctl/os_user.hpp"
#include "pgctl/server_processes.hpp"
#include "util/result.hpp"

namespace agentbase::pgctl {

enum class LogLevel { kInfo, kWarning, kError };
// Where notes on recovery go (stale lock files removed, the server restarted
// or hard to stop). Called from the supervising thread too.
using LogSink = std::function<void(LogLevel, const std::string&)>;

struct EmbeddedOptions {
  std::filesystem::path data_dir = "agentbase-data";
  std::filesystem::path bin_dir = "/usr/lib/postgresql/15/bin";
  std::string server_user = "postgres";  // used only when we run as root
  std::chrono::seconds start_timeout{60};
  // How long a fast shutdown may take before an immediate one, and that one
  // before SIGKILL.
  std::chrono::seconds fast_stop_timeout{30};
  std::chrono::seconds immediate_stop_timeout{5};
  LogSink log;  // none: notes are dropped
};

struct SupervisionOptions {
  std::chrono::milliseconds poll_interval{100};
  // Restarts wait this long after a crash, twice as long after each further
  // crash, at most max_restart_delay ...
  std::chrono::milliseconds first_restart_delay{500};
  std::chrono::milliseconds max_restart_delay{30000};
  // ... until the server has stayed up this long.
  std::chrono::seconds stable_after{30};
  // Runs on the supervising thread each time the server runs again, so that
  // clients can drop connections to the dead one at once.
  std::function<void()> on_running_again;
};

class EmbeddedCluster {
 public:
  // Creates the cluster if needed, starts it unless another agentbase process
  // already did, and registers this process as one of its users.
  static Result<std::unique_ptr<EmbeddedCluster>> Acquire(const EmbeddedOptions& options);

  // Stops supervising, unregisters; the last user stops the server.
  ~EmbeddedCluster();
  EmbeddedCluster(const EmbeddedCluster&) = delete;
  EmbeddedCluster& operator=(const EmbeddedCluster&) = delete;

  // For long-running processes (serve): from now on a thread of its own
  // reaps the server when this process started it, notices when it is gone
  // (whoever started it), and starts it again, with a growing pause while it
  // keeps dying. Clients see connection errors meanwhile and reconnect.
  void Supervise(const SupervisionOptions& options = {});
  // Ends supervision (the destructor does too); waits for a restart under way.
  void StopSupervising();

  // libpq connection string for the superuser over the unix socket.
  std::string Conninfo(const std::string& database = "postgres") const;
  const std::filesystem::path& SocketDir() const { return socket_dir_; }
  bool CreatedNow() const { return created_now_; }

 private:
  EmbeddedCluster() = default;
  Status InitIfNeeded();
  Status StartIfNeeded();
  Status RemoveStaleLockFiles();
  Status WaitUntilReady();
  void StopServer();
  bool WaitForExit(pid_t pid, std::chrono::milliseconds patience);
  // True when our child server had exited and is now waited for.
  bool ReapChildIfExited();
  pid_t RunningPostmasterPid() const;
  int PingServer() const;
  ClusterIdentity Identity() const;
  void Log(LogLevel level, const std::string& message) const;

  void SuperviseLoop(const SupervisionOptions& options);
  std::optional<std::string> NoticeServerGone();
  Result<std::string> RestartServer();
  // Sleeps unless asked to stop; false when asked to stop.
  bool PauseUnlessStopping(std::chrono::milliseconds pause);

  EmbeddedOptions options_;
  OsUser server_user_;
  std::filesystem::path pgdata_;
  std::filesystem::path socket_dir_;
  int control_fd_ = -1;
  int users_fd_ = -1;
  // Set while the server running is this process's child. Once supervision
  // has started only the supervising thread touches it, until it is joined.
  pid_t child_pid_ = -1;
  // A pidfd of the server when another process started it; the supervising
  // thread's alone.
  int watched_pidfd_ = -1;
  bool created_now_ = false;

  std::thread supervisor_;
  std::mutex supervisor_mutex_;
  std::condition_variable supervisor_wake_;
  std::atomic<bool> stopping_{false};
};

}  // namespace agentbase::pgctl
