// http::Fetch and http::Client against our own server on loopback.

#include "http/client.hpp"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <optional>
#include <thread>

#include "http/server.hpp"

namespace agentbase::http {

namespace {

boost::asio::awaitable<Response> Answer(Request request) {
  if (request.path == "/echo") {
    std::string seen = request.method + " " + request.target +
                       " host=" + std::string(request.Header("host").value_or("")) +
                       " x-test=" + std::string(request.Header("x-test").value_or("")) + " body=" + request.body;
    co_return Response{201, {{"X-Answer", "yes"}}, seen};
  }
  if (request.path == "/silent") {
    boost::asio::steady_timer never(co_await boost::asio::this_coro::executor, std::chrono::hours(1));
    co_await never.async_wait(boost::asio::use_awaitable);
  }
  if (request.path == "/jwks.json") {
    Response response{200, {}, R"({"keys":[]})"};
    response.SetHeader("Content-Type", "application/json");
    co_return response;
  }
  co_return Response{404, {}, "no"};
}

class FetchTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ServerOptions options;
    options.port = 0;
    server_ = std::make_unique<Server>(io_, options, Handler(Answer));
    auto port = server_->Start();
    ASSERT_TRUE(port.ok());
    port_ = *port;
    thread_ = std::thread([this] { io_.run(); });
  }
  void TearDown() override {
    io_.stop();
    thread_.join();
    server_.reset();
  }
  std::string Url(const std::string& path) { return "http://127.0.0.1:" + std::to_string(port_) + path; }

  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_{io_.get_executor()};
  std::unique_ptr<Server> server_;
  std::thread thread_;
  uint16_t port_ = 0;
};

// Runs one Client::Send to its end on an io_context of the test's own.
Result<ClientResponse> SendNow(ClientRequest request, ClientOptions options = {}) {
  boost::asio::io_context io;
  Client client(io.get_executor());
  std::optional<Result<ClientResponse>> answer;
  boost::asio::co_spawn(
      io, [&]() -> boost::asio::awaitable<void> { answer = co_await client.Send(std::move(request), options); },
      [](std::exception_ptr failure) {
        if (failure) std::rethrow_exception(failure);
      });
  while (!answer && io.run_one() > 0) {
  }
  if (!answer) return Error::Internal("Send did not finish");
  return std::move(*answer);
}

}  // namespace

TEST(ParseHttpUrlTest, SplitsHttpAndHttpsUrls) {
  auto plain = ParseHttpUrl("http://127.0.0.1:8080/v1/embeddings?x=1");
  ASSERT_TRUE(plain.ok()) << plain.error().message;
  EXPECT_FALSE(plain->tls);
  EXPECT_EQ(plain->host, "127.0.0.1");
  EXPECT_EQ(plain->port, "8080");
  EXPECT_EQ(plain->host_header, "127.0.0.1:8080");
  EXPECT_EQ(plain->target, "/v1/embeddings?x=1");
  EXPECT_TRUE(plain->IsLoopback());

  auto secure = ParseHttpUrl("HTTPS://api.openai.com");
  ASSERT_TRUE(secure.ok()) << secure.error().message;
  EXPECT_TRUE(secure->tls);
  EXPECT_EQ(secure->host, "api.openai.com");
  EXPECT_EQ(secure->port, "443");
  EXPECT_EQ(secure->host_header, "api.openai.com");
  EXPECT_EQ(secure->target, "/");
  EXPECT_FALSE(secure->IsLoopback());

  auto v6 = ParseHttpUrl("http://[::1]:9/x");
  ASSERT_TRUE(v6.ok()) << v6.error().message;
  EXPECT_EQ(v6->host, "::1");
  EXPECT_EQ(v6->host_header, "[::1]:9");
  EXPECT_TRUE(v6->IsLoopback());
  EXPECT_TRUE(ParseHttpUrl("http://LocalHost/")->IsLoopback());
}

TEST(ParseHttpUrlTest, RefusesWhatCannotBeCalled) {
  for (const char* text : {"ftp://example.com/x", "example.com/v1", "http:///v1", "http://user:secret@example.com/v1",
                           "https://example.com/v1#part", "http://example.com:0/", "http://example.com:70000/", ""}) {
    auto url = ParseHttpUrl(text);
    ASSERT_FALSE(url.ok()) << text;
    EXPECT_TRUE(url.error().Is(ErrorKind::kInvalidInput)) << text;
    EXPECT_EQ(url.error().code, "url") << text;
  }
}

TEST_F(FetchTest, SendReturnsAnyStatusWithItsHeadersAndBody) {
  ClientRequest request;
  request.method = "POST";
  request.url = *ParseHttpUrl(Url("/echo?q=1"));
  request.headers = {{"X-Test", "42"}};
  request.body = "hello";
  auto answer = SendNow(request);
  ASSERT_TRUE(answer.ok()) << answer.error().message;
  EXPECT_EQ(answer->status, 201);
  EXPECT_EQ(answer->body, "POST /echo?q=1 host=127.0.0.1:" + std::to_string(port_) + " x-test=42 body=hello");
  bool found = false;
  for (const auto& [name, value] : answer->headers) found = found || (name == "x-answer" && value == "yes");
  EXPECT_TRUE(found);

  request.url = *ParseHttpUrl(Url("/nope"));
  auto missing = SendNow(request);
  ASSERT_TRUE(missing.ok()) << missing.error().message;
  EXPECT_EQ(missing->status, 404);
}

TEST_F(FetchTest, SendGivesUpAtTheDeadline) {
  ClientRequest request;
  request.url = *ParseHttpUrl(Url("/silent"));
  auto started = std::chrono::steady_clock::now();
  auto answer = SendNow(request, ClientOptions{std::chrono::milliseconds(150), 1024});
  auto waited = std::chrono::steady_clock::now() - started;
  ASSERT_FALSE(answer.ok());
  EXPECT_TRUE(answer.error().Is(ErrorKind::kTimeout)) << answer.error().message;
  EXPECT_NE(answer.error().message.find("150 ms"), std::string::npos) << answer.error().message;
  EXPECT_GE(waited, std::chrono::milliseconds(150));
  EXPECT_LT(waited, std::chrono::seconds(2));
}

TEST_F(FetchTest, SendReportsARefusedConnectionAndAnOversizedAnswer) {
  uint16_t closed_port = 0;
  {
    boost::asio::io_context io;
    boost::asio::ip::tcp::acceptor probe(io, {boost::asio::ip::make_address("127.0.0.1"), 0});
    closed_port = probe.local_endpoint().port();
  }
  ClientRequest request;
  request.url = *ParseHttpUrl("http://127.0.0.1:" + std::to_string(closed_port) + "/");
  auto refused = SendNow(request);
  ASSERT_FALSE(refused.ok());
  EXPECT_TRUE(refused.error().Is(ErrorKind::kUnavailable)) << refused.error().message;
  EXPECT_NE(refused.error().message.find("connecting"), std::string::npos) << refused.error().message;

  request.url = *ParseHttpUrl(Url("/jwks.json"));
  auto oversized = SendNow(request, ClientOptions{std::chrono::milliseconds(2000), 4});
  ASSERT_FALSE(oversized.ok());
  EXPECT_TRUE(oversized.error().Is(ErrorKind::kUnavailable));
  EXPECT_NE(oversized.error().message.find("larger than 4 bytes"), std::string::npos) << oversized.error().message;
}

TEST_F(FetchTest, ReturnsTheBodyOfA2xx) {
  auto body = Fetch(Url("/jwks.json"));
  ASSERT_TRUE(body.ok()) << body.error().message;
  EXPECT_EQ(*body, R"({"keys":[]})");
}

TEST_F(FetchTest, OtherStatusesAndFailuresAreErrors) {
  auto missing = Fetch(Url("/nope"));
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, "fetch");
  EXPECT_NE(missing.error().message.find("404"), std::string::npos);

  FetchOptions quick;
  quick.timeout = std::chrono::milliseconds(500);
  EXPECT_FALSE(Fetch("http://127.0.0.1:1/jwks.json", quick).ok());
  EXPECT_FALSE(Fetch("ftp://example.com/jwks.json").ok());
  EXPECT_FALSE(Fetch("not a url").ok());
}

TEST_F(FetchTest, BodiesOverTheLimitAreRefused) {
  FetchOptions small;
  small.max_bytes = 4;
  EXPECT_FALSE(Fetch(Url("/jwks.json"), small).ok());
}

}  // namespace agentbase::http
