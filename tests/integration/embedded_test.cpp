// The embedded default: a private cluster created on first use, shared by
// concurrent agentbase processes, stopped by the last, recovered after crashes
// (of the server, of agentbase, of both), and restarted under a running serve.

#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <boost/json.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <thread>

#include "harness.hpp"
#include "pgctl/server_processes.hpp"

namespace agentbase::testing {

namespace fs = std::filesystem;

namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;
using std::chrono::seconds;

// Polls instead of sleeping a fixed time: true as soon as `condition` holds.
template <class Condition>
bool Eventually(Condition condition, milliseconds timeout, milliseconds pause = milliseconds(20)) {
  auto deadline = Clock::now() + timeout;
  while (Clock::now() < deadline) {
    if (condition()) return true;
    std::this_thread::sleep_for(pause);
  }
  return condition();
}

std::string ReadWholeFile(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream content;
  content << in.rdbuf();
  return content.str();
}

// One field of /proc/<pid>/stat after the command: 0 is the state, 1 the parent.
std::string ProcStatField(pid_t pid, int field) {
  std::string stat = ReadWholeFile("/proc/" + std::to_string(pid) + "/stat");
  size_t close = stat.rfind(')');
  if (close == std::string::npos) return "";
  std::istringstream rest(stat.substr(close + 2));
  std::string value;
  for (int i = 0; i <= field; ++i) rest >> value;
  return value;
}

// The children of `parent` that are zombies (exited, never waited for).
std::vector<pid_t> ZombieChildren(pid_t parent) {
  std::vector<pid_t> zombies;
  for (const auto& entry : fs::directory_iterator("/proc")) {
    std::string name = entry.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    pid_t pid = std::stoi(name);
    if (ProcStatField(pid, 1) == std::to_string(parent) && ProcStatField(pid, 0) == "Z") zombies.push_back(pid);
  }
  return zombies;
}

// The status of GET `target` on 127.0.0.1:`port`; -1 when there is no answer.
int HttpGetStatus(int port, const std::string& target) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  timeval timeout{5, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  int status = -1;
  if (connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0) {
    std::string request = "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
    if (send(fd, request.data(), request.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(request.size())) {
      char buffer[64] = {};
      ssize_t got = recv(fd, buffer, sizeof buffer - 1, 0);
      int parsed = 0;
      if (got > 12 && std::sscanf(buffer, "HTTP/1.1 %d", &parsed) == 1) status = parsed;
    }
  }
  close(fd);
  return status;
}

// kill() given 0 or -1 signals every process it may (all of them, as root):
// a postmaster.pid that is missing or half written must fail the test instead.
void Signal(pid_t pid, int signal) {
  if (pid <= 0) {
    ADD_FAILURE() << "no process to send signal " << signal << " to (pid " << pid << ")";
    return;
  }
  kill(pid, signal);
}

// A new directory under /tmp that the server's user can enter; empty when
// none could be made.
fs::path MakeTempDir(const std::string& prefix) {
  std::string pattern = "/tmp/" + prefix + "-XXXXXX";
  if (mkdtemp(pattern.data()) == nullptr) return {};
  fs::permissions(pattern, fs::perms::owner_all | fs::perms::group_exec | fs::perms::others_exec);
  return pattern;
}

// A read through the API's database pool.
const std::string kPooledRead = "/rest/v1/tenants?select=id&limit=1";

class EmbeddedTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = MakeTempDir("abe");
    ASSERT_FALSE(root_.empty());
    data_dir_ = root_ / "data";
  }
  void TearDown() override {
    // Stop anything a failed test left running, then remove the directory.
    for (pid_t pid : children_) {
      kill(pid, SIGKILL);
      waitpid(pid, nullptr, 0);
    }
    // Only a server of this data directory: a stale postmaster.pid may name anyone.
    if (pid_t pid = PostmasterPid(); pid > 0 && PostmasterRunning(pid)) {
      kill(pid, SIGCONT);
      kill(pid, SIGQUIT);
      if (!Eventually([&] { return !PostmasterRunning(pid); }, seconds(5))) kill(pid, SIGKILL);
    }
    std::error_code ec;
    fs::remove_all(root_, ec);
  }

  std::string Flag() const { return "--data-dir '" + data_dir_.string() + "'"; }

  // A data directory holding a pushed, cleanly stopped cluster, as `db push`
  // leaves it. initdb and the first push take most of a test's time, so they
  // run once per test program and each test gets a copy (cp -a keeps the
  // server user's ownership and modes).
  void CopyPushedCluster() {
    if (pushed_root_.empty()) {
      pushed_root_ = MakeTempDir("abe-pushed");
      ASSERT_FALSE(pushed_root_.empty());
      auto push = RunAgentbase("db push --data-dir '" + (pushed_root_ / "data").string() + "'");
      ASSERT_EQ(push.exit_code, 0) << push.out << push.err;
    }
    ASSERT_TRUE(fs::exists(pushed_root_ / "data" / "pgdata" / "PG_VERSION")) << "the first db push failed";
    std::string copy = "cp -a '" + (pushed_root_ / "data").string() + "' '" + data_dir_.string() + "'";
    ASSERT_EQ(std::system(copy.c_str()), 0);
  }
  static void TearDownTestSuite() {
    std::error_code ec;
    if (!pushed_root_.empty()) fs::remove_all(pushed_root_, ec);
    pushed_root_.clear();
  }
  static inline fs::path pushed_root_;

  std::string SocketConninfo() const { return "host=" + (data_dir_ / "run").string() + " port=5432 user=postgres"; }

  pid_t PostmasterPid() const {
    std::ifstream pidfile(data_dir_ / "pgdata" / "postmaster.pid");
    long pid = 0;
    return (pidfile >> pid) ? static_cast<pid_t>(pid) : -1;
  }
  bool ServerUp() const { return PQping(SocketConninfo().c_str()) == PQPING_OK; }

  // What a crashed agentbase leaves behind: its server, running on its own.
  void StartServerOutsideAgentbase() const {
    std::string start = std::string(geteuid() == 0 ? "runuser -u postgres -- " : "") +
                        "/usr/lib/postgresql/15/bin/postgres -D '" + (data_dir_ / "pgdata").string() + "' -k '" +
                        (data_dir_ / "run").string() + "' -c listen_addresses= ";
    ASSERT_EQ(std::system(("setsid " + start + " >/dev/null 2>&1 &").c_str()), 0);
    // On a busy machine a start can take longer than the 5 s once allowed
    // here; the callers then read a postmaster.pid not yet written.
    ASSERT_TRUE(Eventually([&] { return ServerUp(); }, seconds(30))) << "the server started outside agentbase";
  }

  // Runs `command` with sh in the background; killed and reaped at the end.
  pid_t StartShellCommand(const std::string& command) {
    pid_t pid = fork();
    if (pid == 0) {
      execl("/bin/sh", "sh", "-c", command.c_str(), static_cast<char*>(nullptr));
      _exit(127);
    }
    if (pid > 0) children_.push_back(pid);
    EXPECT_GT(pid, 0) << "fork failed";
    return pid;
  }

  // A running `agentbase serve` on the embedded default, on a free port.
  struct Serve {
    pid_t pid = -1;
    int port = -1;
    fs::path log;
  };
  Serve StartServe() {
    Serve serve;
    serve.log = root_ / ("serve-" + std::to_string(++serves_started_) + ".log");
    std::string command = "exec " + std::string(AGENTBASE_BIN) + " serve --port 0 --no-demo " + Flag() + " >'" +
                          serve.log.string() + "' 2>&1 </dev/null";
    serve.pid = StartShellCommand(command);
    std::regex api_line(R"(API: +http://127\.0\.0\.1:(\d+))");
    Eventually(
        [&] {
          std::smatch match;
          std::string log = ReadWholeFile(serve.log);
          if (std::regex_search(log, match, api_line)) serve.port = std::stoi(match[1]);
          return serve.port > 0 || waitpid(serve.pid, nullptr, WNOHANG) != 0;
        },
        seconds(120));
    return serve;
  }
  // A serve that is up and answers a pooled read within `timeout`.
  void StartAnsweringServe(Serve& serve, milliseconds timeout = seconds(30)) {
    serve = StartServe();
    ASSERT_GT(serve.port, 0) << ReadWholeFile(serve.log);
    ASSERT_TRUE(Answers200(serve, timeout)) << ReadWholeFile(serve.log);
  }
  // SIGTERM, then the exit code (-1 when it did not exit within `patience`).
  int StopServe(const Serve& serve, milliseconds patience = milliseconds(30000)) {
    kill(serve.pid, SIGTERM);
    int status = 0;
    bool exited = Eventually([&] { return waitpid(serve.pid, &status, WNOHANG) == serve.pid; }, patience);
    if (!exited) return -1;
    std::erase(children_, serve.pid);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }
  void KillServe(const Serve& serve) {
    kill(serve.pid, SIGKILL);
    waitpid(serve.pid, nullptr, 0);
    std::erase(children_, serve.pid);
  }
  // How often serve has logged that the server runs again after a crash.
  static size_t RestartsLogged(const Serve& serve) {
    std::string log = ReadWholeFile(serve.log);
    size_t count = 0;
    for (size_t at = log.find("running again"); at != std::string::npos; at = log.find("running again", at + 1)) {
      ++count;
    }
    return count;
  }
  bool Answers200(const Serve& serve, milliseconds timeout) const {
    return Eventually([&] { return HttpGetStatus(serve.port, kPooledRead) == 200; }, timeout);
  }
  // The server runs as the owner of its data directory (postgres when we are root).
  pgctl::ClusterIdentity Cluster() const {
    struct stat info {};
    uid_t owner = ::stat((data_dir_ / "pgdata").c_str(), &info) == 0 ? info.st_uid : geteuid();
    return pgctl::ClusterIdentity{data_dir_ / "pgdata", owner};
  }
  bool PostmasterRunning(pid_t pid) const {
    return pgctl::IdentifyPidHolder(pid, Cluster()) == pgctl::PidHolder::kThisCluster;
  }
  // A crash that leaves postmaster.pid and the socket's lock file behind.
  void CrashServerLeavingLockFiles() {
    ASSERT_NO_FATAL_FAILURE(StartServerOutsideAgentbase());
    pid_t pid = PostmasterPid();
    ASSERT_GT(pid, 0);
    kill(pid, SIGKILL);
    ASSERT_TRUE(Eventually([&] { return !PostmasterRunning(pid) && !ServerUp(); }, seconds(10)));
    ASSERT_TRUE(Eventually([&] { return pgctl::LiveClusterProcesses(Cluster())->empty(); }, seconds(10)))
        << "its backends should notice and exit";
    ASSERT_TRUE(fs::exists(PidFile()));
    ASSERT_TRUE(fs::exists(SocketLockFile()));
  }
  fs::path PidFile() const { return data_dir_ / "pgdata" / "postmaster.pid"; }
  fs::path SocketLockFile() const { return data_dir_ / "run" / ".s.PGSQL.5432.lock"; }
  // Puts `pid` on the first line of a lock file, as if PostgreSQL had written it.
  static void RewriteLockFilePid(const fs::path& lock_file, pid_t pid) {
    std::string content = ReadWholeFile(lock_file);
    content = std::to_string(pid) + content.substr(content.find('\n'));
    std::ofstream(lock_file, std::ios::trunc) << content;
  }
  // A live process that has nothing to do with PostgreSQL.
  pid_t StartUnrelatedProcess() { return StartShellCommand("exec /bin/sleep 60"); }

  fs::path root_;
  fs::path data_dir_;
  std::vector<pid_t> children_;  // killed and reaped at the end
  int serves_started_ = 0;       // each serve logs to a file of its own
};

}  // namespace

TEST_F(EmbeddedTest, FirstUseCreatesTheClusterAndTheLastUserStopsIt) {
  auto push = RunAgentbase("db push " + Flag());
  ASSERT_EQ(push.exit_code, 0) << push.out << push.err;
  EXPECT_NE(push.out.find("embedded PostgreSQL"), std::string::npos);
  EXPECT_TRUE(fs::exists(data_dir_ / "pgdata" / "PG_VERSION"));
  EXPECT_FALSE(ServerUp()) << "the server must stop when its last user exits";
  EXPECT_FALSE(fs::exists(data_dir_ / "pgdata" / "postmaster.pid"));
  // Unix socket only: no TCP listener configured.
  auto verify = RunAgentbase("db verify " + Flag());
  EXPECT_EQ(verify.exit_code, 0) << verify.out << verify.err;
}

TEST_F(EmbeddedTest, EightConcurrentFirstPushesShareOneServerAndApplyOnce) {
  std::vector<int> pids;
  for (int i = 0; i < 8; ++i) pids.push_back(StartAgentbase("db push " + Flag()));
  for (int pid : pids) EXPECT_EQ(WaitFor(pid), 0);
  auto status = RunAgentbase("db status --json " + Flag());
  ASSERT_EQ(status.exit_code, 0) << status.err;
  auto json = boost::json::parse(status.out).as_object();
  EXPECT_EQ(json.at("history").as_array().size(), 1u);
  EXPECT_FALSE(ServerUp());
}

TEST_F(EmbeddedTest, AdoptsAServerLeftRunningByACrashedProcessAndStopsIt) {
  ASSERT_NO_FATAL_FAILURE(CopyPushedCluster());
  ASSERT_NO_FATAL_FAILURE(StartServerOutsideAgentbase());
  ASSERT_TRUE(ServerUp());
  pid_t orphan = PostmasterPid();

  auto verify = RunAgentbase("db verify " + Flag());
  EXPECT_EQ(verify.exit_code, 0) << verify.out << verify.err;
  EXPECT_FALSE(ServerUp());
  EXPECT_NE(kill(orphan, 0), 0);
}

TEST_F(EmbeddedTest, RecoversAfterTheServerWasKilled) {
  ASSERT_NO_FATAL_FAILURE(CopyPushedCluster());
  ASSERT_NO_FATAL_FAILURE(StartServerOutsideAgentbase());
  pid_t pid = PostmasterPid();
  ASSERT_GT(pid, 0);
  kill(pid, SIGKILL);  // a crash: postmaster.pid stays behind
  // Right away: agentbase itself waits for the dead server's backends to exit.
  ASSERT_TRUE(Eventually([&] { return !ServerUp(); }, seconds(5)));
  EXPECT_TRUE(fs::exists(data_dir_ / "pgdata" / "postmaster.pid"));

  auto push = RunAgentbase("db push " + Flag());
  EXPECT_EQ(push.exit_code, 0) << push.out << push.err;
  EXPECT_NE(push.out.find("Up to date"), std::string::npos) << push.out;
}

TEST_F(EmbeddedTest, UnusableDataDirectoryIsAClearError) {
  std::ofstream(root_ / "file") << "not a directory";
  auto push = RunAgentbase("db push --data-dir '" + (root_ / "file" / "data").string() + "'");
  EXPECT_EQ(push.exit_code, 3) << push.out << push.err;
  EXPECT_NE(push.err.find("error: cannot create data directory"), std::string::npos) << push.err;

  auto bad_bin = RunAgentbase("db push --pg-bin /nonexistent " + Flag());
  EXPECT_EQ(bad_bin.exit_code, 3);
  EXPECT_NE(bad_bin.err.find("PostgreSQL server binaries not found"), std::string::npos) << bad_bin.err;
}

// The server keeps 16 MiB of its heap's top (glibc's M_TOP_PAD, see
// embedded_cluster.cpp) unless the administrator set it: without it, queries
// that build megabytes fault their pages in afresh every time.
TEST_F(EmbeddedTest, TheServerKeepsItsHeapTopUnlessTheAdministratorSaidOtherwise) {
  ASSERT_NO_FATAL_FAILURE(CopyPushedCluster());
  Serve serve;
  ASSERT_NO_FATAL_FAILURE(StartAnsweringServe(serve));
  std::string environment = ReadWholeFile(fs::path("/proc") / std::to_string(PostmasterPid()) / "environ");
  std::replace(environment.begin(), environment.end(), '\0', '\n');
  EXPECT_NE(environment.find("\nMALLOC_TOP_PAD_=16777216\n"), std::string::npos) << environment;
  EXPECT_EQ(StopServe(serve), 0);
}

TEST_F(EmbeddedTest, ServeReapsAndRestartsAKilledServerAndAnswersAgainWithinTenSeconds) {
  ASSERT_NO_FATAL_FAILURE(CopyPushedCluster());
  Serve serve;
  ASSERT_NO_FATAL_FAILURE(StartAnsweringServe(serve));
  pid_t first = PostmasterPid();
  ASSERT_EQ(ProcStatField(first, 1), std::to_string(serve.pid)) << "serve started the server: it is its child";

  Signal(first, SIGKILL);
  auto killed_at = Clock::now();
  std::set<int> statuses;
  bool answered = Eventually(
      [&] {
        int status = HttpGetStatus(serve.port, kPooledRead);
        statuses.insert(status);
        return status == 200 && PostmasterPid() != first;
      },
      seconds(10));
  auto recovered_after = std::chrono::duration_cast<milliseconds>(Clock::now() - killed_at);
  EXPECT_TRUE(answered) << ReadWholeFile(serve.log);
  EXPECT_LT(recovered_after, seconds(10));
  EXPECT_TRUE(statuses.count(503)) << "requests during the outage answer 503";
  statuses.erase(200);
  statuses.erase(503);
  EXPECT_TRUE(statuses.empty()) << "nothing but 200 and 503, first other status: " << *statuses.begin();

  EXPECT_TRUE(ZombieChildren(serve.pid).empty()) << "the killed postmaster must have been waited for";
  EXPECT_NE(ProcStatField(first, 0), "Z");
  pid_t second = PostmasterPid();
  EXPECT_EQ(ProcStatField(second, 1), std::to_string(serve.pid)) << "the restarted server is serve's child again";
  // The log line follows a moment after the pools were told.
  EXPECT_TRUE(Eventually([&] { return RestartsLogged(serve) > 0; }, seconds(5)));
  std::string log = ReadWholeFile(serve.log);
  EXPECT_NE(log.find("killed by signal 9"), std::string::npos) << log;

  EXPECT_EQ(StopServe(serve), 0);
  EXPECT_FALSE(ServerUp());
  EXPECT_FALSE(PostmasterRunning(second));
}

TEST_F(EmbeddedTest, AfterARestartServeAnswersWithoutFailingARequestPerStaleConnection) {
  ASSERT_NO_FATAL_FAILURE(CopyPushedCluster());
  Serve serve = StartServe();
  ASSERT_GT(serve.port, 0) << ReadWholeFile(serve.log);
  // Several requests at once: the pool opens several connections, all idle afterwards.
  std::vector<std::thread> clients;
  std::atomic<int> answered{0};
  for (int i = 0; i < 6; ++i) clients.emplace_back([&] { answered += Answers200(serve, seconds(30)) ? 1 : 0; });
  for (auto& client : clients) client.join();
  ASSERT_EQ(answered, 6) << ReadWholeFile(serve.log);

  Signal(PostmasterPid(), SIGKILL);  // no request comes while it is down
  ASSERT_TRUE(Eventually([&] { return RestartsLogged(serve) > 0; }, seconds(10))) << ReadWholeFile(serve.log);
  for (int i = 0; i < 8; ++i) EXPECT_EQ(HttpGetStatus(serve.port, kPooledRead), 200) << "request " << i;
  EXPECT_EQ(StopServe(serve), 0);
}

TEST_F(EmbeddedTest, ServeBacksOffWhileTheServerKeepsDying) {
  ASSERT_NO_FATAL_FAILURE(CopyPushedCluster());
  Serve serve;
  ASSERT_NO_FATAL_FAILURE(StartAnsweringServe(serve));
  for (size_t crash = 0; crash < 3; ++crash) {
    Signal(PostmasterPid(), SIGKILL);
    // Killed again only once serve has seen it running (a kill during its
    // start-up is a failed restart, logged as such).
    ASSERT_TRUE(Eventually([&] { return RestartsLogged(serve) == crash + 1; }, seconds(15)))
        << ReadWholeFile(serve.log);
  }
  std::string log = ReadWholeFile(serve.log);
  size_t first = log.find("restarting it in 0.5 s");
  size_t second = log.find("restarting it in 1 s", first);
  size_t third = log.find("restarting it in 2 s", second);
  EXPECT_NE(first, std::string::npos) << log;
  EXPECT_NE(second, std::string::npos) << log;
  EXPECT_NE(third, std::string::npos) << log;
  EXPECT_TRUE(Answers200(serve, seconds(10)));
  EXPECT_EQ(StopServe(serve), 0);
}

TEST_F(EmbeddedTest, StaleLockFilesNamingAnUnrelatedLiveProcessAreRemoved) {
  ASSERT_NO_FATAL_FAILURE(CopyPushedCluster());
  ASSERT_NO_FATAL_FAILURE(CrashServerLeavingLockFiles());
  // The PID was given to another process since, as happens after a reboot.
  pid_t unrelated = StartUnrelatedProcess();
  RewriteLockFilePid(PidFile(), unrelated);
  RewriteLockFilePid(SocketLockFile(), unrelated);

  auto status = RunAgentbase("db status " + Flag());
  EXPECT_EQ(status.exit_code, 0) << status.out << status.err;
  EXPECT_NE(status.err.find("removed the stale lock file " + PidFile().string()), std::string::npos) << status.err;
  EXPECT_NE(status.err.find("removed the stale lock file " + SocketLockFile().string()), std::string::npos)
      << status.err;
  EXPECT_EQ(kill(unrelated, 0), 0) << "the unrelated process must be left alone";
  EXPECT_EQ(ProcStatField(unrelated, 0), "S");
  EXPECT_FALSE(ServerUp());
}

TEST_F(EmbeddedTest, StaleLockFilesNamingAZombieAreRemoved) {
  ASSERT_NO_FATAL_FAILURE(CopyPushedCluster());
  ASSERT_NO_FATAL_FAILURE(CrashServerLeavingLockFiles());
  // A dead postmaster that its parent never waited for keeps its PID.
  pid_t zombie = StartUnrelatedProcess();
  kill(zombie, SIGKILL);
  ASSERT_TRUE(Eventually([&] { return ProcStatField(zombie, 0) == "Z"; }, seconds(5)));
  RewriteLockFilePid(PidFile(), zombie);
  RewriteLockFilePid(SocketLockFile(), zombie);

  auto status = RunAgentbase("db status " + Flag());
  EXPECT_EQ(status.exit_code, 0) << status.out << status.err;
  EXPECT_NE(status.err.find("dead process nobody reaped"), std::string::npos) << status.err;
}

TEST_F(EmbeddedTest, StaleLockFilesNamingADeadProcessAreLeftToPostgres) {
  ASSERT_NO_FATAL_FAILURE(CopyPushedCluster());
  ASSERT_NO_FATAL_FAILURE(CrashServerLeavingLockFiles());
  auto status = RunAgentbase("db status --json " + Flag());
  EXPECT_EQ(status.exit_code, 0) << status.out << status.err;
  EXPECT_EQ(status.err, "") << "PostgreSQL handles a dead PID itself";
  EXPECT_NO_THROW(boost::json::parse(status.out)) << status.out;
}

TEST_F(EmbeddedTest, NoSecondServerStartsWhileAnOrphanedProcessOfTheClusterRuns) {
  ASSERT_NO_FATAL_FAILURE(CopyPushedCluster());
  ASSERT_NO_FATAL_FAILURE(CrashServerLeavingLockFiles());
  // A stand-in for a backend that outlived its postmaster: a `postgres` of
  // the server's user working in the data directory.
  fs::copy_file("/bin/sleep", root_ / "postgres");
  std::string run_as = geteuid() == 0 ? "runuser -u postgres -- " : "";
  std::string orphan =
      "cd '" + (data_dir_ / "pgdata").string() + "' && exec " + run_as + "'" + (root_ / "postgres").string() + "' 60";
  StartShellCommand(orphan);
  ASSERT_TRUE(Eventually([&] { return pgctl::LiveClusterProcesses(Cluster())->size() == 1; }, seconds(5)));

  auto refused = RunAgentbase("db status " + Flag());
  EXPECT_EQ(refused.exit_code, 3) << refused.out << refused.err;
  EXPECT_NE(refused.err.find("still running without a postmaster"), std::string::npos) << refused.err;
  EXPECT_FALSE(ServerUp());

  auto orphans = *pgctl::LiveClusterProcesses(Cluster());
  EXPECT_EQ(orphans.size(), 1u);
  for (pid_t pid : orphans) kill(pid, SIGKILL);
  EXPECT_TRUE(Eventually([&] { return pgctl::LiveClusterProcesses(Cluster())->empty(); }, seconds(5)))
      << ProcStatField(orphans.front(), 0) << " " << ProcStatField(orphans.front(), 1);
  auto status = RunAgentbase("db status " + Flag());
  EXPECT_EQ(status.exit_code, 0) << status.out << status.err;
}

TEST_F(EmbeddedTest, ANewServeAdoptsTheServerOfAKilledServeOrStartsAfreshWhenBothDied) {
  ASSERT_NO_FATAL_FAILURE(CopyPushedCluster());
  Serve first;
  ASSERT_NO_FATAL_FAILURE(StartAnsweringServe(first));
  pid_t orphan = PostmasterPid();
  KillServe(first);  // its server runs on, and its flocks are gone with it

  Serve second = StartServe();
  ASSERT_GT(second.port, 0) << ReadWholeFile(second.log);
  EXPECT_TRUE(Answers200(second, seconds(10))) << ReadWholeFile(second.log);
  EXPECT_EQ(PostmasterPid(), orphan) << "adopted, not restarted";

  // Both die: serve and its (adopted) server.
  KillServe(second);
  Signal(orphan, SIGKILL);
  ASSERT_TRUE(Eventually([&] { return !PostmasterRunning(orphan); }, seconds(10)));

  Serve third = StartServe();
  ASSERT_GT(third.port, 0) << ReadWholeFile(third.log);
  EXPECT_TRUE(Answers200(third, seconds(10))) << ReadWholeFile(third.log);
  pid_t fresh = PostmasterPid();
  EXPECT_NE(fresh, orphan);
  EXPECT_EQ(StopServe(third), 0);
  EXPECT_FALSE(ServerUp()) << "the last user stops the server";
  EXPECT_FALSE(PostmasterRunning(fresh));
}

TEST_F(EmbeddedTest, AServeSharingTheServerRestartsItWhenItsStarterIsGone) {
  ASSERT_NO_FATAL_FAILURE(CopyPushedCluster());
  Serve first;
  ASSERT_NO_FATAL_FAILURE(StartAnsweringServe(first));
  Serve second;
  ASSERT_NO_FATAL_FAILURE(StartAnsweringServe(second, seconds(10)));
  pid_t started_by_first = PostmasterPid();

  KillServe(first);
  Signal(started_by_first, SIGKILL);
  EXPECT_TRUE(Eventually([&] { return PostmasterPid() != started_by_first && ServerUp(); }, seconds(10)))
      << ReadWholeFile(second.log);
  EXPECT_TRUE(Answers200(second, seconds(10))) << ReadWholeFile(second.log);
  EXPECT_EQ(ProcStatField(PostmasterPid(), 1), std::to_string(second.pid));
  EXPECT_EQ(StopServe(second), 0);
  EXPECT_FALSE(ServerUp());
}

TEST_F(EmbeddedTest, AFrozenServerDoesNotHoldUpServesShutdown) {
  ASSERT_NO_FATAL_FAILURE(CopyPushedCluster());
  Serve serve;
  ASSERT_NO_FATAL_FAILURE(StartAnsweringServe(serve));
  pid_t frozen = PostmasterPid();
  Signal(frozen, SIGSTOP);
  ASSERT_TRUE(Eventually([&] { return pgctl::ProcessStopped(frozen); }, seconds(5)));

  auto stopping_at = Clock::now();
  EXPECT_EQ(StopServe(serve, seconds(20)), 0) << ReadWholeFile(serve.log);
  EXPECT_LT(Clock::now() - stopping_at, seconds(20));
  EXPECT_FALSE(PostmasterRunning(frozen));
  EXPECT_FALSE(ServerUp());
}

TEST_F(EmbeddedTest, AServerThatIgnoresEveryStopRequestIsKilledAndServeStillExits) {
  ASSERT_NO_FATAL_FAILURE(CopyPushedCluster());
  Serve serve;
  ASSERT_NO_FATAL_FAILURE(StartAnsweringServe(serve));
  // Held by a debugger (us): SIGCONT does not continue it, so neither fast
  // nor immediate shutdown can happen; only SIGKILL works.
  pid_t held = PostmasterPid();
  if (ptrace(PTRACE_SEIZE, held, nullptr, nullptr) != 0) GTEST_SKIP() << "ptrace not permitted here";
  ASSERT_EQ(ptrace(PTRACE_INTERRUPT, held, nullptr, nullptr), 0);
  ASSERT_TRUE(Eventually([&] { return pgctl::ProcessStopped(held); }, seconds(5)));

  auto stopping_at = Clock::now();
  kill(serve.pid, SIGTERM);
  int serve_status = 0;
  bool serve_exited = Eventually(
      [&] {
        // Signals to it stop it again, for us to see, and we leave it
        // stopped; once SIGKILL ends it, waiting for it lets serve reap it.
        int status = 0;
        waitpid(held, &status, __WALL | WNOHANG);
        return waitpid(serve.pid, &serve_status, WNOHANG) == serve.pid;
      },
      seconds(20), milliseconds(5));
  ASSERT_TRUE(serve_exited) << ReadWholeFile(serve.log);
  std::erase(children_, serve.pid);
  EXPECT_LT(Clock::now() - stopping_at, seconds(10));
  EXPECT_TRUE(WIFEXITED(serve_status) && WEXITSTATUS(serve_status) == 0) << ReadWholeFile(serve.log);
  std::string log = ReadWholeFile(serve.log);
  EXPECT_NE(log.find("did not stop after SIGINT"), std::string::npos) << log;
  EXPECT_NE(log.find("did not stop after SIGQUIT"), std::string::npos) << log;
  EXPECT_FALSE(PostmasterRunning(held));
}

}  // namespace agentbase::testing
