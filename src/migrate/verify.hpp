#pragma once
// `db verify`: the seed's two verification queries, run as written, and a
// comparison of their results (plus RLS flags and triggers) with what the
// schema requires.

#include <string>
#include <vector>

#include "db/connection.hpp"
#include "schema/desired_schema.hpp"

namespace agentbase::migrate {

// The seed document's queries, verbatim.
extern const char* const kSeedColumnCountQuery;
extern const char* const kSeedPolicyQuery;

// The column counts the seed expects (its "Expected Output").
struct ExpectedTable {
  const char* name;
  int columns;
};
inline constexpr ExpectedTable kSeedExpectedColumns[] = {
    {"agent_tools", 8},           {"business_functions", 10}, {"conversations", 10},
    {"organizational_roles", 10}, {"user_memory", 14},
};

struct VerifyReport {
  std::vector<std::pair<std::string, long long>> column_counts;  // seed query 1
  struct PolicyRow {
    std::string table, policy, command, roles;
  };
  std::vector<PolicyRow> policies;  // seed query 2
  std::vector<std::string> differences;
  int tables_with_rls = 0;
  int triggers_present = 0;
  bool Ok() const { return differences.empty(); }
};

Result<VerifyReport> Verify(db::Connection& connection, const schema::DesiredSchema& desired);

}  // namespace agentbase::migrate
