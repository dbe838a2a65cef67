#include "schema/statement_parser.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace agentbase::schema {

TEST(StatementParser, CreateTableYieldsColumnsAndNamedConstraints) {
  auto object = ParseStatement(
      "CREATE TABLE public.t (\n  id uuid NOT NULL DEFAULT gen_random_uuid(),\n  tags text[] NOT NULL,\n"
      "  score numeric(3, 2),\n  CONSTRAINT t_pkey PRIMARY KEY (id),\n  CONSTRAINT t_score_check CHECK (score >= "
      "0)\n)");
  ASSERT_TRUE(object.ok()) << object.error().message;
  EXPECT_EQ(object->kind, ObjectKind::Table);
  EXPECT_EQ(object->QualifiedTable(), "public.t");
  ASSERT_EQ(object->parts.size(), 5u);
  EXPECT_EQ(object->parts[0].name, "id");
  EXPECT_EQ(object->parts[0].column_type, "uuid");
  EXPECT_EQ(object->parts[1].column_type, "text[]");
  EXPECT_EQ(object->parts[2].column_type, "numeric(3, 2)");
  EXPECT_EQ(object->parts[2].Sql(), "ALTER TABLE public.t ADD COLUMN score numeric(3, 2)");
  EXPECT_EQ(object->parts[3].kind, ObjectKind::Constraint);
  EXPECT_EQ(object->parts[4].Sql(), "ALTER TABLE public.t ADD CONSTRAINT t_score_check CHECK (score >= 0)");
  EXPECT_EQ(object->parts[4].SqlWithName("probe"), "ALTER TABLE public.t ADD CONSTRAINT probe CHECK (score >= 0)");
}

TEST(StatementParser, RefusesUnnamedAndInlineConstraints) {
  EXPECT_FALSE(ParseStatement("CREATE TABLE t (id uuid, PRIMARY KEY (id))").ok());
  EXPECT_FALSE(ParseStatement("CREATE TABLE t (id uuid REFERENCES u (id))").ok());
  EXPECT_FALSE(ParseStatement("CREATE TABLE IF NOT EXISTS t (id uuid)").ok());
}

TEST(StatementParser, PolicyCommandRolesAndTable) {
  auto object = ParseStatement("CREATE POLICY p_read ON public.things FOR SELECT TO anon, authenticated USING (true)");
  ASSERT_TRUE(object.ok()) << object.error().message;
  EXPECT_EQ(object->kind, ObjectKind::Policy);
  EXPECT_EQ(object->name, "p_read");
  EXPECT_EQ(object->table, "things");
  EXPECT_EQ(object->policy_command, "SELECT");
  EXPECT_EQ(object->policy_roles, (std::vector<std::string>{"anon", "authenticated"}));
  EXPECT_EQ(object->Key(), "policy public.things.p_read");
}

TEST(StatementParser, PolicyDefaultsToAllForPublic) {
  auto object = ParseStatement("CREATE POLICY p ON t USING (true)");
  ASSERT_TRUE(object.ok());
  EXPECT_EQ(object->policy_command, "ALL");
  EXPECT_EQ(object->policy_roles, (std::vector<std::string>{"public"}));
}

TEST(StatementParser, ConstraintTriggerIsATriggerOfItsTable) {
  auto object = ParseStatement(
      "CREATE CONSTRAINT TRIGGER t_checked AFTER INSERT OR UPDATE OF config ON public.things "
      "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION agentbase.check()");
  ASSERT_TRUE(object.ok()) << object.error().message;
  EXPECT_EQ(object->kind, ObjectKind::Trigger);
  EXPECT_EQ(object->Key(), "trigger public.things.t_checked");
}

TEST(StatementParser, GrantsOnTablesColumnsSchemasAndRoles) {
  auto table = ParseStatement("GRANT SELECT, UPDATE ON public.t TO anon, authenticated");
  ASSERT_TRUE(table.ok());
  EXPECT_EQ(table->kind, ObjectKind::TableGrant);
  EXPECT_EQ(table->privileges, (std::vector<std::string>{"SELECT", "UPDATE"}));
  EXPECT_EQ(table->grantees, (std::vector<std::string>{"anon", "authenticated"}));

  auto columns = ParseStatement("GRANT UPDATE (display_name, avatar_url) ON public.profiles TO authenticated");
  ASSERT_TRUE(columns.ok());
  EXPECT_EQ(columns->grant_columns, (std::vector<std::string>{"display_name", "avatar_url"}));

  auto schema = ParseStatement("GRANT USAGE ON SCHEMA auth TO anon");
  ASSERT_TRUE(schema.ok());
  EXPECT_EQ(schema->kind, ObjectKind::SchemaGrant);
  EXPECT_EQ(schema->name, "auth");

  auto membership = ParseStatement("GRANT anon TO authenticator");
  ASSERT_TRUE(membership.ok());
  EXPECT_EQ(membership->kind, ObjectKind::RoleMembership);
  EXPECT_EQ(membership->name, "anon");
  EXPECT_EQ(membership->member, "authenticator");
  EXPECT_EQ(membership->Sql(), "GRANT anon TO authenticator");
}

TEST(StatementParser, FunctionBodyTriggerIndexAndAlterTable) {
  auto function = ParseStatement("CREATE FUNCTION s.f() RETURNS int LANGUAGE sql AS $body$ SELECT 1 $body$");
  ASSERT_TRUE(function.ok());
  EXPECT_EQ(function->Key(), "function s.f");
  EXPECT_EQ(function->body, " SELECT 1 ");

  auto trigger = ParseStatement("CREATE TRIGGER tr BEFORE UPDATE OF a ON public.t FOR EACH ROW EXECUTE FUNCTION s.f()");
  ASSERT_TRUE(trigger.ok());
  EXPECT_EQ(trigger->Key(), "trigger public.t.tr");

  auto index = ParseStatement("CREATE UNIQUE INDEX t_idx ON public.t USING btree (a DESC)");
  ASSERT_TRUE(index.ok());
  EXPECT_EQ(index->Key(), "index public.t_idx");
  EXPECT_EQ(index->table, "t");

  auto column = ParseStatement("ALTER TABLE public.m ADD COLUMN conversation_id uuid");
  ASSERT_TRUE(column.ok());
  EXPECT_EQ(column->kind, ObjectKind::Column);
  EXPECT_EQ(column->column_type, "uuid");
  EXPECT_EQ(column->Sql(), "ALTER TABLE public.m ADD COLUMN conversation_id uuid");

  auto rls = ParseStatement("ALTER TABLE public.m ENABLE ROW LEVEL SECURITY");
  ASSERT_TRUE(rls.ok());
  EXPECT_EQ(rls->kind, ObjectKind::RowSecurity);
  EXPECT_EQ(rls->Sql(), "ALTER TABLE public.m ENABLE ROW LEVEL SECURITY");
}

TEST(StatementParser, RejectsWhatItCannotTrack) {
  EXPECT_FALSE(ParseStatement("DROP TABLE users").ok());
  EXPECT_FALSE(ParseStatement("ALTER TABLE t DROP COLUMN x").ok());
  EXPECT_FALSE(ParseStatement("CREATE VIEW v AS SELECT 1").ok());
}

// Found by fuzzing: names that need quotes came back without them, and a
// policy ending at FOR read past the statement's tokens.
TEST(StatementParser, QuotedNamesKeepTheirQuotes) {
  for (std::string sql :
       {"CREATE SCHEMA \"Foo\"", "CREATE SCHEMA \"a b\"", "CREATE INDEX \"i\"\"x\" ON public.t (a)"}) {
    auto object = ParseStatement(sql);
    ASSERT_TRUE(object.ok()) << sql << ": " << object.error().message;
    EXPECT_EQ(object->Sql(), sql);
  }
  auto plain = ParseStatement("CREATE SCHEMA plain_name");
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(plain->Sql(), "CREATE SCHEMA plain_name");
}

// Found by fuzzing: a quoted name touching a word (`"public"U`, two tokens in
// PostgreSQL) ran into it once written without quotes (`publicU`, one). The
// parser keeps the cut statement apart from the name, for every kind and
// whatever the name is written as.
TEST(StatementParser, AnUnquotedNameKeepsApartFromTheWordsItTouched) {
  struct Case {
    std::string sql;
    std::string written_back;
  };
  for (const auto& [sql, written_back] : std::vector<Case>{
           {"CREATE SCHEMA \"public\"U", "CREATE SCHEMA public U"},
           {"CREATE SCHEMA\"public\"", "CREATE SCHEMA public"},
           {"CREATE SCHEMA \"x\"\xc3\xa9", "CREATE SCHEMA x \xc3\xa9"},
           // and a name touching a quoted identifier, once quoted, would run into it
           {"CREATE SCHEMA \xea\"\"\"\"", "CREATE SCHEMA \"\xea\" \"\"\"\""},
           {"CREATE POLICY \"p\"ON public.t USING (true)", "CREATE POLICY p ON public.t USING (true)"},
           {"ALTER TABLE public.t ADD COLUMN\"c\"int", "ALTER TABLE public.t ADD COLUMN c int"},
           {"ALTER TABLE public.t ADD CONSTRAINT\"k\"CHECK (true)",
            "ALTER TABLE public.t ADD CONSTRAINT k CHECK (true)"},
       }) {
    auto object = ParseStatement(sql);
    ASSERT_TRUE(object.ok()) << sql << ": " << object.error().message;
    EXPECT_EQ(object->Sql(), written_back) << sql;
    auto again = ParseStatement(object->Sql());
    ASSERT_TRUE(again.ok()) << object->Sql() << ": " << again.error().message;
    EXPECT_EQ(again->Key(), object->Key()) << sql;
  }
  auto table = ParseStatement("CREATE TABLE public.t (\"c\"int, CONSTRAINT\"k\"CHECK (true))");
  ASSERT_TRUE(table.ok()) << table.error().message;
  ASSERT_EQ(table->parts.size(), 2u);
  EXPECT_EQ(table->parts[0].Sql(), "ALTER TABLE public.t ADD COLUMN c int");
  EXPECT_EQ(table->parts[1].Sql(), "ALTER TABLE public.t ADD CONSTRAINT k CHECK (true)");
  auto function = ParseStatement("CREATE FUNCTION\"f\"() RETURNS int LANGUAGE sql AS $$ SELECT 1 $$");
  ASSERT_TRUE(function.ok()) << function.error().message;
  EXPECT_EQ(function->CreateOrReplaceSql(),
            "CREATE OR REPLACE FUNCTION f() RETURNS int LANGUAGE sql AS $$ SELECT 1 $$");
}

TEST(StatementParser, PolicyEndingAtForIsRefused) {
  auto object = ParseStatement("CREATE POLICY p ON public.t FOR");
  ASSERT_FALSE(object.ok());
  EXPECT_NE(object.error().message.find("after FOR"), std::string::npos) << object.error().message;
}

TEST(StatementParser, PublicationsAndTheirTablesOneByOne) {
  auto publication = ParseStatement("CREATE PUBLICATION supabase_realtime");
  ASSERT_TRUE(publication.ok()) << publication.error().message;
  EXPECT_EQ(publication->kind, ObjectKind::Publication);
  EXPECT_EQ(publication->Key(), "publication supabase_realtime");
  EXPECT_EQ(publication->Sql(), "CREATE PUBLICATION supabase_realtime");
  auto table = ParseStatement("ALTER PUBLICATION supabase_realtime ADD TABLE public.messages");
  ASSERT_TRUE(table.ok()) << table.error().message;
  EXPECT_EQ(table->kind, ObjectKind::PublicationTable);
  EXPECT_EQ(table->name, "supabase_realtime");
  EXPECT_EQ(table->QualifiedTable(), "public.messages");
  EXPECT_EQ(table->Key(), "publication table supabase_realtime public.messages");
  EXPECT_EQ(table->Sql(), "ALTER PUBLICATION supabase_realtime ADD TABLE public.messages");
  // One table per statement, and no FOR clause on the publication.
  EXPECT_FALSE(ParseStatement("ALTER PUBLICATION p ADD TABLE a, b").ok());
  EXPECT_FALSE(ParseStatement("ALTER PUBLICATION p DROP TABLE a").ok());
  EXPECT_FALSE(ParseStatement("CREATE PUBLICATION p FOR ALL TABLES").ok());
}

TEST(StatementParser, AFunctionIsReplacedInPlaceOrDroppedAndCreated) {
  auto function = ParseStatement("CREATE FUNCTION public.f(a int) RETURNS int LANGUAGE sql AS $$ SELECT a $$");
  ASSERT_TRUE(function.ok()) << function.error().message;
  EXPECT_EQ(function->ReplaceFunctionSql(),
            "DO $agentbase_replace$\nDECLARE\n"
            "  definition text := $agentbase_function$CREATE OR REPLACE FUNCTION public.f(a int) RETURNS int "
            "LANGUAGE sql AS $$ SELECT a $$$agentbase_function$;\nBEGIN\n  EXECUTE definition;\n"
            "EXCEPTION WHEN invalid_function_definition THEN\n  DROP FUNCTION public.f;\n  EXECUTE definition;\n"
            "END\n$agentbase_replace$");
  // A body that holds the tags gets others.
  auto tagged = ParseStatement(
      "CREATE FUNCTION public.g() RETURNS text LANGUAGE sql AS $$ SELECT '$agentbase_function$ $agentbase_replace$' "
      "$$");
  ASSERT_TRUE(tagged.ok()) << tagged.error().message;
  std::string sql = tagged->ReplaceFunctionSql();
  EXPECT_EQ(sql.rfind("DO $agentbase_replace_$\n", 0), 0u) << sql;
  EXPECT_NE(sql.find(":= $agentbase_function_$CREATE OR REPLACE"), std::string::npos) << sql;
}

TEST(StatementParser, StorageParametersOneByOne) {
  auto target = ParseStatement("ALTER TABLE public.user_memory SET (toast_tuple_target = 8160)");
  ASSERT_TRUE(target.ok()) << target.error().message;
  EXPECT_EQ(target->kind, ObjectKind::StorageParameter);
  EXPECT_EQ(target->QualifiedTable(), "public.user_memory");
  EXPECT_EQ(target->name, "toast_tuple_target");
  EXPECT_EQ(target->parameter_value, "8160");
  EXPECT_EQ(target->Key(), "storage parameter public.user_memory.toast_tuple_target");
  EXPECT_EQ(target->Sql(), "ALTER TABLE public.user_memory SET (toast_tuple_target = 8160)");
  EXPECT_TRUE(target->BelongsToTable());
  // A word as the value, kept as reloptions keeps it.
  auto word = ParseStatement("ALTER TABLE t SET (autovacuum_enabled = FALSE)");
  ASSERT_TRUE(word.ok()) << word.error().message;
  EXPECT_EQ(word->parameter_value, "false");
  // One parameter per statement, with a value, and nothing after it.
  for (const char* sql : {"ALTER TABLE t SET (a = 1, b = 2)", "ALTER TABLE t SET (a)", "ALTER TABLE t SET (a = )",
                          "ALTER TABLE t SET (a = 'x')", "ALTER TABLE t SET a = 1", "ALTER TABLE t SET (a = 1) x",
                          "ALTER TABLE t SET (a = 1", "ALTER TABLE t SET ("}) {
    EXPECT_FALSE(ParseStatement(sql).ok()) << sql;
  }
}

}  // namespace agentbase::schema
