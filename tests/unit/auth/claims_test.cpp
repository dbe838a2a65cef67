// The user object, access-token claims and token response in GoTrue's shapes.

#include "auth/claims.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <set>

namespace agentbase::auth {
namespace {

namespace json = boost::json;

UserRecord Alice() {
  UserRecord user;
  user.id = "0b3f5a1c-8d2e-4f60-9a7b-1c2d3e4f5a6b";
  user.email = "alice@example.com";
  user.email_confirmed_at = "2026-01-02T03:04:05.000006Z";
  user.app_metadata = json::parse(R"({"provider":"email","providers":["email"],"tenant_id":"t-1"})").as_object();
  user.user_metadata = json::parse(R"({"display_name":"Alice"})").as_object();
  user.created_at = "2026-01-01T00:00:00.000000Z";
  user.updated_at = "2026-01-01T00:00:01.000000Z";
  return user;
}

std::set<std::string> Keys(const json::object& object) {
  std::set<std::string> keys;
  for (const auto& member : object) keys.insert(std::string(member.key()));
  return keys;
}

TEST(AuthClaims, AppMetadataAddsTheEmailProviderUnderWhatIsStored) {
  auto plain = AppMetadata({});
  EXPECT_EQ(json::serialize(plain), R"({"provider":"email","providers":["email"]})");
  auto stored = json::parse(R"({"tenant_id":"t-1","providers":["email","github"]})").as_object();
  auto merged = AppMetadata(stored);
  EXPECT_EQ(merged.at("provider"), "email");
  EXPECT_EQ(merged.at("tenant_id"), "t-1");
  EXPECT_EQ(json::serialize(merged.at("providers")), R"(["email","github"])");
}

TEST(AuthClaims, AccessTokenCarriesSupabasesClaims) {
  SessionRecord session{"5e55-1011", 1700000000};
  auto claims = AccessTokenClaims(Alice(), session, {1700000100, 3600}, "http://localhost:54321/auth/v1");
  EXPECT_EQ(Keys(claims), (std::set<std::string>{"iss", "sub", "aud", "exp", "iat", "email", "phone", "app_metadata",
                                                 "user_metadata", "role", "aal", "amr", "session_id", "is_anonymous"}));
  EXPECT_EQ(claims.at("iss"), "http://localhost:54321/auth/v1");
  EXPECT_EQ(std::string(claims.at("sub").as_string()), Alice().id);
  EXPECT_EQ(claims.at("aud"), "authenticated");
  EXPECT_EQ(claims.at("role"), "authenticated");
  EXPECT_EQ(claims.at("iat").as_int64(), 1700000100);
  EXPECT_EQ(claims.at("exp").as_int64(), 1700003700);
  EXPECT_EQ(claims.at("email"), "alice@example.com");
  EXPECT_EQ(claims.at("phone"), "");
  EXPECT_EQ(claims.at("aal"), "aal1");
  EXPECT_EQ(claims.at("session_id"), "5e55-1011");
  EXPECT_EQ(claims.at("is_anonymous"), false);
  EXPECT_EQ(claims.at("app_metadata").at("tenant_id"), "t-1");
  EXPECT_EQ(claims.at("app_metadata").at("provider"), "email");
  EXPECT_EQ(claims.at("user_metadata").at("display_name"), "Alice");
  EXPECT_EQ(json::serialize(claims.at("amr")), R"([{"method":"password","timestamp":1700000000}])");
}

TEST(AuthClaims, RoleAndAudienceComeFromTheUser) {
  auto service = Alice();
  service.role = "service_role";
  auto claims = AccessTokenClaims(service, {"s", 1}, {2, 60}, "agentbase");
  EXPECT_EQ(claims.at("role"), "service_role");
  EXPECT_EQ(claims.at("aud"), "authenticated");
}

TEST(AuthClaims, UserJsonHasGoTruesFieldsAndLeavesOutAbsentTimes) {
  auto user = UserJson(Alice());
  EXPECT_EQ(std::string(user.at("id").as_string()), Alice().id);
  EXPECT_EQ(user.at("aud"), "authenticated");
  EXPECT_EQ(user.at("role"), "authenticated");
  EXPECT_EQ(user.at("phone"), "");
  EXPECT_EQ(user.at("email_confirmed_at"), "2026-01-02T03:04:05.000006Z");
  EXPECT_EQ(user.at("confirmed_at"), "2026-01-02T03:04:05.000006Z");
  EXPECT_FALSE(user.contains("last_sign_in_at"));
  EXPECT_TRUE(user.at("identities").as_array().empty());
  EXPECT_EQ(user.at("is_anonymous"), false);
  EXPECT_EQ(user.at("app_metadata").at("providers").as_array().size(), 1u);
  EXPECT_FALSE(user.contains("encrypted_password"));

  auto unconfirmed = Alice();
  unconfirmed.email_confirmed_at.reset();
  unconfirmed.last_sign_in_at = "2026-02-02T00:00:00.000000Z";
  auto other = UserJson(unconfirmed);
  EXPECT_FALSE(other.contains("email_confirmed_at"));
  EXPECT_FALSE(other.contains("confirmed_at"));
  EXPECT_EQ(other.at("last_sign_in_at"), "2026-02-02T00:00:00.000000Z");
}

TEST(AuthClaims, TokenResponseIsWhatAuthJsExpects) {
  auto response = TokenResponseJson("access", {1700000000, 3600}, "refresh", Alice());
  EXPECT_EQ(Keys(response),
            (std::set<std::string>{"access_token", "token_type", "expires_in", "expires_at", "refresh_token", "user"}));
  EXPECT_EQ(response.at("token_type"), "bearer");
  EXPECT_EQ(response.at("expires_in").as_int64(), 3600);
  EXPECT_EQ(response.at("expires_at").as_int64(), 1700003600);
  EXPECT_EQ(response.at("user").at("email"), "alice@example.com");
}

TEST(AuthClaims, ApiKeyClaimsHaveNoSubjectOrAudience) {
  auto claims = ApiKeyClaims("agentbase", "anon", 10, 20);
  EXPECT_EQ(json::serialize(claims), R"({"iss":"agentbase","role":"anon","iat":10,"exp":20})");
}

TEST(AuthClaims, RefreshTokensAreRandomUrlSafeAndStoredHashed) {
  auto a = NewRefreshToken();
  auto b = NewRefreshToken();
  EXPECT_EQ(a.size(), 43u);  // 32 bytes in unpadded base64url
  EXPECT_NE(a, b);
  EXPECT_EQ(a.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"), std::string::npos);
  auto hash = RefreshTokenHash(a);
  EXPECT_EQ(hash.size(), 64u);
  EXPECT_EQ(hash, RefreshTokenHash(a));
  EXPECT_NE(hash, RefreshTokenHash(b));
  EXPECT_EQ(hash.find(a), std::string::npos);
}

TEST(AuthClaims, UuidShape) {
  EXPECT_TRUE(LooksLikeUuid("0b3f5a1c-8d2e-4f60-9a7b-1c2d3e4f5a6b"));
  EXPECT_TRUE(LooksLikeUuid("0B3F5A1C-8D2E-4F60-9A7B-1C2D3E4F5A6B"));
  EXPECT_FALSE(LooksLikeUuid("0b3f5a1c8d2e4f609a7b1c2d3e4f5a6b"));
  EXPECT_FALSE(LooksLikeUuid("0b3f5a1c-8d2e-4f60-9a7b-1c2d3e4f5a6g"));
  EXPECT_FALSE(LooksLikeUuid("anon"));
  EXPECT_FALSE(LooksLikeUuid(""));
}

}  // namespace
}  // namespace agentbase::auth
