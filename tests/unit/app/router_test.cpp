// The router's own answers (health, readiness, metrics) and what it adds to
// every request (a request id, counts), with stand-in handlers: no database.

#include "app/router.hpp"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

namespace agentbase::app {
namespace {

namespace asio = boost::asio;

http::Response Call(const http::Handler& handler, http::Request request) {
  asio::io_context io;
  auto future = asio::co_spawn(io, handler(std::move(request)), asio::use_future);
  io.run();
  return future.get();
}

http::Request Get(std::string path, std::string remote = "127.0.0.1") {
  http::Request request;
  request.method = "GET";
  request.target = path;
  request.path = std::move(path);
  request.remote_address = std::move(remote);
  return request;
}

std::string Header(const http::Response& response, std::string_view name) {
  for (const auto& [key, value] : response.headers) {
    if (key == name) return value;
  }
  return "";
}

struct Fixture {
  std::vector<std::string> ids_seen;  // the x-request-id the REST handler saw
  bool database_up = true;
  Routes routes;
  Fixture() {
    routes.rest = [this](http::Request request) -> asio::awaitable<http::Response> {
      ids_seen.emplace_back(request.Header("x-request-id").value_or(""));
      http::Response response{request.path == "/rest/v1/missing" ? 404 : 200, {}, "[]"};
      if (response.status == 404) response.SetHeader("Proxy-Status", "PostgREST; error=PGRST205");
      co_return response;
    };
    routes.ready = [this]() -> asio::awaitable<bool> { co_return database_up; };
    routes.gauges = [] {
      metrics::Gauges gauges;
      gauges.open_connections = 3;
      gauges.pool_waits = 7;
      gauges.realtime_change_deliveries = 1000;
      gauges.resident_bytes = metrics::ResidentSetBytes();
      return gauges;
    };
    routes.metrics_token = "scrape-me";
  }
};

TEST(Router, EveryRequestGetsARequestIdThatReachesTheHandler) {
  Fixture fixture;
  auto handler = MakeRouter(fixture.routes);
  auto first = Call(handler, Get("/rest/v1/conversations"));
  auto second = Call(handler, Get("/rest/v1/conversations"));
  ASSERT_EQ(fixture.ids_seen.size(), 2u);
  EXPECT_EQ(Header(first, "X-Request-Id"), fixture.ids_seen[0]);
  EXPECT_NE(fixture.ids_seen[0], fixture.ids_seen[1]);
  EXPECT_EQ(fixture.ids_seen[0].size(), 16u);

  // A client's own id is kept when it is a plain token, replaced otherwise.
  auto given = Get("/rest/v1/conversations");
  given.headers.emplace_back("x-request-id", "trace-42.a_b");
  EXPECT_EQ(Header(Call(handler, given), "X-Request-Id"), "trace-42.a_b");
  EXPECT_EQ(fixture.ids_seen.back(), "trace-42.a_b");
  for (std::string bad : {std::string("has space"), std::string(65, 'x'), std::string("quote\"d"), std::string()}) {
    auto request = Get("/rest/v1/conversations");
    request.headers.emplace_back("x-request-id", bad);
    std::string id = Header(Call(handler, request), "X-Request-Id");
    EXPECT_NE(id, bad);
    EXPECT_EQ(fixture.ids_seen.back(), id);
  }
}

TEST(Router, ReadinessFollowsTheDatabase) {
  Fixture fixture;
  auto handler = MakeRouter(fixture.routes);
  EXPECT_EQ(Call(handler, Get("/ready")).status, 200);
  fixture.database_up = false;
  auto down = Call(handler, Get("/ready"));
  EXPECT_EQ(down.status, 503);
  EXPECT_EQ(Header(down, "Retry-After"), "1");
  EXPECT_EQ(Call(handler, Get("/health")).status, 200);  // alive, even so
}

TEST(Router, MetricsCountRequestsAndServeOnlyLoopbackOrTheToken) {
  Fixture fixture;
  auto handler = MakeRouter(fixture.routes);
  Call(handler, Get("/rest/v1/conversations"));
  Call(handler, Get("/rest/v1/conversations"));
  Call(handler, Get("/rest/v1/missing"));
  Call(handler, Get("/rest/v1/rpc/f"));
  auto scraped = Call(handler, Get("/metrics"));
  ASSERT_EQ(scraped.status, 200);
  EXPECT_EQ(Header(scraped, "Content-Type"), "text/plain; version=0.0.4; charset=utf-8");
  const std::string& text = scraped.body;
  EXPECT_NE(text.find("agentbase_http_requests_total{route=\"rest\",method=\"GET\",status=\"200\"} 2\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("agentbase_http_requests_total{route=\"rest\",method=\"GET\",status=\"404\"} 1\n"),
            std::string::npos);
  EXPECT_NE(text.find("agentbase_http_requests_total{route=\"rest_rpc\",method=\"GET\",status=\"200\"} 1\n"),
            std::string::npos);
  EXPECT_NE(text.find("agentbase_errors_total{code=\"PGRST205\"} 1\n"), std::string::npos);
  EXPECT_NE(text.find("agentbase_http_request_duration_seconds_bucket{route=\"rest\",le=\"+Inf\"} 3\n"),
            std::string::npos);
  EXPECT_NE(text.find("agentbase_http_request_duration_seconds_count{route=\"rest\"} 3\n"), std::string::npos);
  EXPECT_NE(text.find("agentbase_http_connections_open 3\n"), std::string::npos);
  EXPECT_NE(text.find("agentbase_db_pool_waits_total 7\n"), std::string::npos);
  EXPECT_NE(text.find("# TYPE agentbase_realtime_change_messages_total counter\n"
                      "agentbase_realtime_change_messages_total 1000\n"),
            std::string::npos);
  EXPECT_NE(text.find("process_resident_memory_bytes "), std::string::npos);
  EXPECT_EQ(text.find("process_resident_memory_bytes 0\n"), std::string::npos);

  EXPECT_EQ(Call(handler, Get("/metrics", "10.1.2.3")).status, 403);
  auto with_token = Get("/metrics", "10.1.2.3");
  with_token.headers.emplace_back("authorization", "Bearer scrape-me");
  EXPECT_EQ(Call(handler, with_token).status, 200);
  auto wrong_token = Get("/metrics", "10.1.2.3");
  wrong_token.headers.emplace_back("authorization", "Bearer nope");
  EXPECT_EQ(Call(handler, wrong_token).status, 403);
  // The token is read as every bearer token is (auth::BearerToken): the
  // scheme in any case, blanks around it ignored; nothing else passes.
  auto lower_scheme = Get("/metrics", "10.1.2.3");
  lower_scheme.headers.emplace_back("authorization", "bearer  scrape-me ");
  EXPECT_EQ(Call(handler, lower_scheme).status, 200);
  for (const char* refused : {"Bearer scrape-m", "Bearer scrape-me2", "Bearer scrape-mE", "Basic scrape-me",
                              "scrape-me", "Bearer ", "Bearer scrape-me scrape-me"}) {
    auto request = Get("/metrics", "10.1.2.3");
    request.headers.emplace_back("authorization", refused);
    EXPECT_EQ(Call(handler, request).status, 403) << refused;
  }
  // Without a configured token, no bearer token opens /metrics, not even an empty one.
  Fixture no_token;
  no_token.routes.metrics_token.clear();
  auto closed = MakeRouter(no_token.routes);
  for (const char* sent : {"Bearer ", "Bearer x"}) {
    auto request = Get("/metrics", "10.1.2.3");
    request.headers.emplace_back("authorization", sent);
    EXPECT_EQ(Call(closed, request).status, 403) << sent;
  }
}

TEST(Router, MetricLabelsStayAFixedSetWhateverTheClientSends) {
  Fixture fixture;
  auto handler = MakeRouter(fixture.routes);
  for (int i = 0; i < 50; ++i) Call(handler, Get("/nowhere/" + std::to_string(i)));
  auto text = Call(handler, Get("/metrics")).body;
  EXPECT_EQ(text.find("nowhere"), std::string::npos);
  EXPECT_NE(text.find("route=\"other\",method=\"GET\",status=\"404\"} 50\n"), std::string::npos) << text;
  // Methods are the client's word too: made-up ones count as one.
  for (int i = 0; i < 20; ++i) {
    auto request = Get("/rest/v1/conversations");
    request.method = "X" + std::to_string(i);
    Call(handler, request);
  }
  text = Call(handler, Get("/metrics")).body;
  EXPECT_EQ(text.find("method=\"X1"), std::string::npos);
  EXPECT_NE(text.find("route=\"rest\",method=\"other\",status=\"200\"} 20\n"), std::string::npos) << text;
}

TEST(Router, WithoutAConsoleTheRootIsTheHealthCheck) {
  Fixture fixture;
  auto handler = MakeRouter(fixture.routes);
  auto root = Call(handler, Get("/"));
  EXPECT_EQ(root.status, 200);
  EXPECT_EQ(Header(root, "Content-Type"), "application/json; charset=utf-8");
  EXPECT_EQ(Call(handler, Get("/chat")).status, 404);
}

TEST(Router, TheConsoleAnswersItsPathsAndLeavesTheApisTheirOwn404s) {
  static const std::vector<console::Asset> assets = {
      {"/index.html", "<title>console</title>", {}, "aaaa"},
      {"/assets/app-1a2b.js", "app()", "gzipped app", "bbbb"},
  };
  Fixture fixture;
  fixture.routes.console = std::make_shared<const console::Site>(assets, "anon");
  auto handler = MakeRouter(fixture.routes);

  for (std::string path : {"/", "/chat", "/chat/8d3c", "/memory"}) {
    auto page = Call(handler, Get(path));
    EXPECT_EQ(page.status, 200) << path;
    EXPECT_EQ(page.body, "<title>console</title>") << path;
    EXPECT_EQ(Header(page, "Cache-Control"), "no-cache") << path;
    EXPECT_NE(Header(page, "Content-Security-Policy"), "") << path;
  }
  auto script = Get("/assets/app-1a2b.js");
  script.headers.emplace_back("accept-encoding", "gzip, br");
  auto answered = Call(handler, script);
  EXPECT_EQ(answered.body, "gzipped app");
  EXPECT_EQ(Header(answered, "Content-Encoding"), "gzip");
  script.headers.emplace_back("if-none-match", Header(answered, "ETag"));
  auto unchanged = Call(handler, script);
  EXPECT_EQ(unchanged.status, 304);
  EXPECT_EQ(unchanged.body, "");

  // The health check moves to /health only; the APIs' unknown paths keep
  // PostgREST's 404, never the page.
  EXPECT_EQ(Call(handler, Get("/health")).body, R"({"status":"ok","service":"agentbase"})");
  for (std::string path : {"/rest", "/rest/v2/conversations", "/auth", "/auth/v2/token", "/realtime",
                           "/realtime/v2/socket", "/assets/gone-0000.js", "/missing.txt"}) {
    auto answer = Call(handler, Get(path));
    EXPECT_EQ(answer.status, 404) << path;
    EXPECT_EQ(Header(answer, "Content-Type").rfind("application/json", 0), 0u) << path;
  }
  // A write to a page path is no page.
  auto post = Get("/chat");
  post.method = "POST";
  EXPECT_EQ(Call(handler, post).status, 404);
}

TEST(Metrics, ErrorCodesStayBoundedWhateverTheyAre) {
  metrics::Registry registry;
  for (int i = 0; i < 2000; ++i) registry.CountError("C" + std::to_string(i));
  registry.CountError("bad code\n{}");
  std::string text = registry.Render({});
  size_t series = 0;
  for (size_t at = text.find("agentbase_errors_total{"); at != std::string::npos;
       at = text.find("agentbase_errors_total{", at + 1)) {
    ++series;
  }
  EXPECT_LE(series, 513u);
  EXPECT_NE(text.find("agentbase_errors_total{code=\"other\"} 1489\n"), std::string::npos);
  EXPECT_EQ(text.find("bad code"), std::string::npos);
}

}  // namespace
}  // namespace agentbase::app
