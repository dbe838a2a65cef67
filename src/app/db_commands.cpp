#include "app/db_commands.hpp"

#include <fmt/format.h>

#include <boost/json.hpp>
#include <fstream>
#include <iostream>

#include "app/cli_errors.hpp"
#include "app/exit_codes.hpp"
#include "db/connection.hpp"
#include "migrate/catalog.hpp"
#include "migrate/history.hpp"
#include "migrate/planner.hpp"
#include "migrate/push.hpp"
#include "migrate/report.hpp"
#include "migrate/verify.hpp"
#include "schema/idempotent_sql.hpp"

namespace agentbase::app {

namespace {

void PrintJson(const boost::json::object& object) { std::cout << boost::json::serialize(object) << "\n"; }

// What every database command starts with.
struct Session {
  DatabaseTarget target;
  db::Connection connection;
  schema::DesiredSchema desired;
};

Result<Session> OpenSession(const GlobalOptions& options) {
  auto target = DatabaseTarget::Open(options.target);
  if (!target) return target.error();
  auto connection = db::Connection::Open(target->Conninfo());
  if (!connection) return connection.error();
  if (auto prepared = migrate::PrepareSession(*connection); !prepared) return prepared.error();
  auto desired = migrate::DesiredSchemaFor(*connection, options.embedding_dimensions);
  if (!desired) return desired.error();
  return Session{std::move(*target), std::move(*connection), std::move(*desired)};
}

int RunPlan(const GlobalOptions& options, bool check) {
  auto session = OpenSession(options);
  if (!session) return ReportError(session.error());
  auto outcome = migrate::PlanAndPush(session->connection, session->desired, {.apply = false});
  if (!outcome) return ReportError(outcome.error());
  const auto& plan = outcome->plan;
  if (options.json) {
    auto json = migrate::PlanJson(plan);
    json["database"] = session->target.Description();
    PrintJson(json);
  } else {
    std::cout << "Database: " << session->target.Description() << "\n" << migrate::PlanText(plan, true);
  }
  // Refusals go to stderr, in JSON mode too (the JSON carries them as well).
  std::cerr << migrate::BlockedText(plan);
  if (plan.Blocked()) return kExitBlocked;
  return check && !plan.steps.empty() ? kExitDifferences : kExitOk;
}

int RunPush(const GlobalOptions& options, int lock_timeout_ms) {
  auto session = OpenSession(options);
  if (!session) return ReportError(session.error());
  migrate::PushOptions push_options;
  push_options.lock_timeout = std::chrono::milliseconds(lock_timeout_ms);
  auto outcome = migrate::PlanAndPush(session->connection, session->desired, push_options);
  if (!outcome) return ReportError(outcome.error());
  const auto& plan = outcome->plan;
  if (options.json) {
    auto json = migrate::PlanJson(plan);
    json["database"] = session->target.Description();
    json["applied"] = outcome->applied;
    json["duration_ms"] = outcome->duration_ms;
    PrintJson(json);
  } else {
    std::cout << "Database: " << session->target.Description() << "\n" << migrate::PlanText(plan, false);
    if (outcome->applied) {
      std::cout << fmt::format("Applied {} statement{} in one transaction ({} ms); all {} objects present.\n",
                               plan.steps.size(), plan.steps.size() == 1 ? "" : "s", outcome->duration_ms,
                               plan.ObjectsTotal());
    }
  }
  std::cerr << migrate::BlockedText(plan);
  return plan.Blocked() ? kExitBlocked : kExitOk;
}

int RunVerify(const GlobalOptions& options) {
  auto session = OpenSession(options);
  if (!session) return ReportError(session.error());
  auto report = migrate::Verify(session->connection, session->desired);
  if (!report) return ReportError(report.error());
  if (options.json) {
    PrintJson(migrate::VerifyJson(*report));
  } else {
    std::cout << migrate::VerifyText(*report);
  }
  return report->Ok() ? kExitOk : kExitDifferences;
}

int RunStatus(const GlobalOptions& options, bool check) {
  auto session = OpenSession(options);
  if (!session) return ReportError(session.error());
  auto catalog = migrate::LoadCatalog(session->connection, session->desired);
  if (!catalog) return ReportError(catalog.error());
  auto drift = migrate::DetectDrift(session->desired, *catalog);
  // The same object counts as plan and push print, from the catalog alone.
  auto plan = migrate::BuildPlan(session->desired, *catalog);
  if (options.json) {
    auto json = migrate::StatusJson(*catalog, plan, drift, session->desired.checksum);
    json["database"] = session->target.Description();
    PrintJson(json);
  } else {
    std::cout << "Database: " << session->target.Description() << "\n"
              << migrate::StatusText(*catalog, plan, drift, session->desired.checksum);
  }
  return check && !drift.None() ? kExitDifferences : kExitOk;
}

int RunSql(const GlobalOptions& options, const std::string& output) {
  auto sql = schema::RenderIdempotentSql(schema::EmbeddedSchemaFiles(), options.embedding_dimensions);
  if (!sql) return ReportError(sql.error());
  if (output.empty() || output == "-") {
    std::cout << *sql;
    return kExitOk;
  }
  std::ofstream file(output, std::ios::binary | std::ios::trunc);
  if (!(file << *sql)) return ReportError(Error::Usage("cannot write " + output));
  return kExitOk;
}

}  // namespace

void AddDbCommands(CLI::App& app, GlobalOptions& options, int& exit_code) {
  auto* db = app.add_subcommand("db", "Bring a database up to the agentbase schema and verify it");
  db->require_subcommand(1);
  db->fallthrough();

  auto add_json = [&](CLI::App* command) {
    command->add_flag("--json", options.json, "Print machine-readable JSON instead of text");
  };

  auto* plan = db->add_subcommand(
      "plan", "Show what is missing or different in the database, and the exact SQL `push` would run");
  plan->add_flag("--check", options.check, "Exit 1 when there are changes to apply (for CI)");
  add_json(plan);
  plan->callback([&] { exit_code = RunPlan(options, options.check); });

  auto* push = db->add_subcommand(
      "push",
      "Apply what is missing, in one transaction under an advisory lock, after a preflight; never drops or "
      "rewrites your objects. A second push is a no-op.");
  push->add_option("--lock-timeout-ms", options.lock_timeout_ms,
                   "Give up (changing nothing) when a table lock is not granted in this time")
      ->check(CLI::Range(1, 3600000))
      ->capture_default_str();
  add_json(push);
  push->callback([&] { exit_code = RunPush(options, options.lock_timeout_ms); });

  auto* verify = db->add_subcommand(
      "verify", "Run the seed's verification queries and compare the results with the schema; exit 1 on differences");
  add_json(verify);
  verify->callback([&] { exit_code = RunVerify(options); });

  auto* status = db->add_subcommand("status", "Show the applied history and whether anything drifted since");
  status->add_flag("--check", options.check, "Exit 1 when objects drifted from the last push");
  add_json(status);
  status->callback([&] { exit_code = RunStatus(options, options.check); });

  auto* sql = db->add_subcommand(
      "sql", "Print database/sql/add_missing_tables.sql: the idempotent script for Supabase's SQL editor");
  sql->add_option("-o,--output", options.output, "Write to this file instead of standard output");
  sql->callback([&] { exit_code = RunSql(options, options.output); });
}

}  // namespace agentbase::app
