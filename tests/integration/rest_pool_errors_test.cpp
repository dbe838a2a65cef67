// How the REST API answers when the pool cannot serve a request, by the
// kind of the pool's error: busy is PostgREST's 504 PGRST003, a request given
// up at the pool's deadline 504 AB504 (the unreachable case, 503 PGRST001,
// is in rest_api_test.cpp).

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/json.hpp>
#include <future>

#include "auth/jwt.hpp"
#include "harness.hpp"
#include "rest/rest_api.hpp"

namespace agentbase::testing {

namespace asio = boost::asio;
namespace json = boost::json;

namespace {

constexpr const char* kSecret = "a-test-secret-that-is-long-enough-for-hs256";

asio::awaitable<http::Response> HandleThenCount(rest::RestApi* api, http::Request request, db::Pool* pool,
                                                int* remaining) {
  auto response = co_await api->Handle(std::move(request));
  if (--*remaining == 0) pool->Close();  // ends the pool's watchdog, so the loop can finish
  co_return response;
}

class RestPoolErrorsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    database_ = new TestDatabase();
    auto push = RunAgentbase("db push " + database_->DbUrlFlag());
    ASSERT_EQ(push.exit_code, 0) << push.out << push.err;
    database_->Exec(
        "CREATE FUNCTION public.nap(seconds double precision) RETURNS integer LANGUAGE sql VOLATILE "
        "AS $$ SELECT 1 FROM pg_sleep(seconds) $$");
  }
  static void TearDownTestSuite() {
    delete database_;
    database_ = nullptr;
  }

  http::Request Nap(double seconds) {
    auto key = auth::SigningKey::FromSecret(kSecret, "");
    json::object claims{{"sub", "00000000-0000-0000-0000-0000000000a1"},
                        {"role", "authenticated"},
                        {"aud", "authenticated"},
                        {"exp", auth::UnixNow() + 3600}};
    http::Request request;
    request.method = "GET";
    request.path = "/rest/v1/rpc/nap";
    request.query = "seconds=" + std::to_string(seconds);
    request.target = request.path + "?" + request.query;
    request.headers.emplace_back("authorization", "Bearer " + *auth::Sign(claims, *key));
    return request;
  }

  // Sends the requests together through one RestApi over a pool with `options`.
  std::vector<http::Response> SendTogether(std::vector<http::Request> requests, db::PoolOptions options) {
    asio::io_context io;
    auto keys = auth::KeySet::FromConfig(kSecret);
    db::Pool pool(io.get_executor(), database_->Conninfo() + " user=authenticator", options);
    rest::RestApi api(pool, *keys, rest::RestOptions{});
    {
      auto admin = database_->Connect();
      auto cache = rest::SchemaCache::Load(admin, "public");
      EXPECT_TRUE(cache.ok()) << (cache.ok() ? std::string() : cache.error().message);
      if (cache) api.SetSchemaCache(*cache);
    }
    int remaining = static_cast<int>(requests.size());
    std::vector<std::future<http::Response>> futures;
    for (auto& request : requests) {
      futures.push_back(
          asio::co_spawn(io, HandleThenCount(&api, std::move(request), &pool, &remaining), asio::use_future));
    }
    io.run();
    std::vector<http::Response> responses;
    for (auto& future : futures) responses.push_back(future.get());
    return responses;
  }

  static TestDatabase* database_;
};

TestDatabase* RestPoolErrorsTest::database_ = nullptr;

std::string CodeOf(const http::Response& response) {
  boost::system::error_code ec;
  auto body = json::parse(response.body, ec);
  if (ec || !body.is_object() || !body.as_object().contains("code")) return "<no code>";
  return std::string(body.at("code").as_string());
}

TEST_F(RestPoolErrorsTest, BusyPoolIsPostgrests504Pgrst003) {
  db::PoolOptions options;
  options.size = 1;
  options.pipeline_depth = 1;
  options.max_waiters = 0;  // nobody may wait: the second request finds the pool full
  auto responses = SendTogether({Nap(0.3), Nap(0)}, options);
  ASSERT_EQ(responses.size(), 2u);
  EXPECT_EQ(responses[0].status, 200) << responses[0].body;
  EXPECT_EQ(responses[1].status, 504) << responses[1].body;
  EXPECT_EQ(CodeOf(responses[1]), "PGRST003");
  EXPECT_EQ(json::parse(responses[1].body).at("message").as_string(),
            "Timed out acquiring connection from connection pool.");
}

TEST_F(RestPoolErrorsTest, RequestGivenUpAtTheDeadlineIsAb504) {
  db::PoolOptions options;
  options.deadline = std::chrono::milliseconds(300);
  auto responses = SendTogether({Nap(5)}, options);
  ASSERT_EQ(responses.size(), 1u);
  EXPECT_EQ(responses[0].status, 504) << responses[0].body;
  EXPECT_EQ(CodeOf(responses[0]), "AB504");
}

}  // namespace
}  // namespace agentbase::testing
