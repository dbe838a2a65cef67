#include "app/memory_command.hpp"

#include <iostream>
#include <memory>

#include "app/cli_errors.hpp"
#include "app/database_target.hpp"
#include "app/exit_codes.hpp"
#include "db/connection.hpp"

namespace agentbase::app {

namespace {

struct PurgeOptions {
  std::string keep_log = "1 hour";
};

int RunPurge(const GlobalOptions& options, const PurgeOptions& purge) {
  auto target = DatabaseTarget::Open(options.target);
  if (!target) return ReportError(target.error());
  auto connection = db::Connection::Open(target->Conninfo());
  if (!connection) return ReportError(connection.error());
  auto purged = connection->ExecParams("SELECT agentbase.purge_expired_memories($1::interval)", {purge.keep_log});
  if (!purged) {
    Error error = purged.error();
    if (error.code == "42883" || error.code == "3F000") error.hint = "run `agentbase db push` on this database first";
    if (error.code == "22007" || error.code == "22008") error.hint = "--keep-log takes an interval, e.g. '1 hour'";
    return ReportError(error, error.code.starts_with("22") ? kExitUsage : kExitDatabase);
  }
  std::cout << "Database: " << target->Description() << "\n"
            << "Expired memories deleted: " << purged->Text(0, 0) << "\n";
  return kExitOk;
}

}  // namespace

void AddMemoryCommand(CLI::App& app, GlobalOptions& options, int& exit_code) {
  auto* memory = app.add_subcommand("memory", "Maintain user memory");
  memory->require_subcommand(1);
  auto purge_options = std::make_shared<PurgeOptions>();
  auto* purge = memory->add_subcommand(
      "purge",
      "Delete expired memories now (agentbase serve also does it every --memory-purge-interval-s), and prune the "
      "change log the in-memory search index reads");
  purge
      ->add_option("--keep-log", purge_options->keep_log,
                   "Change log entries younger than this are kept (an index last brought up to date before the "
                   "pruned ones reloads its user)")
      ->capture_default_str();
  purge->callback([&options, &exit_code, purge_options] { exit_code = RunPurge(options, *purge_options); });
}

}  // namespace agentbase::app
