// /auth/v1 against a pushed database: users made with `agentbase users add`,
// then AuthApi::Handle driven directly on an event loop, as supabase-js would
// call it (sign-in, refresh with rotation, /user, logout, JWKS), and
// `agentbase token`.

#include "auth/auth_api.hpp"

#include <gtest/gtest.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/json.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
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

  // Two requests handled at the same time, on two connections.
  static std::pair<http::Response, http::Response> SendTogether(http::Request first, http::Request second) {
    asio::io_context io;
    db::PoolOptions pool_options;
    pool_options.size = 2;
    db::Pool pool(io.get_executor(), database_->Conninfo(), pool_options);
    auth::AuthApi api(pool, *keys_, auth::AuthOptions{});
    auto a = asio::co_spawn(io, api.Handle(std::move(first)), asio::use_future);
    auto b = asio::co_spawn(io, api.Handle(std::move(second)), asio::use_future);
    io.run();
    return {a.get(), b.get()};
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

  static http::Response SignIn(const std::string& email, const std::string& password) {
    json::object body{{"email", email}, {"password", password}};
    return Send(Make("POST", "/auth/v1/token?grant_type=password", json::serialize(body)));
  }
  static http::Response Refresh(const std::string& refresh_token) {
    json::object body{{"refresh_token", refresh_token}};
    return Send(Make("POST", "/auth/v1/token?grant_type=refresh_token", json::serialize(body)));
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
  auto token_call = [](std::string body, std::string grant = "password") {
    return Send(Make("POST", "/auth/v1/token?grant_type=" + grant, std::move(body)));
  };
  ExpectError(token_call("{not json"), 400, "bad_json");
  ExpectError(token_call(""), 400, "bad_json");
  ExpectError(token_call("[1,2]"), 400, "bad_json");
  ExpectError(token_call(R"({"email":42,"password":"x"})"), 400, "bad_json");
  ExpectError(token_call(R"({"password":"whatever"})"), 400, "validation_failed");
  ExpectError(token_call(R"({"email":"alice@example.com"})"), 400, "invalid_credentials");
  ExpectError(token_call(R"({"email":"alice@example.com","password":null})"), 400, "invalid_credentials");
  ExpectError(token_call(R"({"phone":"+15555550100","password":"whatever"})"), 422, "phone_provider_disabled");
  ExpectError(token_call(R"({"email":"a@b.c","phone":"+15555550100","password":"x"})"), 400, "validation_failed");
  ExpectError(token_call("{}", "magic"), 400, "invalid_credentials");
  ExpectError(Send(Make("POST", "/auth/v1/token", "{}")), 400, "invalid_credentials");
  ExpectError(token_call("{nope", "refresh_token"), 400, "bad_json");
  auto missing = token_call("{}", "refresh_token");
  EXPECT_EQ(missing.status, 400);
  EXPECT_EQ(json::parse(missing.body),
            json::parse(R"({"error":"invalid_request","error_description":"refresh_token required"})"));
}

TEST_F(AuthApiTest, RefreshRotatesAndAReplayedTokenEndsTheSession) {
  auto [access, refresh] = Session(kBob, kBobPassword);
  auto session_id = Text(auth::Verify(access, keys_->Verification())->claims["session_id"]);

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
  // ...the token it replaced is refused, and that replay revokes the session,
  // so the latest token is dead too.
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

// The chosen trade-off: two refreshes racing with one token are a replay too
// (the second waits for the first's row lock, then finds its token replaced),
// so the session ends. supabase-js serialises its own refreshes.
TEST_F(AuthApiTest, ConcurrentRefreshesWithOneTokenRotateOnceThenEndTheSession) {
  auto [access, refresh] = Session(kBob, kBobPassword);
  json::object body{{"refresh_token", refresh}};
  auto [a, b] = SendTogether(Make("POST", "/auth/v1/token?grant_type=refresh_token", json::serialize(body)),
                             Make("POST", "/auth/v1/token?grant_type=refresh_token", json::serialize(body)));
  const auto& winner = a.status == 200 ? a : b;
  const auto& loser = a.status == 200 ? b : a;
  ASSERT_EQ(winner.status, 200) << a.body << " / " << b.body;
  ExpectError(loser, 400, "refresh_token_already_used");
  ExpectError(Refresh(Text(Json(winner)["refresh_token"])), 400, "refresh_token_not_found");
}

TEST_F(AuthApiTest, ExpiredSessionCannotBeRefreshed) {
  auto [access, refresh] = Session(kBob, kBobPassword);
  auto session_id = Text(auth::Verify(access, keys_->Verification())->claims["session_id"]);
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
