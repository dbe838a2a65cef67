#include "app/user_commands.hpp"

#include <cstdlib>
#include <iostream>
#include <memory>
#include <optional>

#include "app/cli_errors.hpp"
#include "app/database_target.hpp"
#include "app/exit_codes.hpp"
#include "auth/auth_api.hpp"
#include "auth/jwt.hpp"
#include "auth/text_input.hpp"
#include "auth/user_store.hpp"
#include "db/connection.hpp"
#include "util/text.hpp"

namespace agentbase::app {

namespace {

constexpr std::size_t kMinPasswordBytes = 8;
// bcrypt reads at most 72 bytes; a longer password would be silently cut.
constexpr std::size_t kMaxPasswordBytes = 72;
constexpr std::int64_t kMaxTtlSeconds = auth::kApiKeyLifetimeSeconds;

struct UserCommandOptions {
  KeyOptions keys;
  // users add
  std::string email;
  std::string password;
  std::string tenant;
  std::string tenant_name;
  std::string role = "member";
  bool service = false;
  // token
  std::string user;
  std::string token_role;
  std::optional<std::int64_t> ttl;
};

int UsageFail(const std::string& message) { return ReportError(Error::Usage(message), kExitUsage); }

// A failure past the arguments (mostly the database's), with a pointer to
// `db push` when the schema is missing.
int FailDatabase(Error error) {
  // Something named is missing (undefined_function: no pgcrypto in
  // extensions; undefined_table, undefined_column, invalid_schema_name): the
  // agentbase schema was not pushed here, or not lately.
  if (error.hint.empty() && error.Is(ErrorKind::kNotFound)) {
    error.hint =
        "run `agentbase db push` on this database first (agentbase expects pgcrypto in the extensions schema, as "
        "on Supabase)";
  }
  return ReportError(error);
}

Result<db::Connection> Connect(const DatabaseTarget& target) { return db::Connection::Open(target.Conninfo()); }

// users add --------------------------------------------------------------

Status ValidateUserArguments(UserCommandOptions& o) {
  o.email = ToLower(Trim(o.email));
  auto at = o.email.find('@');
  if (o.email.empty() || at == std::string::npos || at == 0 || at + 1 == o.email.size() ||
      o.email.find_first_of(" \t\r\n") != std::string::npos || o.email.size() > 255) {
    return Error::Usage("--email must be an e-mail address");
  }
  if (o.password == "-") {
    // Read from standard input, so the password stays out of the process list and shell history.
    std::string line;
    if (!std::getline(std::cin, line)) return Error::Usage("--password -: nothing to read on standard input");
    if (!line.empty() && line.back() == '\r') line.pop_back();
    o.password = std::move(line);
  }
  // A NUL read from standard input would cut the password short on its way
  // to the database, leaving a shorter one than was asked for.
  if (auto problem = auth::TextInputProblem("--password", o.password)) return Error::Usage(*problem);
  if (auto problem = auth::TextInputProblem("--email", o.email)) return Error::Usage(*problem);
  if (o.password.size() < kMinPasswordBytes) {
    return Error::Usage("--password must be at least " + std::to_string(kMinPasswordBytes) + " characters");
  }
  if (o.password.size() > kMaxPasswordBytes) {
    return Error::Usage("--password must be at most " + std::to_string(kMaxPasswordBytes) +
                        " bytes (bcrypt ignores the rest)");
  }
  if (!o.tenant_name.empty() && o.tenant.empty()) return Error::Usage("--tenant-name needs --tenant");
  return Ok();
}

int RunUsersAdd(const GlobalOptions& options, UserCommandOptions o) {
  if (auto valid = ValidateUserArguments(o); !valid) return UsageFail(valid.error().message);

  auto target = DatabaseTarget::Open(options.target);
  if (!target) return ReportError(target.error());
  auto connection = Connect(*target);
  if (!connection) return ReportError(connection.error());

  auto created =
      auth::CreateUser(*connection, auth::NewUser{o.email, o.password, o.tenant, o.tenant_name, o.role, o.service});
  if (!created) {
    if (created.error().Is(ErrorKind::kConflict)) return ReportError(created.error(), kExitBlocked);
    return FailDatabase(created.error());
  }
  if (created->tenant_created) std::cerr << "Created tenant " << o.tenant << " (" << *created->tenant_id << ").\n";
  if (!created->note.empty()) std::cerr << created->note << "\n";
  std::string user_id = created->user_id;
  std::cout << user_id << "\n";
  return kExitOk;
}

// token ------------------------------------------------------------------

int RunToken(const GlobalOptions& options, const UserCommandOptions& o) {
  if (o.user.empty() == o.token_role.empty()) return UsageFail("give exactly one of --user EMAIL and --role ROLE");
  if (o.ttl && (*o.ttl <= 0 || *o.ttl > kMaxTtlSeconds)) {
    return UsageFail("--ttl must be between 1 and " + std::to_string(kMaxTtlSeconds) + " seconds");
  }
  bool embedded = UsesEmbeddedDatabase(options.target);
  // Minting needs only the server's own keys: --jwks names keys whose tokens
  // are accepted, so it is not loaded (a URL would be fetched for nothing).
  KeyOptions signing_keys = o.keys;
  signing_keys.jwks.clear();
  auto keys = auth::KeyStore::Load(KeyStoreOptionsFor(options, signing_keys));
  if (!keys) return ReportError(keys.error());

  if (!o.token_role.empty()) {
    if (!keys->HasSecret()) return ReportError(keys->SecretKey().error());
    if (!o.ttl) {
      std::cout << (o.token_role == "anon" ? keys->AnonKey() : keys->ServiceRoleKey()) << "\n";
      return kExitOk;
    }
    auto key = keys->ApiKey(o.token_role, auth::UnixNow(), *o.ttl);
    if (!key) return ReportError(key.error());
    std::cout << *key << "\n";
    return kExitOk;
  }

  // Fail on missing keys before anything is written to the database.
  auto signing_key = keys->AccessTokenKey();
  if (!signing_key) {
    Error error = signing_key.error();
    if (!embedded) error.hint = "with --db-url, tokens are signed with the server's HS256 secret";
    return ReportError(error);
  }
  auto target = DatabaseTarget::Open(options.target);
  if (!target) return ReportError(target.error());
  auto connection = Connect(*target);
  if (!connection) return ReportError(connection.error());

  auth::AuthOptions defaults;
  std::int64_t ttl = o.ttl.value_or(defaults.access_token_ttl.count());
  auto token = auth::IssueUserToken(*connection, ToLower(Trim(o.user)), ttl, *signing_key, defaults.issuer);
  if (!token) return FailDatabase(token.error());
  if (!*token) return UsageFail("no user with e-mail " + ToLower(Trim(o.user)));
  std::cout << **token << "\n";
  return kExitOk;
}

}  // namespace

void AddUserCommands(CLI::App& app, GlobalOptions& options, int& exit_code) {
  // CLI11 binds options to these fields, so they must outlive parsing: the
  // callbacks (kept by `app`) share ownership.
  auto o = std::make_shared<UserCommandOptions>();

  auto* users = app.add_subcommand("users", "Manage the users who sign in through /auth/v1");
  users->require_subcommand(1);
  users->fallthrough();

  auto* add = users->add_subcommand(
      "add",
      "Create a user (e-mail confirmed, bcrypt password), its tenant if missing and its profile; prints the user id. "
      "An existing e-mail exits 4 without changing anything.");
  add->add_option("--email", o->email, "E-mail address the user signs in with")->required();
  add->add_option("--password", o->password, "Password, 8 to 72 bytes; - reads it from standard input")->required();
  auto* tenant = add->add_option("--tenant", o->tenant, "Slug of the user's tenant (created when missing)");
  add->add_option("--tenant-name", o->tenant_name, "Name for a tenant created now (default: the slug)")->needs(tenant);
  add->add_option("--role", o->role, "The user's role in the tenant")
      ->check(CLI::IsMember({"owner", "admin", "member"}))
      ->needs(tenant)
      ->capture_default_str();
  add->add_flag("--service", o->service,
                "A service account: its access tokens carry role service_role, which bypasses row level security");
  add->callback([&options, &exit_code, o] { exit_code = RunUsersAdd(options, *o); });

  auto* token = app.add_subcommand(
      "token",
      "Print a signed access token: a user's (the same claims as a sign-in, with a session of its own) or a role's "
      "API key (anon or service_role)");
  auto* user = token->add_option("--user", o->user, "E-mail of the user to sign a token for");
  token->add_option("--role", o->token_role, "Print this role's API key instead")
      ->check(CLI::IsMember({"anon", "service_role"}))
      ->excludes(user);
  token->add_option("--ttl", o->ttl,
                    "Lifetime in seconds (default: 3600 for a user; for a role, the 10-year legacy key)");
  AddKeyOptions(token, o->keys);
  token->callback([&options, &exit_code, o] { exit_code = RunToken(options, *o); });
}

}  // namespace agentbase::app
