#include "rest/headers_json.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace agentbase::rest {
namespace {

TEST(HeadersJson, LastValueOfARepeatedHeaderWinsAndCookiesStayOut) {
  http::HeaderList headers = {{"accept", "a"},           {"x-tag", "first"}, {"cookie", "session=1"},
                              {"prefer", "count=exact"}, {"x-tag", "last"},  {"authorization", "Bearer t"}};
  EXPECT_EQ(HeadersJson(headers), R"({"accept":"a","prefer":"count=exact","x-tag":"last","authorization":"Bearer t"})");
}

TEST(HeadersJson, EmptyAndEscaped) {
  EXPECT_EQ(HeadersJson({}), "{}");
  auto parsed = boost::json::parse(HeadersJson({{"x-quote", "say \"hi\"\\"}}));
  EXPECT_EQ(parsed.at("x-quote").as_string(), "say \"hi\"\\");
}

// PostgreSQL refuses a setting that is not UTF-8 (22021), and the whole
// request with it: a stray byte in, say, User-Agent must not do that.
TEST(HeadersJson, InvalidUtf8BecomesReplacementCharacters) {
  std::string json = HeadersJson({{"user-agent", "caf\xE9 bot\xFF"}, {"x-ok", "caf\xC3\xA9"}});
  EXPECT_EQ(json, "{\"user-agent\":\"caf\xEF\xBF\xBD bot\xEF\xBF\xBD\",\"x-ok\":\"caf\xC3\xA9\"}");
  auto parsed = boost::json::parse(json);  // boost::json refuses invalid UTF-8
  EXPECT_EQ(parsed.at("x-ok").as_string(), "caf\xC3\xA9");
}

TEST(HeadersJson, ThousandsOfRepeatsKeepOneEntry) {
  http::HeaderList headers;
  for (int i = 0; i < 5000; ++i) headers.emplace_back(i % 2 == 0 ? "a" : "b", std::to_string(i));
  EXPECT_EQ(HeadersJson(headers), R"({"a":"4998","b":"4999"})");
}

TEST(CookiesJson, PairsOfEveryCookieHeaderLastValueWins) {
  http::HeaderList headers{{"cookie", "acookie=cookievalue;secondcookie=another=value"},
                           {"accept", "x"},
                           {"cookie", " third = 3 ; acookie=later"}};
  EXPECT_EQ(CookiesJson(headers), R"({"secondcookie":"another=value","third":"3","acookie":"later"})");
}

TEST(CookiesJson, NoCookiesAndBrokenPairs) {
  EXPECT_EQ(CookiesJson({{"accept", "x"}}), "{}");
  EXPECT_EQ(CookiesJson({{"cookie", ";;=nameless; novalue ;ok=1; quoted=\"q\""}}), R"({"ok":"1","quoted":"\"q\""})");
  std::string json = CookiesJson({{"cookie", "caf\xE9=\xFF"}});
  EXPECT_EQ(json, "{\"caf\xEF\xBF\xBD\":\"\xEF\xBF\xBD\"}");
  EXPECT_NO_THROW(boost::json::parse(json));
}

}  // namespace
}  // namespace agentbase::rest
