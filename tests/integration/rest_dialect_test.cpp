// PostgREST's dialect beyond plain tables, against a schema of its own:
// one-to-one and many-to-many embeds, embedding by key column and
// constraint name, self-references both ways, relationships through views,
// computed fields and relationships, and functions of every return type
// answering select, filters, order, ranges and counts.

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/json.hpp>

#include "auth/jwt.hpp"
#include "harness.hpp"
#include "rest/rest_api.hpp"

namespace agentbase::testing {

namespace asio = boost::asio;
namespace json = boost::json;

namespace {

constexpr const char* kSecret = "a-test-secret-that-is-long-enough-for-hs256";

constexpr const char* kFixture = R"sql(
DO $$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'anon') THEN CREATE ROLE anon NOLOGIN; END IF;
END $$;
CREATE SCHEMA dialect;
CREATE SCHEMA hidden;
GRANT USAGE ON SCHEMA dialect TO anon;
CREATE TABLE dialect.countries (id int PRIMARY KEY, name text NOT NULL);
CREATE TABLE dialect.capitals (id int PRIMARY KEY, name text NOT NULL,
  country_id int NOT NULL UNIQUE REFERENCES dialect.countries (id));
CREATE TABLE dialect.users (id int PRIMARY KEY, name text NOT NULL);
CREATE TABLE dialect.tasks (id int PRIMARY KEY, name text NOT NULL);
CREATE TABLE dialect.users_tasks (user_id int REFERENCES dialect.users (id), task_id int REFERENCES dialect.tasks (id),
  PRIMARY KEY (user_id, task_id));
CREATE TABLE dialect.family (id int PRIMARY KEY, name text NOT NULL, parent int REFERENCES dialect.family (id));
CREATE TABLE dialect.clients (id int PRIMARY KEY, name text NOT NULL, first text, last text);
CREATE TABLE dialect.projects (id int PRIMARY KEY, name text NOT NULL,
  client_id int CONSTRAINT projects_client_fk REFERENCES dialect.clients (id));
CREATE TABLE hidden.notes (id int PRIMARY KEY, body text, project_id int REFERENCES dialect.projects (id));
CREATE VIEW dialect.project_notes AS SELECT id, body AS text, project_id FROM hidden.notes;
-- A subquery's own target list (its first entry) must not pass for the view's first column.
CREATE VIEW dialect.notes_with_project AS
  SELECT n.project_id AS the_project, (SELECT p.name FROM dialect.projects p WHERE p.id = n.project_id) AS project_name,
         n.id AS note_id FROM hidden.notes n;
CREATE FUNCTION dialect.full_name(dialect.clients) RETURNS text LANGUAGE sql STABLE
  AS $$ SELECT $1.first || ' ' || $1.last $$;
CREATE FUNCTION dialect.big_projects(dialect.clients) RETURNS SETOF dialect.projects LANGUAGE sql STABLE
  AS $$ SELECT * FROM dialect.projects WHERE client_id = $1.id AND id > 1 $$;
CREATE FUNCTION dialect.project_table(min_id int) RETURNS TABLE (id int, name text) LANGUAGE sql STABLE
  AS $$ SELECT id, name FROM dialect.projects WHERE id >= min_id ORDER BY id $$;
CREATE FUNCTION dialect.numbers() RETURNS SETOF int LANGUAGE sql STABLE AS $$ SELECT generate_series(1, 5) $$;
CREATE FUNCTION dialect.pair(OUT a int, OUT b text) LANGUAGE sql STABLE AS $$ SELECT 1, 'one' $$;
CREATE FUNCTION dialect.client_label(c dialect.clients) RETURNS text LANGUAGE sql STABLE
  AS $$ SELECT c.name || '#' || c.id $$;
CREATE FUNCTION dialect.echo_body(json) RETURNS json LANGUAGE sql STABLE AS $$ SELECT $1 $$;
CREATE FUNCTION dialect.all_projects() RETURNS SETOF dialect.projects LANGUAGE sql STABLE
  AS $$ SELECT * FROM dialect.projects $$;
GRANT SELECT ON ALL TABLES IN SCHEMA dialect TO anon;
GRANT USAGE ON SCHEMA hidden TO anon;
GRANT SELECT ON ALL TABLES IN SCHEMA hidden TO anon;
INSERT INTO dialect.countries VALUES (1, 'Afghanistan'), (2, 'Algeria');
INSERT INTO dialect.capitals VALUES (1, 'Kabul', 1), (2, 'Algiers', 2);
INSERT INTO dialect.users VALUES (1, 'Angela'), (2, 'Michael');
INSERT INTO dialect.tasks VALUES (1, 'Design'), (2, 'Code'), (3, 'Test');
INSERT INTO dialect.users_tasks VALUES (1, 1), (1, 2), (2, 3);
INSERT INTO dialect.family VALUES (1, 'root', NULL), (2, 'left', 1), (3, 'right', 1);
INSERT INTO dialect.clients VALUES (1, 'Microsoft', 'Bill', 'Gates'), (2, 'Apple', 'Steve', 'Jobs');
INSERT INTO dialect.projects VALUES (1, 'Windows 7', 1), (2, 'Windows 10', 1), (3, 'IOS', 2);
INSERT INTO hidden.notes VALUES (1, 'first', 1), (2, 'second', 1);
)sql";

class RestDialectTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    database_ = new TestDatabase();
    database_->Exec(kFixture);
  }
  static void TearDownTestSuite() {
    delete database_;
    database_ = nullptr;
  }

  http::Response Send(const std::string& method, const std::string& target, const std::string& body = "",
                      std::vector<std::pair<std::string, std::string>> headers = {},
                      const std::string& schemas = "dialect", rest::RestOptions options = {}) {
    asio::io_context io;
    auto keys = auth::KeySet::FromConfig(kSecret);
    db::Pool pool(io.get_executor(), database_->Conninfo(), db::PoolOptions{});
    options.schema = schemas;
    rest::RestApi api(pool, *keys, options);
    auto admin = database_->Connect();
    auto cache = rest::SchemaCache::Load(admin, schemas);
    EXPECT_TRUE(cache.ok()) << (cache.ok() ? std::string() : cache.error().message);
    if (cache) api.SetSchemaCache(*cache);
    http::Request request;
    request.method = method;
    request.target = target;
    auto question = target.find('?');
    request.path = target.substr(0, question);
    request.query = question == std::string::npos ? "" : target.substr(question + 1);
    request.body = body;
    request.headers = std::move(headers);
    auto future = asio::co_spawn(io, api.Handle(std::move(request)), asio::use_future);
    io.run();
    return future.get();
  }

  // The answer's body as JSON, after checking its status.
  json::value Get(const std::string& target, int status = 200) {
    auto response = Send("GET", target);
    EXPECT_EQ(response.status, status) << target << " " << response.body;
    return json::parse(response.body);
  }

  static std::string Header(const http::Response& response, const std::string& name) {
    for (const auto& [key, value] : response.headers) {
      std::string lower = key;
      for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      if (lower == name) return value;
    }
    return "";
  }

  static TestDatabase* database_;
};

TestDatabase* RestDialectTest::database_ = nullptr;

TEST_F(RestDialectTest, OneToOneEmbedsAreObjectsBothWays) {
  EXPECT_EQ(Get("/rest/v1/capitals?select=name,countries(name)&order=id"),
            json::parse(R"([{"name":"Kabul","countries":{"name":"Afghanistan"}},
                            {"name":"Algiers","countries":{"name":"Algeria"}}])"));
  EXPECT_EQ(Get("/rest/v1/countries?select=name,capitals(name)&order=id"),
            json::parse(R"([{"name":"Afghanistan","capitals":{"name":"Kabul"}},
                            {"name":"Algeria","capitals":{"name":"Algiers"}}])"));
}

TEST_F(RestDialectTest, ManyToManyThroughAJunction) {
  EXPECT_EQ(Get("/rest/v1/users?select=name,tasks(name)&order=id&tasks.order=id"),
            json::parse(R"([{"name":"Angela","tasks":[{"name":"Design"},{"name":"Code"}]},
                            {"name":"Michael","tasks":[{"name":"Test"}]}])"));
  EXPECT_EQ(Get("/rest/v1/tasks?select=name,users!users_tasks(name)&id=eq.3"),
            json::parse(R"([{"name":"Test","users":[{"name":"Michael"}]}])"));
}

TEST_F(RestDialectTest, EmbedsByKeyColumnAndConstraintName) {
  EXPECT_EQ(Get("/rest/v1/projects?select=name,client_id(name)&id=eq.1"),
            json::parse(R"([{"name":"Windows 7","client_id":{"name":"Microsoft"}}])"));
  EXPECT_EQ(Get("/rest/v1/projects?select=name,projects_client_fk(name)&id=eq.3"),
            json::parse(R"([{"name":"IOS","projects_client_fk":{"name":"Apple"}}])"));
  EXPECT_EQ(Get("/rest/v1/projects?select=name,clients!client_id(name)&id=eq.3"),
            json::parse(R"([{"name":"IOS","clients":{"name":"Apple"}}])"));
}

TEST_F(RestDialectTest, SelfReferenceParentAndChildren) {
  EXPECT_EQ(Get("/rest/v1/family?select=name,parent(name)&id=eq.2"),
            json::parse(R"([{"name":"left","parent":{"name":"root"}}])"));
  EXPECT_EQ(Get("/rest/v1/family?select=name,children:family(name)&id=eq.1&children.order=id"),
            json::parse(R"([{"name":"root","children":[{"name":"left"},{"name":"right"}]}])"));
}

TEST_F(RestDialectTest, RelationshipsThroughViewsOfHiddenTables) {
  EXPECT_EQ(Get("/rest/v1/projects?select=name,project_notes(text)&id=eq.1&project_notes.order=id"),
            json::parse(R"([{"name":"Windows 7","project_notes":[{"text":"first"},{"text":"second"}]}])"));
  EXPECT_EQ(Get("/rest/v1/project_notes?select=text,projects(name)&id=eq.2"),
            json::parse(R"([{"text":"second","projects":{"name":"Windows 7"}}])"));
}

TEST_F(RestDialectTest, ViewColumnsAreTracedPastSubqueriesInTheirSelectList) {
  EXPECT_EQ(Get("/rest/v1/notes_with_project?select=note_id,project_name,projects(id)&note_id=eq.2"),
            json::parse(R"([{"note_id":2,"project_name":"Windows 7","projects":{"id":1}}])"));
}

TEST_F(RestDialectTest, ComputedFieldsAndRelationships) {
  EXPECT_EQ(Get("/rest/v1/clients?select=id,full_name&full_name=like.Bill*"),
            json::parse(R"([{"id":1,"full_name":"Bill Gates"}])"));
  EXPECT_EQ(Get("/rest/v1/clients?select=id&order=full_name.desc"), json::parse(R"([{"id":2},{"id":1}])"));
  EXPECT_EQ(Get("/rest/v1/clients?select=name,big_projects(name)&id=eq.1"),
            json::parse(R"([{"name":"Microsoft","big_projects":[{"name":"Windows 10"}]}])"));
}

TEST_F(RestDialectTest, FunctionsOfEveryReturnTypeTakeSelectFiltersOrderAndRanges) {
  // RETURNS TABLE: select, filters, order, limit, count.
  auto table = Send("GET", "/rest/v1/rpc/project_table?min_id=1&select=name&id=gt.1&order=id.desc&limit=1", "",
                    {{"prefer", "count=exact"}});
  EXPECT_EQ(table.status, 206) << table.body;
  EXPECT_EQ(json::parse(table.body), json::parse(R"([{"name":"IOS"}])"));
  EXPECT_EQ(Header(table, "content-range"), "0-0/2");
  auto none = Send("POST", "/rest/v1/rpc/project_table?name=eq.nothing", R"({"min_id":1})");
  EXPECT_EQ(none.body, "[]");
  // SETOF scalar: filtered and paged by the function's name.
  EXPECT_EQ(Get("/rest/v1/rpc/numbers?numbers=gt.2&order=numbers.desc&limit=2"), json::parse("[5,4]"));
  // OUT arguments: one row, an object.
  EXPECT_EQ(Get("/rest/v1/rpc/pair?select=b"), json::parse(R"({"b":"one"})"));
  // Rows of a table: embeds too.
  EXPECT_EQ(Get("/rest/v1/rpc/all_projects?select=name,clients(name)&id=eq.3"),
            json::parse(R"([{"name":"IOS","clients":{"name":"Apple"}}])"));
  // A column the result does not have is an error, not ignored.
  EXPECT_EQ(Get("/rest/v1/rpc/project_table?min_id=1&select=nope", 400).at("code"), "42703");
}

TEST_F(RestDialectTest, CompositeAndWholeBodyArguments) {
  auto composite = Send("POST", "/rest/v1/rpc/client_label", R"({"c":{"id":7,"name":"Acme"}})");
  EXPECT_EQ(composite.status, 200) << composite.body;
  EXPECT_EQ(composite.body, R"("Acme#7")");
  auto whole = Send("POST", "/rest/v1/rpc/echo_body", R"([1,2,{"a":3}])");
  EXPECT_EQ(whole.status, 200) << whole.body;
  EXPECT_EQ(json::parse(whole.body), json::parse(R"([1,2,{"a":3}])"));
}

// A body is input like any other: bytes reach a bytea argument whole, NUL
// bytes included; text that PostgreSQL cannot hold is refused, never cut.
TEST_F(RestDialectTest, HostileArgumentBodiesAreTakenWholeOrRefused) {
  database_->Exec(
      "CREATE FUNCTION dialect.byte_count(bytea) RETURNS int LANGUAGE sql IMMUTABLE AS $$ SELECT length($1) $$;"
      "CREATE FUNCTION dialect.char_count(text) RETURNS int LANGUAGE sql IMMUTABLE AS $$ SELECT length($1) $$;"
      "CREATE FUNCTION dialect.named_count(t text) RETURNS int LANGUAGE sql IMMUTABLE AS $$ SELECT length(t) $$;");
  std::string with_nul("a\0b", 3);
  auto bytes = Send("POST", "/rest/v1/rpc/byte_count", with_nul, {{"content-type", "application/octet-stream"}});
  EXPECT_EQ(bytes.status, 200) << bytes.body;
  EXPECT_EQ(bytes.body, "3");
  auto text = Send("POST", "/rest/v1/rpc/char_count", with_nul, {{"content-type", "text/plain"}});
  EXPECT_EQ(text.status, 400) << text.body;
  EXPECT_EQ(json::parse(text.body).at("code"), "22021");
  auto escaped = Send("POST", "/rest/v1/rpc/named_count", R"({"t":"a\u0000b"})");
  EXPECT_EQ(escaped.status, 400) << escaped.body;
  EXPECT_EQ(json::parse(escaped.body).at("code"), "22021");
  auto form =
      Send("POST", "/rest/v1/rpc/named_count", "t=a%00b", {{"content-type", "application/x-www-form-urlencoded"}});
  EXPECT_EQ(form.status, 400) << form.body;
  database_->Exec(
      "DROP FUNCTION dialect.byte_count(bytea); DROP FUNCTION dialect.char_count(text);"
      "DROP FUNCTION dialect.named_count(text);");
}

// Media type handlers: a function returning a domain named like a media
// type answers a client that accepts that type with the value as it is
// (bytes too), and JSON to one that accepts JSON.
TEST_F(RestDialectTest, MediaTypeDomainsAnswerTheValueAsItIs) {
  database_->Exec(R"sql(
    CREATE DOMAIN dialect."text/html" AS text;
    CREATE DOMAIN dialect."image/png" AS bytea;
    CREATE DOMAIN hidden."*/*" AS bytea;
    CREATE FUNCTION dialect.page(title text) RETURNS dialect."text/html" LANGUAGE sql STABLE
      AS $$ SELECT ('<h1>' || title || '</h1>')::dialect."text/html" $$;
    CREATE FUNCTION dialect.no_page() RETURNS dialect."text/html" LANGUAGE sql STABLE AS $$ SELECT NULL $$;
    CREATE FUNCTION dialect.pages() RETURNS SETOF dialect."text/html" LANGUAGE sql STABLE
      AS $$ VALUES ('<p>1</p>'), ('<p>2</p>') $$;
    CREATE FUNCTION dialect.pixel() RETURNS dialect."image/png" LANGUAGE sql STABLE
      AS $$ SELECT '\x89504e4700ff'::bytea $$;
    CREATE FUNCTION dialect.anything() RETURNS hidden."*/*" LANGUAGE sql STABLE AS $$ SELECT '\x00ab'::bytea $$;
  )sql");
  auto accept = [](const std::string& type) {
    return std::vector<std::pair<std::string, std::string>>{{"accept", type}};
  };
  auto html = Send("GET", "/rest/v1/rpc/page?title=Hi", "", accept("text/html"));
  EXPECT_EQ(html.status, 200) << html.body;
  EXPECT_EQ(html.body, "<h1>Hi</h1>");
  EXPECT_EQ(Header(html, "content-type"), "text/html");
  auto json_page = Send("GET", "/rest/v1/rpc/page?title=Hi", "", accept("application/json"));
  EXPECT_EQ(json_page.body, R"("<h1>Hi</h1>")");
  EXPECT_EQ(Send("GET", "/rest/v1/rpc/page?title=Hi").body, R"("<h1>Hi</h1>")");
  // A selection from the value is no longer the value: no handler.
  EXPECT_EQ(Send("GET", "/rest/v1/rpc/page?title=Hi&select=page", "", accept("text/html")).status, 406);
  auto none = Send("GET", "/rest/v1/rpc/no_page", "", accept("text/html"));
  EXPECT_EQ(none.status, 200) << none.body;
  EXPECT_EQ(none.body, "");
  // A set of them is JSON only, as in PostgREST.
  EXPECT_EQ(Send("GET", "/rest/v1/rpc/pages", "", accept("text/html")).status, 406);
  EXPECT_EQ(Get("/rest/v1/rpc/pages"), json::parse(R"(["<p>1</p>", "<p>2</p>"])"));
  auto png = Send("GET", "/rest/v1/rpc/pixel", "", accept("image/webp, image/png"));
  EXPECT_EQ(png.status, 200) << png.body;
  EXPECT_EQ(png.body, std::string("\x89PNG\x00\xff", 6));
  EXPECT_EQ(Header(png, "content-type"), "image/png");
  EXPECT_EQ(Send("GET", "/rest/v1/rpc/pixel", "", accept("text/html")).status, 406);
  // A "*/*" domain (of any schema) answers whatever is accepted, but
  // PostgREST's own types.
  auto any = Send("GET", "/rest/v1/rpc/anything");
  EXPECT_EQ(any.status, 200) << any.body;
  EXPECT_EQ(any.body, std::string("\x00\xab", 2));
  EXPECT_EQ(Header(any, "content-type"), "application/octet-stream");
  auto object = Send("GET", "/rest/v1/rpc/anything", "", accept("application/vnd.pgrst.object+json"));
  EXPECT_EQ(object.status, 200) << object.body;
  EXPECT_EQ(object.body, R"("\\x00ab")");
  database_->Exec(
      "DROP FUNCTION dialect.page(text), dialect.no_page(), dialect.pages(), dialect.pixel(), dialect.anything();"
      "DROP DOMAIN dialect.\"text/html\"; DROP DOMAIN dialect.\"image/png\"; DROP DOMAIN hidden.\"*/*\";");
}

// The plan media type is off unless turned on, and a plan larger than the
// response limit is refused like any other answer.
TEST_F(RestDialectTest, PlansAreOffByDefaultAndBoundedWhenOn) {
  std::vector<std::pair<std::string, std::string>> accept{{"accept", "application/vnd.pgrst.plan+json"}};
  EXPECT_EQ(Send("GET", "/rest/v1/projects?select=name,clients(name)", "", accept).status, 406);
  rest::RestOptions on;
  on.plan_enabled = true;
  auto plan = Send("GET", "/rest/v1/projects?select=name,clients(name)", "", accept, "dialect", on);
  ASSERT_EQ(plan.status, 200) << plan.body;
  EXPECT_TRUE(json::parse(plan.body).is_array()) << plan.body;
  on.max_response_bytes = 64;
  auto capped = Send("GET", "/rest/v1/projects?select=name,clients(name)", "", accept, "dialect", on);
  EXPECT_EQ(capped.status, 400) << capped.body;
  EXPECT_EQ(json::parse(capped.body).at("code"), "AB400");
}

TEST_F(RestDialectTest, EmbeddedParametersMustNameAnEmbed) {
  for (std::string target :
       {"/rest/v1/projects?select=name&clients.name=eq.x", "/rest/v1/projects?select=name&clients.order=id",
        "/rest/v1/projects?select=name&clients.limit=1", "/rest/v1/projects?select=name&clients.or=(id.eq.1)"}) {
    auto error = Get(target, 400);
    EXPECT_EQ(error.at("code"), "PGRST108") << target;
  }
}

TEST_F(RestDialectTest, AnAliasedEmbedAnswersOnlyToItsAlias) {
  EXPECT_EQ(Get("/rest/v1/projects?select=name,c:clients(name)&c.name=eq.Apple&id=eq.1"),
            json::parse(R"([{"name":"Windows 7","c":null}])"));
  auto error = Get("/rest/v1/projects?select=name,c:clients(name)&clients.name=eq.Apple", 400);
  EXPECT_EQ(error.at("code"), "PGRST108");
  EXPECT_EQ(error.at("details"), "Target names are not allowed in filters if they have an alias");
}

TEST_F(RestDialectTest, TwoEmbedsUnderOneKeyAreRefused) {
  EXPECT_EQ(Get("/rest/v1/projects?select=name,clients(name),clients(id)", 400).at("code"), "42712");
  EXPECT_EQ(Get("/rest/v1/projects?select=name,a:clients(name),b:clients(id)&id=eq.1"),
            json::parse(R"([{"name":"Windows 7","a":{"name":"Microsoft"},"b":{"id":1}}])"));
}

TEST_F(RestDialectTest, StrictMaxAffectedNeedsASetReturningFunction) {
  database_->Exec("CREATE FUNCTION dialect.bump() RETURNS int LANGUAGE sql VOLATILE AS $$ SELECT 1 $$;");
  auto response = Send("POST", "/rest/v1/rpc/bump", "{}", {{"prefer", "handling=strict, max-affected=1"}});
  EXPECT_EQ(response.status, 400) << response.body;
  EXPECT_EQ(json::parse(response.body).at("code"), "PGRST128");
  database_->Exec("DROP FUNCTION dialect.bump()");
}

TEST_F(RestDialectTest, ProfilesChooseAmongExposedSchemas) {
  database_->Exec(
      "CREATE SCHEMA v2; GRANT USAGE ON SCHEMA v2 TO anon; "
      "CREATE TABLE v2.countries (id int PRIMARY KEY, label text); GRANT SELECT ON v2.countries TO anon; "
      "INSERT INTO v2.countries VALUES (9, 'nine');");
  auto default_schema = Send("GET", "/rest/v1/countries?select=id&id=eq.1", "", {}, "dialect,v2");
  EXPECT_EQ(default_schema.body, R"([{"id":1}])");
  EXPECT_EQ(Header(default_schema, "content-profile"), "dialect");
  auto other = Send("GET", "/rest/v1/countries?select=label", "", {{"accept-profile", "v2"}}, "dialect,v2");
  EXPECT_EQ(other.body, R"([{"label":"nine"}])");
  EXPECT_EQ(Header(other, "content-profile"), "v2");
  auto refused = Send("GET", "/rest/v1/countries", "", {{"accept-profile", "hidden"}}, "dialect,v2");
  EXPECT_EQ(refused.status, 406) << refused.body;
  EXPECT_EQ(json::parse(refused.body).at("code"), "PGRST106");
  EXPECT_EQ(json::parse(refused.body).at("hint"), "Only the following schemas are exposed: dialect, v2");
  database_->Exec("DROP SCHEMA v2 CASCADE");
}

TEST_F(RestDialectTest, AmbiguousEmbedsNameTheirCandidates) {
  database_->Exec(
      "CREATE TABLE dialect.reviews (id int PRIMARY KEY, author int REFERENCES dialect.users (id), "
      "editor int REFERENCES dialect.users (id)); GRANT SELECT ON dialect.reviews TO anon;");
  auto error = Get("/rest/v1/reviews?select=id,users(name)", 300);
  EXPECT_EQ(error.at("code"), "PGRST201");
  EXPECT_TRUE(error.at("details").is_array()) << error;
  EXPECT_NE(std::string(error.at("hint").as_string()).find("'users!reviews_author_fkey'"), std::string::npos) << error;
  EXPECT_EQ(Get("/rest/v1/reviews?select=id,users!author(name)").as_array().size(), 0u);
  database_->Exec("DROP TABLE dialect.reviews");
  // Names are data: a constraint named with quotes and a backslash still
  // makes details that are JSON.
  database_->Exec(
      "CREATE TABLE dialect.reviews (id int PRIMARY KEY, author int CONSTRAINT \"odd\"\"\\name\" REFERENCES "
      "dialect.users (id), editor int REFERENCES dialect.users (id)); GRANT SELECT ON dialect.reviews TO anon;");
  auto odd = Get("/rest/v1/reviews?select=id,users(name)", 300);
  ASSERT_TRUE(odd.at("details").is_array()) << odd;
  EXPECT_NE(json::serialize(odd.at("details")).find(R"(odd\"\\name using)"), std::string::npos) << odd;
  database_->Exec("DROP TABLE dialect.reviews");
}

}  // namespace

}  // namespace agentbase::testing
