// http::Fetch against our own server on loopback.

#include "http/client.hpp"

#include <gtest/gtest.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <thread>

#include "http/server.hpp"

namespace agentbase::http {

namespace {

boost::asio::awaitable<Response> Answer(Request request) {
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

}  // namespace

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
