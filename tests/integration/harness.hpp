#pragma once
// Shared pieces of the integration tests: a private database per test in the
// test cluster (scripts/lib/test-cluster.sh), and running the real binary.

#include <string>
#include <vector>

#include "db/connection.hpp"

namespace agentbase::testing {

struct CommandResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// Runs build/agentbase with `args` (already shell-quoted where needed).
CommandResult RunAgentbase(const std::string& args);
// Starts it in the background; returns the pid. Output goes to files.
int StartAgentbase(const std::string& args);
int WaitFor(int pid);

// The superuser connection string of the test cluster (TEST_PG_ADMIN_URL).
std::string AdminConninfo();

// A fresh, empty database, dropped when the test ends.
class TestDatabase {
 public:
  TestDatabase();
  ~TestDatabase();
  TestDatabase(const TestDatabase&) = delete;
  TestDatabase& operator=(const TestDatabase&) = delete;

  const std::string& Name() const { return name_; }
  std::string Conninfo() const { return AdminConninfo() + " dbname=" + name_; }
  // Quoted for a shell command line: --db-url '<conninfo>'.
  std::string DbUrlFlag() const { return "--db-url '" + Conninfo() + "'"; }
  db::Connection Connect() const;
  // Runs SQL and fails the test on error; returns the last result.
  db::PgResult Exec(const std::string& sql) const;
  // Runs one of the repository's SQL files.
  void ExecFile(const std::string& path_in_repo) const;
  // A single text value.
  std::string Scalar(const std::string& sql) const;
  // A digest of every schema object in the database (tables, columns,
  // constraints, indexes, policies, triggers, functions, roles' memberships):
  // equal digests mean nothing changed.
  std::string SchemaDigest() const;

 private:
  std::string name_;
};

std::string ReadRepoFile(const std::string& path_in_repo);

}  // namespace agentbase::testing
