// agentbase db against a real PostgreSQL: push, idempotence, partial
// databases, preflight, concurrency, interruption and bad input.

#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <thread>

#include "harness.hpp"
#include "migrate/verify.hpp"
#include "schema/sql_lexer.hpp"
#include "util/text.hpp"

namespace agentbase::testing {

namespace {

// Runs a schema file statement by statement; roles are cluster-wide, so
// "already exists" for them (42710) is expected when other tests ran first.
void ApplyBaseFile(const TestDatabase& database, const std::string& path, const std::string& text = "") {
  auto statements = schema::SplitStatements(text.empty() ? ReadRepoFile(path) : text);
  ASSERT_TRUE(statements.ok()) << statements.error().message;
  auto connection = database.Connect();
  for (const auto& statement : *statements) {
    auto result = connection.Exec(statement);
    if (!result && result.error().code != "42710") FAIL() << result.error().message << "\n" << statement;
  }
}

// The user's side of the seed: Supabase's auth and the existing tables.
void CreateExistingPlatform(const TestDatabase& database, const std::string& existing_tables_sql = "") {
  ApplyBaseFile(database, "database/schema/00_supabase_compat.sql");
  ApplyBaseFile(database, "database/schema/10_existing_tables.sql", existing_tables_sql);
}

long long DdlCommandsSeen(const TestDatabase& database) {
  return std::stoll(database.Scalar("SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM public.ddl_seen"));
}

// Counts every DDL command, even those later rolled back (sequences are not
// transactional), through an event trigger.
void InstallDdlCounter(const TestDatabase& database) {
  database.Exec(R"sql(
    CREATE SEQUENCE public.ddl_seen;
    CREATE FUNCTION public.count_ddl() RETURNS event_trigger LANGUAGE plpgsql AS $$
    BEGIN PERFORM pg_catalog.nextval('public.ddl_seen'); END $$;
    CREATE EVENT TRIGGER count_ddl ON ddl_command_start EXECUTE FUNCTION public.count_ddl();)sql");
}

std::string Output(const CommandResult& result) { return result.out + result.err; }

// The SQL-editor script on the existing platform, run again after `older`
// put back what an older version of it left.
void RunTheScriptAgainAfter(const TestDatabase& database, const std::string& older) {
  CreateExistingPlatform(database);
  std::string script = ReadRepoFile("database/sql/add_missing_tables.sql");
  database.Exec(script);
  database.Exec(older);
  database.Exec(script);
}

}  // namespace

TEST(DbPush, OnEmptyDatabaseThenVerifyPrintsTheSeedsExpectedOutput) {
  TestDatabase database;
  auto push = RunAgentbase("db push " + database.DbUrlFlag());
  ASSERT_EQ(push.exit_code, 0) << Output(push);
  EXPECT_NE(push.out.find("Applied"), std::string::npos);

  auto verify = RunAgentbase("db verify " + database.DbUrlFlag());
  ASSERT_EQ(verify.exit_code, 0) << Output(verify);
  // The seed's expected output, table by table, in its order.
  size_t position = 0;
  for (const auto& expected : migrate::kSeedExpectedColumns) {
    std::string name = expected.name;
    std::string line = " " + name + std::string(20 - name.size(), ' ') + " | " + std::to_string(expected.columns);
    auto found = verify.out.find(line, position);
    ASSERT_NE(found, std::string::npos) << "missing '" << line << "' in\n" << verify.out;
    position = found;
  }
  EXPECT_NE(verify.out.find("conversations_select_same_tenant"), std::string::npos);
  EXPECT_NE(verify.out.find("verify: OK"), std::string::npos);
  EXPECT_EQ(database.Scalar("SELECT count(*) FROM agentbase.schema_history"), "1");
}

TEST(DbPush, SecondPushRunsNoDdlAndRecordsNothing) {
  TestDatabase database;
  InstallDdlCounter(database);
  auto first = RunAgentbase("db push " + database.DbUrlFlag());
  ASSERT_EQ(first.exit_code, 0) << Output(first);
  long long after_first = DdlCommandsSeen(database);
  EXPECT_GT(after_first, 50);  // the counter does see pushes

  auto second = RunAgentbase("db push " + database.DbUrlFlag());
  ASSERT_EQ(second.exit_code, 0) << Output(second);
  EXPECT_NE(second.out.find("Up to date"), std::string::npos) << second.out;
  // plan, push and status count the same objects and say it the same way:
  // the first push's present + missing is what every later count holds.
  auto objects_line = [](const std::string& text) {
    auto at = text.find("Objects: ");
    return at == std::string::npos ? std::string("(none)") : text.substr(at, text.find('\n', at) - at);
  };
  auto total_of = [](const std::string& line) { return line.substr(9, line.find(' ', 9) - 9); };
  std::string first_line = objects_line(first.out);
  std::string total = total_of(first_line);
  EXPECT_EQ(objects_line(second.out), "Objects: " + total + " in the schema, " + total + " present, 0 missing.");
  EXPECT_NE(first.out.find("all " + total + " objects present"), std::string::npos) << first.out;
  auto status = RunAgentbase("db status " + database.DbUrlFlag());
  EXPECT_EQ(objects_line(status.out), objects_line(second.out)) << status.out;
  auto plan_after = RunAgentbase("db plan " + database.DbUrlFlag());
  EXPECT_EQ(objects_line(plan_after.out), objects_line(second.out)) << plan_after.out;
  EXPECT_EQ(DdlCommandsSeen(database), after_first);
  EXPECT_EQ(database.Scalar("SELECT count(*) FROM agentbase.schema_history"), "1");

  auto plan = RunAgentbase("db plan --check " + database.DbUrlFlag());
  EXPECT_EQ(plan.exit_code, 0) << Output(plan);
}

TEST(DbPush, CompletesAPartialDatabaseKeepingEveryRow) {
  TestDatabase database;
  CreateExistingPlatform(database);
  // Two of the five tables already exist, older and smaller, with rows; and
  // messages lacks conversation_id.
  database.Exec(R"sql(
    CREATE TABLE public.conversations (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      tenant_id uuid NOT NULL,
      user_id uuid NOT NULL,
      title text NOT NULL DEFAULT 'New conversation',
      status text NOT NULL DEFAULT 'active',
      last_message_at timestamptz NOT NULL DEFAULT now(),
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now());
    CREATE TABLE public.business_functions (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(), name text NOT NULL, slug text NOT NULL UNIQUE,
      description text, category text NOT NULL DEFAULT 'core', parent_function_id uuid,
      key_activities text[] NOT NULL DEFAULT '{}', success_metrics text[] NOT NULL DEFAULT '{}',
      created_at timestamptz NOT NULL DEFAULT now(), updated_at timestamptz NOT NULL DEFAULT now());
    INSERT INTO auth.users (id, email) VALUES ('00000000-0000-0000-0000-0000000000a1', 'a1@example.com');
    INSERT INTO public.tenants (id, name, slug) VALUES ('00000000-0000-0000-0000-00000000000a', 'A', 'a');
    INSERT INTO public.conversations (tenant_id, user_id, title)
      SELECT '00000000-0000-0000-0000-00000000000a', '00000000-0000-0000-0000-0000000000a1', 'chat ' || g
      FROM generate_series(1, 25) g;
    INSERT INTO public.business_functions (name, slug) VALUES ('Sales', 'sales'), ('Support', 'support');
    INSERT INTO public.messages (tenant_id, role, content) VALUES ('00000000-0000-0000-0000-00000000000a', 'user', 'hi');)sql");

  auto push = RunAgentbase("db push " + database.DbUrlFlag());
  ASSERT_EQ(push.exit_code, 0) << Output(push);
  EXPECT_NE(push.out.find("+ column public.conversations.agent_id"), std::string::npos) << push.out;
  EXPECT_NE(push.out.find("+ column public.conversations.metadata"), std::string::npos);
  EXPECT_NE(push.out.find("+ column public.messages.conversation_id"), std::string::npos);
  EXPECT_EQ(push.out.find("+ table public.conversations"), std::string::npos);

  EXPECT_EQ(database.Scalar("SELECT count(*) FROM public.conversations"), "25");
  EXPECT_EQ(database.Scalar("SELECT count(*) FROM public.business_functions"), "2");
  EXPECT_EQ(database.Scalar("SELECT count(*) FROM public.messages"), "1");
  EXPECT_EQ(database.Scalar("SELECT string_agg(DISTINCT metadata::text, ',') FROM public.conversations"), "{}");
  auto verify = RunAgentbase("db verify " + database.DbUrlFlag());
  EXPECT_EQ(verify.exit_code, 0) << Output(verify);
  // The user's own tables (tenants, messages, ...) were not given new policies.
  EXPECT_EQ(database.Scalar("SELECT count(*) FROM pg_policies WHERE tablename IN ('tenants', 'messages')"), "0");
  // Nor the triggers that keep search's words: search reads their messages.
  EXPECT_EQ(database.Scalar("SELECT count(*) FROM pg_trigger WHERE tgrelid = 'public.messages'::regclass "
                            "AND tgname LIKE '%index%words'"),
            "0");
  EXPECT_EQ(database.Scalar("SELECT agentbase.chat_words_indexed()"), "f");
  database.Exec(R"sql(
    INSERT INTO public.messages (tenant_id, conversation_id, role, content)
    SELECT '00000000-0000-0000-0000-00000000000a', c.id, 'user', 'the budget was deployed'
    FROM public.conversations c LIMIT 1;)sql");
  EXPECT_EQ(database.Scalar("SELECT count(*) FROM agentbase.message_words"), "0");
  EXPECT_EQ(database.Scalar("SELECT string_agg(content, ',') FROM public.search_messages('deploy budget')"),
            "the budget was deployed");
}

// A database pushed with a schema older than search's words (here: the
// insert trigger and the words removed again, and a message written
// meanwhile): the push that creates the trigger indexes every message there.
TEST(DbPush, SearchWordsAreBackfilledWhenTheirTriggerIsCreated) {
  TestDatabase database;
  auto first = RunAgentbase("db push " + database.DbUrlFlag());
  ASSERT_EQ(first.exit_code, 0) << Output(first);
  database.Exec(R"sql(
    INSERT INTO auth.users (id, email) VALUES ('00000000-0000-0000-0000-0000000000a1', 'a1@example.com');
    INSERT INTO public.tenants (id, name, slug) VALUES ('00000000-0000-0000-0000-00000000000a', 'A', 'a');
    INSERT INTO public.profiles (id, tenant_id) VALUES ('00000000-0000-0000-0000-0000000000a1',
      '00000000-0000-0000-0000-00000000000a');
    INSERT INTO public.conversations (id, tenant_id, user_id)
      VALUES ('00000000-0000-0000-0000-0000000000c1', '00000000-0000-0000-0000-00000000000a',
              '00000000-0000-0000-0000-0000000000a1');
    INSERT INTO public.messages (conversation_id, role, content)
      SELECT '00000000-0000-0000-0000-0000000000c1', 'user', 'message ' || g FROM generate_series(1, 3) g;
    DROP TRIGGER messages_index_words ON public.messages;
    TRUNCATE agentbase.message_words;
    INSERT INTO public.messages (conversation_id, role, content)
      VALUES ('00000000-0000-0000-0000-0000000000c1', 'user', 'the budget was deployed');)sql");
  EXPECT_EQ(database.Scalar("SELECT agentbase.chat_words_indexed()"), "f");

  auto push = RunAgentbase("db push " + database.DbUrlFlag());
  ASSERT_EQ(push.exit_code, 0) << Output(push);
  EXPECT_NE(push.out.find("+ trigger public.messages.messages_index_words\n"
                          "  + backfill after trigger public.messages.messages_index_words\n"),
            std::string::npos)
      << push.out;
  EXPECT_EQ(database.Scalar("SELECT count(*) FROM agentbase.message_words w JOIN public.messages m "
                            "ON m.id = w.message_id AND w.words = to_tsvector('english', m.content) "
                            "AND w.tenant_id = m.tenant_id AND w.created_at = m.created_at"),
            "4");
  EXPECT_EQ(database.Scalar("SELECT string_agg(content, ',') FROM public.search_messages('deploy budget')"),
            "the budget was deployed");

  auto again = RunAgentbase("db push " + database.DbUrlFlag());
  ASSERT_EQ(again.exit_code, 0) << Output(again);
  EXPECT_NE(again.out.find("Up to date"), std::string::npos) << again.out;
}

TEST(DbPush, PreflightFailureSaysWhyAndChangesNothing) {
  TestDatabase database;
  std::string existing = ReadRepoFile("database/schema/10_existing_tables.sql");
  std::string uuid_key = "CREATE TABLE public.agents (\n  id uuid NOT NULL DEFAULT gen_random_uuid(),";
  ASSERT_NE(existing.find(uuid_key), std::string::npos);
  existing = ReplaceAll(existing, uuid_key, "CREATE TABLE public.agents (\n  id bigint GENERATED ALWAYS AS IDENTITY,");
  CreateExistingPlatform(database, existing);
  std::string before = database.SchemaDigest();

  auto push = RunAgentbase("db push " + database.DbUrlFlag());
  EXPECT_EQ(push.exit_code, 4) << Output(push);
  const std::string refusal = "public.agents.id: is bigint, but the new tables need uuid";
  EXPECT_NE(push.err.find(refusal), std::string::npos) << Output(push);
  EXPECT_NE(push.err.find("Nothing was changed"), std::string::npos) << Output(push);
  EXPECT_EQ(push.out.find(refusal), std::string::npos) << "refusals belong on stderr: " << push.out;
  EXPECT_EQ(database.SchemaDigest(), before);

  // The SQL-editor script refuses the same shape in the same words, before
  // it changes anything.
  auto connection = database.Connect();
  auto script = connection.Exec(ReadRepoFile("database/sql/add_missing_tables.sql"));
  ASSERT_FALSE(script.ok());
  EXPECT_NE(script.error().message.find(refusal + ": their foreign keys"), std::string::npos) << script.error().message;
  (void)connection.Exec("ROLLBACK");
  EXPECT_EQ(database.SchemaDigest(), before);
}

// A database pushed by an older agentbase, whose agent_tools and departments
// policies were the seed's leaky ones, gets the new rules from the next push:
// objects agentbase created and whose definition changed are replaced, in
// the if-absent file (departments, a table agentbase created) too.
TEST(DbPush, OlderLeakyPoliciesAreReplacedByTheNextPush) {
  TestDatabase database;
  ASSERT_EQ(RunAgentbase("db push " + database.DbUrlFlag()).exit_code, 0);
  // What the older schema created, and recorded as created.
  database.Exec(R"sql(
    ALTER POLICY agent_tools_select_enabled ON public.agent_tools USING (enabled);
    ALTER POLICY departments_update_authenticated ON public.departments USING (true) WITH CHECK (true);
    UPDATE agentbase.schema_history SET checksum = 'older-schema', version = '2026.11.26.2',
      fingerprints = fingerprints || jsonb_build_object(
        'policy public.agent_tools.agent_tools_select_enabled',
        'FOR SELECT TO anon,authenticated USING (enabled) WITH CHECK ()',
        'policy public.departments.departments_update_authenticated',
        'FOR UPDATE TO authenticated USING (true) WITH CHECK (true)');)sql");

  auto push = RunAgentbase("db push " + database.DbUrlFlag());
  ASSERT_EQ(push.exit_code, 0) << Output(push);
  EXPECT_NE(push.out.find("~ policy public.agent_tools.agent_tools_select_enabled (definition changed in the schema)"),
            std::string::npos)
      << push.out;
  EXPECT_NE(push.out.find("~ policy public.departments.departments_update_authenticated"), std::string::npos)
      << push.out;
  EXPECT_EQ(database.Scalar("SELECT qual FROM pg_policies WHERE policyname = 'agent_tools_select_enabled'"),
            "(enabled AND (EXISTS ( SELECT 1\n   FROM agents a\n  WHERE ((a.id = agent_tools.agent_id) AND "
            "(a.tenant_id = ( SELECT agentbase.current_tenant_id() AS current_tenant_id))))))");
  EXPECT_NE(database.Scalar("SELECT qual FROM pg_policies WHERE policyname = 'departments_update_authenticated'"),
            "true");
  EXPECT_EQ(RunAgentbase("db verify " + database.DbUrlFlag()).exit_code, 0);
  EXPECT_EQ(RunAgentbase("db plan --check " + database.DbUrlFlag()).exit_code, 0);
}

// The SQL-editor script, run again in its newer version on a database where
// an older run created the leaky policy, tightens it in place.
TEST(DbPush, NewerScriptTightensAnOlderScriptsPolicy) {
  TestDatabase database;
  RunTheScriptAgainAfter(database, "ALTER POLICY agent_tools_select_enabled ON public.agent_tools USING (enabled)");
  EXPECT_NE(database.Scalar("SELECT qual FROM pg_policies WHERE policyname = 'agent_tools_select_enabled'"), "enabled");
  EXPECT_EQ(database.Scalar("SELECT cmd || ' ' || roles::text FROM pg_policies "
                            "WHERE policyname = 'agent_tools_select_enabled'"),
            "SELECT {anon,authenticated}");
}

TEST(DbPush, ConflictingPolicyStopsThePushAndNamesIt) {
  TestDatabase database;
  CreateExistingPlatform(database);
  database.Exec(R"sql(
    CREATE TABLE public.user_memory (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), tenant_id uuid NOT NULL,
      user_id uuid NOT NULL, key text NOT NULL, value text NOT NULL);
    ALTER TABLE public.user_memory ENABLE ROW LEVEL SECURITY;
    CREATE POLICY user_memory_select_own ON public.user_memory FOR SELECT TO authenticated USING (true);)sql");
  std::string before = database.SchemaDigest();
  auto push = RunAgentbase("db push " + database.DbUrlFlag());
  EXPECT_EQ(push.exit_code, 4) << Output(push);
  EXPECT_NE(push.err.find("policy public.user_memory.user_memory_select_own: exists with a different definition"),
            std::string::npos)
      << push.out << push.err;
  EXPECT_EQ(database.SchemaDigest(), before);
}

TEST(DbPush, EightConcurrentPushesApplyTheSchemaOnce) {
  TestDatabase database;
  std::vector<int> pids;
  for (int i = 0; i < 8; ++i) pids.push_back(StartAgentbase("db push " + database.DbUrlFlag()));
  for (int pid : pids) EXPECT_EQ(WaitFor(pid), 0);
  EXPECT_EQ(database.Scalar("SELECT count(*) FROM agentbase.schema_history"), "1");
  auto verify = RunAgentbase("db verify " + database.DbUrlFlag());
  EXPECT_EQ(verify.exit_code, 0) << Output(verify);
}

TEST(DbPush, KilledMidwayLeavesNothingAndTheNextPushCompletes) {
  TestDatabase database;
  CreateExistingPlatform(database);
  // Hold messages so that the push stops halfway, at ALTER TABLE messages.
  auto locker = database.Connect();
  ASSERT_TRUE(locker.Exec("BEGIN; LOCK TABLE public.messages IN ACCESS EXCLUSIVE MODE").ok());
  int pid = StartAgentbase("db push --lock-timeout-ms 60000 " + database.DbUrlFlag());
  bool waiting = false;
  for (int i = 0; i < 200 && !waiting; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    waiting = database.Scalar(
                  "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                  "AND wait_event_type = 'Lock'") == "1";
  }
  ASSERT_TRUE(waiting) << "the push never reached the locked table";
  kill(pid, SIGKILL);
  WaitFor(pid);
  ASSERT_TRUE(locker.Exec("ROLLBACK").ok());
  // The orphaned backend aborts its transaction once it finds its client gone.
  for (int i = 0; i < 200; ++i) {
    if (database.Scalar("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                        "AND pid <> pg_backend_pid() AND backend_type = 'client backend'") == "1") {
      break;  // only the locker is left
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_EQ(database.Scalar("SELECT to_regclass('public.conversations') IS NULL"), "t");
  EXPECT_EQ(database.Scalar("SELECT to_regnamespace('agentbase') IS NULL"), "t");
  EXPECT_EQ(database.Scalar("SELECT count(*) FROM information_schema.columns WHERE table_name = 'messages' "
                            "AND column_name = 'conversation_id'"),
            "0");

  auto push = RunAgentbase("db push " + database.DbUrlFlag());
  ASSERT_EQ(push.exit_code, 0) << Output(push);
  EXPECT_EQ(RunAgentbase("db verify " + database.DbUrlFlag()).exit_code, 0);
}

TEST(DbPush, DriftIsReportedByStatusAndBlocksAConflictingPush) {
  TestDatabase database;
  ASSERT_EQ(RunAgentbase("db push " + database.DbUrlFlag()).exit_code, 0);
  auto clean = RunAgentbase("db status --check " + database.DbUrlFlag());
  EXPECT_EQ(clean.exit_code, 0) << Output(clean);
  EXPECT_NE(clean.out.find("drift: none"), std::string::npos);

  database.Exec(
      "DROP INDEX public.conversations_status_idx;"
      "ALTER POLICY user_memory_select_own ON public.user_memory USING (true)");
  auto status = RunAgentbase("db status --check " + database.DbUrlFlag());
  EXPECT_EQ(status.exit_code, 1);
  EXPECT_NE(status.out.find("policy public.user_memory.user_memory_select_own changed"), std::string::npos)
      << status.out;
  EXPECT_NE(status.out.find("index public.conversations_status_idx missing"), std::string::npos);

  // The missing index comes back; the loosened policy is a conflict, not silently reverted.
  auto push = RunAgentbase("db push " + database.DbUrlFlag());
  EXPECT_EQ(push.exit_code, 4) << Output(push);
  EXPECT_NE(push.err.find("was changed after agentbase created it"), std::string::npos) << push.out << push.err;
}

// remember returned public.user_memory before it returned the memory without
// its embedding: a result type CREATE OR REPLACE cannot change. push and the
// SQL-editor script drop and create it instead.
constexpr const char* kOlderRemember = R"sql(
  DROP FUNCTION public.remember;
  CREATE FUNCTION public.remember(key text, value text, memory_type text DEFAULT 'fact',
    confidence_score real DEFAULT 1.0, source text DEFAULT NULL, source_conversation_id uuid DEFAULT NULL,
    expires_at timestamptz DEFAULT NULL, metadata jsonb DEFAULT '{}'::jsonb, embedding real[] DEFAULT NULL,
    user_id uuid DEFAULT NULL) RETURNS public.user_memory LANGUAGE sql AS $$ SELECT NULL::public.user_memory $$;)sql";

TEST(DbPush, AFunctionWhoseResultTypeChangedIsDroppedAndCreated) {
  TestDatabase database;
  ASSERT_EQ(RunAgentbase("db push " + database.DbUrlFlag()).exit_code, 0);
  database.Exec(kOlderRemember);
  database.Exec(R"sql(UPDATE agentbase.schema_history SET checksum = 'older-schema',
    fingerprints = fingerprints || jsonb_build_object('function public.remember', 'SELECT NULL::public.user_memory'))sql");
  auto push = RunAgentbase("db push " + database.DbUrlFlag());
  ASSERT_EQ(push.exit_code, 0) << Output(push);
  EXPECT_NE(push.out.find("~ function public.remember (definition changed in the schema)"), std::string::npos)
      << push.out;
  EXPECT_EQ(database.Scalar("SELECT 'has_embedding' = ANY (proargnames) FROM pg_proc WHERE proname = 'remember'"), "t");
  EXPECT_EQ(RunAgentbase("db verify " + database.DbUrlFlag()).exit_code, 0);
  EXPECT_EQ(RunAgentbase("db plan --check " + database.DbUrlFlag()).exit_code, 0);
}

TEST(DbPush, TheScriptReplacesAFunctionWhoseResultTypeChanged) {
  TestDatabase database;
  RunTheScriptAgainAfter(database, kOlderRemember);
  EXPECT_EQ(database.Scalar("SELECT 'has_embedding' = ANY (proargnames) FROM pg_proc WHERE proname = 'remember'"), "t");
  EXPECT_EQ(database.Scalar("SELECT count(*) FROM pg_proc WHERE proname = 'remember'"), "1");
}

// A storage parameter is an object of its own: a table an older push created
// without it gets it, and one changed by hand is drift and a conflict.
TEST(DbPush, AStorageParameterIsSetWhereMissingAndAChangeIsAConflict) {
  TestDatabase database;
  ASSERT_EQ(RunAgentbase("db push " + database.DbUrlFlag()).exit_code, 0);
  const std::string options =
      "SELECT coalesce(reloptions::text, '') FROM pg_class WHERE oid = 'public.user_memory'::regclass";
  EXPECT_EQ(database.Scalar(options), "{toast_tuple_target=8160}");

  // What an older schema left: the table without it.
  database.Exec(
      "ALTER TABLE public.user_memory RESET (toast_tuple_target);"
      "UPDATE agentbase.schema_history SET checksum = 'older-schema'");
  auto plan = RunAgentbase("db plan " + database.DbUrlFlag());
  EXPECT_NE(plan.out.find("storage parameter public.user_memory.toast_tuple_target"), std::string::npos) << plan.out;
  auto push = RunAgentbase("db push " + database.DbUrlFlag());
  ASSERT_EQ(push.exit_code, 0) << Output(push);
  EXPECT_EQ(database.Scalar(options), "{toast_tuple_target=8160}");
  EXPECT_EQ(RunAgentbase("db plan --check " + database.DbUrlFlag()).exit_code, 0);

  database.Exec("ALTER TABLE public.user_memory SET (toast_tuple_target = 4096)");
  auto status = RunAgentbase("db status --check " + database.DbUrlFlag());
  EXPECT_EQ(status.exit_code, 1) << Output(status);
  EXPECT_NE(status.out.find("storage parameter public.user_memory.toast_tuple_target changed"), std::string::npos)
      << status.out;
  auto conflict = RunAgentbase("db push " + database.DbUrlFlag());
  EXPECT_EQ(conflict.exit_code, 4) << Output(conflict);
  EXPECT_NE(conflict.err.find("was changed after agentbase created it"), std::string::npos) << Output(conflict);
  EXPECT_EQ(database.Scalar(options), "{toast_tuple_target=4096}");
}

TEST(DbPush, PlanShowsTheSqlAndJson) {
  TestDatabase database;
  auto plan = RunAgentbase("db plan " + database.DbUrlFlag());
  ASSERT_EQ(plan.exit_code, 0) << Output(plan);
  EXPECT_NE(plan.out.find("CREATE TABLE public.conversations"), std::string::npos);
  EXPECT_NE(plan.out.find("CREATE POLICY user_memory_select_own"), std::string::npos);
  EXPECT_EQ(database.Scalar("SELECT to_regclass('public.conversations') IS NULL"), "t");  // plan changes nothing
  EXPECT_EQ(RunAgentbase("db plan --check " + database.DbUrlFlag()).exit_code, 1);

  auto json = RunAgentbase("db plan --json " + database.DbUrlFlag());
  ASSERT_EQ(json.exit_code, 0);
  EXPECT_EQ(json.out.rfind("{\"up_to_date\":false", 0), 0u) << json.out.substr(0, 200);
  EXPECT_NE(json.out.find("\"kind\":\"policy\""), std::string::npos);
}

TEST(DbPush, SupabaseScriptRunsTwiceAndVerifies) {
  TestDatabase database;
  CreateExistingPlatform(database);
  std::string script = ReadRepoFile("database/sql/add_missing_tables.sql");
  database.Exec(script);
  database.Exec(script);
  auto verify = RunAgentbase("db verify " + database.DbUrlFlag());
  EXPECT_EQ(verify.exit_code, 0) << Output(verify);
}

TEST(DbBadInput, EachFailureIsOneClearLineAndANonZeroExit) {
  const char* tcp = std::getenv("TEST_PG_TCP_URL_BASE");
  ASSERT_NE(tcp, nullptr);
  std::string tcp_base = tcp;
  {
    TestDatabase setup;
    setup.Exec(
        "DO $$ BEGIN CREATE ROLE it_pw_user LOGIN PASSWORD 'right-password'; "
        "EXCEPTION WHEN duplicate_object THEN NULL; END $$;"
        "DO $$ BEGIN CREATE ROLE it_nopriv LOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$;");
  }
  TestDatabase database;
  struct Case {
    std::string args;
    int exit_code;
    std::string says;
  };
  std::vector<Case> cases = {
      {"db push --db-url 'postgresql://postgres@127.0.0.1:1/postgres'", 3, "Connection refused"},
      {"db push --db-url '" + tcp_base + "/postgres?user=it_pw_user&password=wrong'", 3,
       "password authentication failed"},
      {"db push --db-url 'https://example.supabase.co/rest/v1'", 2, "is not a PostgreSQL URL"},
      {"db push --db-url 'mysql://root@localhost/db'", 2, "is not a PostgreSQL URL"},
      {"db push --db-url 'host=/tmp port=notaport'", 3, "invalid"},
      {"db push --db-url '" + AdminConninfo() + " dbname=" + database.Name() + " user=it_nopriv'", 4, "may not create"},
      {"db push --no-such-flag", 2, "no-such-flag"},
      {"db frobnicate", 2, "subcommand is required"},
  };
  for (const auto& test_case : cases) {
    auto result = RunAgentbase(test_case.args);
    std::string output = Output(result);
    EXPECT_EQ(result.exit_code, test_case.exit_code) << test_case.args << "\n" << output;
    EXPECT_NE(output.find(test_case.says), std::string::npos) << test_case.args << "\n" << output;
    EXPECT_EQ(output.find("internal error"), std::string::npos) << output;
    EXPECT_EQ(output.find("terminate called"), std::string::npos) << output;
  }
  EXPECT_EQ(database.Scalar("SELECT to_regclass('public.conversations') IS NULL"), "t");
}

}  // namespace agentbase::testing
