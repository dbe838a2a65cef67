// /auth/v1 against a pushed database: users made with `agentbase users add`,
// then AuthApi::Handle driven directly on an event loop, as supabase-js would
// call it (sign-in, refresh with rotation and its reuse interval, /user,
// logout, JWKS), the sign-in rate limits, inputs that must not reach libpq,
// and `agentbase token`.

#include "auth/auth_api.hpp"

#include <gtest/gtest.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/asio/write.hpp>
#include <boost/json.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <set>
#include <thread>

#include "auth/jwt.hpp"
#include "auth/key_store.hpp"
#include "harness.hpp"
#include "util/base64url.hpp"

namespace agentbase::testing {

namespace asio = boost::asio;
namespace json = boost::json;
namespace fs = std::filesystem;

namespace {

constexpr const char* kSecret = "an-auth-test-secret-that-is-long-enough-for-hs256";
constexpr const char* kAlice = "alice@example.com";
constexpr const char* kAlicePassword = "correct horse battery";
constexpr const char* kBob = "bob@example.com";
constexpr const char* kBobPassword = "bob's long password";
constexpr const char* kIssuer = "http://127.0.0.1:54321/auth/v1";

// One AuthApi kept across requests, so that what it remembers (the sign-in
// limits) carries from one to the next, on an event loop of its own.
class AuthServer {
 public:
  AuthServer(const std::string& conninfo, const auth::KeyStore& keys, auth::AuthOptions options)
      : pool_(io_.get_executor(), conninfo, PoolOptions()), api_(pool_, keys, std::move(options)) {}

  http::Response Send(http::Request request) {
    io_.restart();
    auto future = asio::co_spawn(io_, api_.Handle(std::move(request)), asio::use_future);
    io_.run();
    return future.get();
  }
  // Two requests handled at the same time, on two connections.
  std::pair<http::Response, http::Response> SendTogether(http::Request first, http::Request second) {
    io_.restart();
    auto a = asio::co_spawn(io_, api_.Handle(std::move(first)), asio::use_future);
    auto b = asio::co_spawn(io_, api_.Handle(std::move(second)), asio::use_future);
    io_.run();
    return {a.get(), b.get()};
  }

 private:
  static db::PoolOptions PoolOptions() {
    db::PoolOptions options;
    options.size = 2;
    options.acquire_timeout = std::chrono::milliseconds(3000);
    return options;
  }
  asio::io_context io_;
  db::Pool pool_;
  auth::AuthApi api_;
};

class AuthApiTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    database_ = new TestDatabase();
    auto push = RunAgentbase("db push " + database_->DbUrlFlag());
    ASSERT_EQ(push.exit_code, 0) << push.out << push.err;

    auto alice = RunAgentbase(std::string("users add --email Alice@Example.com --password '") + kAlicePassword +
                              "' --tenant acme --tenant-name 'Acme Inc' --role owner " + database_->DbUrlFlag());
    ASSERT_EQ(alice.exit_code, 0) << alice.out << alice.err;
    alice_id_ = new std::string(alice.out.substr(0, alice.out.find('\n')));
    auto bob = RunAgentbase(std::string("users add --email ") + kBob + " --password \"" + kBobPassword +
                            "\" --tenant acme " + database_->DbUrlFlag());
    ASSERT_EQ(bob.exit_code, 0) << bob.out << bob.err;

    char pattern[] = "/tmp/abauth-XXXXXX";
    ASSERT_NE(mkdtemp(pattern), nullptr);
    key_root_ = new fs::path(pattern);
    // As on the embedded default (ES256 key in the key directory), with the
    // secret given explicitly so that `agentbase token --db-url` can share it.
    auth::KeyStoreOptions options;
    options.jwt_secret = kSecret;
    options.key_dir = *key_root_ / "keys";
    auto keys = auth::KeyStore::Load(options);
    ASSERT_TRUE(keys.ok()) << keys.error().message;
    keys_ = new auth::KeyStore(std::move(*keys));
  }
  static void TearDownTestSuite() {
    delete keys_;
    keys_ = nullptr;
    if (key_root_ != nullptr) {
      std::error_code ec;
      fs::remove_all(*key_root_, ec);
    }
    delete key_root_;
    key_root_ = nullptr;
    delete alice_id_;
    alice_id_ = nullptr;
    delete database_;
    database_ = nullptr;
  }

  void SetUp() override {
    // A failed suite set-up (e.g. `users add` missing from the binary) fails each test instead of crashing it.
    ASSERT_NE(alice_id_, nullptr) << "the suite's set-up failed";
    ASSERT_NE(keys_, nullptr) << "the suite's set-up failed";
  }

  // One request through AuthApi on a fresh event loop.
  static http::Response Send(http::Request request, std::string conninfo = "") {
    asio::io_context io;
    db::PoolOptions pool_options;
    pool_options.size = 2;
    pool_options.acquire_timeout = std::chrono::milliseconds(3000);
    db::Pool pool(io.get_executor(), conninfo.empty() ? database_->Conninfo() : conninfo, pool_options);
    auth::AuthOptions options;
    options.issuer = kIssuer;
    auth::AuthApi api(pool, *keys_, options);
    auto future = asio::co_spawn(io, api.Handle(std::move(request)), asio::use_future);
    io.run();
    return future.get();
  }

  static std::unique_ptr<AuthServer> Server(auth::AuthOptions options) {
    options.issuer = kIssuer;
    return std::make_unique<AuthServer>(database_->Conninfo(), *keys_, std::move(options));
  }

  static http::Request Make(std::string method, std::string target, std::string body = "") {
    http::Request request;
    request.method = std::move(method);
    request.target = target;
    auto question = target.find('?');
    request.path = target.substr(0, question);
    request.query = question == std::string::npos ? "" : target.substr(question + 1);
    request.body = std::move(body);
    // What supabase-js sends besides.
    request.headers.emplace_back("apikey", keys_->AnonKey());
    request.headers.emplace_back("content-type", "application/json;charset=UTF-8");
    request.headers.emplace_back("x-client-info", "supabase-js-node/2.0.0");
    return request;
  }
  static http::Request WithBearer(http::Request request, const std::string& token) {
    request.headers.emplace_back("authorization", "Bearer " + token);
    return request;
  }

  static http::Request SignInRequest(const std::string& email, const std::string& password,
                                     const std::string& from = "") {
    json::object body{{"email", email}, {"password", password}};
    auto request = Make("POST", "/auth/v1/token?grant_type=password", json::serialize(body));
    request.remote_address = from;
    return request;
  }
  static http::Response SignIn(const std::string& email, const std::string& password) {
    return Send(SignInRequest(email, password));
  }
  static http::Request RefreshRequest(const std::string& refresh_token) {
    json::object body{{"refresh_token", refresh_token}};
    return Make("POST", "/auth/v1/token?grant_type=refresh_token", json::serialize(body));
  }
  static http::Response Refresh(const std::string& refresh_token) { return Send(RefreshRequest(refresh_token)); }
  // A POST to /auth/v1/token with this grant type and raw body.
  static http::Response TokenCall(std::string body, const std::string& grant = "password") {
    return Send(Make("POST", "/auth/v1/token?grant_type=" + grant, std::move(body)));
  }
  static http::Response GetUser(const std::string& token) {
    return Send(WithBearer(Make("GET", "/auth/v1/user"), token));
  }
  static http::Response Logout(const std::string& token, const std::string& scope = "") {
    return Send(WithBearer(Make("POST", "/auth/v1/logout" + (scope.empty() ? "" : "?scope=" + scope)), token));
  }

  static json::object Json(const http::Response& response) {
    boost::system::error_code ec;
    auto value = json::parse(response.body, ec);
    EXPECT_FALSE(ec) << response.body;
    EXPECT_TRUE(value.is_object()) << response.body;
    return value.is_object() ? value.as_object() : json::object();
  }
  static std::string Text(const json::value& value) {
    return value.is_string() ? std::string(value.as_string()) : json::serialize(value);
  }
  static std::string Header(const http::Response& response, std::string_view name) {
    for (const auto& [key, value] : response.headers) {
      std::string lower = key;
      for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      if (lower == name) return value;
    }
    return "";
  }
  static json::object TokenHeader(const std::string& token) {
    auto decoded = Base64UrlDecode(std::string_view(token).substr(0, token.find('.')));
    EXPECT_TRUE(decoded.has_value());
    return decoded ? json::parse(*decoded).as_object() : json::object();
  }
  // A signed-in session's access and refresh tokens.
  static std::pair<std::string, std::string> Session(const std::string& email, const std::string& password) {
    auto response = SignIn(email, password);
    EXPECT_EQ(response.status, 200) << response.body;
    auto body = Json(response);
    return {Text(body["access_token"]), Text(body["refresh_token"])};
  }
  static std::string SessionOf(const std::string& access_token) {
    auto verified = auth::Verify(access_token, keys_->Verification());
    EXPECT_TRUE(verified.ok());
    return verified.ok() ? Text(verified->claims["session_id"]) : "";
  }
  // Bob signed in, and his refresh token rotated once through `server`.
  struct Rotation {
    std::string access;    // the session's first access token
    std::string replaced;  // the refresh token the rotation replaced
    std::string current;   // the one it issued
  };
  static Rotation SignInAndRotate(AuthServer& server) {
    auto [access, first] = Session(kBob, kBobPassword);
    auto rotated = server.Send(RefreshRequest(first));
    EXPECT_EQ(rotated.status, 200) << rotated.body;
    return {access, first, Text(Json(rotated)["refresh_token"])};
  }
  // Moves the session's last rotation `age` (an SQL interval) into the past.
  static void AgeLastRotation(const std::string& session_id, const std::string& age) {
    database_->Exec("UPDATE agentbase.auth_sessions SET refreshed_at = refreshed_at - interval '" + age +
                    "' WHERE id = '" + session_id + "'");
  }
  static std::unique_ptr<AuthServer> ServerWithReuseInterval(std::chrono::seconds interval) {
    auth::AuthOptions options;
    options.refresh_token_reuse_interval = interval;
    return Server(options);
  }
  static std::string LiveSessions(const std::string& email) {
    return database_->Scalar(
        "SELECT count(*) FROM agentbase.auth_sessions s JOIN auth.users u ON u.id = s.user_id "
        "WHERE u.email = '" +
        email + "' AND s.revoked_at IS NULL");
  }
  // Expects GoTrue's legacy error shape with this status and error_code.
  static void ExpectError(const http::Response& response, int status, const std::string& error_code) {
    EXPECT_EQ(response.status, status) << response.body;
    auto body = Json(response);
    EXPECT_EQ(Text(body["code"]), std::to_string(status)) << response.body;
    EXPECT_EQ(Text(body["error_code"]), error_code) << response.body;
    EXPECT_TRUE(body.contains("msg")) << response.body;
    EXPECT_EQ(Header(response, "content-type"), "application/json");
  }

  static TestDatabase* database_;
  static auth::KeyStore* keys_;
  static fs::path* key_root_;
  static std::string* alice_id_;
};

TestDatabase* AuthApiTest::database_ = nullptr;
auth::KeyStore* AuthApiTest::keys_ = nullptr;
fs::path* AuthApiTest::key_root_ = nullptr;
std::string* AuthApiTest::alice_id_ = nullptr;

}  // namespace

TEST_F(AuthApiTest, UsersAddMadeTheUserTenantAndProfile) {
  ASSERT_EQ(alice_id_->size(), 36u);
  EXPECT_EQ(database_->Scalar("SELECT email || ' ' || role || ' ' || (email_confirmed_at IS NOT NULL) || ' ' || "
                              "(encrypted_password LIKE '$2a$10$%') FROM auth.users WHERE id = '" +
                              *alice_id_ + "'"),
            "alice@example.com authenticated true true");
  EXPECT_EQ(database_->Scalar("SELECT t.slug || ' ' || t.name || ' ' || p.role || ' ' || "
                              "(u.raw_app_meta_data->>'tenant_id' = t.id::text) FROM public.profiles p "
                              "JOIN public.tenants t ON t.id = p.tenant_id JOIN auth.users u ON u.id = p.id "
                              "WHERE p.id = '" +
                              *alice_id_ + "'"),
            "acme Acme Inc owner true");
  EXPECT_EQ(database_->Scalar("SELECT count(*) FROM public.tenants WHERE slug = 'acme'"), "1");
  EXPECT_EQ(database_->Scalar("SELECT p.role FROM public.profiles p JOIN auth.users u ON u.id = p.id "
                              "WHERE u.email = 'bob@example.com'"),
            "member");
}

// `users add --password -` reads a line that may hold a NUL byte, which
// would have stored a hash of the part before it.
TEST_F(AuthApiTest, UsersAddRefusesANulInAPasswordFromStandardInput) {
  std::string command = std::string("printf 'long enough\\000 and more\\n' | ") + AGENTBASE_BIN +
                        " users add --email nul@example.com --password - " + database_->DbUrlFlag() +
                        " >/dev/null 2>&1";
  int status = std::system(command.c_str());
  EXPECT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 2);
  EXPECT_EQ(database_->Scalar("SELECT count(*) FROM auth.users WHERE email = 'nul@example.com'"), "0");
}

TEST_F(AuthApiTest, UsersAddRefusesDuplicatesAndShortPasswords) {
  auto again =
      RunAgentbase("users add --email ALICE@example.com --password 'another password' " + database_->DbUrlFlag());
  EXPECT_EQ(again.exit_code, 4) << again.err;
  EXPECT_NE(again.err.find("already exists"), std::string::npos) << again.err;
  auto short_password = RunAgentbase("users add --email carol@example.com --password short " + database_->DbUrlFlag());
  EXPECT_EQ(short_password.exit_code, 2) << short_password.err;
  auto bad_role = RunAgentbase(
      "users add --email carol@example.com --password 'long enough' --tenant acme "
      "--role king " +
      database_->DbUrlFlag());
  EXPECT_EQ(bad_role.exit_code, 2) << bad_role.err;
  EXPECT_EQ(database_->Scalar("SELECT count(*) FROM auth.users WHERE email = 'carol@example.com'"), "0");
}

TEST_F(AuthApiTest, PasswordSignInReturnsASupabaseSession) {
  auto before = database_->Scalar("SELECT coalesce(last_sign_in_at::text, 'never') FROM auth.users WHERE id = '" +
                                  *alice_id_ + "'");
  // Case does not matter in the e-mail address.
  auto response = SignIn("ALICE@example.com", kAlicePassword);
  ASSERT_EQ(response.status, 200) << response.body;
  EXPECT_EQ(Header(response, "content-type"), "application/json");
  auto body = Json(response);
  EXPECT_EQ(Text(body["token_type"]), "bearer");
  EXPECT_EQ(body["expires_in"].as_int64(), 3600);
  EXPECT_NEAR(static_cast<double>(body["expires_at"].as_int64()), static_cast<double>(auth::UnixNow() + 3600), 5);
  EXPECT_GE(Text(body["refresh_token"]).size(), 43u);

  const auto& user = body["user"].as_object();
  EXPECT_EQ(Text(user.at("id")), *alice_id_);
  EXPECT_EQ(Text(user.at("email")), kAlice);
  EXPECT_EQ(Text(user.at("aud")), "authenticated");
  EXPECT_EQ(Text(user.at("role")), "authenticated");
  EXPECT_EQ(Text(user.at("phone")), "");
  EXPECT_TRUE(user.contains("email_confirmed_at"));
  EXPECT_TRUE(user.contains("confirmed_at"));
  EXPECT_TRUE(user.contains("last_sign_in_at"));
  EXPECT_TRUE(user.at("identities").as_array().empty());
  EXPECT_EQ(user.at("is_anonymous"), false);
  EXPECT_EQ(Text(user.at("app_metadata").at("provider")), "email");
  EXPECT_EQ(Text(user.at("app_metadata").at("tenant_id")),
            database_->Scalar("SELECT id FROM public.tenants WHERE slug = 'acme'"));
  EXPECT_NE(database_->Scalar("SELECT last_sign_in_at::text FROM auth.users WHERE id = '" + *alice_id_ + "'"), before);

  // The access token: ES256 with the published kid, Supabase's claims.
  std::string token = Text(body["access_token"]);
  auto header = TokenHeader(token);
  EXPECT_EQ(Text(header["alg"]), "ES256");
  EXPECT_EQ(Text(header["kid"]), keys_->AccessTokenKey()->kid());
  auto verified = auth::Verify(token, keys_->Verification());
  ASSERT_TRUE(verified.ok()) << verified.error().message;
  auto claims = verified->claims;
  EXPECT_EQ(Text(claims["iss"]), kIssuer);
  EXPECT_EQ(Text(claims["sub"]), *alice_id_);
  EXPECT_EQ(Text(claims["aud"]), "authenticated");
  EXPECT_EQ(Text(claims["role"]), "authenticated");
  EXPECT_EQ(Text(claims["email"]), kAlice);
  EXPECT_EQ(Text(claims["phone"]), "");
  EXPECT_EQ(Text(claims["aal"]), "aal1");
  EXPECT_EQ(claims["is_anonymous"], false);
  EXPECT_EQ(claims["exp"].as_int64() - claims["iat"].as_int64(), 3600);
  EXPECT_EQ(Text(claims["app_metadata"].at("tenant_id")), Text(user.at("app_metadata").at("tenant_id")));
  EXPECT_EQ(Text(claims["app_metadata"].at("providers")), R"(["email"])");
  EXPECT_TRUE(claims["user_metadata"].is_object());
  EXPECT_EQ(Text(claims["amr"].at(0).at("method")), "password");
  std::string session_id = Text(claims["session_id"]);
  EXPECT_EQ(database_->Scalar("SELECT user_id FROM agentbase.auth_sessions WHERE id = '" + session_id + "'"),
            *alice_id_);
  // Only a hash of the refresh token is stored.
  EXPECT_EQ(database_->Scalar("SELECT count(*) FROM agentbase.auth_sessions WHERE refresh_token_hash = '" +
                              Text(body["refresh_token"]) + "'"),
            "0");
}

TEST_F(AuthApiTest, WrongPasswordAndUnknownEmailGetTheSameAnswer) {
  auto wrong = SignIn(kAlice, "not the password");
  auto unknown = SignIn("nobody@example.com", kAlicePassword);
  ExpectError(wrong, 400, "invalid_credentials");
  EXPECT_EQ(Text(Json(wrong)["msg"]), "Invalid login credentials");
  EXPECT_EQ(wrong.body, unknown.body);
  EXPECT_EQ(wrong.status, unknown.status);

  // With the API version supabase-js asks for, GoTrue's newer error shape.
  json::object body{{"email", kAlice}, {"password", "nope nope"}};
  auto request = Make("POST", "/auth/v1/token?grant_type=password", json::serialize(body));
  request.headers.emplace_back("x-supabase-api-version", "2024-01-01");
  auto versioned = Send(std::move(request));
  EXPECT_EQ(versioned.status, 400);
  EXPECT_EQ(Header(versioned, "x-supabase-api-version"), "2024-01-01");
  // Browsers let auth-js read that header only when it is exposed.
  EXPECT_NE(Header(versioned, "access-control-expose-headers").find("X-Supabase-Api-Version"), std::string::npos);
  EXPECT_EQ(json::parse(versioned.body),
            json::parse(R"({"code":"invalid_credentials","message":"Invalid login credentials"})"));
}

TEST_F(AuthApiTest, MalformedRequestsAreAnswered400NeverA500) {
  ExpectError(TokenCall("{not json"), 400, "bad_json");
  ExpectError(TokenCall(""), 400, "bad_json");
  ExpectError(TokenCall("[1,2]"), 400, "bad_json");
  ExpectError(TokenCall(R"({"email":42,"password":"x"})"), 400, "bad_json");
  ExpectError(TokenCall(R"({"password":"whatever"})"), 400, "validation_failed");
  ExpectError(TokenCall(R"({"email":"alice@example.com"})"), 400, "invalid_credentials");
  ExpectError(TokenCall(R"({"email":"alice@example.com","password":null})"), 400, "invalid_credentials");
  ExpectError(TokenCall(R"({"phone":"+15555550100","password":"whatever"})"), 422, "phone_provider_disabled");
  ExpectError(TokenCall(R"({"email":"a@b.c","phone":"+15555550100","password":"x"})"), 400, "validation_failed");
  ExpectError(TokenCall("{}", "magic"), 400, "invalid_credentials");
  ExpectError(Send(Make("POST", "/auth/v1/token", "{}")), 400, "invalid_credentials");
  ExpectError(TokenCall("{nope", "refresh_token"), 400, "bad_json");
  auto missing = TokenCall("{}", "refresh_token");
  EXPECT_EQ(missing.status, 400);
  EXPECT_EQ(json::parse(missing.body),
            json::parse(R"({"error":"invalid_request","error_description":"refresh_token required"})"));
}

namespace {

// What a refused attempt answers, bar Retry-After (which counts down as the test runs).
std::string RefusalShape(const http::Response& response) {
  return std::to_string(response.status) + " " + response.body;
}

int RetryAfter(const http::Response& response) {
  for (const auto& [name, value] : response.headers) {
    if (name == "Retry-After") return std::stoi(value);
  }
  return -1;
}

}  // namespace

TEST_F(AuthApiTest, PasswordSignInIsRateLimitedPerClientAddress) {
  auth::AuthOptions options;
  options.sign_in_limits.per_address = {3, std::chrono::seconds(60)};  // then one every 20 s
  options.sign_in_limits.failures_per_account = {100, std::chrono::seconds(900)};
  auto server = Server(options);
  const std::string attacker = "203.0.113.5";

  // Every attempt counts, right or wrong, known account or not.
  EXPECT_EQ(server->Send(SignInRequest(kAlice, kAlicePassword, attacker)).status, 200);
  ExpectError(server->Send(SignInRequest(kBob, "wrong password", attacker)), 400, "invalid_credentials");
  ExpectError(server->Send(SignInRequest("nobody@example.com", "anything", attacker)), 400, "invalid_credentials");

  std::string live = LiveSessions(kAlice);
  auto right = server->Send(SignInRequest(kAlice, kAlicePassword, attacker));
  ExpectError(right, 429, "over_request_rate_limit");
  EXPECT_EQ(Text(Json(right)["msg"]), "Request rate limit reached");
  // A bucket of 3 that refills one every 20 s, less the time the test took.
  EXPECT_LE(RetryAfter(right), 20);
  EXPECT_GE(RetryAfter(right), 15);
  EXPECT_NE(Header(right, "access-control-expose-headers").find("Retry-After"), std::string::npos);
  EXPECT_EQ(LiveSessions(kAlice), live) << "a refused attempt never reaches the database";
  // No oracle: the right password, a wrong one and an unknown account get the same refusal.
  auto wrong = server->Send(SignInRequest(kAlice, "wrong password", attacker));
  auto unknown = server->Send(SignInRequest("nobody@example.com", kAlicePassword, attacker));
  EXPECT_EQ(RefusalShape(right), RefusalShape(wrong));
  EXPECT_EQ(RefusalShape(right), RefusalShape(unknown));
  EXPECT_NEAR(RetryAfter(right), RetryAfter(unknown), 1);

  // With the API version supabase-js asks for, GoTrue's newer shape.
  auto versioned_request = SignInRequest(kAlice, kAlicePassword, attacker);
  versioned_request.headers.emplace_back("x-supabase-api-version", "2024-01-01");
  auto versioned = server->Send(std::move(versioned_request));
  EXPECT_EQ(versioned.status, 429);
  EXPECT_EQ(json::parse(versioned.body),
            json::parse(R"({"code":"over_request_rate_limit","message":"Request rate limit reached"})"));
  EXPECT_GE(RetryAfter(versioned), 15);

  // Other addresses are unaffected, and so is the account itself.
  EXPECT_EQ(server->Send(SignInRequest(kAlice, kAlicePassword, "198.51.100.1")).status, 200);
  // One IPv6 site is one client: its /64.
  for (int i = 0; i < 3; ++i) {
    auto from = "2001:db8:5:6::" + std::to_string(i + 1);
    EXPECT_EQ(server->Send(SignInRequest(kBob, kBobPassword, from)).status, 200) << from;
  }
  ExpectError(server->Send(SignInRequest(kBob, kBobPassword, "2001:db8:5:6:ffff::1")), 429, "over_request_rate_limit");
  EXPECT_EQ(server->Send(SignInRequest(kBob, kBobPassword, "2001:db8:5:7::1")).status, 200);
}

TEST_F(AuthApiTest, PasswordSignInIsRateLimitedPerAccountOnFailuresOnly) {
  auth::AuthOptions options;
  options.sign_in_limits.per_address = {1000, std::chrono::seconds(60)};
  options.sign_in_limits.failures_per_account = {3, std::chrono::seconds(900)};  // then one every 300 s
  auto server = Server(options);

  // Successful sign-ins never use up the owner's allowance.
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(server->Send(SignInRequest(kAlice, kAlicePassword, "192.0.2.1")).status, 200) << i;
  }
  // Three wrong guesses from three addresses (the e-mail matched in any case)...
  ExpectError(server->Send(SignInRequest(kAlice, "guess one", "192.0.2.10")), 400, "invalid_credentials");
  ExpectError(server->Send(SignInRequest("ALICE@example.com", "guess two", "192.0.2.11")), 400, "invalid_credentials");
  ExpectError(server->Send(SignInRequest(" alice@EXAMPLE.com", "guess three", "192.0.2.12")), 400,
              "invalid_credentials");
  // ...and the account is refused from everywhere, even with the right
  // password (which is not checked, so it cannot be confirmed), until it refills.
  std::string live = LiveSessions(kAlice);
  auto right = server->Send(SignInRequest(kAlice, kAlicePassword, "192.0.2.1"));
  ExpectError(right, 429, "over_request_rate_limit");
  EXPECT_LE(RetryAfter(right), 300);
  EXPECT_GE(RetryAfter(right), 290);
  EXPECT_EQ(LiveSessions(kAlice), live);
  auto wrong = server->Send(SignInRequest(kAlice, "guess four", "192.0.2.13"));
  EXPECT_EQ(RefusalShape(right), RefusalShape(wrong));

  // An account that does not exist is limited exactly the same way.
  for (const char* guess : {"one", "two", "three"}) {
    ExpectError(server->Send(SignInRequest("ghost@example.com", guess, "192.0.2.20")), 400, "invalid_credentials");
  }
  EXPECT_EQ(RefusalShape(server->Send(SignInRequest("ghost@example.com", "four", "192.0.2.20"))), RefusalShape(right));

  // Other accounts, from the very addresses that guessed, are unaffected.
  EXPECT_EQ(server->Send(SignInRequest(kBob, kBobPassword, "192.0.2.10")).status, 200);
  EXPECT_EQ(server->Send(SignInRequest(kBob, kBobPassword, "192.0.2.20")).status, 200);
}

TEST_F(AuthApiTest, ConcurrentGuessesCannotOutrunTheAccountLimit) {
  auth::AuthOptions options;
  options.sign_in_limits.failures_per_account = {1, std::chrono::seconds(900)};
  auto server = Server(options);
  // Both arrive before either has been checked: only one is let through.
  auto [a, b] = server->SendTogether(SignInRequest(kBob, "guess one", "192.0.2.30"),
                                     SignInRequest(kBob, "guess two", "192.0.2.31"));
  std::multiset<int> statuses{a.status, b.status};
  EXPECT_EQ(statuses, (std::multiset<int>{400, 429})) << a.body << " / " << b.body;
}

TEST_F(AuthApiTest, ClientAddressHeaderNamesTheClientBehindAProxy) {
  auth::AuthOptions options;
  options.sign_in_limits.per_address = {1, std::chrono::seconds(60)};
  options.client_address_header = "X-Forwarded-For";
  auto server = Server(options);
  auto via_proxy = [&](const std::string& forwarded_for) {
    auto request = SignInRequest(kBob, kBobPassword, "127.0.0.1");
    request.headers.emplace_back("x-forwarded-for", forwarded_for);
    return server->Send(std::move(request));
  };
  EXPECT_EQ(via_proxy("198.51.100.7").status, 200);
  // What the client put in front of the proxy's entry does not make it someone else.
  ExpectError(via_proxy("10.9.8.7, 198.51.100.7"), 429, "over_request_rate_limit");
  // Another client behind the same proxy is.
  EXPECT_EQ(via_proxy("198.51.100.8").status, 200);
  // Without the header, the proxy's own address.
  EXPECT_EQ(server->Send(SignInRequest(kBob, kBobPassword, "127.0.0.1")).status, 200);
  // A header of nothing but separators names nobody: the proxy's address again.
  ExpectError(via_proxy(" , ,,"), 429, "over_request_rate_limit");
  // Text that is no address is one client all the same, whatever its length.
  std::string junk(8000, 'x');
  EXPECT_EQ(via_proxy(junk).status, 200);
  ExpectError(via_proxy(junk), 429, "over_request_rate_limit");
}

// libpq sends text parameters as C strings: "password\0anything" would be
// checked as "password". Such input is refused, never cut short.
TEST_F(AuthApiTest, NulBytesAndInvalidUtf8AreRefusedNeverTruncated) {
  std::string live = LiveSessions(kAlice);
  auto nul_password = TokenCall(R"({"email":"alice@example.com","password":"correct horse battery\u0000anything"})");
  ExpectError(nul_password, 400, "validation_failed");
  EXPECT_EQ(Text(Json(nul_password)["msg"]), "password must not contain NUL characters");
  ExpectError(TokenCall(R"({"email":"alice@example.com","password":"correct horse battery\u0000"})"), 400,
              "validation_failed");
  ExpectError(TokenCall(R"({"email":"alice@example.com\u0000junk","password":"correct horse battery"})"), 400,
              "validation_failed");
  // Raw bytes that are not UTF-8.
  auto bad_utf8 = TokenCall("{\"email\":\"alice@example.com\",\"password\":\"correct horse battery\xff\"}");
  ExpectError(bad_utf8, 400, "validation_failed");
  EXPECT_EQ(Text(Json(bad_utf8)["msg"]), "password must be valid UTF-8");
  ExpectError(TokenCall("{\"email\":\"alice\xc0\xae@example.com\",\"password\":\"x\"}"), 400, "validation_failed");
  // A lone UTF-16 surrogate escape is no character at all.
  EXPECT_EQ(TokenCall(R"({"email":"alice@example.com","password":"correct horse battery\ud800"})").status, 400);
  EXPECT_EQ(LiveSessions(kAlice), live) << "none of these signed in";

  // A refresh token with a NUL after a real one is refused and changes nothing.
  auto [access, refresh] = Session(kBob, kBobPassword);
  std::string stored = database_->Scalar("SELECT refresh_token_hash FROM agentbase.auth_sessions WHERE id = '" +
                                         SessionOf(access) + "'");
  ExpectError(TokenCall(R"({"refresh_token":")" + refresh + R"(\u0000x"})", "refresh_token"), 400, "validation_failed");
  ExpectError(TokenCall("{\"refresh_token\":\"" + refresh + "\xff\"}", "refresh_token"), 400, "validation_failed");
  EXPECT_EQ(database_->Scalar("SELECT refresh_token_hash FROM agentbase.auth_sessions WHERE id = '" +
                              SessionOf(access) + "'"),
            stored);
  EXPECT_EQ(Refresh(refresh).status, 200);

  // The password that is right, and valid text with non-ASCII characters, still work.
  EXPECT_EQ(SignIn(kAlice, kAlicePassword).status, 200);
  ExpectError(SignIn(kAlice, "p\xC3\xA4sswort \xF0\x9F\x94\x91"), 400, "invalid_credentials");
}

TEST_F(AuthApiTest, RefreshRotatesAndAReplayedTokenEndsTheSession) {
  auto [access, refresh] = Session(kBob, kBobPassword);
  auto session_id = SessionOf(access);

  auto refreshed = Refresh(refresh);
  ASSERT_EQ(refreshed.status, 200) << refreshed.body;
  auto body = Json(refreshed);
  std::string next = Text(body["refresh_token"]);
  EXPECT_NE(next, refresh);
  EXPECT_EQ(Text(body["user"].at("email")), kBob);
  auto claims = auth::Verify(Text(body["access_token"]), keys_->Verification());
  ASSERT_TRUE(claims.ok());
  EXPECT_EQ(Text(claims->claims["session_id"]), session_id);
  // The sign-in time stays the session's.
  EXPECT_EQ(claims->claims["amr"].at(0).at("timestamp"),
            auth::Verify(access, keys_->Verification())->claims["amr"].at(0).at("timestamp"));

  // The new token works once more...
  auto again = Refresh(next);
  ASSERT_EQ(again.status, 200) << again.body;
  std::string latest = Text(Json(again)["refresh_token"]);
  // ...the token it replaced, presented after the reuse interval, is refused,
  // and that replay revokes the session, so the latest token is dead too.
  AgeLastRotation(session_id, "11 seconds");
  ExpectError(Refresh(next), 400, "refresh_token_already_used");
  ExpectError(Refresh(latest), 400, "refresh_token_not_found");
  // Older tokens are simply unknown.
  ExpectError(Refresh(refresh), 400, "refresh_token_not_found");
  EXPECT_NE(database_->Scalar("SELECT revoked_at FROM agentbase.auth_sessions WHERE id = '" + session_id + "'"), "");
  // And /user refuses the session's access tokens (supabase-js then drops its session).
  ExpectError(GetUser(access), 403, "session_not_found");

  ExpectError(Refresh("not-a-token-we-issued"), 400, "refresh_token_not_found");
  EXPECT_EQ(Text(Json(Refresh("x"))["msg"]), "Invalid Refresh Token: Refresh Token Not Found");
}

// Two tabs refreshing one token at once: the second waits for the first's row
// lock, finds its token replaced a moment ago (within the reuse interval) and
// gets the session's current token too; the session lives on.
TEST_F(AuthApiTest, ConcurrentRefreshesWithOneTokenBothGetTheCurrentSession) {
  auto server = Server({});
  auto [access, refresh] = Session(kBob, kBobPassword);
  auto [a, b] = server->SendTogether(RefreshRequest(refresh), RefreshRequest(refresh));
  ASSERT_EQ(a.status, 200) << a.body;
  ASSERT_EQ(b.status, 200) << b.body;
  std::string current = Text(Json(a)["refresh_token"]);
  EXPECT_EQ(Text(Json(b)["refresh_token"]), current);
  EXPECT_NE(current, refresh);
  EXPECT_EQ(SessionOf(Text(Json(a)["access_token"])), SessionOf(access));
  EXPECT_EQ(SessionOf(Text(Json(b)["access_token"])), SessionOf(access));
  auto next = server->Send(RefreshRequest(current));
  ASSERT_EQ(next.status, 200) << next.body;
  EXPECT_EQ(GetUser(Text(Json(next)["access_token"])).status, 200);
}

TEST_F(AuthApiTest, ReplacedTokenWithinTheReuseIntervalGetsTheCurrentOneAndAfterItEndsTheSession) {
  auto server = ServerWithReuseInterval(std::chrono::seconds(10));
  auto [access, first, second] = SignInAndRotate(*server);
  std::string session_id = SessionOf(access);
  // Presented again within the interval: a fresh access token and the
  // session's current refresh token, nothing rotated, nothing revoked.
  std::string stored =
      database_->Scalar("SELECT refresh_token_hash FROM agentbase.auth_sessions WHERE id = '" + session_id + "'");
  auto reused = server->Send(RefreshRequest(first));
  ASSERT_EQ(reused.status, 200) << reused.body;
  auto reused_body = Json(reused);
  EXPECT_EQ(Text(reused_body["refresh_token"]), second);
  EXPECT_EQ(Text(reused_body["user"].at("email")), kBob);
  EXPECT_EQ(SessionOf(Text(reused_body["access_token"])), session_id);
  EXPECT_EQ(GetUser(Text(reused_body["access_token"])).status, 200);
  EXPECT_EQ(database_->Scalar("SELECT refresh_token_hash || ' ' || (revoked_at IS NULL) FROM "
                              "agentbase.auth_sessions WHERE id = '" +
                              session_id + "'"),
            stored + " true");
  // Neither the database nor the replaced token alone is the current token.
  EXPECT_EQ(database_->Scalar("SELECT count(*) FROM agentbase.auth_sessions WHERE refresh_token_hash = '" + second +
                              "' OR rotation_key = '" + second + "'"),
            "0");

  // The current token rotates as usual; its predecessor is now the reusable one.
  auto third_answer = server->Send(RefreshRequest(second));
  ASSERT_EQ(third_answer.status, 200) << third_answer.body;
  std::string third = Text(Json(third_answer)["refresh_token"]);
  EXPECT_NE(third, second);
  // Two rotations back is no longer recognised at all.
  ExpectError(server->Send(RefreshRequest(first)), 400, "refresh_token_not_found");
  EXPECT_EQ(database_->Scalar("SELECT revoked_at IS NULL FROM agentbase.auth_sessions WHERE id = '" + session_id + "'"),
            "t");

  // Outside the interval the replaced token is a replay: the session ends.
  AgeLastRotation(session_id, "11 seconds");
  ExpectError(server->Send(RefreshRequest(second)), 400, "refresh_token_already_used");
  ExpectError(server->Send(RefreshRequest(third)), 400, "refresh_token_not_found");
  ExpectError(GetUser(access), 403, "session_not_found");
}

TEST_F(AuthApiTest, ReuseIntervalZeroTreatsEveryReuseAsAReplay) {
  auto server = ServerWithReuseInterval(std::chrono::seconds(0));
  auto [access, first, second] = SignInAndRotate(*server);
  // Even when the rotation's transaction began after this refresh's, as
  // when the two raced for the row: refreshed_at is then ahead of its now().
  AgeLastRotation(SessionOf(access), "-2 seconds");
  ExpectError(server->Send(RefreshRequest(first)), 400, "refresh_token_already_used");
  ExpectError(server->Send(RefreshRequest(second)), 400, "refresh_token_not_found");
  EXPECT_NE(database_->Scalar("SELECT coalesce(revoked_at::text, '') FROM agentbase.auth_sessions WHERE id = '" +
                              SessionOf(access) + "'"),
            "");
}

TEST_F(AuthApiTest, ReuseIntervalOfOneSecondEndsWithTheSecond) {
  auto server = ServerWithReuseInterval(std::chrono::seconds(1));
  auto [access, first, second] = SignInAndRotate(*server);
  EXPECT_EQ(Text(Json(server->Send(RefreshRequest(first)))["refresh_token"]), second);
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  ExpectError(server->Send(RefreshRequest(first)), 400, "refresh_token_already_used");
}

TEST_F(AuthApiTest, ExpiredSessionCannotBeRefreshed) {
  auto [access, refresh] = Session(kBob, kBobPassword);
  auto session_id = SessionOf(access);
  database_->Exec("UPDATE agentbase.auth_sessions SET expires_at = now() - interval '1 second' WHERE id = '" +
                  session_id + "'");
  ExpectError(Refresh(refresh), 400, "session_expired");
}

TEST_F(AuthApiTest, UserEndpointChecksTheBearerToken) {
  auto [access, refresh] = Session(kAlice, kAlicePassword);
  auto ok = GetUser(access);
  ASSERT_EQ(ok.status, 200) << ok.body;
  auto user = Json(ok);
  EXPECT_EQ(Text(user["id"]), *alice_id_);
  EXPECT_EQ(Text(user["email"]), kAlice);
  EXPECT_FALSE(user.contains("encrypted_password"));

  ExpectError(Send(Make("GET", "/auth/v1/user")), 401, "no_authorization");
  ExpectError(Send(WithBearer(Make("GET", "/auth/v1/user"), "")), 401, "no_authorization");
  ExpectError(GetUser("garbage"), 403, "bad_jwt");
  ExpectError(GetUser(access.substr(0, access.size() - 4) + "AAAA"), 403, "bad_jwt");

  // Signed with the right key but expired.
  auto claims = auth::Verify(access, keys_->Verification())->claims;
  claims["iat"] = auth::UnixNow() - 7200;
  claims["exp"] = auth::UnixNow() - 3600;
  auto expired = auth::Sign(claims, *keys_->AccessTokenKey());
  ASSERT_TRUE(expired.ok());
  auto expired_answer = GetUser(*expired);
  ExpectError(expired_answer, 403, "bad_jwt");
  EXPECT_NE(Text(Json(expired_answer)["msg"]).find("expired"), std::string::npos) << expired_answer.body;

  // Signed by a key we do not know.
  auto stranger = auth::SigningKey::GenerateEs256();
  claims["exp"] = auth::UnixNow() + 3600;
  ExpectError(GetUser(*auth::Sign(claims, *stranger)), 403, "bad_jwt");
  // The anon key verifies but names no user.
  ExpectError(GetUser(keys_->AnonKey()), 403, "bad_jwt");
  // A well-signed token for a user who does not exist.
  claims["sub"] = "00000000-0000-0000-0000-000000000bad";
  ExpectError(GetUser(*auth::Sign(claims, *keys_->AccessTokenKey())), 403, "user_not_found");
  claims["sub"] = "not-a-uuid";
  ExpectError(GetUser(*auth::Sign(claims, *keys_->AccessTokenKey())), 400, "bad_jwt");

  // A token signed with the HS256 secret (as other Supabase tooling does) is accepted too.
  claims["sub"] = *alice_id_;
  claims.erase("session_id");
  EXPECT_EQ(GetUser(*auth::Sign(claims, *keys_->SecretKey())).status, 200);
}

TEST_F(AuthApiTest, LogoutRevokesSessions) {
  // local: only this session.
  auto [first_access, first_refresh] = Session(kAlice, kAlicePassword);
  auto [second_access, second_refresh] = Session(kAlice, kAlicePassword);
  auto local = Logout(first_access, "local");
  EXPECT_EQ(local.status, 204) << local.body;
  EXPECT_TRUE(local.body.empty());
  ExpectError(Refresh(first_refresh), 400, "refresh_token_not_found");
  ExpectError(GetUser(first_access), 403, "session_not_found");
  auto still = Refresh(second_refresh);
  ASSERT_EQ(still.status, 200) << still.body;
  second_refresh = Text(Json(still)["refresh_token"]);

  // others: every session but this one.
  auto [third_access, third_refresh] = Session(kAlice, kAlicePassword);
  EXPECT_EQ(Logout(third_access, "others").status, 204);
  ExpectError(Refresh(second_refresh), 400, "refresh_token_not_found");
  auto kept = Refresh(third_refresh);
  ASSERT_EQ(kept.status, 200) << kept.body;
  third_refresh = Text(Json(kept)["refresh_token"]);

  // global (the default): everything.
  auto [fourth_access, fourth_refresh] = Session(kAlice, kAlicePassword);
  ExpectError(Logout(fourth_access, "everywhere"), 400, "validation_failed");
  EXPECT_EQ(Logout(fourth_access).status, 204);
  ExpectError(Refresh(third_refresh), 400, "refresh_token_not_found");
  ExpectError(Refresh(fourth_refresh), 400, "refresh_token_not_found");
  // A second logout with the same token: the session is gone (auth-js ignores 403 here).
  ExpectError(Logout(fourth_access), 403, "session_not_found");
  ExpectError(Send(Make("POST", "/auth/v1/logout")), 401, "no_authorization");
  EXPECT_EQ(database_->Scalar("SELECT count(*) FROM agentbase.auth_sessions s JOIN auth.users u ON u.id = s.user_id "
                              "WHERE u.email = 'alice@example.com' AND s.revoked_at IS NULL"),
            "0");
}

TEST_F(AuthApiTest, JwksPublishesThePublicKeyAndNeverTheSecret) {
  auto response = Send(Make("GET", "/auth/v1/.well-known/jwks.json"));
  ASSERT_EQ(response.status, 200) << response.body;
  EXPECT_EQ(Header(response, "cache-control"), "public, max-age=600");
  auto body = Json(response);
  const auto& keys = body["keys"].as_array();
  ASSERT_EQ(keys.size(), 1u);
  const auto& jwk = keys[0].as_object();
  EXPECT_EQ(Text(jwk.at("kty")), "EC");
  EXPECT_EQ(Text(jwk.at("alg")), "ES256");
  EXPECT_EQ(Text(jwk.at("kid")), keys_->AccessTokenKey()->kid());
  EXPECT_FALSE(jwk.contains("d"));
  EXPECT_EQ(response.body.find("\"k\""), std::string::npos);
  EXPECT_EQ(response.body.find(kSecret), std::string::npos);
  EXPECT_EQ(response.body.find(Base64UrlEncode(kSecret)), std::string::npos);

  // The published key alone verifies a sign-in's token.
  auto published = auth::KeySet::FromJwks(json::value(body));
  ASSERT_TRUE(published.ok()) << published.error().message;
  auto [access, refresh] = Session(kBob, kBobPassword);
  EXPECT_TRUE(auth::Verify(access, *published).ok());
}

TEST_F(AuthApiTest, SettingsHealthAndUnknownPaths) {
  auto settings = Send(Make("GET", "/auth/v1/settings"));
  ASSERT_EQ(settings.status, 200);
  EXPECT_EQ(Json(settings)["external"].at("email"), true);
  EXPECT_EQ(Send(Make("GET", "/auth/v1/health")).status, 200);
  ExpectError(Send(Make("GET", "/auth/v1/nope")), 404, "not_found");
  ExpectError(Send(Make("POST", "/auth/v1/signup", "{}")), 404, "not_found");
  auto wrong_method = Send(Make("GET", "/auth/v1/token?grant_type=password"));
  EXPECT_EQ(wrong_method.status, 405);
  EXPECT_EQ(Header(wrong_method, "allow"), "POST");
}

TEST_F(AuthApiTest, UnreachableDatabaseIsA503SoClientsRetry) {
  json::object body{{"email", kAlice}, {"password", kAlicePassword}};
  auto response =
      Send(Make("POST", "/auth/v1/token?grant_type=password", json::serialize(body)), "host=127.0.0.1 port=1 user=x");
  ExpectError(response, 503, "unexpected_failure");
}

TEST_F(AuthApiTest, CliTokensForUsersAndRoles) {
  std::string flags = std::string(" --jwt-secret '") + kSecret + "' " + database_->DbUrlFlag();
  auto user_token = RunAgentbase(std::string("token --user ") + kAlice + " --ttl 600" + flags);
  ASSERT_EQ(user_token.exit_code, 0) << user_token.err;
  std::string token = user_token.out.substr(0, user_token.out.find('\n'));
  auto verified = auth::Verify(token, keys_->Verification());
  ASSERT_TRUE(verified.ok()) << verified.error().message;
  EXPECT_EQ(Text(verified->claims["sub"]), *alice_id_);
  EXPECT_EQ(verified->claims["exp"].as_int64() - verified->claims["iat"].as_int64(), 600);
  EXPECT_EQ(Text(verified->claims["app_metadata"].at("tenant_id")),
            database_->Scalar("SELECT id FROM public.tenants WHERE slug = 'acme'"));
  EXPECT_EQ(GetUser(token).status, 200);

  // The legacy API keys are the server's, from the same secret.
  auto anon = RunAgentbase("token --role anon" + flags);
  ASSERT_EQ(anon.exit_code, 0) << anon.err;
  EXPECT_EQ(anon.out, keys_->AnonKey() + "\n");
  auto service = RunAgentbase("token --role service_role" + flags);
  EXPECT_EQ(service.out, keys_->ServiceRoleKey() + "\n");
  // --jwks names keys to accept, not to sign with: minting never fetches it.
  auto unreachable_jwks = RunAgentbase("token --role anon --jwks http://127.0.0.1:1/jwks.json" + flags);
  EXPECT_EQ(unreachable_jwks.exit_code, 0) << unreachable_jwks.err;
  EXPECT_EQ(unreachable_jwks.out, keys_->AnonKey() + "\n");

  // Without the secret, --db-url has nothing to sign with.
  auto unsigned_token = RunAgentbase(std::string("token --user ") + kAlice + " " + database_->DbUrlFlag());
  EXPECT_EQ(unsigned_token.exit_code, 2);
  EXPECT_NE(unsigned_token.err.find("AGENTBASE_JWT_SECRET"), std::string::npos) << unsigned_token.err;
  auto nobody = RunAgentbase("token --user nobody@example.com" + flags);
  EXPECT_EQ(nobody.exit_code, 2) << nobody.err;
  auto both = RunAgentbase(std::string("token --user ") + kAlice + " --role anon" + flags);
  EXPECT_EQ(both.exit_code, 2);
}

TEST_F(AuthApiTest, ServiceAccountsGetTheServiceRole) {
  auto added = RunAgentbase("users add --email robot@example.com --password 'robot password' --service " +
                            database_->DbUrlFlag());
  ASSERT_EQ(added.exit_code, 0) << added.err;
  auto [access, refresh] = Session("robot@example.com", "robot password");
  auto verified = auth::Verify(access, keys_->Verification());
  ASSERT_TRUE(verified.ok());
  EXPECT_EQ(verified->role, "service_role");
  // No tenant was asked for, so no profile.
  EXPECT_EQ(database_->Scalar("SELECT count(*) FROM public.profiles p JOIN auth.users u ON u.id = p.id "
                              "WHERE u.email = 'robot@example.com'"),
            "0");
}

namespace {

// A port nobody listens on right now.
int FreePort() {
  asio::io_context io;
  asio::ip::tcp::acceptor acceptor(io, asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  return acceptor.local_endpoint().port();
}

// One HTTP/1.1 exchange with a real server on loopback: the raw response, or
// "" when nothing listens.
std::string HttpExchange(int port, const std::string& method, const std::string& target, const std::string& body) {
  asio::io_context io;
  asio::ip::tcp::socket socket(io);
  boost::system::error_code ec;
  socket.connect(asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(port)), ec);
  if (ec) return "";
  std::string request = method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n" +
                        "Content-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
                        "\r\n\r\n" + body;
  asio::write(socket, asio::buffer(request), ec);
  std::string response;
  char chunk[4096];
  while (!ec) {
    std::size_t read = socket.read_some(asio::buffer(chunk), ec);
    response.append(chunk, read);
  }
  return response;
}

// `agentbase serve` with these arguments on a free port, stopped when this
// goes out of scope.
class Serving {
 public:
  explicit Serving(const std::string& arguments)
      : port_(FreePort()), pid_(StartAgentbase("serve " + arguments + " --port " + std::to_string(port_))) {}
  ~Serving() {
    kill(pid_, SIGTERM);
    WaitFor(pid_);
  }
  Serving(const Serving&) = delete;
  Serving& operator=(const Serving&) = delete;

  int port() const { return port_; }
  // The raw answer to GET `path` once it is a 200, or the last one after 30 s.
  std::string AwaitOk(const std::string& path) const {
    std::string answer;
    for (int i = 0; i < 300 && answer.rfind("HTTP/1.1 200", 0) != 0; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      answer = HttpExchange(port_, "GET", path, "");
    }
    return answer;
  }

 private:
  int port_;
  int pid_;
};

}  // namespace

// The limits as `agentbase serve` wires them: its options, and the peer
// address the HTTP server hands to the auth endpoints.
TEST_F(AuthApiTest, ServeLimitsSignInPerPeerAddressOverHttp) {
  Serving serve(database_->DbUrlFlag() + " --jwt-secret '" + kSecret +
                "' --sign-in-attempts-per-address 2 --sign-in-address-window-s 600");
  std::string health = serve.AwaitOk("/auth/v1/health");
  ASSERT_EQ(health.rfind("HTTP/1.1 200", 0), 0u) << health;
  int port = serve.port();

  std::string wrong = json::serialize(json::object{{"email", kBob}, {"password", "wrong password"}});
  std::string right = json::serialize(json::object{{"email", kBob}, {"password", kBobPassword}});
  EXPECT_EQ(HttpExchange(port, "POST", "/auth/v1/token?grant_type=password", wrong).rfind("HTTP/1.1 400", 0), 0u);
  EXPECT_EQ(HttpExchange(port, "POST", "/auth/v1/token?grant_type=password", right).rfind("HTTP/1.1 200", 0), 0u);
  std::string refused = HttpExchange(port, "POST", "/auth/v1/token?grant_type=password", right);
  EXPECT_EQ(refused.rfind("HTTP/1.1 429", 0), 0u) << refused;
  // One attempt more every 300 s, less the time the attempts took.
  auto retry_after = refused.find("Retry-After: ");
  ASSERT_NE(retry_after, std::string::npos) << refused;
  int seconds = std::stoi(refused.substr(retry_after + 13));
  EXPECT_LE(seconds, 300);
  EXPECT_GE(seconds, 290);
  EXPECT_NE(refused.find(R"("error_code":"over_request_rate_limit")"), std::string::npos) << refused;
}

// `serve --no-push` serves a database as it is: its own `messages` table,
// unlike agentbase's, is answered and left alone, and nothing of
// agentbase's schema is created.
TEST(ServeAsItIs, NoPushServesAnyDatabaseUntouched) {
  TestDatabase database;
  database.Exec(R"sql(
    DO $$ BEGIN
      IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'anon') THEN CREATE ROLE anon NOLOGIN; END IF;
    END $$;
    CREATE TABLE public.messages (id int PRIMARY KEY, body text);
    INSERT INTO public.messages VALUES (1, 'theirs');
    GRANT USAGE ON SCHEMA public TO anon;
    GRANT SELECT ON public.messages TO anon;)sql");
  std::string before = database.SchemaDigest();
  Serving serve(database.DbUrlFlag() + " --jwt-secret '" + kSecret + "' --no-push");
  std::string answer = serve.AwaitOk("/rest/v1/messages?select=body");
  ASSERT_EQ(answer.rfind("HTTP/1.1 200", 0), 0u) << answer;
  EXPECT_NE(answer.find(R"([{"body":"theirs"}])"), std::string::npos) << answer;
  EXPECT_EQ(database.Scalar("SELECT to_regclass('public.tenants') IS NULL"), "t");
  EXPECT_EQ(database.SchemaDigest(), before);
  // Without agentbase's auth tables, /auth/v1 is not served.
  EXPECT_EQ(HttpExchange(serve.port(), "GET", "/auth/v1/health", "").rfind("HTTP/1.1 404", 0), 0u);
}

// On a Supabase project GoTrue owns users and sessions: by default /auth/v1
// is left to it, and `--auth-server on` serves it anyway.
TEST(AuthBesideGoTrue, AuthIsLeftToGoTrueUnlessAskedFor) {
  TestDatabase database;
  auto push = RunAgentbase("db push " + database.DbUrlFlag());
  ASSERT_EQ(push.exit_code, 0) << push.out << push.err;
  database.Exec("CREATE TABLE auth.refresh_tokens (id bigserial PRIMARY KEY, token text)");
  for (const std::string mode : {"", " --auth-server on"}) {
    Serving serve(database.DbUrlFlag() + " --jwt-secret '" + kSecret + "'" + mode);
    std::string health = serve.AwaitOk("/health");
    ASSERT_EQ(health.rfind("HTTP/1.1 200", 0), 0u) << health;
    std::string auth = HttpExchange(serve.port(), "GET", "/auth/v1/health", "");
    if (mode.empty()) {
      EXPECT_EQ(auth.rfind("HTTP/1.1 404", 0), 0u) << auth;
      EXPECT_NE(auth.find(R"("code":"AB404")"), std::string::npos) << auth;
    } else {
      EXPECT_EQ(auth.rfind("HTTP/1.1 200", 0), 0u) << auth;
    }
  }
}

// The embedded default: `users add` and `token` find (or make) the server's
// keys in <data-dir>/keys, so their tokens verify with what the server loads.
TEST(AuthEmbedded, UsersAndTokensUseTheDataDirectoryKeys) {
  char pattern[] = "/tmp/abae-XXXXXX";
  ASSERT_NE(mkdtemp(pattern), nullptr);
  fs::path root = pattern;
  // The embedded server may run as another user, who must reach the data directory.
  fs::permissions(root, fs::perms::owner_all | fs::perms::group_exec | fs::perms::others_exec);
  fs::path data_dir = root / "data";
  std::string flag = "--data-dir '" + data_dir.string() + "'";
  struct Cleanup {
    fs::path root, data_dir;
    ~Cleanup() {
      std::ifstream pidfile(data_dir / "pgdata" / "postmaster.pid");
      long pid = 0;
      if (pidfile >> pid && pid > 0) {
        kill(static_cast<pid_t>(pid), SIGQUIT);
        std::this_thread::sleep_for(std::chrono::milliseconds(300));
      }
      std::error_code ec;
      fs::remove_all(root, ec);
    }
  } cleanup{root, data_dir};

  // The API keys come first, before the cluster even exists.
  auto anon = RunAgentbase("token --role anon " + flag);
  ASSERT_EQ(anon.exit_code, 0) << anon.err;
  struct stat info {};
  ASSERT_EQ(::stat((data_dir / "keys" / "jwt-secret").c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);
  ASSERT_EQ(::stat((data_dir / "keys" / "signing-key.pem").c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);

  ASSERT_EQ(RunAgentbase("db push " + flag).exit_code, 0);
  auto added = RunAgentbase("users add --email dana@example.com --password 'dana password' --tenant dana " + flag);
  ASSERT_EQ(added.exit_code, 0) << added.out << added.err;
  auto token = RunAgentbase("token --user dana@example.com " + flag);
  ASSERT_EQ(token.exit_code, 0) << token.err;

  auth::KeyStoreOptions options;
  options.key_dir = data_dir / "keys";
  auto keys = auth::KeyStore::Load(options);
  ASSERT_TRUE(keys.ok()) << keys.error().message;
  EXPECT_EQ(anon.out, keys->AnonKey() + "\n");
  auto verified = auth::Verify(token.out.substr(0, token.out.find('\n')), keys->Verification());
  ASSERT_TRUE(verified.ok()) << verified.error().message;
  EXPECT_EQ(verified->alg, auth::Algorithm::kEs256);
  EXPECT_EQ(verified->kid, keys->AccessTokenKey()->kid());
  EXPECT_EQ(std::string(verified->claims.at("sub").as_string()), added.out.substr(0, added.out.find('\n')));
  EXPECT_EQ(std::string(verified->claims.at("email").as_string()), "dana@example.com");
}

}  // namespace agentbase::testing
