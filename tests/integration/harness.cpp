#include "harness.hpp"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <random>
#include <sstream>

namespace agentbase::testing {

namespace {

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream content;
  content << in.rdbuf();
  return content.str();
}

std::string ScratchPath(const std::string& suffix) {
  static std::atomic<int> counter{0};
  return "/tmp/agentbase-it-" + std::to_string(getpid()) + "-" + std::to_string(counter++) + suffix;
}

}  // namespace

std::string ReadRepoFile(const std::string& path_in_repo) {
  return ReadFile(std::string(AGENTBASE_SOURCE_DIR) + "/" + path_in_repo);
}

CommandResult RunAgentbase(const std::string& args) {
  std::string out_path = ScratchPath(".out");
  std::string err_path = ScratchPath(".err");
  std::string command = std::string(AGENTBASE_BIN) + " " + args + " >" + out_path + " 2>" + err_path + " </dev/null";
  int status = std::system(command.c_str());
  CommandResult result;
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  result.out = ReadFile(out_path);
  result.err = ReadFile(err_path);
  std::remove(out_path.c_str());
  std::remove(err_path.c_str());
  return result;
}

int StartAgentbase(const std::string& args) {
  pid_t pid = fork();
  if (pid == 0) {
    std::string command = "exec " + std::string(AGENTBASE_BIN) + " " + args + " >/dev/null 2>&1 </dev/null";
    execl("/bin/sh", "sh", "-c", command.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  return pid;
}

int WaitFor(int pid) {
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

std::string AdminConninfo() {
  const char* url = std::getenv("TEST_PG_ADMIN_URL");
  if (url == nullptr || *url == '\0') {
    ADD_FAILURE() << "TEST_PG_ADMIN_URL is not set: run the integration tests through scripts/test.sh";
    return "host=/nonexistent";
  }
  return url;
}

TestDatabase::TestDatabase() {
  std::random_device random;
  name_ = "it_" + std::to_string(getpid()) + "_" + std::to_string(random() % 1000000);
  auto admin = db::Connection::Open(AdminConninfo());
  if (!admin) throw std::runtime_error("test cluster unreachable: " + admin.error().message);
  auto created = admin->Exec("CREATE DATABASE " + name_);
  if (!created) throw std::runtime_error(created.error().message);
}

TestDatabase::~TestDatabase() {
  auto admin = db::Connection::Open(AdminConninfo());
  if (admin) (void)admin->Exec("DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)");
}

db::Connection TestDatabase::Connect() const {
  auto connection = db::Connection::Open(Conninfo());
  if (!connection) throw std::runtime_error(connection.error().message);
  return std::move(*connection);
}

db::PgResult TestDatabase::Exec(const std::string& sql) const {
  auto connection = Connect();
  auto result = connection.Exec(sql);
  if (!result) throw std::runtime_error("SQL failed: " + result.error().message + "\n" + sql.substr(0, 300));
  return std::move(*result);
}

void TestDatabase::ExecFile(const std::string& path_in_repo) const { Exec(ReadRepoFile(path_in_repo)); }

std::string TestDatabase::Scalar(const std::string& sql) const {
  auto result = Exec(sql);
  if (result.Rows() < 1 || result.IsNull(0, 0)) return "";
  return result.Text(0, 0);
}

std::string TestDatabase::SchemaDigest() const {
  return Scalar(R"sql(
    SELECT md5(string_agg(x, E'\n' ORDER BY x)) FROM (
      SELECT 'rel ' || c.oid::regclass::text || ' ' || c.relkind::text || ' ' || c.relrowsecurity::text FROM pg_class c
        JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')
      UNION ALL SELECT 'col ' || a.attrelid::regclass::text || '.' || a.attname || ' ' || format_type(a.atttypid, a.atttypmod)
        FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE a.attnum > 0 AND NOT a.attisdropped AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')
      UNION ALL SELECT 'con ' || conrelid::regclass::text || ' ' || conname || ' ' || pg_get_constraintdef(oid)
        FROM pg_constraint WHERE connamespace NOT IN ('pg_catalog'::regnamespace, 'information_schema'::regnamespace)
      UNION ALL SELECT 'pol ' || polrelid::regclass::text || ' ' || polname FROM pg_policy
      UNION ALL SELECT 'trg ' || tgrelid::regclass::text || ' ' || tgname FROM pg_trigger WHERE NOT tgisinternal
      UNION ALL SELECT 'fn ' || p.oid::regprocedure::text FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
        WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')
      UNION ALL SELECT 'nsp ' || nspname FROM pg_namespace
      UNION ALL SELECT 'acl ' || c.oid::regclass::text || ' ' || coalesce(c.relacl::text, '') FROM pg_class c
        JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')
    ) facts(x))sql");
}

}  // namespace agentbase::testing
