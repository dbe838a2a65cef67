#include "app/demo.hpp"

#include <openssl/rand.h>
#include <sys/stat.h>

#include <boost/json.hpp>
#include <fstream>
#include <map>
#include <sstream>

#include "app/demo_sql.hpp"
#include "auth/auth_queries.hpp"
#include "auth/claims.hpp"
#include "auth/user_store.hpp"
#include "util/base64url.hpp"

namespace agentbase::app {

namespace {

namespace json = boost::json;

struct DemoUserSpec {
  const char* email;
  const char* display_name;
  const char* tenant_slug;
  const char* tenant_name;
  const char* role;
};

// In the order they are printed.
constexpr DemoUserSpec kUsers[] = {
    {"ada@northwind.example", "Ada Okafor", "northwind", "Northwind Traders", "owner"},
    {"ben@northwind.example", "Ben Moreau", "northwind", "Northwind Traders", "admin"},
    {"chloe@northwind.example", "Chloe Tanaka", "northwind", "Northwind Traders", "member"},
    {"dana@contoso.example", "Dana Whitfield", "contoso", "Contoso Clinics", "owner"},
    {"elias@contoso.example", "Elias Berg", "contoso", "Contoso Clinics", "member"},
};

constexpr const char* kPasswordsFile = "demo-users";

Result<std::string> RandomPassword() {
  unsigned char random[12];
  if (RAND_bytes(random, sizeof random) != 1) return Error::Internal("no randomness for a demo password");
  return Base64UrlEncode(std::string_view(reinterpret_cast<const char*>(random), sizeof random));
}

long long RowsOf(const db::PgResult& result) {
  const char* tuples = PQcmdTuples(result.raw());
  return tuples == nullptr || *tuples == '\0' ? 0 : std::atoll(tuples);
}

Result<long long> RunScript(db::Connection& admin, const char* sql) {
  auto results = admin.ExecAll(sql);
  if (!results) return results.error();
  long long rows = 0;
  for (const auto& result : *results) rows += RowsOf(result);
  return rows;
}

// A tenant with a demo slug that the demo did not make is someone's own:
// the demo never writes into it.
Status RefuseForeignTenants(db::Connection& admin) {
  auto foreign = admin.Exec(
      "SELECT string_agg(slug, ', ' ORDER BY slug) FROM public.tenants "
      "WHERE slug IN ('northwind', 'contoso') AND settings->>'agentbase_seed' IS DISTINCT FROM 'demo'");
  if (!foreign) return foreign.error();
  if (!foreign->IsNull(0, 0)) {
    Error error = Error::Conflict("tenant " + foreign->Text(0, 0) + " exists and is not demo data", "not_demo");
    error.hint = "nothing was changed; the demo writes only into tenants it made (settings.agentbase_seed = 'demo')";
    return error;
  }
  // Nor does it borrow a user of another tenant who has a demo e-mail: its
  // conversations would cross tenants.
  std::string emails;
  for (const auto& spec : kUsers) emails += std::string(emails.empty() ? "" : ",") + spec.email;
  auto borrowed = admin.ExecParams(
      "SELECT string_agg(u.email, ', ' ORDER BY u.email) FROM auth.users u "
      "JOIN public.profiles p ON p.id = u.id JOIN public.tenants t ON t.id = p.tenant_id "
      "WHERE lower(u.email) = ANY (string_to_array($1::text, ',')) "
      "AND t.settings->>'agentbase_seed' IS DISTINCT FROM 'demo'",
      db::Params{emails});
  if (!borrowed) return borrowed.error();
  if (!borrowed->IsNull(0, 0)) {
    Error error =
        Error::Conflict("user " + borrowed->Text(0, 0) + " exists in a tenant that is not demo data", "not_demo");
    error.hint = "nothing was changed; the demo's users belong to its own tenants";
    return error;
  }
  return Ok();
}

// The users, made as `agentbase users add` makes them (the same bcrypt hash
// and app_metadata), but with fixed ids and inside the seed's transaction.
Result<long long> CreateMissingUsers(db::Connection& admin, std::vector<DemoAccount>& accounts) {
  long long rows = 0;
  for (const auto& spec : kUsers) {
    DemoAccount account{spec.email, spec.tenant_slug, spec.tenant_name, spec.role, std::nullopt, false};
    auto existing = admin.ExecParams("SELECT 1 FROM auth.users WHERE lower(email) = lower($1::text)",
                                     db::Params{std::string(spec.email)});
    if (!existing) return existing.error();
    if (existing->Rows() == 0) {
      auto tenant = admin.ExecParams("SELECT id::text FROM public.tenants WHERE slug = $1::text",
                                     db::Params{std::string(spec.tenant_slug)});
      if (!tenant) return tenant.error();
      if (tenant->Rows() != 1) return Error::Internal(std::string("demo tenant ") + spec.tenant_slug + " is missing");
      auto password = RandomPassword();
      if (!password) return password.error();
      json::object stored{{"tenant_id", tenant->Text(0, 0)}};
      json::object user_metadata{{"display_name", spec.display_name}};
      auto inserted = admin.ExecParams(
          "INSERT INTO auth.users (id, aud, role, email, encrypted_password, email_confirmed_at, raw_app_meta_data, "
          "raw_user_meta_data, created_at, updated_at) "
          "VALUES (pg_temp.demo_id('user:' || $1::text), 'authenticated', 'authenticated', $1::text, " +
              auth::queries::HashPasswordExpression("$2") + ", now(), $3::jsonb, $4::jsonb, now(), now())",
          db::Params{std::string(spec.email), *password, json::serialize(auth::AppMetadata(stored)),
                     json::serialize(user_metadata)});
      if (!inserted) return inserted.error();
      rows += RowsOf(*inserted);
      account.password = std::move(*password);
      account.created = true;
    }
    // A user seeded before keeps the profile it has (even if changed since).
    auto profile = admin.ExecParams(
        "INSERT INTO public.profiles (id, tenant_id, display_name, role) "
        "SELECT u.id, t.id, $3::text, $4::text FROM auth.users u, public.tenants t "
        "WHERE lower(u.email) = lower($1::text) AND t.slug = $2::text ON CONFLICT DO NOTHING",
        db::Params{std::string(spec.email), std::string(spec.tenant_slug), std::string(spec.display_name),
                   std::string(spec.role)});
    if (!profile) return profile.error();
    rows += RowsOf(*profile);
    accounts.push_back(std::move(account));
  }
  return rows;
}

Result<bool> HasToolCallIdColumn(db::Connection& admin) {
  // A later schema may link a tool result to its call in a column of its own.
  auto found = admin.Exec(
      "SELECT EXISTS (SELECT 1 FROM information_schema.columns WHERE table_schema = 'public' "
      "AND table_name = 'messages' AND column_name = 'tool_call_id')");
  if (!found) return found.error();
  return found->Bool(0, 0);
}

std::string MessagesInsert(bool tool_call_id_column) {
  // Messages are ordered within a minute by their sequence, a second apart.
  std::string columns = "id, tenant_id, conversation_id, role, content, tool_calls, metadata, created_at";
  std::string metadata =
      "CASE WHEN m.role = 'assistant' THEN jsonb_build_object('model', a.model) ELSE '{}'::jsonb END";
  std::string values;
  if (tool_call_id_column) {
    columns += ", tool_call_id";
    values = ", m.tool_call_id";
  } else {
    metadata +=
        " || CASE WHEN m.tool_call_id IS NULL THEN '{}'::jsonb "
        "ELSE jsonb_build_object('tool_call_id', m.tool_call_id) END";
  }
  return "INSERT INTO public.messages (" + columns +
         ") "
         "SELECT pg_temp.demo_id('message:' || m.conversation || '/' || m.seq), c.tenant_id, c.id, m.role, m.content, "
         "m.tool_calls, " +
         metadata + ", c.created_at + pg_temp.demo_offset(m.minute, m.seq)" + values +
         " FROM demo_messages m"
         " JOIN public.conversations c ON c.id = pg_temp.demo_id('conversation:' || m.conversation)"
         " LEFT JOIN public.agents a ON a.id = c.agent_id"
         " ORDER BY m.conversation, m.seq"
         " ON CONFLICT DO NOTHING";
}

}  // namespace

Result<DemoReport> SeedDemo(db::Connection& admin) {
  db::Transaction transaction(admin);
  if (auto begun = transaction.Begin(); !begun) return begun.error();
  // Two seeds at once would both find a user missing; the second waits here
  // and then finds everything there.
  if (auto locked = admin.Exec("SELECT pg_advisory_xact_lock(hashtext('agentbase seed --demo'))"); !locked) {
    return locked.error();
  }
  if (auto refused = RefuseForeignTenants(admin); !refused) return refused.error();

  DemoReport report;
  auto column = HasToolCallIdColumn(admin);
  if (!column) return column.error();
  report.tool_call_id_column = *column;

  if (auto helpers = admin.ExecAll(demo_sql::Helpers()); !helpers) return helpers.error();
  auto tenants = RunScript(admin, demo_sql::Tenants());
  if (!tenants) return tenants.error();
  report.rows_added += *tenants;
  auto users = CreateMissingUsers(admin, report.accounts);
  if (!users) return users.error();
  report.rows_added += *users;

  if (auto staged = admin.ExecAll(demo_sql::StagedMessages()); !staged) return staged.error();
  for (const char* script :
       {demo_sql::Organisation(), demo_sql::Tools(), demo_sql::Agents(), demo_sql::Conversations()}) {
    auto rows = RunScript(admin, script);
    if (!rows) return rows.error();
    report.rows_added += *rows;
  }
  auto messages = admin.Exec(MessagesInsert(report.tool_call_id_column));
  if (!messages) return messages.error();
  report.rows_added += RowsOf(*messages);
  auto memories = RunScript(admin, demo_sql::Memories());
  if (!memories) return memories.error();
  report.rows_added += *memories;

  if (auto committed = transaction.Commit(); !committed) return committed.error();
  return report;
}

std::string DemoSignInText(const std::vector<DemoAccount>& accounts) {
  std::ostringstream out;
  out << "  demo sign-in (supabase.auth.signInWithPassword):\n";
  for (const auto& account : accounts) {
    out << "    " << account.email << " / "
        << (account.password ? *account.password : std::string("(password set when it was first seeded)")) << "  ("
        << account.role << " of tenant \"" << account.tenant_slug << "\", " << account.tenant_name << ")\n";
  }
  return out.str();
}

void RecallDemoPasswords(const std::filesystem::path& data_dir, std::vector<DemoAccount>& accounts) {
  std::ifstream in(data_dir / kPasswordsFile);
  std::map<std::string, std::string> remembered;
  std::string email;
  std::string password;
  while (in >> email >> password) remembered[email] = password;
  for (auto& account : accounts) {
    auto found = remembered.find(account.email);
    if (!account.password && found != remembered.end()) account.password = found->second;
  }
}

Status RememberDemoPasswords(const std::filesystem::path& data_dir, const std::vector<DemoAccount>& accounts) {
  std::filesystem::path file = data_dir / kPasswordsFile;
  std::ofstream out(file, std::ios::trunc);
  // Made private before anything is written to it.
  if (!out || chmod(file.c_str(), 0600) != 0) return Error::Make("cannot write " + file.string(), "io");
  for (const auto& account : accounts) {
    if (account.password) out << account.email << " " << *account.password << "\n";
  }
  out.close();
  if (!out) return Error::Make("cannot write " + file.string(), "io");
  return Ok();
}

Result<std::string> EnsureDemoData(db::Connection& admin, const std::filesystem::path& data_dir) {
  std::vector<DemoAccount> accounts;
  for (const auto& spec : kUsers) {
    accounts.push_back(DemoAccount{spec.email, spec.tenant_slug, spec.tenant_name, spec.role, std::nullopt, false});
  }
  // Before the demo dataset, serve made one demo user and kept it here.
  std::ifstream legacy(data_dir / "demo-user");
  std::string legacy_email;
  std::string legacy_password;
  if (std::getline(legacy, legacy_email) && std::getline(legacy, legacy_password)) {
    return "  demo sign-in: " + legacy_email + " / " + legacy_password + "  (supabase.auth.signInWithPassword)\n";
  }
  if (std::filesystem::exists(data_dir / kPasswordsFile)) {
    RecallDemoPasswords(data_dir, accounts);
    return DemoSignInText(accounts);
  }
  auto users = auth::CountUsers(admin);
  if (!users) return users.error();
  if (*users > 0) return std::string();  // someone else's data: no demo

  auto seeded = SeedDemo(admin);
  if (!seeded) return seeded.error();
  if (auto remembered = RememberDemoPasswords(data_dir, seeded->accounts); !remembered) return remembered.error();
  return DemoSignInText(seeded->accounts);
}

}  // namespace agentbase::app
