// agentbase: the data backend for multi-tenant AI-agent platforms.

#include <CLI/CLI.hpp>
#include <exception>
#include <iostream>

#include "app/db_commands.hpp"
#include "app/exit_codes.hpp"
#include "app/serve_command.hpp"
#include "app/user_commands.hpp"

int main(int argc, char** argv) {
  using namespace agentbase::app;
  CLI::App app{"agentbase: a Supabase-compatible data backend for multi-tenant AI-agent platforms"};
  app.require_subcommand(1);
  app.fallthrough();  // global options may follow the subcommand: agentbase db push --db-url ...
  app.set_version_flag("--version", "agentbase 0.1.0");

  GlobalOptions options;
  app.add_option("--db-url", options.target.db_url,
                 "PostgreSQL URL of the database to use (default: $DATABASE_URL, else the embedded default)")
      ->envname("DATABASE_URL");
  app.add_option("--data-dir", options.target.embedded.data_dir,
                 "Data directory of the embedded PostgreSQL (when no database URL is given)")
      ->envname("AGENTBASE_DATA_DIR")
      ->capture_default_str();
  app.add_option("--pg-bin", options.target.embedded.bin_dir, "Directory holding PostgreSQL's initdb and postgres")
      ->envname("AGENTBASE_PG_BIN")
      ->capture_default_str();
  app.add_option("--pg-user", options.target.embedded.server_user,
                 "Operating-system user the embedded PostgreSQL runs as when agentbase runs as root")
      ->envname("AGENTBASE_PG_USER")
      ->capture_default_str();
  app.add_option("--embedding-dimensions", options.embedding_dimensions,
                 "Dimensions of user_memory.embedding, fixed when the table is created")
      ->envname("AGENTBASE_EMBEDDING_DIMENSIONS")
      ->check(CLI::Range(1, 16000))
      ->capture_default_str();

  int exit_code = kExitOk;
  AddDbCommands(app, options, exit_code);
  AddUserCommands(app, options, exit_code);
  ServeOptions serve_options;
  AddServeCommand(app, options, serve_options, exit_code);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    int code = app.exit(error);
    return code == 0 ? kExitOk : kExitUsage;
  } catch (const std::exception& error) {
    std::cerr << "internal error: " << error.what() << "\n(this is a bug in agentbase; please report it)\n";
    return kExitInternal;
  }
  return exit_code;
}
