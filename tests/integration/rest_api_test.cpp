// The REST pipeline (parse, plan, SQL, one round trip, response) against a
// pushed database, as the authenticator role, with RLS deciding.

#include "rest/rest_api.hpp"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/json.hpp>
#include <optional>

#include "auth/jwt.hpp"
#include "harness.hpp"

namespace agentbase::testing {

namespace asio = boost::asio;
namespace json = boost::json;

namespace {

constexpr const char* kSecret = "a-test-secret-that-is-long-enough-for-hs256";
constexpr const char* kTenantA = "00000000-0000-0000-0000-00000000000a";
constexpr const char* kTenantB = "00000000-0000-0000-0000-00000000000b";
constexpr const char* kUserA1 = "00000000-0000-0000-0000-0000000000a1";
constexpr const char* kUserB1 = "00000000-0000-0000-0000-0000000000b1";

class RestApiTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    database_ = new TestDatabase();
    auto push = RunAgentbase("db push " + database_->DbUrlFlag());
    ASSERT_EQ(push.exit_code, 0) << push.out << push.err;
    database_->Exec(std::string(R"sql(
      INSERT INTO public.tenants (id, name, slug) VALUES (')sql") +
                    kTenantA + "', 'A', 'a'), ('" + kTenantB +
                    R"sql(', 'B', 'b');
      INSERT INTO auth.users (id, email) VALUES (')sql" +
                    kUserA1 + "', 'a1@x'), ('" + kUserB1 + R"sql(', 'b1@x');
      INSERT INTO public.profiles (id, tenant_id) VALUES (')sql" +
                    kUserA1 + "', '" + kTenantA + "'), ('" + kUserB1 + "', '" + kTenantB + R"sql(');
      INSERT INTO public.conversations (tenant_id, user_id, title)
        SELECT ')sql" +
                    kTenantA + "', '" + kUserA1 + R"sql(', 'a chat ' || g FROM generate_series(1, 3) g;
      INSERT INTO public.conversations (tenant_id, user_id, title) VALUES (')sql" +
                    kTenantB + "', '" + kUserB1 +
                    R"sql(', 'b chat');
      INSERT INTO public.messages (tenant_id, conversation_id, role, content)
        SELECT tenant_id, id, 'user', 'hello from ' || title FROM public.conversations;
      CREATE FUNCTION public.add(a integer, b integer) RETURNS integer LANGUAGE sql IMMUTABLE AS $$ SELECT a + b $$;
      CREATE FUNCTION public.my_conversations() RETURNS SETOF public.conversations LANGUAGE sql STABLE
        AS $$ SELECT * FROM public.conversations WHERE user_id = auth.uid() $$;
      CREATE TABLE public.rpc_log (n integer);
      GRANT SELECT, INSERT ON public.rpc_log TO authenticated;
      CREATE FUNCTION public.log_twice() RETURNS SETOF integer LANGUAGE sql VOLATILE
        AS $$ INSERT INTO public.rpc_log VALUES (1), (2) RETURNING n $$;
      CREATE FUNCTION public.answer_created(status text) RETURNS json LANGUAGE plpgsql STABLE AS $$
      BEGIN
        PERFORM set_config('response.status', status, true);
        PERFORM set_config('response.headers', '[{"X-Agent":"yes"},{"content-type":"application/json"}]', true);
        RETURN json_build_object('ok', true);
      END $$;
      -- An auto-updatable view (row level security still applies) and one
      -- PostgreSQL cannot write to.
      CREATE VIEW public.conversation_titles WITH (security_invoker = true) AS
        SELECT id, tenant_id, user_id, title FROM public.conversations;
      CREATE VIEW public.conversation_counts WITH (security_invoker = true) AS
        SELECT user_id, count(*) AS n FROM public.conversations GROUP BY user_id;
      GRANT SELECT, INSERT, UPDATE, DELETE ON public.conversation_titles, public.conversation_counts
        TO authenticated;)sql");
  }
  static void TearDownTestSuite() {
    delete database_;
    database_ = nullptr;
  }

  std::string TokenFor(const std::string& user, const std::string& role = "authenticated",
                       const std::string& kid = "") {
    auto key = auth::SigningKey::FromSecret(kSecret, kid);
    json::object claims{{"sub", user}, {"role", role}, {"aud", "authenticated"}, {"exp", auth::UnixNow() + 3600}};
    return *auth::Sign(claims, *key);
  }

  // Sends one request through RestApi on a fresh event loop.
  http::Response Send(http::Request request, rest::RestOptions options = {}, std::string conninfo = {}) {
    asio::io_context io;
    auto keys = auth::KeySet::FromConfig(kSecret);
    if (conninfo.empty()) conninfo = database_->Conninfo() + " user=authenticator";
    db::Pool pool(io.get_executor(), conninfo, db::PoolOptions{});
    rest::RestApi api(pool, *keys, options);
    {
      auto admin = database_->Connect();
      auto cache = rest::SchemaCache::Load(admin, "public");
      EXPECT_TRUE(cache.ok()) << (cache.ok() ? std::string() : cache.error().message);
      if (cache) api.SetSchemaCache(*cache);
    }
    auto future = asio::co_spawn(io, api.Handle(std::move(request)), asio::use_future);
    io.run();
    return future.get();
  }

  http::Request Make(std::string method, std::string target, std::string user = "", std::string body = "") {
    http::Request request;
    request.method = std::move(method);
    request.target = target;
    auto question = target.find('?');
    request.path = target.substr(0, question);
    request.query = question == std::string::npos ? "" : target.substr(question + 1);
    request.body = std::move(body);
    if (!user.empty()) request.headers.emplace_back("authorization", "Bearer " + TokenFor(user));
    return request;
  }

  static std::string Header(const http::Response& response, const std::string& name) {
    for (const auto& [key, value] : response.headers) {
      if (ToLower(key) == name) return value;
    }
    return "";
  }
  static std::string ToLower(std::string text) {
    for (auto& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return text;
  }

  static TestDatabase* database_;
};

TestDatabase* RestApiTest::database_ = nullptr;

}  // namespace

TEST_F(RestApiTest, ReadsOnlyTheCallersTenant) {
  auto response = Send(Make("GET", "/rest/v1/conversations?select=title&order=title.asc", kUserA1));
  ASSERT_EQ(response.status, 200) << response.body;
  EXPECT_EQ(json::parse(response.body),
            json::parse(R"([{"title":"a chat 1"},{"title":"a chat 2"},{"title":"a chat 3"}])"));
  EXPECT_EQ(Header(response, "content-range"), "0-2/*");

  auto other = Send(Make("GET", "/rest/v1/conversations?select=title", kUserB1));
  EXPECT_EQ(other.body, R"([{"title":"b chat"}])");
  auto anon = Send(Make("GET", "/rest/v1/conversations"));
  EXPECT_EQ(anon.status, 200);
  EXPECT_EQ(anon.body, "[]");

  // Without Authorization the apikey is the token, as behind Supabase's
  // gateway; with both, Authorization decides.
  http::Request by_apikey = Make("GET", "/rest/v1/conversations?select=title&order=title.asc");
  by_apikey.headers.emplace_back("apikey", TokenFor(kUserB1));
  EXPECT_EQ(Send(by_apikey).body, R"([{"title":"b chat"}])");
  http::Request both = Make("GET", "/rest/v1/conversations?select=title&order=title.asc&limit=1", kUserA1);
  both.headers.emplace_back("apikey", TokenFor(kUserB1));
  EXPECT_EQ(Send(both).body, R"([{"title":"a chat 1"}])");
  http::Request junk = Make("GET", "/rest/v1/conversations");
  junk.headers.emplace_back("apikey", "not-a-jwt");
  auto refused = Send(junk);
  EXPECT_EQ(refused.status, 401) << refused.body;
  EXPECT_EQ(json::parse(refused.body).at("code").as_string(), "PGRST301");
}

TEST_F(RestApiTest, FiltersEmbedsCountsAndRanges) {
  auto response =
      Send(Make("GET",
                "/rest/v1/conversations?select=title,messages(content)&title=in.(%22a%20chat%201%22,a%20chat%202)"
                "&order=title.desc&limit=1&offset=1",
                kUserA1));
  ASSERT_EQ(response.status, 200) << response.body;
  EXPECT_EQ(response.body, R"([{"title":"a chat 1","messages":[{"content":"hello from a chat 1"}]}])");

  auto counted = Send(Make("GET", "/rest/v1/conversations?select=id&limit=2", kUserA1));
  EXPECT_EQ(counted.status, 200);
  http::Request exact = Make("GET", "/rest/v1/conversations?select=id&limit=2", kUserA1);
  exact.headers.emplace_back("prefer", "count=exact");
  auto partial = Send(exact);
  EXPECT_EQ(partial.status, 206) << partial.body;
  EXPECT_EQ(Header(partial, "content-range"), "0-1/3");

  // PostgREST's legacy count, at the top and embedded; row level security
  // decides what is counted.
  auto top = Send(Make("GET", "/rest/v1/conversations?select=count", kUserA1));
  EXPECT_EQ(top.body, R"([{"count":3}])");
  auto embedded =
      Send(Make("GET", "/rest/v1/conversations?select=title,messages(count)&title=eq.a%20chat%201", kUserA1));
  EXPECT_EQ(embedded.body, R"([{"title":"a chat 1","messages":[{"count":1}]}])");
  auto theirs = Send(Make("GET", "/rest/v1/conversations?select=n:count::text", kUserB1));
  EXPECT_EQ(theirs.body, R"([{"n":"1"}])");
  auto with_parentheses = Send(Make("GET", "/rest/v1/conversations?select=count()", kUserA1));
  EXPECT_EQ(with_parentheses.status, 400);
  EXPECT_NE(with_parentheses.body.find("PGRST123"), std::string::npos);

  auto or_tree = Send(
      Make("GET", "/rest/v1/conversations?select=title&or=(title.eq.a%20chat%203,title.like.*2)&order=title", kUserA1));
  EXPECT_EQ(json::parse(or_tree.body), json::parse(R"([{"title":"a chat 2"},{"title":"a chat 3"}])"));
}

// PostgREST's Range header on reads: the rows asked for, intersected with
// limit= and offset=; a lower bound above the upper one is 416 PGRST103.
TEST_F(RestApiTest, RangeHeaderPagesAReadWithinLimitAndOffset) {
  auto ranged = [&](std::string target, std::string range, std::string method = "GET") {
    http::Request request = Make(method, std::move(target), kUserA1);
    request.headers.emplace_back("range-unit", "items");
    request.headers.emplace_back("range", std::move(range));
    request.headers.emplace_back("prefer", "count=exact");
    return Send(request);
  };
  auto middle = ranged("/rest/v1/conversations?select=title&order=title", "1-1");
  EXPECT_EQ(middle.status, 206) << middle.body;
  EXPECT_EQ(middle.body, R"([{"title":"a chat 2"}])");
  EXPECT_EQ(Header(middle, "content-range"), "1-1/3");
  auto open_ended = ranged("/rest/v1/conversations?select=title&order=title", "1-");
  EXPECT_EQ(json::parse(open_ended.body), json::parse(R"([{"title":"a chat 2"},{"title":"a chat 3"}])"));
  // [1, 2] within offset 2, limit 5: row 2 alone.
  auto intersected = ranged("/rest/v1/conversations?select=title&order=title&offset=2&limit=5", "1-2");
  EXPECT_EQ(intersected.body, R"([{"title":"a chat 3"}])");
  EXPECT_EQ(Header(intersected, "content-range"), "2-2/3");
  auto backwards = ranged("/rest/v1/conversations?select=title", "2-1");
  EXPECT_EQ(backwards.status, 416);
  EXPECT_NE(backwards.body.find("PGRST103"), std::string::npos) << backwards.body;
  // A header of another form is ignored.
  auto other_form = ranged("/rest/v1/conversations?select=title&order=title", "bytes=0-1");
  EXPECT_EQ(json::parse(other_form.body).as_array().size(), 3u) << other_form.body;
}

// PostgREST's spread (`...rel(cols)`) and related order (`order=rel(col)`),
// both for to-one embeds only; row level security still decides.
TEST_F(RestApiTest, SpreadsAndOrdersByToOneEmbeds) {
  auto spread = Send(Make(
      "GET", "/rest/v1/messages?select=content,...conversations(chat:title)&order=conversations(title).desc", kUserA1));
  ASSERT_EQ(spread.status, 200) << spread.body;
  EXPECT_EQ(json::parse(spread.body), json::parse(R"([{"content":"hello from a chat 3","chat":"a chat 3"},
                                                      {"content":"hello from a chat 2","chat":"a chat 2"},
                                                      {"content":"hello from a chat 1","chat":"a chat 1"}])"));

  // Filters address the spread embed as they do any embed; !inner drops rows.
  auto filtered = Send(Make("GET",
                            "/rest/v1/messages?select=content,...conversations!inner(title,status)"
                            "&conversations.title=eq.a%20chat%202",
                            kUserA1));
  ASSERT_EQ(filtered.status, 200) << filtered.body;
  EXPECT_EQ(json::parse(filtered.body),
            json::parse(R"([{"content":"hello from a chat 2","title":"a chat 2","status":"active"}])"));
  auto theirs = Send(Make("GET", "/rest/v1/messages?select=...conversations(title)", kUserB1));
  EXPECT_EQ(theirs.body, R"([{"title":"b chat"}])");
  // Spreads nest: the conversation's tenant's name, two levels up.
  auto nested =
      Send(Make("GET", "/rest/v1/messages?select=...conversations(...tenants(tenant:name))&limit=1", kUserB1));
  EXPECT_EQ(nested.body, R"([{"tenant":"B"}])");

  // The same in a representation of a write (rolled back).
  auto target = Send(Make("GET", "/rest/v1/conversations?select=id&title=eq.a%20chat%202", kUserA1));
  ASSERT_EQ(target.status, 200) << target.body;
  std::string conversation_id(json::parse(target.body).at(0).at("id").as_string());
  http::Request insert = Make("POST", "/rest/v1/messages?select=content,...conversations(title)", kUserA1,
                              std::string(R"({"tenant_id":")") + kTenantA + R"(","conversation_id":")" +
                                  conversation_id + R"(","role":"user","content":"new"})");
  insert.headers.emplace_back("prefer", "return=representation, tx=rollback");
  auto inserted = Send(insert);
  ASSERT_EQ(inserted.status, 201) << inserted.body;
  EXPECT_EQ(inserted.body, R"([{"content":"new","title":"a chat 2"}])");

  // Spreading a to-many embed lifts each of its columns as an array
  // (PostgREST 13), a spread inside it included (its columns, one value per
  // row of the to-many embed).
  auto many =
      Send(Make("GET", "/rest/v1/conversations?select=title,...messages(content)&title=eq.a%20chat%201", kUserA1));
  EXPECT_EQ(many.body, R"([{"title":"a chat 1","content":["hello from a chat 1"]}])");
  auto spread_in_many = Send(
      Make("GET",
           "/rest/v1/conversations?select=title,...messages(content,...conversations(of:title))&title=eq.a%20chat%201",
           kUserA1));
  EXPECT_EQ(spread_in_many.body, R"([{"title":"a chat 1","content":["hello from a chat 1"],"of":["a chat 1"]}])");

  struct Refusal {
    std::string target, code, message;
  };
  std::vector<Refusal> refusals = {
      {"/rest/v1/conversations?select=title,messages(content)&order=messages(content)", "PGRST118",
       "A related order on 'messages' is not possible"},
      {"/rest/v1/messages?select=content&order=conversations(title)", "PGRST108",
       "'conversations' is not an embedded resource in this request"},
      {"/rest/v1/messages?select=content,...conversations(nope)", "42703", "column conversations.nope does not exist"},
  };
  for (const auto& refusal : refusals) {
    auto response = Send(Make("GET", refusal.target, kUserA1));
    EXPECT_EQ(response.status, 400) << refusal.target << " " << response.body;
    json::value error = json::parse(response.body);
    EXPECT_EQ(error.at("code").as_string(), refusal.code) << refusal.target;
    EXPECT_EQ(error.at("message").as_string(), refusal.message) << refusal.target;
  }
}

// supabase-js's stripNulls(): Accept: application/vnd.pgrst.array+json;nulls=stripped.
TEST_F(RestApiTest, NullsStrippedOnRequest) {
  std::string target = "/rest/v1/conversations?select=title,agent_id,messages(content,metadata)&order=title&limit=1";
  auto plain = Send(Make("GET", target, kUserA1));
  ASSERT_EQ(plain.status, 200) << plain.body;
  EXPECT_NE(plain.body.find(R"("agent_id":null)"), std::string::npos) << plain.body;

  http::Request stripped = Make("GET", target, kUserA1);
  stripped.headers.emplace_back("accept", "application/vnd.pgrst.array+json;nulls=stripped");
  auto response = Send(stripped);
  ASSERT_EQ(response.status, 200) << response.body;
  EXPECT_EQ(response.body.find("null"), std::string::npos) << response.body;
  EXPECT_EQ(json::parse(response.body).at(0).at("title").as_string(), "a chat 1");
  EXPECT_EQ(Header(response, "content-type"), "application/vnd.pgrst.array+json;nulls=stripped; charset=utf-8");

  http::Request single = Make("GET", target, kUserA1);
  single.headers.emplace_back("accept", "application/vnd.pgrst.object+json;nulls=stripped");
  auto object = Send(single);
  ASSERT_EQ(object.status, 200) << object.body;
  EXPECT_TRUE(json::parse(object.body).is_object()) << object.body;
  EXPECT_FALSE(json::parse(object.body).as_object().contains("agent_id")) << object.body;
}

// supabase-js's csv(): Accept: text/csv, as PostgREST writes it.
TEST_F(RestApiTest, CsvOnRequest) {
  database_->Exec(std::string("INSERT INTO public.conversations (tenant_id, user_id, title) VALUES ('") + kTenantA +
                  "', '" + kUserA1 + "', 'say \"hi\", then go')");
  http::Request request =
      Make("GET", "/rest/v1/conversations?select=title,agent_id&title=like.*go*&order=title", kUserA1);
  request.headers.emplace_back("accept", "text/csv");
  auto csv = Send(request);
  ASSERT_EQ(csv.status, 200) << csv.body;
  EXPECT_EQ(Header(csv, "content-type"), "text/csv; charset=utf-8");
  EXPECT_EQ(csv.body, "title,agent_id\n\"say \"\"hi\"\", then go\",");

  http::Request none = Make("GET", "/rest/v1/conversations?select=title&title=eq.nothing", kUserA1);
  none.headers.emplace_back("accept", "text/csv");
  EXPECT_EQ(Send(none).body, "\n");
  http::Request scalar = Make("POST", "/rest/v1/rpc/add", kUserA1, R"({"a":1,"b":2})");
  scalar.headers.emplace_back("accept", "text/csv");
  auto refused = Send(scalar);
  EXPECT_EQ(refused.status, 406) << refused.body;
  EXPECT_EQ(json::parse(refused.body).at("code").as_string(), "PGRST107");
  http::Request image = Make("GET", "/rest/v1/conversations", kUserA1);
  image.headers.emplace_back("accept", "image/png");
  EXPECT_EQ(Send(image).status, 406);
  database_->Exec("DELETE FROM public.conversations WHERE title LIKE 'say%'");
}

TEST_F(RestApiTest, SingularObjectsAndTheirErrors) {
  http::Request one = Make("GET", "/rest/v1/tenants?select=slug", kUserA1);
  one.headers.emplace_back("accept", "application/vnd.pgrst.object+json");
  auto response = Send(one);
  ASSERT_EQ(response.status, 200) << response.body;
  EXPECT_EQ(response.body, R"({"slug":"a"})");

  http::Request many = Make("GET", "/rest/v1/conversations", kUserA1);
  many.headers.emplace_back("accept", "application/vnd.pgrst.object+json");
  auto error = Send(many);
  EXPECT_EQ(error.status, 406);
  auto body = json::parse(error.body).as_object();
  EXPECT_EQ(body.at("code").as_string(), "PGRST116");
  EXPECT_EQ(body.at("details").as_string(), "The result contains 3 rows");
}

TEST_F(RestApiTest, InsertUpdateDeleteUnderRls) {
  http::Request insert =
      Make("POST", "/rest/v1/conversations?select=title,status", kUserA1,
           std::string(R"({"tenant_id":")") + kTenantA + R"(","user_id":")" + kUserA1 + R"(","title":"new"})");
  insert.headers.emplace_back("prefer", "return=representation");
  auto created = Send(insert);
  ASSERT_EQ(created.status, 201) << created.body;
  EXPECT_EQ(created.body, R"([{"title":"new","status":"active"}])");

  // Into another tenant: RLS says no (403, as an authenticated role).
  auto denied = Send(Make("POST", "/rest/v1/conversations", kUserA1,
                          std::string(R"({"tenant_id":")") + kTenantB + R"(","user_id":")" + kUserA1 + R"("})"));
  EXPECT_EQ(denied.status, 403) << denied.body;
  EXPECT_EQ(json::parse(denied.body).at("code").as_string(), "42501");

  auto updated = Send(Make("PATCH", "/rest/v1/conversations?title=eq.new", kUserA1, R"({"status":"archived"})"));
  ASSERT_EQ(updated.status, 204) << updated.body;
  EXPECT_EQ(Header(updated, "content-range"), "0-0/*");

  auto unfiltered = Send(Make("PATCH", "/rest/v1/conversations", kUserA1, R"({"status":"archived"})"));
  EXPECT_EQ(unfiltered.status, 400);
  EXPECT_EQ(json::parse(unfiltered.body).at("code").as_string(), "21000");

  auto cross_tenant = Send(Make("DELETE", "/rest/v1/conversations?title=eq.b%20chat", kUserA1));
  EXPECT_EQ(cross_tenant.status, 204);
  EXPECT_EQ(database_->Scalar("SELECT count(*) FROM public.conversations WHERE title = 'b chat'"), "1");

  auto deleted = Send(Make("DELETE", "/rest/v1/conversations?title=eq.new", kUserA1));
  EXPECT_EQ(deleted.status, 204);
  EXPECT_EQ(database_->Scalar("SELECT count(*) FROM public.conversations WHERE title = 'new'"), "0");
}

// Prefer: handling=strict, max-affected=n refuses (and rolls back) a PATCH
// or DELETE that touches more rows; handling=lenient ignores it.
TEST_F(RestApiTest, MaxAffectedUnderStrictHandling) {
  auto patch = [&](const std::string& prefer) {
    http::Request request =
        Make("PATCH", "/rest/v1/conversations?title=like.a%20chat*", kUserA1, R"({"status":"archived"})");
    request.headers.emplace_back("prefer", prefer);
    return Send(request);
  };
  auto archived = [&] {
    return database_->Scalar("SELECT count(*) FROM public.conversations WHERE status = 'archived'");
  };
  auto refused = patch("handling=strict, max-affected=2");
  ASSERT_EQ(refused.status, 400) << refused.body;
  json::value error = json::parse(refused.body);
  EXPECT_EQ(error.at("code").as_string(), "PGRST124");
  EXPECT_EQ(error.at("message").as_string(), "Query result exceeds max-affected preference constraint");
  EXPECT_EQ(error.at("details").as_string(), "The query affects 3 rows");
  EXPECT_EQ(archived(), "0");

  auto deleted = [&](const std::string& prefer) {
    http::Request request = Make("DELETE", "/rest/v1/conversations?title=like.a%20chat*", kUserA1);
    request.headers.emplace_back("prefer", prefer);
    return Send(request);
  };
  EXPECT_EQ(deleted("handling=strict, max-affected=1").status, 400);
  EXPECT_EQ(database_->Scalar("SELECT count(*) FROM public.conversations WHERE title LIKE 'a chat%'"), "3");

  auto allowed = patch("handling=strict, max-affected=3");
  ASSERT_EQ(allowed.status, 204) << allowed.body;
  EXPECT_EQ(Header(allowed, "preference-applied"), "handling=strict, max-affected=3");
  EXPECT_EQ(archived(), "3");
  auto lenient = patch("handling=lenient, max-affected=1");
  EXPECT_EQ(lenient.status, 204) << lenient.body;
  EXPECT_EQ(Header(lenient, "preference-applied"), "");
  database_->Exec("UPDATE public.conversations SET status = 'active' WHERE status = 'archived'");
}

// PUT: PostgREST's single-row upsert, keyed by the URL's primary key.
TEST_F(RestApiTest, PutUpsertsTheRowTheUrlNames) {
  const std::string id = "00000000-0000-0000-0000-0000000000c1";
  auto row = [&](const std::string& row_id, const std::string& title) {
    return std::string(R"({"id":")") + row_id + R"(","tenant_id":")" + kTenantA + R"(","user_id":")" + kUserA1 +
           R"(","title":")" + title + R"("})";
  };
  auto created = Send(Make("PUT", "/rest/v1/conversations?id=eq." + id, kUserA1, row(id, "put new")));
  ASSERT_EQ(created.status, 204) << created.body;
  EXPECT_EQ(database_->Scalar("SELECT title FROM public.conversations WHERE id = '" + id + "'"), "put new");

  http::Request replace =
      Make("PUT", "/rest/v1/conversations?id=eq." + id + "&select=title", kUserA1, row(id, "put changed"));
  replace.headers.emplace_back("prefer", "return=representation");
  auto replaced = Send(replace);
  ASSERT_EQ(replaced.status, 200) << replaced.body;
  EXPECT_EQ(replaced.body, R"([{"title":"put changed"}])");

  struct Refusal {
    std::string target, body;
    int status;
    std::string code;
  };
  std::vector<Refusal> refusals = {
      {"/rest/v1/conversations?id=eq." + id, row("00000000-0000-0000-0000-0000000000c2", "other key"), 400, "PGRST115"},
      {"/rest/v1/conversations?id=eq." + id, "{}", 400, "PGRST115"},
      {"/rest/v1/conversations?title=eq.x", row(id, "x"), 405, "PGRST105"},
      {"/rest/v1/conversations?id=eq." + id + "&title=eq.x", row(id, "x"), 405, "PGRST105"},
      {"/rest/v1/conversations?id=neq." + id, row(id, "x"), 405, "PGRST105"},
      {"/rest/v1/conversations?id=eq." + id + "&limit=1", row(id, "x"), 400, "PGRST114"},
  };
  for (const auto& refusal : refusals) {
    auto response = Send(Make("PUT", refusal.target, kUserA1, refusal.body));
    EXPECT_EQ(response.status, refusal.status) << refusal.target << " " << response.body;
    EXPECT_EQ(json::parse(response.body).at("code").as_string(), refusal.code) << refusal.target;
  }
  EXPECT_EQ(database_->Scalar("SELECT count(*) FROM public.conversations WHERE id IN ('" + id +
                              "', '00000000-0000-0000-0000-0000000000c2') AND title = 'put changed'"),
            "1");

  // Another tenant's row: row level security refuses the update.
  std::string theirs = database_->Scalar("SELECT id FROM public.conversations WHERE title = 'b chat'");
  auto denied = Send(Make("PUT", "/rest/v1/conversations?id=eq." + theirs, kUserA1, row(theirs, "taken")));
  EXPECT_EQ(denied.status, 403) << denied.body;
  EXPECT_EQ(database_->Scalar("SELECT title FROM public.conversations WHERE id = '" + theirs + "'"), "b chat");
  database_->Exec("DELETE FROM public.conversations WHERE id = '" + id + "'");
}

TEST_F(RestApiTest, BulkInsertWithMissingDefaultTakesColumnDefaults) {
  std::string owner = std::string(R"("tenant_id":")") + kTenantA + R"(","user_id":")" + kUserA1 + R"(")";
  std::string rows = "[{" + owner + R"(,"title":"bulk one"},{)" + owner + "},{" + owner + R"(,"title":"bulk three"}])";
  std::string target = "/rest/v1/conversations?columns=tenant_id,user_id,title&select=title";
  auto with_nulls = Send(Make("POST", target, kUserA1, rows));
  ASSERT_EQ(with_nulls.status, 400) << with_nulls.body;  // title NULL violates NOT NULL
  json::value error = json::parse(with_nulls.body);
  EXPECT_EQ(error.at("code").as_string(), "23502") << with_nulls.body;

  http::Request request = Make("POST", target, kUserA1, rows);
  request.headers.emplace_back("prefer", "missing=default, return=representation");
  auto created = Send(request);
  ASSERT_EQ(created.status, 201) << created.body;
  EXPECT_EQ(Header(created, "preference-applied"), "missing=default, return=representation");
  // Two INSERTs (one per key set), the rows still in the payload's order.
  EXPECT_EQ(json::parse(created.body),
            json::parse(R"([{"title":"bulk one"},{"title":"New conversation"},{"title":"bulk three"}])"));
  database_->Exec("DELETE FROM public.conversations WHERE title IN ('bulk one', 'New conversation', 'bulk three')");
}

// Views are written as PostgREST writes them: PostgreSQL decides. One it
// cannot write answers its error with 400 (PostgREST: 500 for 55000).
TEST_F(RestApiTest, ViewsTakeTheWritesPostgresqlCanMakeOfThem) {
  const std::string id = "00000000-0000-0000-0000-0000000000d1";
  std::string row = std::string(R"({"id":")") + id + R"(","tenant_id":")" + kTenantA + R"(","user_id":")" + kUserA1 +
                    R"(","title":"through a view"})";
  http::Request insert = Make("POST", "/rest/v1/conversation_titles?select=title", kUserA1, row);
  insert.headers.emplace_back("prefer", "return=representation");
  auto inserted = Send(insert);
  ASSERT_EQ(inserted.status, 201) << inserted.body;
  EXPECT_EQ(inserted.body, R"([{"title":"through a view"}])");
  EXPECT_EQ(database_->Scalar("SELECT title FROM public.conversations WHERE id = '" + id + "'"), "through a view");

  auto updated =
      Send(Make("PATCH", "/rest/v1/conversation_titles?id=eq." + id, kUserA1, R"({"title":"renamed via view"})"));
  EXPECT_EQ(updated.status, 204) << updated.body;
  // The view has its table's primary key, which PUT names.
  auto put = Send(Make("PUT", "/rest/v1/conversation_titles?id=eq." + id, kUserA1, row));
  EXPECT_EQ(put.status, 204) << put.body;
  EXPECT_EQ(database_->Scalar("SELECT title FROM public.conversations WHERE id = '" + id + "'"), "through a view");
  auto deleted = Send(Make("DELETE", "/rest/v1/conversation_titles?id=eq." + id, kUserA1));
  EXPECT_EQ(deleted.status, 204) << deleted.body;
  EXPECT_EQ(database_->Scalar("SELECT count(*) FROM public.conversations WHERE id = '" + id + "'"), "0");

  struct Refused {
    std::string method, target, body, message;
  };
  std::vector<Refused> refused = {
      {"POST", "/rest/v1/conversation_counts", R"({"n":1})", "cannot insert into view \"conversation_counts\""},
      {"PATCH", "/rest/v1/conversation_counts?n=eq.1", R"({"n":2})", "cannot update view \"conversation_counts\""},
      {"DELETE", "/rest/v1/conversation_counts?n=eq.1", "", "cannot delete from view \"conversation_counts\""},
  };
  for (const auto& refusal : refused) {
    auto response = Send(Make(refusal.method, refusal.target, kUserA1, refusal.body));
    EXPECT_EQ(response.status, 400) << refusal.method << " " << response.body;
    json::value error = json::parse(response.body);
    EXPECT_EQ(error.at("code").as_string(), "55000") << response.body;
    EXPECT_EQ(error.at("message").as_string(), refusal.message);
    EXPECT_EQ(error.at("details").as_string(), "Views containing GROUP BY are not automatically updatable.");
    EXPECT_TRUE(error.at("hint").is_string());
  }

  // The description offers on each view the writes it takes.
  json::object paths = json::parse(Send(Make("GET", "/rest/v1/", kUserA1)).body).at("paths").as_object();
  for (const char* method : {"get", "post", "patch", "delete", "put"}) {
    EXPECT_TRUE(paths.at("/conversation_titles").as_object().contains(method)) << method;
  }
  EXPECT_EQ(paths.at("/conversation_counts").as_object().size(), 1u);
}

TEST_F(RestApiTest, RpcByPostAndGet) {
  auto sum = Send(Make("POST", "/rest/v1/rpc/add", kUserA1, R"({"a":2,"b":3})"));
  ASSERT_EQ(sum.status, 200) << sum.body;
  EXPECT_EQ(sum.body, "5");
  auto by_get = Send(Make("GET", "/rest/v1/rpc/add?a=4&b=5", kUserA1));
  EXPECT_EQ(by_get.body, "9");
  auto rows = Send(Make("GET", "/rest/v1/rpc/my_conversations?select=title&order=title&limit=1", kUserA1));
  EXPECT_EQ(rows.body, R"([{"title":"a chat 1"}])");
  // A function that writes: tx=rollback answers but keeps nothing, and a
  // singular answer it cannot give rolls back too; otherwise it commits.
  http::Request rolled_back = Make("POST", "/rest/v1/rpc/log_twice", kUserA1, "{}");
  rolled_back.headers.emplace_back("prefer", "tx=rollback");
  auto rolled = Send(rolled_back);
  EXPECT_EQ(rolled.status, 200) << rolled.body;
  EXPECT_EQ(json::parse(rolled.body), json::parse("[1,2]"));
  EXPECT_EQ(Header(rolled, "preference-applied"), "tx=rollback");
  http::Request one = Make("POST", "/rest/v1/rpc/log_twice", kUserA1, "{}");
  one.headers.emplace_back("accept", "application/vnd.pgrst.object+json");
  EXPECT_EQ(Send(one).status, 406);
  EXPECT_EQ(database_->Scalar("SELECT count(*) FROM public.rpc_log"), "0");
  EXPECT_EQ(Send(Make("POST", "/rest/v1/rpc/log_twice", kUserA1, "{}")).status, 200);
  EXPECT_EQ(database_->Scalar("SELECT count(*) FROM public.rpc_log"), "2");

  // A function may set the response's status and headers (response.status,
  // response.headers), as in PostgREST.
  auto created = Send(Make("POST", "/rest/v1/rpc/answer_created", kUserA1, R"({"status":"201"})"));
  EXPECT_EQ(created.status, 201) << created.body;
  EXPECT_EQ(created.body, R"({"ok" : true})");
  EXPECT_EQ(Header(created, "x-agent"), "yes");
  EXPECT_EQ(Header(created, "content-type"), "application/json");
  auto bad_status = Send(Make("GET", "/rest/v1/rpc/answer_created?status=teapot", kUserA1));
  EXPECT_EQ(bad_status.status, 500) << bad_status.body;
  EXPECT_EQ(json::parse(bad_status.body).at("code").as_string(), "PGRST112");

  auto missing = Send(Make("POST", "/rest/v1/rpc/nope", kUserA1, "{}"));
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(json::parse(missing.body).at("code").as_string(), "PGRST202");
}

// GET /rest/v1/ describes the exposed schema (Swagger 2.0, as PostgREST).
TEST_F(RestApiTest, RootServesAnOpenApiDescription) {
  http::Request request = Make("GET", "/rest/v1/", kUserA1);
  request.headers.emplace_back("host", "api.example.test");
  auto response = Send(request);
  ASSERT_EQ(response.status, 200) << response.body;
  EXPECT_EQ(Header(response, "content-type"), "application/openapi+json; charset=utf-8");
  json::object document = json::parse(response.body).as_object();
  EXPECT_EQ(document.at("swagger").as_string(), "2.0");
  EXPECT_EQ(document.at("host").as_string(), "api.example.test");
  EXPECT_EQ(document.at("basePath").as_string(), "/rest/v1");
  const auto& paths = document.at("paths").as_object();
  for (const char* method : {"get", "post", "patch", "delete", "put"}) {
    EXPECT_TRUE(paths.at("/conversations").as_object().contains(method)) << method;
  }
  EXPECT_TRUE(paths.at("/rpc/add").as_object().contains("post"));
  EXPECT_TRUE(paths.at("/rpc/add").as_object().contains("get"));
  const auto& columns = document.at("definitions").at("conversations").at("properties").as_object();
  EXPECT_TRUE(columns.contains("title"));
  EXPECT_TRUE(columns.contains("tenant_id"));

  // HEAD computes GET's answer; the HTTP server sends its Content-Length and
  // drops the body (tests/unit/http/server_test.cpp).
  auto head = Send(Make("HEAD", "/rest/v1/", kUserA1));
  EXPECT_EQ(head.status, 200);
  EXPECT_EQ(json::parse(head.body).at("swagger").as_string(), "2.0");
  auto table_get = Send(Make("GET", "/rest/v1/conversations?select=title&order=title.asc", kUserA1));
  auto table_head = Send(Make("HEAD", "/rest/v1/conversations?select=title&order=title.asc", kUserA1));
  EXPECT_EQ(table_head.status, 200);
  EXPECT_FALSE(table_get.body.empty());
  EXPECT_EQ(table_head.body, table_get.body);
  auto post = Send(Make("POST", "/rest/v1/", kUserA1, "{}"));
  EXPECT_EQ(post.status, 405) << post.body;
  EXPECT_EQ(json::parse(post.body).at("code").as_string(), "PGRST117");
}

// Header values are bytes; request.headers is a UTF-8 setting. One stray
// byte used to fail every request with 22021.
TEST_F(RestApiTest, HeadersThatAreNotUtf8DoNotBreakARequest) {
  http::Request request = Make("GET", "/rest/v1/conversations?select=title&order=title.asc", kUserA1);
  request.headers.emplace_back("user-agent", "caf\xE9 \xFF\xC3");
  auto response = Send(request);
  EXPECT_EQ(response.status, 200) << response.body;
  EXPECT_EQ(json::parse(response.body).as_array().size(), 3u);
}

TEST_F(RestApiTest, ClientMistakesGetPostgrestErrorsNeverA500) {
  struct Case {
    std::string method, target, body;
    int status;
    std::string code;
  };
  std::vector<Case> cases = {
      {"GET", "/rest/v1/nope", "", 404, "PGRST205"},
      {"GET", "/rest/v1/conversations?select=nope", "", 400, "42703"},
      {"GET", "/rest/v1/conversations?id=eq.not-a-uuid", "", 400, "22P02"},
      {"GET", "/rest/v1/conversations?id=zz.1", "", 400, "PGRST100"},
      {"GET", "/rest/v1/conversations?limit=-1", "", 400, "PGRST100"},
      {"GET", "/rest/v1/conversations?select=agents(name),tools(name)", "", 400, "PGRST200"},
      {"POST", "/rest/v1/conversations", "{not json", 400, "PGRST102"},
      {"POST", "/rest/v1/conversations", R"({"nope":1})", 400, "PGRST204"},
      {"POST", "/rest/v1/conversations", R"([{"title":"x"},{"status":"y"}])", 400, "PGRST102"},
      {"DELETE", "/rest/v1/conversations", "", 400, "21000"},
      {"GET", "/rest/v1/a/b", "", 404, "PGRST125"},
      {"GET", "/rest/v1/messages?select=...nope(title)", "", 400, "PGRST200"},
      {"GET", "/rest/v1/messages?select=...conversations", "", 400, "PGRST100"},
      {"GET", "/rest/v1/messages?select=id,conversations(title)&order=conversations(nope)", "", 400, "42703"},
      {"GET", "/rest/v1/messages?select=id,conversations(title)&order=conversations(title", "", 400, "PGRST100"},
  };
  for (const auto& test_case : cases) {
    auto response = Send(Make(test_case.method, test_case.target, kUserA1, test_case.body));
    EXPECT_EQ(response.status, test_case.status) << test_case.method << " " << test_case.target << "\n"
                                                 << response.body;
    auto parsed = json::parse(response.body);
    EXPECT_EQ(parsed.at("code").as_string(), test_case.code) << test_case.target << "\n" << response.body;
  }
  http::Request tampered = Make("GET", "/rest/v1/conversations", kUserA1);
  tampered.headers[0].second += "x";
  auto rejected = Send(tampered);
  EXPECT_EQ(rejected.status, 401);
  EXPECT_EQ(json::parse(rejected.body).at("code").as_string(), "PGRST301");
}

// libpq cuts parameters at a NUL byte: such input must be refused, never
// truncated into a match.
TEST_F(RestApiTest, NulBytesAreRefusedNotTruncated) {
  auto filtered = Send(Make("GET", "/rest/v1/conversations?title=eq.a%20chat%201%00zzz", kUserA1));
  EXPECT_EQ(filtered.status, 400) << filtered.body;
  EXPECT_EQ(json::parse(filtered.body).at("code").as_string(), "22021");
  auto in_list = Send(Make("GET", "/rest/v1/conversations?title=in.(%22a%20chat%201%00%22)", kUserA1));
  EXPECT_EQ(in_list.status, 400) << in_list.body;

  std::string before = database_->Scalar("SELECT count(*) FROM public.conversations");
  auto inserted = Send(
      Make("POST", "/rest/v1/conversations", kUserA1,
           std::string(R"({"tenant_id":")") + kTenantA + R"(","user_id":")" + kUserA1 + R"(","title":"x\u0000y"})"));
  EXPECT_EQ(inserted.status, 400) << inserted.body;
  auto raw_nul = Send(Make("POST", "/rest/v1/conversations", kUserA1,
                           std::string(R"({"tenant_id":")") + kTenantA + R"(","user_id":")" + kUserA1 +
                               R"(","title":"x"})" + std::string(1, '\0') + "garbage"));
  EXPECT_EQ(raw_nul.status, 400) << raw_nul.body;
  EXPECT_EQ(database_->Scalar("SELECT count(*) FROM public.conversations"), before);
}

// A role claim is used only when it names an allowed role exactly.
TEST_F(RestApiTest, RoleClaimMustNameAnAllowedRoleExactly) {
  for (const std::string role : {std::string("service_role\0x", 14), std::string("postgres"),
                                 std::string("authenticator"), std::string("Service_Role")}) {
    http::Request request = Make("GET", "/rest/v1/conversations?select=title");
    request.headers.emplace_back("authorization", "Bearer " + TokenFor(kUserA1, role));
    auto response = Send(request);
    EXPECT_EQ(response.status, 401) << json::serialize(json::value(role)) << " " << response.body;
    EXPECT_EQ(json::parse(response.body).at("code").as_string(), "PGRST303") << response.body;
  }
  // GoTrue puts a kid on HS256 tokens when one is configured: the secret still verifies them.
  http::Request with_kid = Make("GET", "/rest/v1/conversations?select=title");
  with_kid.headers.emplace_back("authorization", "Bearer " + TokenFor(kUserA1, "authenticated", "gotrue-key"));
  auto accepted = Send(with_kid);
  EXPECT_EQ(accepted.status, 200) << accepted.body;
  EXPECT_EQ(
      std::to_string(json::parse(accepted.body).as_array().size()),
      database_->Scalar(std::string("SELECT count(*) FROM public.conversations WHERE tenant_id = '") + kTenantA + "'"));
}

// Whatever a client asks for, the answer (and what the server holds for it)
// stays bounded.
TEST_F(RestApiTest, ResponsesAndEmbedsAreBounded) {
  rest::RestOptions small;
  small.max_response_bytes = 300;
  auto fits = Send(Make("GET", "/rest/v1/conversations?select=title&limit=1", kUserA1), small);
  EXPECT_EQ(fits.status, 200) << fits.body;
  auto too_large =
      Send(Make("GET", "/rest/v1/conversations?select=id,title,tenant_id,user_id,created_at", kUserA1), small);
  ASSERT_EQ(too_large.status, 400) << too_large.body;
  EXPECT_EQ(json::parse(too_large.body).at("code").as_string(), "AB400");
  // A write refused for its answer's size is not committed either.
  http::Request insert = Make("POST", "/rest/v1/conversations", kUserA1,
                              std::string(R"({"tenant_id":")") + kTenantA + R"(","user_id":")" + kUserA1 +
                                  R"(","title":")" + std::string(400, 'l') + R"("})");
  insert.headers.emplace_back("prefer", "return=representation");
  std::string before = database_->Scalar("SELECT count(*) FROM public.conversations");
  auto refused_insert = Send(insert, small);
  EXPECT_EQ(refused_insert.status, 400) << refused_insert.body;
  EXPECT_EQ(database_->Scalar("SELECT count(*) FROM public.conversations"), before);

  // max-rows caps embedded arrays as it caps the top level.
  rest::RestOptions two_rows;
  two_rows.max_rows = 2;
  std::string embed = "/rest/v1/tenants?select=id,conversations(title)&id=eq." + std::string(kTenantA);
  auto embedded = Send(Make("GET", embed, kUserA1), two_rows);
  ASSERT_EQ(embedded.status, 200) << embedded.body;
  EXPECT_EQ(json::parse(embedded.body).at(0).at("conversations").as_array().size(), 2u) << embedded.body;
  auto unbounded = Send(Make("GET", embed, kUserA1));
  ASSERT_EQ(unbounded.status, 200) << unbounded.body;
  EXPECT_GE(json::parse(unbounded.body).at(0).at("conversations").as_array().size(), 3u) << unbounded.body;

  auto wide = Send(Make(
      "GET",
      "/rest/v1/conversations?select=" +
          [] {
            std::string list = "id";
            for (int i = 0; i < 1700; ++i) list += ",title";
            return list;
          }(),
      kUserA1));
  EXPECT_EQ(wide.status, 400) << wide.body.substr(0, 200);
  EXPECT_EQ(json::parse(wide.body).at("code").as_string(), "PGRST100");
}

TEST_F(RestApiTest, PutWithTwoRowsIsRefused) {
  const std::string id = "00000000-0000-0000-0000-0000000000c3";
  std::string row = std::string(R"({"id":")") + id + R"(","tenant_id":")" + kTenantA + R"(","user_id":")" + kUserA1 +
                    R"(","title":"twice"})";
  auto response = Send(Make("PUT", "/rest/v1/conversations?id=eq." + id, kUserA1, "[" + row + "," + row + "]"));
  EXPECT_EQ(response.status, 400) << response.body;
  EXPECT_EQ(json::parse(response.body).at("code").as_string(), "PGRST102");
  EXPECT_EQ(database_->Scalar("SELECT count(*) FROM public.conversations WHERE id = '" + id + "'"), "0");
}

// No database to be had: 503 with Retry-After, and nothing about where the
// database is (host, port, user) in the body.
TEST_F(RestApiTest, UnreachableDatabaseAnswers503WithoutConnectionDetails) {
  auto response = Send(Make("GET", "/rest/v1/conversations", kUserA1), {},
                       "host=127.0.0.1 port=1 user=authenticator dbname=secret_db connect_timeout=2");
  EXPECT_EQ(response.status, 503) << response.body;
  EXPECT_EQ(Header(response, "retry-after"), "1");
  EXPECT_EQ(json::parse(response.body).at("code").as_string(), "PGRST001");
  for (const char* secret : {"127.0.0.1", "port", "authenticator", "secret_db"}) {
    EXPECT_EQ(response.body.find(secret), std::string::npos) << secret << " in " << response.body;
  }
}

// Supabase's auth.uid(), auth.role() and auth.email() read
// request.jwt.claim.sub, .role and .email before the claims: the server sets
// them from the token (strings only, else empty, so those functions read the
// claims as before), and every way in gives the same answers.
TEST_F(RestApiTest, ClaimSettingsGiveTheAuthHelpersTheTokensClaims) {
  database_->Exec(R"sql(
    CREATE OR REPLACE FUNCTION public.auth_helpers() RETURNS json LANGUAGE sql STABLE AS $$
      SELECT json_build_object('role', auth.role(), 'email', auth.email(),
                               'sub', current_setting('request.jwt.claim.sub', true),
                               'role_setting', current_setting('request.jwt.claim.role', true),
                               'claims_role', auth.jwt() ->> 'role')
    $$;
    CREATE OR REPLACE FUNCTION public.auth_uid() RETURNS uuid LANGUAGE sql STABLE AS $$ SELECT auth.uid() $$;)sql");
  auto key = auth::SigningKey::FromSecret(kSecret, "");
  auto bearer = [&](json::object claims) {
    claims["exp"] = auth::UnixNow() + 3600;
    return "Bearer " + *auth::Sign(claims, *key);
  };
  auto call = [&](const std::string& function, std::optional<std::string> authorization) {
    http::Request request = Make("GET", "/rest/v1/rpc/" + function);
    if (authorization) request.headers.emplace_back("authorization", *authorization);
    return Send(request);
  };
  auto helpers = [&](std::optional<std::string> authorization) {
    auto response = call("auth_helpers", authorization);
    EXPECT_EQ(response.status, 200) << response.body;
    return json::parse(response.body).as_object();
  };

  auto user = bearer({{"sub", kUserA1}, {"role", "authenticated"}, {"email", "a1@x"}});
  auto seen = helpers(user);
  EXPECT_EQ(seen.at("role"), "authenticated");
  EXPECT_EQ(seen.at("email"), "a1@x");
  EXPECT_EQ(seen.at("sub"), kUserA1);
  EXPECT_EQ(seen.at("role_setting"), seen.at("claims_role"));
  EXPECT_EQ(call("auth_uid", user).body, "\"" + std::string(kUserA1) + "\"");
  // And RLS by auth.uid() answers as before: the user's own conversations.
  auto mine = Send(Make("GET", "/rest/v1/rpc/my_conversations?select=user_id", kUserA1));
  ASSERT_EQ(mine.status, 200) << mine.body;
  EXPECT_EQ(json::parse(mine.body).as_array().size(), 3u);

  // No sub, no email: empty settings, and the helpers find nothing in the claims either.
  auto service = helpers(bearer({{"role", "service_role"}}));
  EXPECT_EQ(service.at("sub"), "");
  EXPECT_TRUE(service.at("email").is_null());
  EXPECT_EQ(service.at("role"), "service_role");
  EXPECT_EQ(call("auth_uid", bearer({{"role", "service_role"}})).body, "null");
  // Without a token: anon, from the server's own claims.
  auto anon = helpers(std::nullopt);
  EXPECT_EQ(anon.at("role"), "anon");
  EXPECT_EQ(anon.at("sub"), "");
  // A sub that is no string is not set: auth.uid() reads it from the claims
  // and refuses it as it always did (42 is no uuid).
  auto numeric = bearer({{"sub", 42}, {"role", "authenticated"}});
  EXPECT_EQ(helpers(numeric).at("sub"), "");
  auto refused = call("auth_uid", numeric);
  EXPECT_EQ(refused.status, 400) << refused.body;
  EXPECT_EQ(json::parse(refused.body).at("code"), "22P02") << refused.body;
  // A token without a role claim acts as anon, and auth.role() says so.
  EXPECT_EQ(helpers(bearer({{"sub", kUserA1}})).at("role"), "anon");
}

// The request id (set by the router) names the transaction in PostgreSQL.
TEST_F(RestApiTest, RequestIdReachesPostgresAsApplicationName) {
  database_->Exec(
      "CREATE OR REPLACE FUNCTION public.current_app() RETURNS text LANGUAGE sql STABLE "
      "AS $$ SELECT current_setting('application_name') $$");
  http::Request request = Make("GET", "/rest/v1/rpc/current_app", kUserA1);
  request.headers.emplace_back("x-request-id", "trace-7");
  auto response = Send(request);
  ASSERT_EQ(response.status, 200) << response.body;
  EXPECT_EQ(response.body, R"("agentbase trace-7")");
}

}  // namespace agentbase::testing
