#pragma once
// The demo dataset: two tenants of a living agent platform (users who sign
// in, departments, a reporting hierarchy of organisational roles, a tree of
// business functions, agents mapped onto them with tools, conversations with
// tool calls and their results, and memories of every type). `agentbase seed
// --demo` writes it to any database; `agentbase serve` writes it on a new
// embedded database. One code path for both.

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "db/connection.hpp"
#include "util/result.hpp"

namespace agentbase::app {

struct DemoAccount {
  std::string email;
  std::string tenant_slug;
  std::string tenant_name;
  std::string role;  // profiles.role
  // Known when the user was created by this run, or remembered in the
  // embedded database's data directory; absent for a user made earlier.
  std::optional<std::string> password;
  bool created = false;
};

struct DemoReport {
  std::vector<DemoAccount> accounts;
  long long rows_added = 0;          // 0 on a database that already has the demo
  bool tool_call_id_column = false;  // messages.tool_call_id, else metadata.tool_call_id
};

// Writes whatever part of the demo dataset is missing, in one transaction.
// Existing rows are never changed (fixed ids, natural keys), so a second run
// adds nothing. New users get random passwords. Refuses (kConflict, nothing
// changed) when a demo tenant's slug belongs to a tenant the demo did not
// make.
Result<DemoReport> SeedDemo(db::Connection& admin);

// The sign-in lines for the accounts (a password not known is said so).
std::string DemoSignInText(const std::vector<DemoAccount>& accounts);

// The passwords remembered in <data-dir>/demo-users (embedded database only),
// and remembering new ones there (mode 0600), so they can be printed again.
void RecallDemoPasswords(const std::filesystem::path& data_dir, std::vector<DemoAccount>& accounts);
Status RememberDemoPasswords(const std::filesystem::path& data_dir, const std::vector<DemoAccount>& accounts);

// For `agentbase serve` on the embedded database: seeds the demo when the
// database has no users yet (a new one) and returns the sign-in lines; on a
// database seeded before (by serve or `seed --demo`), only the lines; ""
// when the users there are someone else's.
Result<std::string> EnsureDemoData(db::Connection& admin, const std::filesystem::path& data_dir);

}  // namespace agentbase::app
