#include "schema/desired_schema.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "migrate/verify.hpp"
#include "schema/idempotent_sql.hpp"
#include "schema/platform_shape.hpp"

namespace agentbase::schema {

namespace {

DesiredSchema Build(bool with_vector) {
  BuildOptions options;
  options.with_vector = with_vector;
  auto desired = BuildDesiredSchema(EmbeddedSchemaFiles(), options);
  if (!desired) ADD_FAILURE() << desired.error().message;
  return desired.ok() ? std::move(desired).value() : DesiredSchema{};
}

// Columns a table ends up with: its own plus ADD COLUMN statements.
size_t ColumnCount(const DesiredSchema& desired, const std::string& table) {
  return desired.PartsOf("public." + table, ObjectKind::Column).size();
}

}  // namespace

TEST(DesiredSchema, EveryStatementOfEveryFileParses) {
  for (bool with_vector : {false, true}) {
    auto desired = Build(with_vector);
    EXPECT_GT(desired.objects.size(), 100u);
    EXPECT_EQ(desired.checksum.size(), 64u);
  }
}

// The seed's expected output is a contract: both embedding paths must meet it.
TEST(DesiredSchema, ColumnCountsMatchTheSeedOnBothEmbeddingPaths) {
  for (bool with_vector : {false, true}) {
    auto desired = Build(with_vector);
    for (const auto& expected : migrate::kSeedExpectedColumns) {
      EXPECT_EQ(ColumnCount(desired, expected.name), static_cast<size_t>(expected.columns))
          << expected.name << (with_vector ? " (pgvector)" : " (real[])");
    }
  }
}

TEST(DesiredSchema, EveryEnsuredTableHasRlsTheSeedsFiveAPolicyPerCommandAndUpdatedAtKeptCurrent) {
  auto desired = Build(false);
  const std::set<std::string> seed_tables = {"conversations", "agent_tools", "organizational_roles",
                                             "business_functions", "user_memory"};
  std::set<std::string> names;
  for (const auto* table : desired.EnsuredTables()) {
    names.insert(table->table);
    EXPECT_EQ(desired.PartsOf(table->QualifiedTable(), ObjectKind::RowSecurity).size(), 1u) << table->table;
    std::set<std::string> commands;
    for (const auto* policy : desired.PartsOf(table->QualifiedTable(), ObjectKind::Policy)) {
      commands.insert(policy->policy_command);
    }
    // The seed's tables have a policy per command; the others at least say
    // who reads them (tool calls, for instance, are never updated by users).
    if (seed_tables.count(table->table)) {
      EXPECT_EQ(commands, (std::set<std::string>{"SELECT", "INSERT", "UPDATE", "DELETE"})) << table->table;
    } else {
      EXPECT_EQ(commands.count("SELECT"), 1u) << table->table << " is readable by no policy";
    }
    // Every table with an updated_at column keeps it current (a mapping
    // such as agent_business_functions has none).
    bool has_updated_at = false;
    for (const auto* column : desired.PartsOf(table->QualifiedTable(), ObjectKind::Column)) {
      has_updated_at |= column->name == "updated_at";
    }
    bool has_updated_at_trigger = false;
    for (const auto* trigger : desired.PartsOf(table->QualifiedTable(), ObjectKind::Trigger)) {
      has_updated_at_trigger |= trigger->name == table->table + "_set_updated_at";
    }
    EXPECT_EQ(has_updated_at_trigger, has_updated_at) << table->table;
  }
  for (const auto& seed_table : seed_tables) EXPECT_EQ(names.count(seed_table), 1u) << seed_table;
}

TEST(DesiredSchema, VectorPathUsesPgvectorAndPlainPathAChecksRealArray) {
  auto plain = Build(false);
  auto vector = Build(true);
  auto embedding_type = [](const DesiredSchema& desired) {
    for (const auto* column : desired.PartsOf("public.user_memory", ObjectKind::Column)) {
      if (column->name == "embedding") return column->column_type;
    }
    return std::string();
  };
  EXPECT_EQ(embedding_type(plain), "real[]");
  EXPECT_EQ(embedding_type(vector), "extensions.vector(1536)");
  EXPECT_NE(plain.checksum, vector.checksum);
}

TEST(DesiredSchema, CommittedSupabaseScriptMatchesTheRendering) {
  auto rendered = RenderIdempotentSql(EmbeddedSchemaFiles());
  ASSERT_TRUE(rendered.ok()) << rendered.error().message;
  std::ifstream file(std::string(AGENTBASE_SOURCE_DIR) + "/database/sql/add_missing_tables.sql");
  std::stringstream committed;
  committed << file.rdbuf();
  EXPECT_EQ(committed.str(), *rendered)
      << "database/sql/add_missing_tables.sql is stale: run `agentbase db sql -o database/sql/add_missing_tables.sql`";
}

// The script refuses what push refuses, in the same words, before its first
// change.
TEST(DesiredSchema, SupabaseScriptStartsWithPushsPreflight) {
  auto rendered = RenderIdempotentSql(EmbeddedSchemaFiles());
  ASSERT_TRUE(rendered.ok()) << rendered.error().message;
  auto preflight = rendered->find("DO $agentbase_preflight$");
  ASSERT_NE(preflight, std::string::npos);
  EXPECT_LT(preflight, rendered->find("CREATE "));
  EXPECT_LT(rendered->find("BEGIN;"), preflight);
  auto partial = PartialPlatform("public.profiles", "public.tenants");
  EXPECT_EQ(partial.object, "public.tenants");
  EXPECT_NE(rendered->find("'" + partial.object + ": " + partial.message + "'"), std::string::npos);
  EXPECT_NE(rendered->find(MissingRequiredColumn("public.agents", "tenant_id", "uuid").message), std::string::npos);
  EXPECT_NE(rendered->find("is %1$s, but the new tables need uuid"), std::string::npos);
}

// The ALTER POLICY branch drops only the command clause after ON table:
// the same words inside USING stay as written.
TEST(DesiredSchema, ScriptAltersAPolicyWithoutTouchingItsExpression) {
  auto rendered = RenderIdempotentSql({{"x.sql",
                                        "-- agentbase:mode ensure\n"
                                        "CREATE POLICY p ON public.t AS PERMISSIVE FOR SELECT TO authenticated\n"
                                        "  USING (note <> 'x FOR SELECT y');\n"}});
  ASSERT_TRUE(rendered.ok()) << rendered.error().message;
  EXPECT_NE(rendered->find("ALTER POLICY p ON public.t TO authenticated\n      USING (note <> 'x FOR SELECT y')"),
            std::string::npos)
      << *rendered;
}

// The clauses ALTER POLICY does not take are the ones the parser read, also
// AS RESTRICTIVE and after a quoted table name with a space.
TEST(DesiredSchema, ScriptAltersARestrictivePolicyOnAQuotedTable) {
  auto rendered = RenderIdempotentSql({{"x.sql",
                                        "-- agentbase:mode ensure\n"
                                        "CREATE POLICY p ON public.\"my t\" AS RESTRICTIVE FOR UPDATE TO anon\n"
                                        "  USING (true) WITH CHECK (note <> 'AS PERMISSIVE');\n"}});
  ASSERT_TRUE(rendered.ok()) << rendered.error().message;
  EXPECT_NE(rendered->find("ALTER POLICY p ON public.\"my t\" TO anon\n      USING (true) WITH CHECK (note <> 'AS "
                           "PERMISSIVE')"),
            std::string::npos)
      << *rendered;
}

// A quoted policy name touching ON: the ALTER POLICY branch is as valid as
// the CREATE POLICY one.
TEST(DesiredSchema, ScriptAltersAPolicyWhoseQuotedNameTouchedOn) {
  auto rendered = RenderIdempotentSql(
      {{"x.sql", "-- agentbase:mode ensure\nCREATE POLICY \"p\"ON public.t FOR SELECT TO anon USING (true);\n"}});
  ASSERT_TRUE(rendered.ok()) << rendered.error().message;
  EXPECT_NE(rendered->find("CREATE POLICY p ON public.t FOR SELECT TO anon USING (true)"), std::string::npos)
      << *rendered;
  EXPECT_NE(rendered->find("ALTER POLICY p ON public.t TO anon USING (true)"), std::string::npos) << *rendered;
}

TEST(PlatformShape, MessagesNameWhatIsMissingAndWhy) {
  EXPECT_EQ(ReferenceColumnFor("public.tenants"), "tenant_id");
  EXPECT_EQ(ReferenceColumnFor("public.departments"), "department_id");
  auto partial = PartialPlatform("public.profiles", "public.tenants");
  EXPECT_EQ(partial.message.rfind("public.profiles exists but public.tenants does not: public.profiles.tenant_id "
                                  "would reference an empty tenants table",
                                  0),
            0u)
      << partial.message;
  auto dangling = DanglingReference("public.agents.department_id", "public.departments");
  EXPECT_EQ(dangling.object, "public.departments");
  EXPECT_NE(dangling.message.find("an empty departments table"), std::string::npos) << dangling.message;
  EXPECT_EQ(IncompatibleColumn("public.agents", "id", "bigint", "uuid")
                .message.rfind("is bigint, but the new tables "
                               "need uuid",
                               0),
            0u);
}

TEST(DesiredSchema, ABackfillNeedsAStatementBeforeIt) {
  auto alone = ParseObjects("SELECT public.fill();", Mode::Ensure, Condition::Always, "x.sql");
  ASSERT_FALSE(alone.ok());
  EXPECT_NE(alone.error().message.find("must follow"), std::string::npos) << alone.error().message;
  auto two = ParseObjects("CREATE INDEX i ON public.t (a);\nSELECT public.fill();\nSELECT public.count();",
                          Mode::Ensure, Condition::Always, "x.sql");
  ASSERT_TRUE(two.ok()) << two.error().message;
  ASSERT_EQ(two->size(), 3u);
  EXPECT_EQ((*two)[1].anchor, "index public.i");
  EXPECT_EQ((*two)[2].anchor, "index public.i");
}

TEST(DesiredSchema, DirectivesAreChecked) {
  EXPECT_FALSE(ParseSqlFile({"x.sql", "-- agentbase:if vector\nSELECT 1;\n"}).ok());
  EXPECT_FALSE(ParseSqlFile({"x.sql", "-- agentbase:end\n"}).ok());
  EXPECT_FALSE(ParseSqlFile({"x.sql", "-- agentbase:mode sometimes\n"}).ok());
  EXPECT_FALSE(ParseSqlFile({"x.sql", "-- agentbase:requires nonsense\n"}).ok());
  auto parsed = ParseSqlFile({"x.sql", "-- agentbase:requires public.t(id uuid, n int)\n"});
  ASSERT_TRUE(parsed.ok());
  ASSERT_EQ(parsed->requirements.size(), 1u);
  EXPECT_EQ(parsed->requirements[0].columns[1].type, "int");
}

}  // namespace agentbase::schema
