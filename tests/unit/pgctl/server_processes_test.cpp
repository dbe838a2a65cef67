// Judging the PID in a PostgreSQL lock file: dead, a zombie, unrelated, or a
// process of this cluster (a `postgres` executable in the data directory).

#include "pgctl/server_processes.hpp"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

namespace agentbase::pgctl {

namespace fs = std::filesystem;

namespace {

class ServerProcessesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/abp-XXXXXX";
    ASSERT_NE(mkdtemp(pattern), nullptr);
    root_ = pattern;
    pgdata_ = root_ / "pgdata";
    fs::create_directories(pgdata_);
    // A stand-in for the server: an executable named postgres that waits.
    fs::copy_file("/bin/sleep", root_ / "postgres");
  }
  void TearDown() override {
    for (pid_t pid : children_) {
      kill(pid, SIGKILL);
      waitpid(pid, nullptr, 0);
    }
    std::error_code ec;
    fs::remove_all(root_, ec);
  }

  // Runs `executable` (sleeping) in `directory`.
  pid_t StartIn(const fs::path& executable, const fs::path& directory) {
    pid_t pid = fork();
    if (pid == 0) {
      if (chdir(directory.c_str()) != 0) _exit(126);
      execl(executable.c_str(), executable.filename().c_str(), "60", static_cast<char*>(nullptr));
      _exit(127);
    }
    // A failed fork must not reach TearDown's kill(): kill(-1) signals everything.
    if (pid < 0) {
      ADD_FAILURE() << "fork failed";
      return pid;
    }
    children_.push_back(pid);
    // exec has happened once /proc shows the new command.
    std::string expected = executable.filename().string();
    for (int i = 0; i < 400; ++i) {
      std::ifstream comm("/proc/" + std::to_string(pid) + "/comm");
      std::string name;
      if (std::getline(comm, name) && name == expected) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return pid;
  }

  ClusterIdentity Cluster() const { return ClusterIdentity{pgdata_, geteuid()}; }

  fs::path root_;
  fs::path pgdata_;
  std::vector<pid_t> children_;
};

}  // namespace

TEST_F(ServerProcessesTest, APostgresInTheDataDirectoryIsThisClusters) {
  pid_t server = StartIn(root_ / "postgres", pgdata_);
  EXPECT_EQ(IdentifyPidHolder(server, Cluster()), PidHolder::kThisCluster);
  auto members = LiveClusterProcesses(Cluster());
  ASSERT_TRUE(members.has_value());
  EXPECT_EQ(*members, std::vector<pid_t>{server});
}

TEST_F(ServerProcessesTest, APostgresElsewhereOrAnotherProgramIsUnrelated) {
  pid_t other_cluster = StartIn(root_ / "postgres", root_);
  pid_t other_program = StartIn("/bin/sleep", pgdata_);
  EXPECT_EQ(IdentifyPidHolder(other_cluster, Cluster()), PidHolder::kUnrelated);
  EXPECT_EQ(IdentifyPidHolder(other_program, Cluster()), PidHolder::kUnrelated);
  EXPECT_EQ(IdentifyPidHolder(getpid(), Cluster()), PidHolder::kUnrelated);
  ClusterIdentity other_user = Cluster();
  other_user.server_uid = geteuid() + 1;
  pid_t server = StartIn(root_ / "postgres", pgdata_);
  EXPECT_EQ(IdentifyPidHolder(server, other_user), PidHolder::kUnrelated);
  auto members = LiveClusterProcesses(Cluster());
  ASSERT_TRUE(members.has_value());
  EXPECT_EQ(*members, std::vector<pid_t>{server});
}

TEST_F(ServerProcessesTest, ZombiesAndDeadProcessesHoldNothing) {
  pid_t server = StartIn(root_ / "postgres", pgdata_);
  kill(server, SIGKILL);
  // Not reaped yet: a zombie keeps its PID, but is dead.
  for (int i = 0; i < 400 && IdentifyPidHolder(server, Cluster()) != PidHolder::kNobody; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  EXPECT_EQ(kill(server, 0), 0) << "the zombie should still exist";
  EXPECT_EQ(IdentifyPidHolder(server, Cluster()), PidHolder::kNobody);
  EXPECT_TRUE(LiveClusterProcesses(Cluster())->empty());
  waitpid(server, nullptr, 0);
  children_.clear();
  EXPECT_EQ(IdentifyPidHolder(server, Cluster()), PidHolder::kNobody);
  EXPECT_EQ(IdentifyPidHolder(0, Cluster()), PidHolder::kNobody);
}

TEST_F(ServerProcessesTest, AStoppedProcessIsSeenAsStopped) {
  pid_t server = StartIn(root_ / "postgres", pgdata_);
  EXPECT_FALSE(ProcessStopped(server));
  kill(server, SIGSTOP);
  for (int i = 0; i < 400 && !ProcessStopped(server); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  EXPECT_TRUE(ProcessStopped(server));
  EXPECT_EQ(IdentifyPidHolder(server, Cluster()), PidHolder::kThisCluster) << "stopped is still alive";
}

TEST_F(ServerProcessesTest, ReadsThePidOnTheFirstLineOfALockFile) {
  std::ofstream(root_ / "postmaster.pid") << "4242\n" << pgdata_.string() << "\n1700000000\n5432\n";
  EXPECT_EQ(ReadLockFilePid(root_ / "postmaster.pid"), std::optional<pid_t>(4242));
  std::ofstream(root_ / "garbled") << "not a pid\n";
  EXPECT_EQ(ReadLockFilePid(root_ / "garbled"), std::nullopt);
  EXPECT_EQ(ReadLockFilePid(root_ / "missing"), std::nullopt);
  // 2^32 - 1 would be -1 as a pid_t.
  std::ofstream(root_ / "huge") << "4294967295\n";
  EXPECT_EQ(ReadLockFilePid(root_ / "huge"), std::nullopt);
  std::ofstream(root_ / "negative") << "-1\n";
  EXPECT_EQ(ReadLockFilePid(root_ / "negative"), std::nullopt);
}

}  // namespace agentbase::pgctl
