// The socket-free parts of src/http: target parsing, CORS, JSON error bodies.

#include <gtest/gtest.h>

#include "http/cors.hpp"
#include "http/errors.hpp"
#include "http/target.hpp"

namespace agentbase::http {
namespace {

TEST(HttpTarget, SplitsAndDecodesThePathOnly) {
  auto target = ParseTarget("/rest%20v1/t%C3%A9?select=a,b&name=eq.J%20D+E");
  ASSERT_TRUE(target.ok());
  EXPECT_EQ(target->path, "/rest v1/t\xC3\xA9");
  EXPECT_EQ(target->query, "select=a,b&name=eq.J%20D+E");
}

TEST(HttpTarget, KeepsPlusInPathsAndHandlesOtherForms) {
  EXPECT_EQ(ParseTarget("/a+b")->path, "/a+b");
  EXPECT_EQ(ParseTarget("/only?")->query, "");
  EXPECT_EQ(ParseTarget("*")->path, "*");
  auto absolute = ParseTarget("http://example.com:8080/items?id=eq.1");
  ASSERT_TRUE(absolute.ok());
  EXPECT_EQ(absolute->path, "/items");
  EXPECT_EQ(absolute->query, "id=eq.1");
  EXPECT_EQ(ParseTarget("http://example.com")->path, "/");
  EXPECT_EQ(ParseTarget("http://example.com?x=1")->query, "x=1");
}

TEST(HttpTarget, RejectsBadEscapesAndNul) {
  EXPECT_FALSE(ParseTarget("/a%2").ok());
  EXPECT_FALSE(ParseTarget("/a%zz").ok());
  EXPECT_FALSE(ParseTarget("/a%00b").ok());
  EXPECT_FALSE(ParseTarget("").ok());
  EXPECT_FALSE(ParseTarget("items").ok());
  EXPECT_TRUE(ParseTarget("/ok?bad=%zz").ok());  // the query stays raw for the REST layer
}

TEST(HttpCors, PreflightNeedsTheRequestMethodHeader) {
  Request request;
  request.method = "OPTIONS";
  EXPECT_FALSE(IsPreflight(request));
  request.headers = {{"origin", "http://a"}, {"access-control-request-method", "DELETE"}};
  EXPECT_TRUE(IsPreflight(request));
  request.method = "GET";
  EXPECT_FALSE(IsPreflight(request));
}

TEST(HttpCors, PreflightEchoesRequestedHeadersOnce) {
  Request request;
  request.method = "OPTIONS";
  request.headers = {{"access-control-request-method", "POST"},
                     {"access-control-request-headers", " authorization, apikey,, Prefer "},
                     {"access-control-request-headers", "APIKEY, range"}};
  Response response = PreflightResponse(request);
  EXPECT_EQ(response.status, 200);
  EXPECT_TRUE(response.body.empty());
  HeaderList expected = {{"Access-Control-Allow-Origin", "*"},
                         {"Access-Control-Allow-Methods", "GET, POST, PATCH, PUT, DELETE, OPTIONS"},
                         {"Access-Control-Allow-Headers", "Authorization, apikey, Prefer, range"},
                         {"Access-Control-Max-Age", "86400"}};
  EXPECT_EQ(response.headers, expected);
}

TEST(HttpCors, AddsHeadersUnlessTheHandlerSetThem) {
  Response plain;
  AddCorsHeaders(plain);
  HeaderList expected = {{"Access-Control-Allow-Origin", "*"},
                         {"Access-Control-Expose-Headers",
                          "Content-Encoding, Content-Location, Content-Range, Content-Type, Date, Location, Server, "
                          "Transfer-Encoding, Range-Unit"}};
  EXPECT_EQ(plain.headers, expected);

  Response custom;
  custom.headers = {{"access-control-allow-origin", "https://app.example"}};
  AddCorsHeaders(custom);
  ASSERT_EQ(custom.headers.size(), 2u);
  EXPECT_EQ(custom.headers[0].second, "https://app.example");
}

TEST(HttpErrors, PostgrestShapedBodies) {
  EXPECT_EQ(JsonErrorBody("AB413", "request body too large", "the request body exceeds 10 bytes"),
            R"({"code":"AB413","message":"request body too large",)"
            R"("details":"the request body exceeds 10 bytes","hint":null})");
  EXPECT_EQ(JsonQuote("a\"b\\c\nd\x01"), R"("a\"b\\c\nd\u0001")");
  Response response = JsonError(500, "AB500", "internal server error");
  EXPECT_EQ(response.status, 500);
  EXPECT_EQ(response.body, R"({"code":"AB500","message":"internal server error","details":null,"hint":null})");
  EXPECT_EQ(response.headers, (HeaderList{{"Content-Type", "application/json; charset=utf-8"}}));
}

}  // namespace
}  // namespace agentbase::http
