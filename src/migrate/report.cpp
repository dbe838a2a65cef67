#include "migrate/report.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <boost/json.hpp>

#include "schema/desired_schema.hpp"
#include "util/text.hpp"

namespace agentbase::migrate {

namespace json = boost::json;

namespace {

const char* ActionWord(StepAction action) { return action == StepAction::Create ? "create" : "replace"; }

json::array ProblemsJson(const std::vector<Problem>& problems) {
  json::array out;
  for (const auto& problem : problems) {
    out.push_back(json::object{{"object", problem.object}, {"message", problem.message}, {"detail", problem.detail}});
  }
  return out;
}

void AppendProblems(std::string& out, const char* title, const std::vector<Problem>& problems) {
  if (problems.empty()) return;
  out += fmt::format("{} ({}):\n", title, problems.size());
  for (const auto& problem : problems) {
    out += fmt::format("  ! {}: {}\n", problem.object, problem.message);
    if (!problem.detail.empty()) out += "      " + ReplaceAll(problem.detail, "\n", "\n      ") + "\n";
  }
}

}  // namespace

std::string AlignedTable(const std::vector<std::string>& header, const std::vector<std::vector<std::string>>& rows) {
  std::vector<size_t> widths(header.size());
  for (size_t c = 0; c < header.size(); ++c) {
    widths[c] = header[c].size();
    for (const auto& row : rows) widths[c] = std::max(widths[c], row[c].size());
  }
  auto line = [&](const std::vector<std::string>& cells) {
    std::string out;
    for (size_t c = 0; c < cells.size(); ++c) {
      out += (c ? " | " : " ") + cells[c] + std::string(c + 1 < cells.size() ? widths[c] - cells[c].size() : 0, ' ');
    }
    return out + "\n";
  };
  std::string out = line(header);
  for (size_t c = 0; c < widths.size(); ++c) out += (c ? "-+-" : "-") + std::string(widths[c], '-');
  out += "-\n";
  for (const auto& row : rows) out += line(row);
  return out + fmt::format("({} row{})\n", rows.size(), rows.size() == 1 ? "" : "s");
}

std::string ObjectsLine(const Plan& plan) {
  return fmt::format("Objects: {} in the schema, {} present, {} missing.\n", plan.ObjectsTotal(), plan.objects_present,
                     plan.objects_missing);
}

std::string BlockedText(const Plan& plan) {
  if (!plan.Blocked()) return "";
  std::string out;
  AppendProblems(out, "Preflight failed", plan.preflight);
  AppendProblems(out, "Conflicts with existing objects", plan.conflicts);
  return out + "Nothing was changed.\n";
}

std::string PlanText(const Plan& plan, bool with_sql) {
  std::string out = ObjectsLine(plan);
  if (plan.Blocked()) return out;
  if (plan.steps.empty()) {
    out += "Up to date: nothing to run.\n";
  } else {
    out += fmt::format("{} statement{} to run:\n", plan.steps.size(), plan.steps.size() == 1 ? "" : "s");
    for (const auto& step : plan.steps) {
      out += fmt::format("  {} {}{}\n", step.action == StepAction::Create ? '+' : '~', step.object->Key(),
                         step.action == StepAction::Replace ? " (" + step.reason + ")" : "");
    }
  }
  if (!plan.left_alone.empty()) {
    out += fmt::format("{} part{} of existing tables left as they are (agentbase does not alter your tables).\n",
                       plan.left_alone.size(), plan.left_alone.size() == 1 ? "" : "s");
  }
  if (with_sql && !plan.steps.empty()) out += "\nSQL (one transaction):\nBEGIN;\n" + plan.Script() + "COMMIT;\n";
  return out;
}

json::object ObjectsJson(const Plan& plan) {
  return json::object{
      {"total", plan.ObjectsTotal()}, {"present", plan.objects_present}, {"missing", plan.objects_missing}};
}

json::object PlanJson(const Plan& plan) {
  json::array steps;
  for (const auto& step : plan.steps) {
    steps.push_back(json::object{{"action", ActionWord(step.action)},
                                 {"kind", schema::KindName(step.object->kind)},
                                 {"object", step.object->Key()},
                                 {"reason", step.reason},
                                 {"sql", step.sql}});
  }
  json::array left_alone;
  for (const auto& key : plan.left_alone) left_alone.push_back(json::value(key));
  return json::object{{"up_to_date", plan.UpToDate()},
                      {"blocked", plan.Blocked()},
                      {"steps", steps},
                      {"preflight", ProblemsJson(plan.preflight)},
                      {"conflicts", ProblemsJson(plan.conflicts)},
                      {"already_present", plan.satisfied},
                      {"objects", ObjectsJson(plan)},
                      {"left_alone", left_alone}};
}

std::string VerifyText(const VerifyReport& report) {
  std::vector<std::vector<std::string>> counts;
  for (const auto& [table, count] : report.column_counts) counts.push_back({table, std::to_string(count)});
  std::vector<std::vector<std::string>> policies;
  for (const auto& row : report.policies) policies.push_back({row.table, row.policy, row.command, row.roles});
  std::string out = "Tables (the seed's first verification query):\n";
  out += AlignedTable({"table_name", "column_count"}, counts);
  out += "\nRLS policies (the seed's second verification query):\n";
  out += AlignedTable({"tablename", "policyname", "cmd", "roles"}, policies);
  out += "\n";
  if (report.Ok()) {
    out += fmt::format(
        "verify: OK: 5 tables with the expected column counts, {} policies, row level security on {} tables, "
        "{} triggers\n",
        report.policies.size(), report.tables_with_rls, report.triggers_present);
  } else {
    out += fmt::format("verify: FAILED ({} difference{}):\n", report.differences.size(),
                       report.differences.size() == 1 ? "" : "s");
    for (const auto& difference : report.differences) out += "  - " + difference + "\n";
  }
  return out;
}

json::object VerifyJson(const VerifyReport& report) {
  json::array counts;
  for (const auto& [table, count] : report.column_counts) {
    counts.push_back(json::object{{"table_name", table}, {"column_count", count}});
  }
  json::array policies;
  for (const auto& row : report.policies) {
    policies.push_back(
        json::object{{"tablename", row.table}, {"policyname", row.policy}, {"cmd", row.command}, {"roles", row.roles}});
  }
  json::array differences;
  for (const auto& difference : report.differences) differences.push_back(json::value(difference));
  return json::object{{"ok", report.Ok()},
                      {"tables", counts},
                      {"policies", policies},
                      {"tables_with_rls", report.tables_with_rls},
                      {"triggers_present", report.triggers_present},
                      {"differences", differences}};
}

std::string DriftLine(const Drift& drift, bool pushed) {
  if (!pushed) return "drift: unknown (agentbase has never pushed to this database)";
  if (drift.None()) return "drift: none (every object is as the last push left it)";
  std::vector<std::string> items;
  for (const auto& key : drift.changed) items.push_back(key + " changed");
  for (const auto& key : drift.missing) items.push_back(key + " missing");
  return fmt::format("drift: {} object{} differ from the last push: {}", items.size(), items.size() == 1 ? "" : "s",
                     Join(items, "; "));
}

std::string StatusText(const Catalog& catalog, const Plan& plan, const Drift& drift,
                       const std::string& schema_checksum) {
  std::string out;
  if (catalog.history.empty()) {
    out += "No agentbase push has been applied to this database.\n";
  } else {
    std::vector<std::vector<std::string>> rows;
    for (const auto& entry : catalog.history) {
      rows.push_back({std::to_string(entry.id), entry.version, entry.checksum.substr(0, 12), entry.applied_at,
                      std::to_string(entry.duration_ms) + " ms", std::to_string(entry.statements), entry.applied_by});
    }
    out += "Applied history:\n";
    out += AlignedTable({"id", "version", "checksum", "applied_at", "duration", "statements", "applied_by"}, rows);
    const auto* latest = catalog.LatestHistory();
    out += latest->checksum == schema_checksum
               ? fmt::format("schema: at {} (this agentbase's schema)\n", schema::kSchemaVersion)
               : fmt::format("schema: last push was {}; this agentbase has {} (run `agentbase db plan`)\n",
                             latest->version, schema::kSchemaVersion);
  }
  return out + ObjectsLine(plan) + DriftLine(drift, !catalog.history.empty()) + "\n";
}

json::object StatusJson(const Catalog& catalog, const Plan& plan, const Drift& drift,
                        const std::string& schema_checksum) {
  json::array history;
  for (const auto& entry : catalog.history) {
    history.push_back(json::object{{"id", entry.id},
                                   {"version", entry.version},
                                   {"checksum", entry.checksum},
                                   {"applied_at", entry.applied_at},
                                   {"duration_ms", entry.duration_ms},
                                   {"statements", entry.statements},
                                   {"applied_by", entry.applied_by}});
  }
  json::array changed, missing;
  for (const auto& key : drift.changed) changed.push_back(json::value(key));
  for (const auto& key : drift.missing) missing.push_back(json::value(key));
  const auto* latest = catalog.LatestHistory();
  return json::object{{"history", history},
                      {"schema_version", schema::kSchemaVersion},
                      {"schema_checksum", schema_checksum},
                      {"current", latest != nullptr && latest->checksum == schema_checksum},
                      {"objects", ObjectsJson(plan)},
                      {"drift", json::object{{"changed", changed}, {"missing", missing}}}};
}

}  // namespace agentbase::migrate
