// The one place an auth error becomes a response.

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include "auth/auth_api.hpp"

namespace agentbase::auth {
namespace {

namespace json = boost::json;

std::string HeaderOf(const http::Response& response, std::string_view name) {
  for (const auto& [key, value] : response.headers) {
    if (key == name) return value;
  }
  return "<none>";
}

TEST(AuthErrorResponse, InitialApiVersionShape) {
  auto response = AuthErrorResponse(AuthError::Of(400, "invalid_credentials", "Invalid login credentials"), false);
  EXPECT_EQ(response.status, 400);
  auto body = json::parse(response.body).as_object();
  EXPECT_EQ(body.at("code").as_int64(), 400);
  EXPECT_EQ(body.at("error_code").as_string(), "invalid_credentials");
  EXPECT_EQ(body.at("msg").as_string(), "Invalid login credentials");
  EXPECT_EQ(HeaderOf(response, "X-Supabase-Api-Version"), "<none>");
  EXPECT_EQ(HeaderOf(response, "Access-Control-Expose-Headers"), "<none>");
}

TEST(AuthErrorResponse, Version2024ShapeAndHeader) {
  auto response = AuthErrorResponse(AuthError::Of(403, "bad_jwt", "invalid claim: missing sub claim"), true);
  EXPECT_EQ(response.status, 403);
  auto body = json::parse(response.body).as_object();
  EXPECT_EQ(body.at("code").as_string(), "bad_jwt");
  EXPECT_EQ(body.at("message").as_string(), "invalid claim: missing sub claim");
  EXPECT_EQ(HeaderOf(response, "X-Supabase-Api-Version"), "2024-01-01");
  EXPECT_NE(HeaderOf(response, "Access-Control-Expose-Headers").find("X-Supabase-Api-Version"), std::string::npos);
}

TEST(AuthErrorResponse, HeadersOfTheErrorAreSentAndExposed) {
  auto response = AuthErrorResponse(AuthError::Unavailable(), false);
  EXPECT_EQ(response.status, 503);
  EXPECT_EQ(HeaderOf(response, "Retry-After"), "1");
  auto exposed = HeaderOf(response, "Access-Control-Expose-Headers");
  EXPECT_NE(exposed.find("Retry-After"), std::string::npos) << exposed;
  EXPECT_EQ(AuthErrorResponse(AuthError::UnexpectedFailure(), true).status, 500);
}

TEST(AuthErrorResponse, OAuthShapeIgnoresTheApiVersion) {
  AuthError error = AuthError::Of(400, "invalid_request", "refresh_token required");
  error.oauth = true;
  auto response = AuthErrorResponse(error, true);
  EXPECT_EQ(response.status, 400);
  EXPECT_EQ(response.body, R"({"error":"invalid_request","error_description":"refresh_token required"})");
  EXPECT_EQ(HeaderOf(response, "X-Supabase-Api-Version"), "<none>");
}

}  // namespace
}  // namespace agentbase::auth
