#include "pgctl/embedded_cluster.hpp"

#include <fcntl.h>
#include <libpq-fe.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
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
    error.hint = "install Debian's postgresql-15 package, or point --pg-bin at the directory holding postgres and initdb";
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
  spawn.argv = {(options_.bin_dir / "initdb").string(), "-D", scratch.string(), "-U", kSuperuser, "-E", "UTF8",
                "--locale=C", "--auth-local=trust", "--auth-host=reject", "--no-instructions"};
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

pid_t EmbeddedCluster::RunningPostmasterPid() const {
  std::ifstream pidfile(pgdata_ / "postmaster.pid");
  long pid = 0;
  if (!(pidfile >> pid) || pid <= 0) return -1;
  return ProcessAlive(static_cast<pid_t>(pid)) ? static_cast<pid_t>(pid) : -1;
}

Status EmbeddedCluster::StartIfNeeded() {
  std::string conninfo = Conninfo();
  if (PQping(conninfo.c_str()) == PQPING_OK) return Ok();  // left running by another process, or by a crash
  if (RunningPostmasterPid() > 0) return WaitUntilReady(-1);  // starting up or recovering

  std::error_code ec;
  fs::create_directories(socket_dir_, ec);
  if (ec) return Error::Make("cannot create socket directory " + socket_dir_.string() + ": " + ec.message());
  chmod(socket_dir_.c_str(), 0700);
  if (auto owned = ChownTo(socket_dir_, server_user_); !owned) return owned;

  SpawnOptions spawn;
  spawn.argv = {(options_.bin_dir / "postgres").string(),
                "-D", pgdata_.string(),
                "-k", socket_dir_.string(),
                "-p", std::to_string(kPort),
                "-c", "listen_addresses=",
                "-c", "unix_socket_permissions=0700"};
  spawn.user = server_user_;
  spawn.log_file = options_.data_dir / "postgres.log";
  spawn.new_session = true;  // outlives us while other agentbase processes use it
  auto pid = Spawn(spawn);
  if (!pid) return pid.error();
  child_pid_ = *pid;
  return WaitUntilReady(child_pid_);
}

Status EmbeddedCluster::WaitUntilReady(pid_t child) {
  std::string conninfo = Conninfo();
  auto deadline = std::chrono::steady_clock::now() + options_.start_timeout;
  auto pause = std::chrono::milliseconds(5);
  while (std::chrono::steady_clock::now() < deadline) {
    if (PQping(conninfo.c_str()) == PQPING_OK) return Ok();
    if (child > 0) {
      int status = 0;
      if (waitpid(child, &status, WNOHANG) == child) {
        child_pid_ = -1;
        Error error = Error::Make("the embedded PostgreSQL server exited during start-up", "embedded");
        error.detail = TailOfFile(options_.data_dir / "postgres.log", 5);
        return error;
      }
    } else if (RunningPostmasterPid() < 0 && PQping(conninfo.c_str()) == PQPING_NO_RESPONSE) {
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
  if (pid <= 0) return;
  // SIGINT is PostgreSQL's fast shutdown: it does not wait for clients.
  kill(pid, SIGINT);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (std::chrono::steady_clock::now() < deadline) {
    if (pid == child_pid_ && waitpid(pid, nullptr, WNOHANG) == pid) return;
    if (pid != child_pid_ && !ProcessAlive(pid)) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  kill(pid, SIGQUIT);  // immediate shutdown; WAL recovery runs at the next start
  if (pid == child_pid_) waitpid(pid, nullptr, 0);
}

}  // namespace agentbase::pgctl
