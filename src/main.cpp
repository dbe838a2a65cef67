// agentbase: the data backend for multi-tenant AI-agent platforms.

#include <CLI/CLI.hpp>
#include <exception>
#include <iostream>

#include "app/db_commands.hpp"
#include "app/exit_codes.hpp"
#include "app/global_options.hpp"
#include "app/memory_command.hpp"
#include "app/seed_command.hpp"
#include "app/serve_command.hpp"
#include "app/user_commands.hpp"

int main(int argc, char** argv) {
  using namespace agentbase::app;
  CLI::App app{"agentbase: a Supabase-compatible data backend for multi-tenant AI-agent platforms"};
  app.require_subcommand(1);
  app.fallthrough();  // global options may follow the subcommand: agentbase db push --db-url ...
  app.set_version_flag("--version", "agentbase 0.1.0");

  GlobalOptions options;
  AddGlobalOptions(app, options);

  int exit_code = kExitOk;
  AddDbCommands(app, options, exit_code);
  AddUserCommands(app, options, exit_code);
  AddSeedCommand(app, options, exit_code);
  AddMemoryCommand(app, options, exit_code);
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
