// How the console's files are answered, over a stand-in set of files: types,
// gzip negotiation, ETags and 304, caching, the security policy, the anon
// key in index.html and index.html for the page's own routes.

#include "console/site.hpp"

#include <gtest/gtest.h>

namespace agentbase::console {
namespace {

const std::vector<Asset>& StandInAssets() {
  static const std::vector<Asset> assets = {
      {"/index.html", "<meta content=\"__AGENTBASE_ANON_KEY__\"><script src=/assets/app-1a2b.js>", "gz-index", "aaaa"},
      {"/assets/app-1a2b.js", "console.log('app')", "gz-app", "bbbb"},
      {"/favicon.svg", "<svg/>", {}, "cccc"},
  };
  return assets;
}

std::string Header(const Reply& reply, std::string_view name) {
  for (const auto& [key, value] : reply.headers) {
    if (key == name) return value;
  }
  return "";
}

TEST(ConsoleSite, IndexHtmlCarriesTheAnonKeyAndIsRevalidatedEveryTime) {
  Site site(StandInAssets(), "anon.key.value");
  auto reply = site.Answer("/", "gzip", "");
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->status, 200);
  EXPECT_EQ(reply->body, "<meta content=\"anon.key.value\"><script src=/assets/app-1a2b.js>");
  EXPECT_EQ(Header(*reply, "Content-Type"), "text/html; charset=utf-8");
  EXPECT_EQ(Header(*reply, "Cache-Control"), "no-cache");
  // Its text differs per server, so it is sent as it is and its ETag is of that text.
  EXPECT_EQ(Header(*reply, "Content-Encoding"), "");
  EXPECT_NE(Header(*reply, "ETag"), "\"aaaa\"");
  EXPECT_EQ(site.Answer("/index.html", "", "")->body, reply->body);
}

TEST(ConsoleSite, HashedAssetsAreGzippedWhenAcceptedAndKeptForAYear) {
  Site site(StandInAssets(), "k");
  auto gzipped = site.Answer("/assets/app-1a2b.js", "gzip, deflate, br", "");
  ASSERT_TRUE(gzipped);
  EXPECT_EQ(gzipped->body, "gz-app");
  EXPECT_EQ(Header(*gzipped, "Content-Encoding"), "gzip");
  EXPECT_EQ(Header(*gzipped, "Content-Type"), "text/javascript; charset=utf-8");
  EXPECT_EQ(Header(*gzipped, "Cache-Control"), "public, max-age=31536000, immutable");
  EXPECT_EQ(Header(*gzipped, "Vary"), "Accept-Encoding");
  EXPECT_EQ(Header(*gzipped, "ETag"), "\"bbbb-gzip\"");

  auto plain = site.Answer("/assets/app-1a2b.js", "gzip;q=0, br", "");
  EXPECT_EQ(plain->body, "console.log('app')");
  EXPECT_EQ(Header(*plain, "Content-Encoding"), "");
  EXPECT_EQ(Header(*plain, "ETag"), "\"bbbb\"");
  EXPECT_EQ(site.Answer("/assets/app-1a2b.js", "", "")->body, "console.log('app')");
}

TEST(ConsoleSite, AMatchingEtagAnswers304WithoutABody) {
  Site site(StandInAssets(), "k");
  auto reply = site.Answer("/assets/app-1a2b.js", "gzip", "\"other\", W/\"bbbb-gzip\"");
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->status, 304);
  EXPECT_TRUE(reply->body.empty());
  EXPECT_EQ(Header(*reply, "ETag"), "\"bbbb-gzip\"");
  // The ETag of the other encoding does not match this one.
  EXPECT_EQ(site.Answer("/assets/app-1a2b.js", "", "\"bbbb-gzip\"")->status, 200);
  std::string index_etag = Header(*site.Answer("/", "", ""), "ETag");
  EXPECT_EQ(site.Answer("/chat/42", "", index_etag)->status, 304);
}

TEST(ConsoleSite, EveryAnswerCarriesAStrictSecurityPolicy) {
  Site site(StandInAssets(), "k");
  for (std::string_view path : {"/", "/assets/app-1a2b.js", "/favicon.svg", "/memory"}) {
    auto reply = site.Answer(path, "", "");
    ASSERT_TRUE(reply) << path;
    std::string policy = Header(*reply, "Content-Security-Policy");
    EXPECT_NE(policy.find("default-src 'none'"), std::string::npos) << path;
    EXPECT_NE(policy.find("script-src 'self';"), std::string::npos) << path;
    EXPECT_NE(policy.find("connect-src 'self';"), std::string::npos) << path;
    EXPECT_EQ(policy.find("unsafe-inline"), std::string::npos) << path;
    EXPECT_EQ(policy.find("http"), std::string::npos) << path;  // no other host
    EXPECT_EQ(Header(*reply, "X-Content-Type-Options"), "nosniff") << path;
  }
}

TEST(ConsoleSite, PagePathsFallBackToIndexHtmlButMissingFilesDoNot) {
  Site site(StandInAssets(), "k");
  for (std::string_view path : {"/chat", "/chat/8a1c-42", "/memory", "/org/some/deep/path"}) {
    auto reply = site.Answer(path, "", "");
    ASSERT_TRUE(reply) << path;
    EXPECT_EQ(Header(*reply, "Content-Type"), "text/html; charset=utf-8") << path;
  }
  EXPECT_FALSE(site.Answer("/assets/app-0000.js", "", ""));
  EXPECT_FALSE(site.Answer("/assets/new", "", ""));
  EXPECT_FALSE(site.Answer("/robots.txt", "", ""));
  // A file gzip does not shrink is served as it is, with no Vary.
  auto icon = site.Answer("/favicon.svg", "gzip", "");
  EXPECT_EQ(icon->body, "<svg/>");
  EXPECT_EQ(Header(*icon, "Content-Type"), "image/svg+xml");
  EXPECT_EQ(Header(*icon, "Vary"), "");
  EXPECT_EQ(Header(*icon, "Cache-Control"), "no-cache");
}

TEST(ConsoleSite, AcceptEncodingIsReadWithItsWeights) {
  EXPECT_TRUE(AcceptsGzip("gzip"));
  EXPECT_TRUE(AcceptsGzip("deflate, GZIP;q=0.5"));
  EXPECT_TRUE(AcceptsGzip("*"));
  EXPECT_TRUE(AcceptsGzip("x-gzip"));
  EXPECT_FALSE(AcceptsGzip(""));
  EXPECT_FALSE(AcceptsGzip("br, deflate"));
  EXPECT_FALSE(AcceptsGzip("gzip;q=0"));
  EXPECT_FALSE(AcceptsGzip("*, gzip;q=0"));
  EXPECT_FALSE(AcceptsGzip("*;q=0"));
  EXPECT_FALSE(AcceptsGzip("gzip;q=nonsense"));
}

TEST(ConsoleSite, EmbeddedAssetsHoldTheBuiltConsole) {
  const auto& assets = EmbeddedAssets();
  if (assets.empty()) GTEST_SKIP() << "built with -DAGENTBASE_CONSOLE=OFF";
  Site site(assets, "anon-key");
  auto index = site.Answer("/", "gzip", "");
  ASSERT_TRUE(index);
  EXPECT_NE(index->body.find("content=\"anon-key\""), std::string_view::npos);
  // Every script and style the page names is there, gzipped.
  std::string_view html = index->body;
  for (auto at = html.find("/assets/"); at != std::string_view::npos; at = html.find("/assets/", at + 1)) {
    std::string_view path = html.substr(at, html.find('"', at) - at);
    auto asset = site.Answer(path, "gzip", "");
    ASSERT_TRUE(asset) << path;
    EXPECT_EQ(Header(*asset, "Content-Encoding"), "gzip") << path;
    EXPECT_EQ(asset->body.substr(0, 2), "\x1f\x8b") << path;  // gzip's magic number
  }
}

}  // namespace
}  // namespace agentbase::console
