#include "app/seed_command.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <chrono>
#include <iostream>
#include <memory>
#include <optional>

#include "app/cli_errors.hpp"
#include "app/database_target.hpp"
#include "app/demo.hpp"
#include "app/exit_codes.hpp"
#include "app/scale_seed.hpp"
#include "db/connection.hpp"

namespace agentbase::app {

namespace {

struct SeedOptions {
  bool demo = false;
  std::optional<long long> scale;
};

// A failure past the arguments: a missing table means the schema is not there.
int FailSeed(Error error) {
  if (error.Is(ErrorKind::kConflict)) return ReportError(error, kExitBlocked);
  if (error.hint.empty() && error.Is(ErrorKind::kNotFound)) {
    error.hint = "run `agentbase db push` on this database first";
  }
  return ReportError(error);
}

// One line redrawn in place on a terminal; nothing when stderr is not one.
class ProgressBar {
 public:
  ProgressBar() : enabled_(isatty(STDERR_FILENO) == 1), started_(std::chrono::steady_clock::now()) {}
  void Update(long long done, long long total) {
    if (!enabled_ || total <= 0) return;
    constexpr int kWidth = 30;
    int filled = static_cast<int>(kWidth * done / total);
    double seconds = Elapsed();
    std::cerr << fmt::format("\r  [{:<{}}] {:3}%  {} / {} rows  {:.1f} s", std::string(filled, '#'), kWidth,
                             100 * done / total, done, total, seconds)
              << std::flush;
    drawn_ = true;
  }
  void Finish() {
    if (drawn_) std::cerr << "\n";
  }
  double Elapsed() const { return std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count(); }

 private:
  bool enabled_;
  bool drawn_ = false;
  std::chrono::steady_clock::time_point started_;
};

int RunSeedDemo(const GlobalOptions& options, const DatabaseTarget& target, db::Connection& connection) {
  auto seeded = SeedDemo(connection);
  if (!seeded) return FailSeed(seeded.error());
  std::filesystem::path data_dir = std::filesystem::absolute(options.target.embedded.data_dir);
  if (target.IsEmbedded()) {
    // Remembered beside the database, so `agentbase serve` prints them too.
    RecallDemoPasswords(data_dir, seeded->accounts);
    if (auto remembered = RememberDemoPasswords(data_dir, seeded->accounts); !remembered) {
      return ReportError(remembered.error());
    }
  }
  std::cout << "Database: " << target.Description() << "\n";
  if (seeded->rows_added == 0) {
    std::cout << "The demo data is already there; nothing was changed.\n";
  } else {
    std::cout << "Demo data: " << seeded->rows_added
              << " rows added (tenants northwind and contoso, their users, departments, organisational roles, "
                 "business functions, tools, agents, conversations, messages and memories).\n";
  }
  std::cout << DemoSignInText(seeded->accounts);
  return kExitOk;
}

int RunSeedScale(const DatabaseTarget& target, db::Connection& connection, long long messages) {
  ProgressBar bar;
  ScaleOptions scale;
  scale.messages = messages;
  scale.progress = [&bar](long long done, long long total) { bar.Update(done, total); };
  auto seeded = SeedScale(connection, scale);
  bar.Finish();
  if (!seeded) return FailSeed(seeded.error());
  double seconds = bar.Elapsed();
  std::cout << "Database: " << target.Description() << "\n";
  std::cout << fmt::format(
      "Scale data: {} messages in {} conversations over {} tenants (scale-01 .. scale-{:02}) in {:.1f} s ({:.0f} "
      "messages/s).\n",
      seeded->messages, seeded->conversations, kScaleTenants, kScaleTenants, seconds, seeded->messages / seconds);
  if (!seeded->triggers_skipped) {
    std::cout << "note: not a superuser, so the messages' triggers and foreign-key checks ran for every row.\n";
  }
  if (seeded->password) {
    std::cout << fmt::format("  {} new users user-NN@scale-NN.example (NN from 01) share the password {}\n",
                             seeded->users_created, *seeded->password);
  } else {
    std::cout << "  users user-NN@scale-NN.example existed already (or use `agentbase token --user EMAIL`)\n";
  }
  return kExitOk;
}

int RunSeed(const GlobalOptions& options, const SeedOptions& o) {
  if (o.demo == o.scale.has_value()) {
    return ReportError(Error::Usage("give exactly one of --demo and --scale N"), kExitUsage);
  }
  if (o.scale && (*o.scale < 1 || *o.scale > kMaxScaleMessages)) {
    return ReportError(Error::Usage(fmt::format("--scale must be a number of messages from 1 to {}, not {}",
                                                kMaxScaleMessages, *o.scale)),
                       kExitUsage);
  }
  auto target = DatabaseTarget::Open(options.target);
  if (!target) return ReportError(target.error());
  auto connection = db::Connection::Open(target->Conninfo());
  if (!connection) return ReportError(connection.error());
  if (o.demo) return RunSeedDemo(options, *target, *connection);
  return RunSeedScale(*target, *connection, *o.scale);
}

}  // namespace

void AddSeedCommand(CLI::App& app, GlobalOptions& options, int& exit_code) {
  auto o = std::make_shared<SeedOptions>();
  auto* seed = app.add_subcommand(
      "seed",
      "Fill the database with data: --demo, a small coherent platform to sign in to (idempotent); --scale N, N "
      "generated messages for benchmarks (through COPY, in tenants of their own)");
  seed->add_flag("--demo", o->demo,
                 "Two tenants with users (passwords printed), organisation, agents, tools, conversations and memories");
  seed->add_option("--scale", o->scale, "Add N generated messages (in N/10 conversations over 10 tenants)");
  seed->callback([&options, &exit_code, o] { exit_code = RunSeed(options, *o); });
}

}  // namespace agentbase::app
