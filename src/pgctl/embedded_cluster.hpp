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

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>

#include "pgctl/os_user.hpp"
#include "util/result.hpp"

namespace agentbase::pgctl {

struct EmbeddedOptions {
  std::filesystem::path data_dir = "agentbase-data";
  std::filesystem::path bin_dir = "/usr/lib/postgresql/15/bin";
  std::string server_user = "postgres";  // used only when we run as root
  std::chrono::seconds start_timeout{60};
};

class EmbeddedCluster {
 public:
  // Creates the cluster if needed, starts it unless another agentbase process
  // already did, and registers this process as one of its users.
  static Result<std::unique_ptr<EmbeddedCluster>> Acquire(const EmbeddedOptions& options);

  // Unregisters; the last user stops the server.
  ~EmbeddedCluster();
  EmbeddedCluster(const EmbeddedCluster&) = delete;
  EmbeddedCluster& operator=(const EmbeddedCluster&) = delete;

  // libpq connection string for the superuser over the unix socket.
  std::string Conninfo(const std::string& database = "postgres") const;
  const std::filesystem::path& SocketDir() const { return socket_dir_; }
  bool CreatedNow() const { return created_now_; }

 private:
  EmbeddedCluster() = default;
  Status InitIfNeeded();
  Status StartIfNeeded();
  Status WaitUntilReady(pid_t child);
  void StopServer();
  pid_t RunningPostmasterPid() const;

  EmbeddedOptions options_;
  OsUser server_user_;
  std::filesystem::path pgdata_;
  std::filesystem::path socket_dir_;
  int control_fd_ = -1;
  int users_fd_ = -1;
  pid_t child_pid_ = -1;  // set when this process started the server
  bool created_now_ = false;
};

}  // namespace agentbase::pgctl
