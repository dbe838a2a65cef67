#include "migrate/verify.hpp"

#include <map>
#include <set>

#include "util/text.hpp"

namespace agentbase::migrate {

using schema::ObjectKind;

const char* const kSeedColumnCountQuery = R"sql(SELECT
  table_name,
  (SELECT COUNT(*)
   FROM information_schema.columns
   WHERE table_name = t.table_name
   AND table_schema = 'public') as column_count
FROM information_schema.tables t
WHERE table_schema = 'public'
  AND table_name IN (
    'conversations',
    'agent_tools',
    'organizational_roles',
    'business_functions',
    'user_memory'
  )
ORDER BY table_name;)sql";

const char* const kSeedPolicyQuery = R"sql(SELECT
  tablename,
  policyname,
  cmd,
  roles
FROM pg_policies
WHERE tablename IN (
  'conversations',
  'agent_tools',
  'organizational_roles',
  'business_functions',
  'user_memory'
)
ORDER BY tablename, policyname;)sql";

namespace {

// Roles as pg_policies prints them: {anon,authenticated}.
std::string RolesText(const std::vector<std::string>& roles) { return "{" + Join(roles, ",") + "}"; }

void CompareColumnCounts(const VerifyReport& report, std::vector<std::string>& differences) {
  std::map<std::string, long long> found(report.column_counts.begin(), report.column_counts.end());
  for (const auto& expected : kSeedExpectedColumns) {
    auto it = found.find(expected.name);
    if (it == found.end()) {
      differences.push_back(std::string("table public.") + expected.name + " is missing");
    } else if (it->second != expected.columns) {
      differences.push_back(std::string("table public.") + expected.name + " has " + std::to_string(it->second) +
                            " columns; the seed expects " + std::to_string(expected.columns));
    }
  }
}

// `present`: every policy of the database, keyed schema.table.policy (the
// seed's query shows only its five tables; the comparison covers every
// ensured table, agent_business_functions too).
void ComparePolicies(const std::map<std::string, VerifyReport::PolicyRow>& present,
                     const schema::DesiredSchema& desired, std::vector<std::string>& differences) {
  for (const auto* table : desired.EnsuredTables()) {
    for (const auto* policy : desired.PartsOf(table->QualifiedTable(), ObjectKind::Policy)) {
      auto it = present.find(policy->schema + "." + policy->table + "." + policy->name);
      std::string wanted_roles = RolesText(policy->policy_roles);
      if (it == present.end()) {
        differences.push_back("policy " + policy->name + " on " + policy->table + " is missing");
      } else if (it->second.command != policy->policy_command || it->second.roles != wanted_roles) {
        differences.push_back("policy " + policy->name + " on " + policy->table + " is " + it->second.command + " to " +
                              it->second.roles + "; expected " + policy->policy_command + " to " + wanted_roles);
      }
    }
  }
}

}  // namespace

Result<VerifyReport> Verify(db::Connection& connection, const schema::DesiredSchema& desired) {
  VerifyReport report;
  auto counts = connection.Exec(kSeedColumnCountQuery);
  if (!counts) return counts.error();
  for (int row = 0; row < counts->Rows(); ++row)
    report.column_counts.emplace_back(counts->Text(row, 0), counts->Int(row, 1));
  auto policies = connection.Exec(kSeedPolicyQuery);
  if (!policies) return policies.error();
  for (int row = 0; row < policies->Rows(); ++row) {
    report.policies.push_back(
        {policies->Text(row, 0), policies->Text(row, 1), policies->Text(row, 2), policies->Text(row, 3)});
  }
  CompareColumnCounts(report, report.differences);
  auto every_policy =
      connection.Exec("SELECT schemaname, tablename, policyname, cmd, roles FROM pg_catalog.pg_policies");
  if (!every_policy) return every_policy.error();
  std::map<std::string, VerifyReport::PolicyRow> present;
  for (int row = 0; row < every_policy->Rows(); ++row) {
    present[every_policy->Text(row, 0) + "." + every_policy->Text(row, 1) + "." + every_policy->Text(row, 2)] = {
        every_policy->Text(row, 1), every_policy->Text(row, 2), every_policy->Text(row, 3), every_policy->Text(row, 4)};
  }
  ComparePolicies(present, desired, report.differences);

  // Row level security on, and every trigger there.
  auto catalog = connection.Exec(
      "SELECT 'rls', n.nspname || '.' || c.relname FROM pg_catalog.pg_class c "
      "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE c.relrowsecurity "
      "UNION ALL SELECT 'trigger', n.nspname || '.' || c.relname || '.' || t.tgname FROM pg_catalog.pg_trigger t "
      "JOIN pg_catalog.pg_class c ON c.oid = t.tgrelid JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
      "WHERE NOT t.tgisinternal AND t.tgenabled <> 'D'");
  if (!catalog) return catalog.error();
  std::set<std::pair<std::string, std::string>> facts;
  for (int row = 0; row < catalog->Rows(); ++row) facts.insert({catalog->Text(row, 0), catalog->Text(row, 1)});
  for (const auto* table : desired.EnsuredTables()) {
    if (facts.count({"rls", table->QualifiedTable()}))
      ++report.tables_with_rls;
    else
      report.differences.push_back("row level security is not enabled on " + table->QualifiedTable());
  }
  for (const auto& object : desired.objects) {
    if (object.kind != ObjectKind::Trigger || object.mode != schema::Mode::Ensure) continue;
    if (facts.count({"trigger", object.QualifiedTable() + "." + object.name}))
      ++report.triggers_present;
    else
      report.differences.push_back("trigger " + object.name + " on " + object.QualifiedTable() +
                                   " is missing or disabled");
  }
  return report;
}

}  // namespace agentbase::migrate
