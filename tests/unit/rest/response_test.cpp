#include "rest/response.hpp"

#include <gtest/gtest.h>

#include "rest/api_error.hpp"

namespace agentbase::rest {

TEST(Response, ContentRangeAsPostgrestWritesIt) {
  EXPECT_EQ(ContentRange(0, 20, std::nullopt), "0-19/*");
  EXPECT_EQ(ContentRange(10, 5, 100), "10-14/100");
  EXPECT_EQ(ContentRange(0, 0, 0), "*/0");
  EXPECT_EQ(ContentRange(0, 0, std::nullopt), "*/*");
}

TEST(Response, RangeStatusIsPartialOrUnsatisfiableOnlyWithAKnownTotal) {
  EXPECT_EQ(RangeStatus(0, 20, std::nullopt), 200);
  EXPECT_EQ(RangeStatus(0, 20, 20), 200);
  EXPECT_EQ(RangeStatus(0, 20, 100), 206);
  EXPECT_EQ(RangeStatus(100, 0, 100), 416);
  EXPECT_EQ(RangeStatus(5, 0, 0), 200);  // nothing to page through is not an error
}

TEST(Response, RawContentTypeCarriesACharsetForPostgrestsTextTypesOnly) {
  EXPECT_EQ(RawContentType({"text/plain", false}), "text/plain; charset=utf-8");
  EXPECT_EQ(RawContentType({"text/xml", false}), "text/xml; charset=utf-8");
  EXPECT_EQ(RawContentType({"application/json", false}), "application/json; charset=utf-8");
  EXPECT_EQ(RawContentType({"application/octet-stream", true}), "application/octet-stream");
  EXPECT_EQ(RawContentType({"text/html", false}), "text/html");
  EXPECT_EQ(RawContentType({"*/*", true}), "application/octet-stream");
}

TEST(Response, RawFormSetsItsContentType) {
  BodyForm form;
  form.singular = true;
  form.raw = MediaTypeDomain{"image/png", true};
  auto response = RowsResponse(200, "\x89PNG", form);
  EXPECT_EQ(response.headers, (http::HeaderList{{"Content-Type", "image/png"}}));
  EXPECT_EQ(response.body, "\x89PNG");
}

TEST(Response, SingularErrorSaysHowManyRows) {
  EXPECT_FALSE(SingularError(1).has_value());
  auto error = SingularError(3);
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->code, "PGRST116");
  EXPECT_EQ(error->detail, "The result contains 3 rows");
}

TEST(ApiError, StatusesFollowPostgrestsMapping) {
  struct Case {
    const char* code;
    const char* message;
    bool anonymous;
    int status;
  };
  const Case cases[] = {
      {"23505", "", false, 409},
      {"23503", "", false, 409},
      {"25006", "", false, 405},
      {"42501", "", true, 401},
      {"42501", "", false, 403},
      {"42P01", "", false, 404},
      {"42883", "", false, 404},
      {"22P02", "", false, 400},
      {"23514", "", false, 400},
      {"21000", "UPDATE requires a WHERE clause", false, 400},
      {"21000", "more than one row", false, 500},
      {"22023", "role \"x\" does not exist", false, 401},
      {"22023", "invalid value", false, 400},
      {"08006", "", false, 503},
      {"53400", "", false, 500},
      {"57014", "", false, 500},
      {"P0001", "", false, 400},
      {"PT418", "", false, 418},
      {"PGRST116", "", false, 406},
      {"PGRST205", "", false, 404},
      {"PGRST301", "", false, 401},
      {"PGRST003", "", false, 504},
  };
  for (const auto& test_case : cases) {
    Error error = ApiError(test_case.code, test_case.message);
    EXPECT_EQ(StatusFor(error, test_case.anonymous), test_case.status) << test_case.code << " " << test_case.message;
  }
}

TEST(ApiError, ResponseBodyHeadersAndBearerChallenge) {
  auto response = ErrorResponse(ApiError("PGRST301", "JWT expired"));
  EXPECT_EQ(response.status, 401);
  EXPECT_EQ(response.body, R"({"code":"PGRST301","details":null,"hint":null,"message":"JWT expired"})");
  bool challenged = false;
  for (const auto& [name, value] : response.headers) {
    if (name == "WWW-Authenticate") {
      challenged = value == R"(Bearer error="invalid_token", error_description="JWT expired")";
    }
  }
  EXPECT_TRUE(challenged);
}

TEST(ResponseSettings, StatusAndHeadersReplaceWhatTheResponseHad) {
  http::Response response = RowsResponse(200, "[]", BodyForm{});
  auto applied = ApplyResponseSettings(
      response, std::string(R"([{"content-type":"text/plain"},{"X-Cache":"miss"},{"x-cache":"hit"}])"),
      std::string(" 201 "));
  ASSERT_TRUE(applied) << applied.error().message;
  EXPECT_EQ(response.status, 201);
  EXPECT_EQ(response.headers, (http::HeaderList{{"content-type", "text/plain"}, {"x-cache", "hit"}}));
}

TEST(ResponseSettings, MalformedSettingsArePostgrestErrors) {
  for (const char* headers : {"{}", "[1]", R"([{"a":"1","b":"2"}])", R"([{"a":1}])", "not json", "[{}]"}) {
    http::Response response = RowsResponse(200, "[]", BodyForm{});
    auto applied = ApplyResponseSettings(response, std::string(headers), std::nullopt);
    ASSERT_FALSE(applied) << headers;
    EXPECT_EQ(applied.error().code, "PGRST111") << headers;
  }
  for (const char* status : {"abc", "99", "101", "600", "", "2O1"}) {
    http::Response response = RowsResponse(200, "[]", BodyForm{});
    auto applied = ApplyResponseSettings(response, std::nullopt, std::string(status));
    ASSERT_FALSE(applied) << status;
    EXPECT_EQ(applied.error().code, "PGRST112") << status;
  }
}

}  // namespace agentbase::rest
