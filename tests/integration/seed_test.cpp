// `agentbase seed --demo` and `--scale N` against a pushed database: what the
// demo promises (counts, a reporting tree without cycles, every tool call
// answered, memories of every type, users who sign in), that a second run
// changes nothing, and that scale data stays in tenants of its own.

#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <filesystem>
#include <map>
#include <regex>
#include <set>
#include <string>

#include "app/demo.hpp"
#include "auth/auth_queries.hpp"
#include "auth/claims.hpp"
#include "harness.hpp"

namespace agentbase::testing {

namespace {

constexpr const char* kDemoTenants = "(SELECT id FROM public.tenants WHERE slug IN ('northwind', 'contoso'))";

// A digest of every row of the tables the seed writes: equal digests mean no
// row was added, changed or removed.
std::string DataDigest(const TestDatabase& database) {
  std::string digest;
  for (const char* table :
       {"public.tenants", "auth.users", "public.profiles", "public.departments", "public.organizational_roles",
        "public.business_functions", "public.tools", "public.agents", "public.agent_tools",
        "public.agent_business_functions", "public.conversations", "public.messages", "public.user_memory"}) {
    digest += std::string(table) + "=" +
              database.Scalar(std::string("SELECT md5(coalesce(string_agg(x::text, '|' ORDER BY x::text), '')) FROM ") +
                              table + " x") +
              "\n";
  }
  return digest;
}

// email -> password, from the lines `seed --demo` prints.
std::map<std::string, std::string> PrintedPasswords(const std::string& out) {
  std::map<std::string, std::string> passwords;
  std::regex line(R"(\n +([a-z]+@[a-z]+\.example) / ([A-Za-z0-9_-]{16})  \()");
  for (auto it = std::sregex_iterator(out.begin(), out.end(), line); it != std::sregex_iterator(); ++it) {
    passwords[(*it)[1]] = (*it)[2];
  }
  return passwords;
}

void Push(const TestDatabase& database) {
  auto push = RunAgentbase("db push " + database.DbUrlFlag());
  ASSERT_EQ(push.exit_code, 0) << push.out << push.err;
}

}  // namespace

TEST(SeedDemo, TwiceIsIdempotentAndKeepsItsPromises) {
  TestDatabase database;
  Push(database);
  auto first = RunAgentbase("seed --demo " + database.DbUrlFlag());
  ASSERT_EQ(first.exit_code, 0) << first.out << first.err;
  EXPECT_EQ(PrintedPasswords(first.out).size(), 5u) << first.out;
  std::string after_first = DataDigest(database);

  auto second = RunAgentbase("seed --demo " + database.DbUrlFlag());
  ASSERT_EQ(second.exit_code, 0) << second.out << second.err;
  EXPECT_NE(second.out.find("nothing was changed"), std::string::npos) << second.out;
  EXPECT_TRUE(PrintedPasswords(second.out).empty()) << "passwords are printed only when made: " << second.out;
  EXPECT_EQ(DataDigest(database), after_first);

  // The promised counts.
  EXPECT_EQ(database.Scalar("SELECT count(*) FROM public.tenants WHERE settings->>'agentbase_seed' = 'demo'"), "2");
  EXPECT_EQ(database.Scalar(std::string("SELECT count(*) FROM public.profiles WHERE tenant_id IN ") + kDemoTenants),
            "5");
  EXPECT_EQ(database.Scalar("SELECT count(*) FROM public.departments"), "7");
  EXPECT_EQ(database.Scalar("SELECT count(*) FROM public.organizational_roles"), "20");
  EXPECT_EQ(database.Scalar("SELECT count(*) FROM public.business_functions"), "15");
  EXPECT_EQ(database.Scalar("SELECT count(*) FROM public.tools"), "10");
  EXPECT_EQ(database.Scalar("SELECT count(*) FROM public.agents"), "7");
  EXPECT_EQ(database.Scalar("SELECT count(*) FROM public.agent_tools"), "21");
  EXPECT_EQ(database.Scalar("SELECT count(*) FROM public.agent_business_functions"), "13");
  EXPECT_EQ(database.Scalar("SELECT count(*) FROM public.conversations"), "7");
  EXPECT_EQ(database.Scalar("SELECT count(*) FROM public.user_memory"), "14");
  EXPECT_EQ(database.Scalar("SELECT count(*) FROM public.messages"), "51");
  EXPECT_EQ(database.Scalar("SELECT count(DISTINCT role) FROM public.messages"), "4");

  // Roles: one root, and every role reachable from it (so no cycle).
  EXPECT_EQ(database.Scalar("SELECT count(*) FROM public.organizational_roles WHERE reports_to_role_id IS NULL"), "1");
  EXPECT_EQ(database.Scalar(R"sql(
    WITH RECURSIVE tree AS (
      SELECT id, 1 AS depth FROM public.organizational_roles WHERE reports_to_role_id IS NULL
      UNION ALL
      SELECT r.id, t.depth + 1 FROM public.organizational_roles r JOIN tree t ON r.reports_to_role_id = t.id
      WHERE t.depth < 50)
    SELECT count(*) || ' ' || count(DISTINCT id) || ' ' || max(depth) FROM tree)sql"),
            "20 20 5");
  // Business functions: a forest whose roots reach every function.
  EXPECT_EQ(database.Scalar(R"sql(
    WITH RECURSIVE tree AS (
      SELECT id, 1 AS depth FROM public.business_functions WHERE parent_function_id IS NULL
      UNION ALL
      SELECT f.id, t.depth + 1 FROM public.business_functions f JOIN tree t ON f.parent_function_id = t.id
      WHERE t.depth < 50)
    SELECT count(*) || ' ' || count(DISTINCT id) FROM tree)sql"),
            "15 15");
  // Agents sit on a role and a function, in their tenant, with tools whose
  // input schemas are JSON Schema objects.
  EXPECT_EQ(database.Scalar("SELECT count(*) FROM public.agents WHERE organizational_role_id IS NULL "
                            "OR business_function_id IS NULL OR tenant_id NOT IN " +
                            std::string(kDemoTenants)),
            "0");
  EXPECT_EQ(database.Scalar("SELECT count(*) FROM public.agents a WHERE NOT EXISTS "
                            "(SELECT 1 FROM public.agent_tools t WHERE t.agent_id = a.id AND t.enabled)"),
            "0");
  // Each agent serves its primary function, and six of them one more.
  EXPECT_EQ(database.Scalar("SELECT count(*) FROM public.agents a WHERE NOT EXISTS "
                            "(SELECT 1 FROM public.agent_business_functions m WHERE m.agent_id = a.id "
                            "AND m.business_function_id = a.business_function_id)"),
            "0");
  EXPECT_EQ(database.Scalar("SELECT count(*) FROM public.tools WHERE input_schema->>'type' <> 'object' "
                            "OR jsonb_typeof(input_schema->'properties') <> 'object' "
                            "OR jsonb_typeof(input_schema->'required') <> 'array'"),
            "0");
  // A conversation's messages, agent and user are its tenant's.
  EXPECT_EQ(database.Scalar("SELECT count(*) FROM public.messages m JOIN public.conversations c "
                            "ON c.id = m.conversation_id WHERE m.tenant_id <> c.tenant_id"),
            "0");
  EXPECT_EQ(database.Scalar("SELECT count(*) FROM public.conversations c JOIN public.agents a ON a.id = c.agent_id "
                            "JOIN public.profiles p ON p.id = c.user_id "
                            "WHERE a.tenant_id <> c.tenant_id OR p.tenant_id <> c.tenant_id"),
            "0");
  EXPECT_EQ(database.Scalar("SELECT count(*) FROM public.conversations c WHERE last_message_at <> "
                            "(SELECT max(created_at) FROM public.messages m WHERE m.conversation_id = c.id)"),
            "0");

  // Every tool call is OpenAI-shaped and answered by a later tool message of
  // its conversation carrying its id, and every tool message answers a call.
  bool column = database.Scalar(
                    "SELECT count(*) FROM information_schema.columns WHERE table_schema = 'public' "
                    "AND table_name = 'messages' AND column_name = 'tool_call_id'") == "1";
  std::string call_id = column ? "r.tool_call_id" : "r.metadata->>'tool_call_id'";
  std::string calls =
      "SELECT m.conversation_id, m.created_at, c FROM public.messages m, jsonb_array_elements(m.tool_calls) c "
      "WHERE m.role = 'assistant' AND m.tool_calls IS NOT NULL";
  EXPECT_EQ(database.Scalar("SELECT count(*) FROM (" + calls + ") x"), "15");
  EXPECT_EQ(database.Scalar("SELECT count(*) FROM (" + calls +
                            ") x WHERE c->>'type' <> 'function' OR c->>'id' IS NULL "
                            "OR jsonb_typeof((c->'function'->>'arguments')::jsonb) <> 'object' "
                            "OR NOT EXISTS (SELECT 1 FROM public.tools t WHERE t.slug = c->'function'->>'name')"),
            "0");
  EXPECT_EQ(database.Scalar("SELECT count(*) FROM (" + calls +
                            ") x WHERE NOT EXISTS (SELECT 1 FROM public.messages r WHERE r.role = 'tool' "
                            "AND r.conversation_id = x.conversation_id AND r.created_at > x.created_at AND " +
                            call_id + " = x.c->>'id')"),
            "0");
  EXPECT_EQ(database.Scalar("SELECT count(*) FROM public.messages r WHERE r.role = 'tool' AND NOT EXISTS (" + calls +
                            " AND m.conversation_id = r.conversation_id AND c->>'id' = " + call_id + ")"),
            "0");

  // Memories of every type the schema's CHECK allows, some expiring, each
  // with a confidence and a source.
  std::string check = database.Scalar(
      "SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conname = 'user_memory_memory_type_check'");
  std::set<std::string> allowed;
  std::regex quoted("'([a-z_]+)'");
  for (auto it = std::sregex_iterator(check.begin(), check.end(), quoted); it != std::sregex_iterator(); ++it) {
    allowed.insert((*it)[1]);
  }
  ASSERT_GE(allowed.size(), 5u) << check;
  for (const std::string& type : allowed) {
    for (const char* tenant : {"northwind", "contoso"}) {
      EXPECT_NE(database.Scalar("SELECT count(*) FROM public.user_memory m JOIN public.tenants t ON t.id = m.tenant_id "
                                "WHERE t.slug = '" +
                                std::string(tenant) + "' AND m.memory_type = '" + type + "'"),
                "0")
          << type << " in " << tenant;
    }
  }
  EXPECT_NE(database.Scalar("SELECT count(*) FROM public.user_memory WHERE expires_at > now()"), "0");
  EXPECT_NE(database.Scalar("SELECT count(*) FROM public.user_memory WHERE source_conversation_id IS NOT NULL"), "0");
  EXPECT_EQ(database.Scalar("SELECT count(*) FROM public.user_memory WHERE source IS NULL "
                            "OR confidence_score NOT BETWEEN 0 AND 1"),
            "0");
  EXPECT_EQ(database.Scalar("SELECT count(*) FROM public.user_memory m JOIN public.profiles p ON p.id = m.user_id "
                            "WHERE p.tenant_id <> m.tenant_id"),
            "0");
}

// On a messages table agentbase created, the schema has a tool_call_id
// column (61_chat_messages.sql), and the call id goes there, not into metadata.
TEST(SeedDemo, PutsTheToolCallIdInItsColumnWhereThereIsOne) {
  TestDatabase database;
  Push(database);
  ASSERT_EQ(database.Scalar("SELECT count(*) FROM information_schema.columns WHERE table_schema = 'public' "
                            "AND table_name = 'messages' AND column_name = 'tool_call_id'"),
            "1");
  auto seeded = RunAgentbase("seed --demo " + database.DbUrlFlag());
  ASSERT_EQ(seeded.exit_code, 0) << seeded.out << seeded.err;
  EXPECT_EQ(database.Scalar("SELECT count(*) FROM public.messages WHERE role = 'tool' AND tool_call_id LIKE 'call_%'"),
            "15");
  EXPECT_EQ(database.Scalar("SELECT count(*) FROM public.messages WHERE tool_call_id IS NOT NULL AND role <> 'tool'"),
            "0");
  EXPECT_EQ(database.Scalar("SELECT count(*) FROM public.messages WHERE metadata ? 'tool_call_id'"), "0");
}

TEST(SeedDemo, UsersSignInWithThePrintedPasswords) {
  TestDatabase database;
  Push(database);
  auto seeded = RunAgentbase("seed --demo " + database.DbUrlFlag());
  ASSERT_EQ(seeded.exit_code, 0) << seeded.out << seeded.err;
  auto passwords = PrintedPasswords(seeded.out);
  ASSERT_EQ(passwords.size(), 5u) << seeded.out;
  auto connection = database.Connect();
  auto sign_in = [&](const std::string& email, const std::string& password) {
    // The statement /auth/v1/token?grant_type=password runs.
    auto row = connection.ExecParams(auth::queries::SignInSql(),
                                     db::Params{email, password, auth::RefreshTokenHash("x" + email), "3600"});
    EXPECT_TRUE(row.ok()) << row.error().message;
    auto decoded = auth::queries::DecodeSignIn(*row);
    EXPECT_TRUE(decoded.ok());
    return decoded->found && decoded->password_ok && decoded->confirmed;
  };
  for (const auto& [email, password] : passwords) {
    EXPECT_TRUE(sign_in(email, password)) << email;
    EXPECT_FALSE(sign_in(email, password + "x")) << email;
  }
  // Each user's token would carry their tenant, as `users add` sets it.
  EXPECT_EQ(database.Scalar("SELECT count(*) FROM auth.users u JOIN public.profiles p ON p.id = u.id "
                            "WHERE u.raw_app_meta_data->>'tenant_id' = p.tenant_id::text"),
            "5");
}

TEST(SeedDemo, NeverWritesIntoATenantItDidNotMake) {
  TestDatabase database;
  Push(database);
  auto owner = RunAgentbase("users add --email someone@example.com --password 'a long password' --tenant contoso " +
                            database.DbUrlFlag());
  ASSERT_EQ(owner.exit_code, 0) << owner.err;
  std::string before = DataDigest(database);
  auto seeded = RunAgentbase("seed --demo " + database.DbUrlFlag());
  EXPECT_EQ(seeded.exit_code, 4) << seeded.out << seeded.err;
  EXPECT_NE(seeded.err.find("tenant contoso exists and is not demo data"), std::string::npos) << seeded.err;
  EXPECT_EQ(DataDigest(database), before);
}

TEST(SeedDemo, NeverBorrowsAUserOfAnotherTenant) {
  TestDatabase database;
  Push(database);
  auto other = RunAgentbase("users add --email Ben@Northwind.example --password 'a long password' --tenant acme " +
                            database.DbUrlFlag());
  ASSERT_EQ(other.exit_code, 0) << other.err;
  std::string before = DataDigest(database);
  auto seeded = RunAgentbase("seed --demo " + database.DbUrlFlag());
  EXPECT_EQ(seeded.exit_code, 4) << seeded.out << seeded.err;
  EXPECT_NE(seeded.err.find("user ben@northwind.example exists in a tenant that is not demo data"), std::string::npos)
      << seeded.err;
  EXPECT_EQ(DataDigest(database), before);
}

TEST(SeedDemo, WithoutTheSchemaSaysToPushFirst) {
  TestDatabase database;
  auto seeded = RunAgentbase("seed --demo " + database.DbUrlFlag());
  EXPECT_EQ(seeded.exit_code, 3) << seeded.out << seeded.err;
  EXPECT_NE(seeded.err.find("agentbase db push"), std::string::npos) << seeded.err;
}

// serve's first run on the embedded database: the same dataset, its
// passwords kept in the data directory and printed on every later start.
TEST(SeedDemo, ServesFirstRunSeedsANewDatabaseAndPrintsTheSameLinesAfter) {
  TestDatabase database;
  Push(database);
  char pattern[] = "/tmp/abseed-XXXXXX";
  ASSERT_NE(mkdtemp(pattern), nullptr);
  std::filesystem::path data_dir(pattern);
  auto connection = database.Connect();

  auto first = app::EnsureDemoData(connection, data_dir);
  ASSERT_TRUE(first.ok()) << first.error().message;
  auto passwords = PrintedPasswords("\n" + *first);
  EXPECT_EQ(passwords.size(), 5u) << *first;
  EXPECT_EQ(database.Scalar("SELECT count(*) FROM public.conversations"), "7");
  struct stat file {};
  ASSERT_EQ(stat((data_dir / "demo-users").c_str(), &file), 0);
  EXPECT_EQ(file.st_mode & 0777, 0600u);

  std::string digest = DataDigest(database);
  auto again = app::EnsureDemoData(connection, data_dir);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, *first);
  EXPECT_EQ(DataDigest(database), digest);
  std::filesystem::remove_all(data_dir);
}

TEST(SeedDemo, ServesFirstRunLeavesADatabaseWithUsersAlone) {
  TestDatabase database;
  Push(database);
  auto owner = RunAgentbase("users add --email someone@example.com --password 'a long password' --tenant acme " +
                            database.DbUrlFlag());
  ASSERT_EQ(owner.exit_code, 0) << owner.err;
  char pattern[] = "/tmp/abseed-XXXXXX";
  ASSERT_NE(mkdtemp(pattern), nullptr);
  auto connection = database.Connect();
  auto result = app::EnsureDemoData(connection, pattern);
  ASSERT_TRUE(result.ok()) << result.error().message;
  EXPECT_EQ(*result, "");
  EXPECT_EQ(database.Scalar("SELECT count(*) FROM public.tenants"), "1");
  std::filesystem::remove_all(pattern);
}

// Messages whose words search does not hold as they are (missing from
// agentbase.message_words, or different there), and rows there of no message.
constexpr const char* kUnindexedMessages =
    "SELECT (SELECT count(*) FROM public.messages m LEFT JOIN agentbase.message_words w ON w.message_id = m.id "
    "WHERE w.message_id IS NULL OR w.tenant_id <> m.tenant_id OR w.conversation_id IS DISTINCT FROM m.conversation_id "
    "OR w.created_at <> m.created_at OR w.words <> to_tsvector('english', m.content)) + "
    "(SELECT count(*) FROM agentbase.message_words w WHERE NOT EXISTS "
    "(SELECT 1 FROM public.messages m WHERE m.id = w.message_id))";

TEST(SeedScale, WritesNMessagesEachInItsConversationsTenantAndNeverInTheDemo) {
  TestDatabase database;
  Push(database);
  auto demo = RunAgentbase("seed --demo " + database.DbUrlFlag());
  ASSERT_EQ(demo.exit_code, 0) << demo.err;
  std::string demo_messages =
      database.Scalar(std::string("SELECT count(*) FROM public.messages WHERE tenant_id IN ") + kDemoTenants);

  auto scale = RunAgentbase("seed --scale 1005 " + database.DbUrlFlag());
  ASSERT_EQ(scale.exit_code, 0) << scale.out << scale.err;
  EXPECT_NE(scale.out.find("1005 messages in 101 conversations over 10 tenants"), std::string::npos) << scale.out;
  EXPECT_EQ(scale.err, "") << "no progress bar when stderr is not a terminal";
  std::string scale_tenants = "(SELECT id FROM public.tenants WHERE settings->>'agentbase_seed' = 'scale')";
  EXPECT_EQ(database.Scalar("SELECT count(*) FROM " + scale_tenants + " t"), "10");
  EXPECT_EQ(database.Scalar("SELECT count(*) FROM public.messages WHERE tenant_id IN " + scale_tenants), "1005");
  EXPECT_EQ(database.Scalar("SELECT count(*) FROM public.conversations WHERE tenant_id IN " + scale_tenants), "101");
  EXPECT_EQ(database.Scalar(std::string("SELECT count(*) FROM public.messages WHERE tenant_id IN ") + kDemoTenants),
            demo_messages);
  // Whether or not triggers ran, the rows are what they would have made.
  EXPECT_EQ(database.Scalar("SELECT count(*) FROM public.messages m JOIN public.conversations c "
                            "ON c.id = m.conversation_id WHERE m.tenant_id <> c.tenant_id"),
            "0");
  EXPECT_EQ(database.Scalar("SELECT count(*) FROM public.messages WHERE conversation_id IS NULL"), "0");
  EXPECT_EQ(database.Scalar("SELECT count(*) FROM public.conversations c WHERE c.tenant_id IN " + scale_tenants +
                            " AND last_message_at <> (SELECT max(created_at) FROM public.messages m "
                            "WHERE m.conversation_id = c.id)"),
            "0");
  EXPECT_EQ(database.Scalar("SELECT count(*) FROM public.conversations c JOIN public.profiles p ON p.id = c.user_id "
                            "LEFT JOIN public.agents a ON a.id = c.agent_id "
                            "WHERE p.tenant_id <> c.tenant_id OR a.tenant_id <> c.tenant_id"),
            "0");
  EXPECT_EQ(database.Scalar("SELECT count(DISTINCT conversation_id) FROM public.messages m WHERE tenant_id IN " +
                            scale_tenants),
            "101");
  // The copy skipped the triggers that keep search's words; the seed indexed
  // the messages itself.
  EXPECT_EQ(database.Scalar(kUnindexedMessages), "0");

  // A second run adds as many again, reusing the tenants, users and agents.
  auto again = RunAgentbase("seed --scale 20 " + database.DbUrlFlag());
  ASSERT_EQ(again.exit_code, 0) << again.out << again.err;
  EXPECT_EQ(database.Scalar("SELECT count(*) FROM public.messages WHERE tenant_id IN " + scale_tenants), "1025");
  EXPECT_EQ(database.Scalar("SELECT count(*) FROM public.profiles WHERE tenant_id IN " + scale_tenants), "100");
  EXPECT_EQ(database.Scalar("SELECT count(*) FROM public.agents WHERE tenant_id IN " + scale_tenants), "50");
  EXPECT_EQ(database.Scalar(kUnindexedMessages), "0");
}

// As on Supabase, where the connecting role (postgres) is no superuser but
// bypasses row level security: the triggers and foreign-key checks run for
// every row, and the result is the same.
TEST(SeedScale, WithoutASuperuserTheTriggersRunAndTheRowsAreTheSame) {
  TestDatabase database;
  Push(database);
  std::string role = "seeder_" + database.Name();
  database.Exec("CREATE ROLE " + role + " LOGIN BYPASSRLS; GRANT USAGE ON SCHEMA auth, extensions, agentbase TO " +
                role + "; GRANT ALL ON ALL TABLES IN SCHEMA public, auth TO " + role);
  auto scale = RunAgentbase("seed --scale 95 --db-url '" + database.Conninfo() + " user=" + role + "'");
  EXPECT_EQ(scale.exit_code, 0) << scale.out << scale.err;
  EXPECT_NE(scale.out.find("triggers and foreign-key checks ran for every row"), std::string::npos) << scale.out;
  EXPECT_EQ(database.Scalar("SELECT count(*) FROM public.messages"), "95");
  EXPECT_EQ(database.Scalar("SELECT count(*) FROM public.conversations"), "10");
  EXPECT_EQ(database.Scalar("SELECT count(*) FROM public.messages m JOIN public.conversations c "
                            "ON c.id = m.conversation_id WHERE m.tenant_id <> c.tenant_id"),
            "0");
  EXPECT_EQ(database.Scalar("SELECT count(*) FROM public.conversations c WHERE last_message_at <> "
                            "(SELECT max(created_at) FROM public.messages m WHERE m.conversation_id = c.id)"),
            "0");
  EXPECT_EQ(database.Scalar(kUnindexedMessages), "0");
  database.Exec("DROP OWNED BY " + role + "; DROP ROLE " + role);
}

TEST(SeedScale, RefusesBadArgumentsWithAUsageError) {
  TestDatabase database;
  Push(database);
  for (const char* args : {"seed --scale 0", "seed --scale -5", "seed --scale many", "seed --scale 100000001", "seed",
                           "seed --demo --scale 10"}) {
    auto refused = RunAgentbase(std::string(args) + " " + database.DbUrlFlag());
    EXPECT_EQ(refused.exit_code, 2) << args << ": " << refused.err;
    EXPECT_FALSE(refused.err.empty()) << args;
  }
  EXPECT_EQ(database.Scalar("SELECT count(*) FROM public.messages"), "0");
}

TEST(SeedScale, NeverWritesIntoATenantItDidNotMake) {
  TestDatabase database;
  Push(database);
  auto owner = RunAgentbase("users add --email someone@example.com --password 'a long password' --tenant scale-03 " +
                            database.DbUrlFlag());
  ASSERT_EQ(owner.exit_code, 0) << owner.err;
  auto scale = RunAgentbase("seed --scale 100 " + database.DbUrlFlag());
  EXPECT_EQ(scale.exit_code, 4) << scale.out << scale.err;
  EXPECT_NE(scale.err.find("tenant scale-03 exists and is not scale data"), std::string::npos) << scale.err;
  EXPECT_EQ(database.Scalar("SELECT count(*) FROM public.tenants"), "1");
}

}  // namespace agentbase::testing
