// agentbase db on a database shaped like a real Supabase project: Supabase's
// roles, grants and default privileges, GoTrue's auth schema, and a team's
// own platform tables in their own shape (extra columns, other constraints,
// their own policies, triggers and rows). push, verify, a second push and the
// SQL-editor script must add the five tables without changing anything that
// was there. And a partial platform (profiles and agents, no tenants) must be
// refused by push and by the script alike, before anything changes.

#include <gtest/gtest.h>

#include <map>

#include "harness.hpp"
#include "util/text.hpp"

namespace agentbase::testing {

namespace {

// Supabase's roles are cluster-wide, and other tests may already have made
// some of them (as agentbase's compatible stand-ins): create only what is
// missing, with Supabase's attributes.
constexpr const char* kSupabaseRoles = R"sql(
DO $$
DECLARE
  wanted text[][] := ARRAY[
    ARRAY['anon', 'NOLOGIN NOINHERIT'],
    ARRAY['authenticated', 'NOLOGIN NOINHERIT'],
    ARRAY['service_role', 'NOLOGIN NOINHERIT BYPASSRLS'],
    ARRAY['authenticator', 'LOGIN NOINHERIT'],
    ARRAY['supabase_admin', 'LOGIN CREATEROLE CREATEDB REPLICATION BYPASSRLS'],
    ARRAY['supabase_auth_admin', 'NOINHERIT CREATEROLE LOGIN'],
    ARRAY['dashboard_user', 'NOSUPERUSER CREATEDB CREATEROLE REPLICATION']];
  role text[];
BEGIN
  FOREACH role SLICE 1 IN ARRAY wanted LOOP
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = role[1]) THEN
      EXECUTE format('CREATE ROLE %I %s', role[1], role[2]);
    END IF;
  END LOOP;
END
$$;
GRANT anon, authenticated, service_role TO authenticator;
)sql";

// What a Supabase project's database holds before the team adds anything:
// grants and default privileges on public, the extensions schema, and
// GoTrue's auth schema (auth.users with GoTrue's columns, refresh tokens,
// sessions, and the claim helpers exactly as Supabase defines them).
// agentbase's 00_supabase_compat.sql has the same helpers, but only creates
// them where they are absent: declared here as Supabase's own (owned by
// supabase_auth_admin), they are what push must leave untouched, and a copy
// kept apart from agentbase's cannot drift along with it.
constexpr const char* kSupabaseProject = R"sql(
GRANT USAGE ON SCHEMA public TO anon, authenticated, service_role;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT ALL ON TABLES TO anon, authenticated, service_role;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT ALL ON FUNCTIONS TO anon, authenticated, service_role;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT ALL ON SEQUENCES TO anon, authenticated, service_role;

CREATE SCHEMA extensions;
GRANT USAGE ON SCHEMA extensions TO anon, authenticated, service_role;
CREATE EXTENSION pgcrypto WITH SCHEMA extensions;
CREATE EXTENSION "uuid-ossp" WITH SCHEMA extensions;

CREATE SCHEMA auth AUTHORIZATION supabase_auth_admin;
GRANT USAGE ON SCHEMA auth TO anon, authenticated, service_role, dashboard_user;
CREATE TYPE auth.aal_level AS ENUM ('aal1', 'aal2', 'aal3');
CREATE TABLE auth.users (
  instance_id uuid NULL,
  id uuid NOT NULL,
  aud varchar(255) NULL,
  "role" varchar(255) NULL,
  email varchar(255) NULL,
  encrypted_password varchar(255) NULL,
  email_confirmed_at timestamptz NULL,
  invited_at timestamptz NULL,
  confirmation_token varchar(255) NULL,
  confirmation_sent_at timestamptz NULL,
  recovery_token varchar(255) NULL,
  recovery_sent_at timestamptz NULL,
  email_change_token_new varchar(255) NULL,
  email_change varchar(255) NULL,
  email_change_sent_at timestamptz NULL,
  last_sign_in_at timestamptz NULL,
  raw_app_meta_data jsonb NULL,
  raw_user_meta_data jsonb NULL,
  is_super_admin bool NULL,
  created_at timestamptz NULL,
  updated_at timestamptz NULL,
  phone text NULL UNIQUE DEFAULT NULL,
  phone_confirmed_at timestamptz NULL DEFAULT NULL,
  phone_change text NULL DEFAULT '',
  phone_change_token varchar(255) NULL DEFAULT '',
  phone_change_sent_at timestamptz NULL DEFAULT NULL,
  confirmed_at timestamptz GENERATED ALWAYS AS (LEAST(email_confirmed_at, phone_confirmed_at)) STORED,
  email_change_token_current varchar(255) NULL DEFAULT '',
  email_change_confirm_status smallint DEFAULT 0 CHECK (email_change_confirm_status >= 0 AND email_change_confirm_status <= 2),
  banned_until timestamptz NULL,
  reauthentication_token varchar(255) NULL DEFAULT '',
  reauthentication_sent_at timestamptz NULL DEFAULT NULL,
  is_sso_user boolean NOT NULL DEFAULT false,
  deleted_at timestamptz NULL,
  is_anonymous boolean NOT NULL DEFAULT false,
  CONSTRAINT users_pkey PRIMARY KEY (id)
);
CREATE INDEX users_instance_id_idx ON auth.users USING btree (instance_id);
CREATE INDEX users_instance_id_email_idx ON auth.users USING btree (instance_id, lower((email)::text));
CREATE TABLE auth.sessions (
  id uuid NOT NULL,
  user_id uuid NOT NULL,
  created_at timestamptz NULL,
  updated_at timestamptz NULL,
  factor_id uuid NULL,
  aal auth.aal_level NULL,
  not_after timestamptz,
  CONSTRAINT sessions_pkey PRIMARY KEY (id),
  CONSTRAINT sessions_user_id_fkey FOREIGN KEY (user_id) REFERENCES auth.users(id) ON DELETE CASCADE
);
CREATE TABLE auth.refresh_tokens (
  instance_id uuid NULL,
  id bigserial NOT NULL,
  "token" varchar(255) NULL,
  user_id varchar(255) NULL,
  revoked bool NULL,
  created_at timestamptz NULL,
  updated_at timestamptz NULL,
  parent varchar(255) NULL,
  session_id uuid NULL,
  CONSTRAINT refresh_tokens_pkey PRIMARY KEY (id),
  CONSTRAINT refresh_tokens_token_unique UNIQUE ("token"),
  CONSTRAINT refresh_tokens_session_id_fkey FOREIGN KEY (session_id) REFERENCES auth.sessions(id) ON DELETE CASCADE
);
CREATE INDEX refresh_tokens_instance_id_user_id_idx ON auth.refresh_tokens USING btree (instance_id, user_id);
CREATE FUNCTION auth.uid() RETURNS uuid LANGUAGE sql STABLE AS $$
  select coalesce(
    nullif(current_setting('request.jwt.claim.sub', true), ''),
    (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'sub')
  )::uuid
$$;
CREATE FUNCTION auth.role() RETURNS text LANGUAGE sql STABLE AS $$
  select coalesce(
    nullif(current_setting('request.jwt.claim.role', true), ''),
    (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'role')
  )::text
$$;
CREATE FUNCTION auth.email() RETURNS text LANGUAGE sql STABLE AS $$
  select coalesce(
    nullif(current_setting('request.jwt.claim.email', true), ''),
    (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'email')
  )::text
$$;
CREATE FUNCTION auth.jwt() RETURNS jsonb LANGUAGE sql STABLE AS $$
  select coalesce(
    nullif(current_setting('request.jwt.claim', true), ''),
    nullif(current_setting('request.jwt.claims', true), '')
  )::jsonb
$$;
ALTER TABLE auth.users OWNER TO supabase_auth_admin;
ALTER TABLE auth.sessions OWNER TO supabase_auth_admin;
ALTER TABLE auth.refresh_tokens OWNER TO supabase_auth_admin;
ALTER FUNCTION auth.uid() OWNER TO supabase_auth_admin;
ALTER FUNCTION auth.role() OWNER TO supabase_auth_admin;
ALTER FUNCTION auth.email() OWNER TO supabase_auth_admin;
ALTER FUNCTION auth.jwt() OWNER TO supabase_auth_admin;
GRANT ALL ON ALL TABLES IN SCHEMA auth TO dashboard_user;
GRANT EXECUTE ON FUNCTION auth.uid(), auth.role(), auth.email(), auth.jwt() TO dashboard_user;
)sql";

// The team's own platform, in its own shape: other column names and extra
// columns, its own policies, a sign-up trigger on auth.users, and rows.
constexpr const char* kTeamPlatform = R"sql(
CREATE TABLE public.tenants (
  id uuid PRIMARY KEY DEFAULT extensions.uuid_generate_v4(),
  name text NOT NULL,
  slug text UNIQUE,
  plan text NOT NULL DEFAULT 'free' CHECK (plan IN ('free', 'pro', 'enterprise')),
  billing_email text,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE public.profiles (
  id uuid PRIMARY KEY REFERENCES auth.users (id) ON DELETE CASCADE,
  tenant_id uuid NOT NULL REFERENCES public.tenants (id),
  full_name text,
  role text NOT NULL DEFAULT 'member' CHECK (role IN ('owner', 'admin', 'member', 'viewer')),
  locale text DEFAULT 'en',
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE public.agents (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL REFERENCES public.tenants (id) ON DELETE CASCADE,
  name text NOT NULL,
  persona jsonb NOT NULL DEFAULT '{}',
  temperature numeric(3, 2) DEFAULT 0.7,
  is_active boolean NOT NULL DEFAULT true,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX agents_tenant_active_idx ON public.agents (tenant_id) WHERE is_active;
CREATE TABLE public.tools (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  slug text NOT NULL UNIQUE,
  name text NOT NULL,
  vendor text,
  json_schema jsonb
);
CREATE TABLE public.departments (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_scope uuid REFERENCES public.tenants (id),
  name text NOT NULL,
  budget_cents bigint NOT NULL DEFAULT 0,
  parent_id uuid REFERENCES public.departments (id)
);
CREATE TABLE public.messages (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL REFERENCES public.tenants (id),
  author uuid REFERENCES auth.users (id),
  role text NOT NULL,
  content text NOT NULL,
  tokens integer,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX messages_tenant_created_idx ON public.messages (tenant_id, created_at DESC);

ALTER TABLE public.tenants ENABLE ROW LEVEL SECURITY;
CREATE POLICY "members read their tenant" ON public.tenants FOR SELECT TO authenticated
  USING (id IN (SELECT p.tenant_id FROM public.profiles p WHERE p.id = auth.uid()));
ALTER TABLE public.profiles ENABLE ROW LEVEL SECURITY;
CREATE POLICY "own profile" ON public.profiles FOR ALL TO authenticated
  USING (id = auth.uid()) WITH CHECK (id = auth.uid());
ALTER TABLE public.agents ENABLE ROW LEVEL SECURITY;
CREATE POLICY "tenant agents" ON public.agents FOR SELECT TO authenticated
  USING (tenant_id IN (SELECT p.tenant_id FROM public.profiles p WHERE p.id = auth.uid()));
ALTER TABLE public.messages ENABLE ROW LEVEL SECURITY;
CREATE POLICY "tenant messages" ON public.messages FOR ALL TO authenticated
  USING (tenant_id IN (SELECT p.tenant_id FROM public.profiles p WHERE p.id = auth.uid()));
REVOKE ALL ON public.tools FROM anon;

-- Supabase's usual sign-up hook.
CREATE FUNCTION public.handle_new_user() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = ''
AS $$
BEGIN
  IF NEW.raw_user_meta_data ? 'tenant_id' THEN
    INSERT INTO public.profiles (id, tenant_id, full_name)
    VALUES (NEW.id, (NEW.raw_user_meta_data ->> 'tenant_id')::uuid, NEW.raw_user_meta_data ->> 'full_name');
  END IF;
  RETURN NEW;
END
$$;
CREATE TRIGGER on_auth_user_created AFTER INSERT ON auth.users
  FOR EACH ROW EXECUTE FUNCTION public.handle_new_user();

INSERT INTO public.tenants (id, name, slug, plan) VALUES
  ('10000000-0000-0000-0000-000000000001', 'Acme', 'acme', 'pro'),
  ('10000000-0000-0000-0000-000000000002', 'Globex', 'globex', 'free');
INSERT INTO auth.users (id, aud, role, email, raw_user_meta_data, created_at) VALUES
  ('20000000-0000-0000-0000-000000000001', 'authenticated', 'authenticated', 'ann@acme.test',
   '{"tenant_id": "10000000-0000-0000-0000-000000000001", "full_name": "Ann"}', now()),
  ('20000000-0000-0000-0000-000000000002', 'authenticated', 'authenticated', 'bob@globex.test',
   '{"tenant_id": "10000000-0000-0000-0000-000000000002", "full_name": "Bob"}', now());
UPDATE public.profiles SET role = 'owner' WHERE id = '20000000-0000-0000-0000-000000000001';
INSERT INTO auth.sessions (id, user_id, aal) VALUES
  ('30000000-0000-0000-0000-000000000001', '20000000-0000-0000-0000-000000000001', 'aal1');
INSERT INTO auth.refresh_tokens (token, user_id, revoked, session_id) VALUES
  ('refresh-ann', '20000000-0000-0000-0000-000000000001', false, '30000000-0000-0000-0000-000000000001');
INSERT INTO public.agents (id, tenant_id, name, persona) VALUES
  ('40000000-0000-0000-0000-000000000001', '10000000-0000-0000-0000-000000000001', 'Acme helper', '{"tone": "dry"}'),
  ('40000000-0000-0000-0000-000000000002', '10000000-0000-0000-0000-000000000002', 'Globex helper', '{}');
INSERT INTO public.tools (slug, name, vendor) VALUES ('search', 'Search', 'acme'), ('mail', 'Mail', NULL);
INSERT INTO public.departments (name, budget_cents) VALUES ('Engineering', 100000), ('Sales', 5000);
INSERT INTO public.messages (tenant_id, author, role, content, tokens) VALUES
  ('10000000-0000-0000-0000-000000000001', '20000000-0000-0000-0000-000000000001', 'user', 'hello', 2);
)sql";

// One line per pre-existing object and its full definition: relations (kind,
// owner, RLS, grants), columns (type, nullability, default, column grants),
// constraints, indexes, policies, triggers, functions (definition, owner,
// grants), schemas, extensions, roles and their memberships, and default
// privileges.
constexpr const char* kCatalogFingerprint = R"sql(
SELECT key, definition FROM (
  SELECT 'relation ' || c.oid::regclass::text,
         c.relkind::text || ' owner=' || pg_get_userbyid(c.relowner) || ' rls=' || c.relrowsecurity || '/' ||
         c.relforcerowsecurity || ' acl=' || coalesce(c.relacl::text, '')
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
   WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')
  UNION ALL
  SELECT 'column ' || a.attrelid::regclass::text || '.' || a.attname,
         format_type(a.atttypid, a.atttypmod) || ' notnull=' || a.attnotnull || ' default=' ||
         coalesce(pg_get_expr(d.adbin, d.adrelid), '') || ' acl=' || coalesce(a.attacl::text, '')
    FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
    LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
   WHERE a.attnum > 0 AND NOT a.attisdropped AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')
  UNION ALL
  SELECT 'constraint ' || conrelid::regclass::text || '.' || conname, pg_get_constraintdef(oid)
    FROM pg_constraint WHERE connamespace NOT IN ('pg_catalog'::regnamespace, 'information_schema'::regnamespace)
  UNION ALL
  SELECT 'index ' || i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
    FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_namespace n ON n.oid = c.relnamespace
   WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')
  UNION ALL
  SELECT 'policy ' || schemaname || '.' || tablename || '.' || policyname,
         cmd || ' ' || permissive || ' ' || roles::text || ' using=' || coalesce(qual, '') || ' check=' ||
         coalesce(with_check, '')
    FROM pg_policies
  UNION ALL
  SELECT 'trigger ' || tgrelid::regclass::text || '.' || tgname, pg_get_triggerdef(oid) || ' ' || tgenabled::text
    FROM pg_trigger WHERE NOT tgisinternal
  UNION ALL
  SELECT 'function ' || p.oid::regprocedure::text,
         pg_get_functiondef(p.oid) || ' owner=' || pg_get_userbyid(p.proowner) || ' acl=' || coalesce(p.proacl::text, '')
    FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
   WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND p.prokind IN ('f', 'p')
     AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = p.oid AND d.deptype = 'e')
  UNION ALL
  SELECT 'schema ' || nspname, pg_get_userbyid(nspowner) || ' acl=' || coalesce(nspacl::text, '') FROM pg_namespace
  UNION ALL
  SELECT 'extension ' || e.extname, e.extversion || ' in ' || n.nspname
    FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
  UNION ALL
  SELECT 'role ' || r.rolname,
         concat_ws(' ', r.rolsuper, r.rolinherit, r.rolcreaterole, r.rolcreatedb, r.rolcanlogin, r.rolbypassrls,
                   (SELECT string_agg(g.rolname, ',' ORDER BY g.rolname) FROM pg_auth_members m
                      JOIN pg_roles g ON g.oid = m.roleid WHERE m.member = r.oid))
    FROM pg_roles r
   WHERE r.rolname IN ('anon', 'authenticated', 'service_role', 'authenticator', 'supabase_admin',
                       'supabase_auth_admin', 'dashboard_user')
  UNION ALL
  SELECT 'default acl ' || pg_get_userbyid(defaclrole) || ' ' || coalesce(defaclnamespace::regnamespace::text, '') ||
         ' ' || defaclobjtype::text, defaclacl::text
    FROM pg_default_acl
) facts(key, definition)
)sql";

using Fingerprint = std::map<std::string, std::string>;

Fingerprint CatalogFingerprint(const TestDatabase& database) {
  // An empty search_path makes every name schema-qualified.
  auto result = database.Exec(std::string("SET search_path = '';") + kCatalogFingerprint);
  Fingerprint fingerprint;
  for (int row = 0; row < result.Rows(); ++row)
    fingerprint[std::string(result.Get(row, 0))] = std::string(result.Get(row, 1));
  return fingerprint;
}

// Every row of every table that existed, over the columns it had then (push
// adds messages.conversation_id, as the seed asks; its new column is not a
// change to the rows that were there).
Fingerprint RowsFingerprint(const TestDatabase& database, const Fingerprint& catalog_before) {
  std::map<std::string, std::vector<std::string>> columns;
  for (const auto& [key, definition] : catalog_before) {
    if (!StartsWith(key, "column public.") && !StartsWith(key, "column auth.")) continue;
    std::string qualified = key.substr(7);
    auto dot = qualified.rfind('.');
    columns[qualified.substr(0, dot)].push_back(qualified.substr(dot + 1));
  }
  Fingerprint rows;
  for (const auto& [table, names] : columns) {
    if (catalog_before.count("relation " + table) == 0 || catalog_before.at("relation " + table)[0] != 'r') continue;
    std::vector<std::string> quoted;
    for (const auto& name : names) quoted.push_back(QuoteIdent(name));
    std::string list = Join(quoted, ", ");
    rows[table] = database.Scalar(
        "SET search_path = ''; SELECT count(*) || ':' || coalesce(md5(string_agg(r::text, E'\\n' ORDER BY r::text)), "
        "'') "
        "FROM (SELECT " +
        list + " FROM " + table + ") r");
  }
  return rows;
}

// Every key of `before` is in `after` with the same definition.
void ExpectUnchanged(const Fingerprint& before, const Fingerprint& after, const std::string& what) {
  for (const auto& [key, definition] : before) {
    auto found = after.find(key);
    if (found == after.end()) {
      ADD_FAILURE() << what << ": " << key << " disappeared";
    } else {
      EXPECT_EQ(found->second, definition) << what << ": " << key << " changed";
    }
  }
}

void BuildSupabaseProject(const TestDatabase& database) {
  database.Exec(kSupabaseRoles);
  database.Exec(kSupabaseProject);
}

std::string Output(const CommandResult& result) { return "stdout:\n" + result.out + "\nstderr:\n" + result.err; }

}  // namespace

TEST(SupabaseShape, PushVerifyRepushAndScriptChangeNothingThatWasThere) {
  TestDatabase database;
  BuildSupabaseProject(database);
  database.Exec(kTeamPlatform);
  Fingerprint catalog_before = CatalogFingerprint(database);
  Fingerprint rows_before = RowsFingerprint(database, catalog_before);
  ASSERT_GT(catalog_before.size(), 150u);
  ASSERT_EQ(rows_before.count("auth.users"), 1u);
  ASSERT_EQ(rows_before.at("auth.users").substr(0, 2), "2:");
  ASSERT_EQ(rows_before.at("public.messages").substr(0, 2), "1:");

  auto push = RunAgentbase("db push " + database.DbUrlFlag());
  ASSERT_EQ(push.exit_code, 0) << Output(push);
  EXPECT_EQ(push.err, "");
  EXPECT_NE(push.out.find("+ table public.conversations"), std::string::npos) << push.out;
  EXPECT_EQ(push.out.find("+ table public.tenants"), std::string::npos) << push.out;
  EXPECT_NE(push.out.find("left as they are"), std::string::npos) << push.out;

  auto verify = RunAgentbase("db verify " + database.DbUrlFlag());
  EXPECT_EQ(verify.exit_code, 0) << Output(verify);

  // A second push runs nothing, and plan, push and status count alike.
  database.Exec(R"sql(
    CREATE SEQUENCE agentbase.test_ddl_seen;
    CREATE FUNCTION agentbase.test_count_ddl() RETURNS event_trigger LANGUAGE plpgsql AS $$
    BEGIN PERFORM pg_catalog.nextval('agentbase.test_ddl_seen'); END $$;
    CREATE EVENT TRIGGER test_count_ddl ON ddl_command_start EXECUTE FUNCTION agentbase.test_count_ddl();)sql");
  auto second = RunAgentbase("db push " + database.DbUrlFlag());
  ASSERT_EQ(second.exit_code, 0) << Output(second);
  EXPECT_NE(second.out.find("Up to date"), std::string::npos) << second.out;
  EXPECT_EQ(database.Scalar("SELECT is_called FROM agentbase.test_ddl_seen"), "f") << "the second push ran DDL";
  auto status = RunAgentbase("db status " + database.DbUrlFlag());
  ASSERT_EQ(status.exit_code, 0) << Output(status);
  auto counts = [](const std::string& text) {
    auto at = text.find("Objects: ");
    return at == std::string::npos ? std::string("(none)") : text.substr(at, text.find('\n', at) - at);
  };
  EXPECT_EQ(counts(second.out), counts(status.out));
  EXPECT_NE(counts(status.out).find(" 0 missing"), std::string::npos) << status.out;
  database.Exec(
      "DROP EVENT TRIGGER test_count_ddl; DROP FUNCTION agentbase.test_count_ddl();"
      "DROP SEQUENCE agentbase.test_ddl_seen");

  // The SQL-editor script, after push, passes its preflight and runs cleanly.
  database.Exec(ReadRepoFile("database/sql/add_missing_tables.sql"));
  EXPECT_EQ(RunAgentbase("db verify " + database.DbUrlFlag()).exit_code, 0);

  ExpectUnchanged(catalog_before, CatalogFingerprint(database), "catalog");
  ExpectUnchanged(rows_before, RowsFingerprint(database, catalog_before), "rows");

  // The team's existing users can use the new tables at once: Ann (owner of
  // Acme, in the team's own profiles) starts a conversation with Acme's agent.
  auto as_ann = database.Connect();
  auto conversation = as_ann.Exec(
      "BEGIN; SET LOCAL ROLE authenticated;"
      "SELECT set_config('request.jwt.claims', '{\"sub\": \"20000000-0000-0000-0000-000000000001\", \"role\": "
      "\"authenticated\"}', true);"
      "INSERT INTO public.conversations (tenant_id, user_id, agent_id, title) VALUES "
      "('10000000-0000-0000-0000-000000000001', '20000000-0000-0000-0000-000000000001', "
      "'40000000-0000-0000-0000-000000000001', 'first');"
      "INSERT INTO public.organizational_roles (name, slug) VALUES ('Lead', 'acme-lead');"
      "SELECT count(*) FROM public.conversations; ");
  ASSERT_TRUE(conversation.ok()) << conversation.error().message;
  EXPECT_EQ(conversation->Text(0, 0), "1");
  ASSERT_TRUE(as_ann.Exec("ROLLBACK").ok());
}

TEST(SupabaseShape, PartialPlatformIsRefusedByPushAndScriptChangingNothing) {
  TestDatabase database;
  BuildSupabaseProject(database);
  // profiles and agents, but tenants lives elsewhere (here: nowhere).
  database.Exec(R"sql(
    CREATE TABLE public.profiles (id uuid PRIMARY KEY REFERENCES auth.users (id), tenant_id uuid NOT NULL,
                                  role text NOT NULL DEFAULT 'member');
    CREATE TABLE public.agents (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), tenant_id uuid NOT NULL, name text);
    INSERT INTO auth.users (id, email) VALUES ('20000000-0000-0000-0000-000000000001', 'ann@acme.test');
    INSERT INTO public.profiles (id, tenant_id) VALUES ('20000000-0000-0000-0000-000000000001',
                                                        '10000000-0000-0000-0000-000000000001');)sql");
  std::string before = database.SchemaDigest();
  const std::string refusal =
      "public.tenants: public.profiles exists but public.tenants does not: public.profiles.tenant_id would reference "
      "an empty tenants table";

  for (const char* command : {"db push ", "db plan "}) {
    auto result = RunAgentbase(command + database.DbUrlFlag());
    EXPECT_EQ(result.exit_code, 4) << command << Output(result);
    EXPECT_NE(result.err.find(refusal), std::string::npos) << command << Output(result);
    EXPECT_NE(result.err.find("public.agents exists but public.tenants does not"), std::string::npos) << Output(result);
    EXPECT_NE(result.err.find("Nothing was changed"), std::string::npos) << Output(result);
    EXPECT_EQ(result.out.find("exists but"), std::string::npos) << "refusals belong on stderr\n" << Output(result);
  }
  auto json = RunAgentbase("db push --json " + database.DbUrlFlag());
  EXPECT_EQ(json.exit_code, 4);
  EXPECT_NE(json.err.find(refusal), std::string::npos) << Output(json);
  EXPECT_EQ(database.SchemaDigest(), before);
  EXPECT_EQ(database.Scalar("SELECT to_regclass('public.tenants') IS NULL"), "t");

  auto connection = database.Connect();
  auto script = connection.Exec(ReadRepoFile("database/sql/add_missing_tables.sql"));
  ASSERT_FALSE(script.ok()) << "the script ran on a partial platform";
  EXPECT_NE(script.error().message.find(refusal), std::string::npos) << script.error().message;
  (void)connection.Exec("ROLLBACK");
  EXPECT_EQ(database.SchemaDigest(), before);
  EXPECT_EQ(database.Scalar("SELECT count(*) FROM public.profiles"), "1");
}

TEST(SupabaseShape, ACatalogTableIsNotCreatedWhereExistingColumnsReferToIt) {
  TestDatabase database;
  BuildSupabaseProject(database);
  // The whole platform but departments, which agents already point into.
  database.Exec(R"sql(
    CREATE TABLE public.tenants (id uuid PRIMARY KEY, name text NOT NULL);
    CREATE TABLE public.profiles (id uuid PRIMARY KEY, tenant_id uuid NOT NULL REFERENCES public.tenants (id));
    CREATE TABLE public.agents (id uuid PRIMARY KEY, tenant_id uuid NOT NULL REFERENCES public.tenants (id),
                                department_id uuid);
    CREATE TABLE public.tools (id uuid PRIMARY KEY, name text);
    CREATE TABLE public.messages (id uuid PRIMARY KEY, tenant_id uuid, created_at timestamptz NOT NULL);)sql");
  std::string before = database.SchemaDigest();
  auto push = RunAgentbase("db push " + database.DbUrlFlag());
  EXPECT_EQ(push.exit_code, 4) << Output(push);
  EXPECT_NE(push.err.find("public.departments: public.agents.department_id exists but public.departments does not"),
            std::string::npos)
      << Output(push);
  EXPECT_EQ(database.SchemaDigest(), before);

  // Without that column, departments is created empty: nothing refers to it.
  database.Exec("ALTER TABLE public.agents DROP COLUMN department_id");
  auto retry = RunAgentbase("db push " + database.DbUrlFlag());
  EXPECT_EQ(retry.exit_code, 0) << Output(retry);
  EXPECT_NE(retry.out.find("+ table public.departments"), std::string::npos) << retry.out;
}

// The rule holds for every platform table, tenants too: a team's own table
// with a tenant_id column keeps push from creating an empty tenants table.
TEST(SupabaseShape, TenantsAreNotCreatedWhereAnExistingColumnRefersToThem) {
  TestDatabase database;
  BuildSupabaseProject(database);
  database.Exec("CREATE TABLE public.notes (id bigint PRIMARY KEY, tenant_id uuid NOT NULL)");
  std::string before = database.SchemaDigest();
  auto push = RunAgentbase("db push " + database.DbUrlFlag());
  EXPECT_EQ(push.exit_code, 4) << Output(push);
  EXPECT_NE(push.err.find("public.tenants: public.notes.tenant_id exists but public.tenants does not"),
            std::string::npos)
      << Output(push);
  EXPECT_EQ(database.SchemaDigest(), before);
}

}  // namespace agentbase::testing
