// The embedded default: a private cluster created on first use, shared by
// concurrent agentbase processes, stopped by the last, recovered after crashes.

#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <signal.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "harness.hpp"

namespace agentbase::testing {

namespace fs = std::filesystem;

namespace {

class EmbeddedTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/abe-XXXXXX";
    ASSERT_NE(mkdtemp(pattern), nullptr);
    root_ = pattern;
    fs::permissions(root_, fs::perms::owner_all | fs::perms::group_exec | fs::perms::others_exec);
    data_dir_ = root_ / "data";
  }
  void TearDown() override {
    // Stop anything a failed test left running, then remove the directory.
    if (pid_t pid = PostmasterPid(); pid > 0) {
      kill(pid, SIGQUIT);
      std::this_thread::sleep_for(std::chrono::milliseconds(300));
    }
    std::error_code ec;
    fs::remove_all(root_, ec);
  }

  std::string Flag() const { return "--data-dir '" + data_dir_.string() + "'"; }
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
    for (int i = 0; i < 200 && !ServerUp(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }

  fs::path root_;
  fs::path data_dir_;
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
  ASSERT_EQ(RunAgentbase("db push " + Flag()).exit_code, 0);
  StartServerOutsideAgentbase();
  ASSERT_TRUE(ServerUp());
  pid_t orphan = PostmasterPid();

  auto verify = RunAgentbase("db verify " + Flag());
  EXPECT_EQ(verify.exit_code, 0) << verify.out << verify.err;
  EXPECT_FALSE(ServerUp());
  EXPECT_NE(kill(orphan, 0), 0);
}

TEST_F(EmbeddedTest, RecoversAfterTheServerWasKilled) {
  ASSERT_EQ(RunAgentbase("db push " + Flag()).exit_code, 0);
  StartServerOutsideAgentbase();
  pid_t pid = PostmasterPid();
  ASSERT_GT(pid, 0);
  kill(pid, SIGKILL);  // a crash: postmaster.pid stays behind
  for (int i = 0; i < 200 && ServerUp(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(25));
  std::this_thread::sleep_for(std::chrono::milliseconds(500));  // let its backends notice and exit
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

}  // namespace agentbase::testing
