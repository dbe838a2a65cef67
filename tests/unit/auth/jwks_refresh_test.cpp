// The --jwks URL refresher against our own HTTP server on loopback: rotated
// keys replace the old ones, the server's own keys stay, and a bad document
// or a failed fetch changes nothing.

#include "auth/jwks_refresh.hpp"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json.hpp>
#include <memory>

#include "http/server.hpp"
#include "jwt_test_support.hpp"

namespace agentbase::auth {

namespace asio = boost::asio;

namespace {

// A JWKS of one RFC 7515 key, given a kid.
std::string JwksOf(std::string_view jwk, std::string kid) {
  auto key = boost::json::parse(jwk).as_object();
  key["kid"] = kid;
  return boost::json::serialize(boost::json::object{{"keys", boost::json::array{key}}});
}

std::vector<std::string> Kids(const KeyStore& store) {
  std::vector<std::string> kids;
  for (const auto& key : store.Verification().keys()) kids.push_back(key.kid().empty() ? "(secret)" : key.kid());
  return kids;
}

}  // namespace

TEST(JwksRefresh, RotatedKeysReplaceTheOldOnesAndBadDocumentsChangeNothing) {
  asio::io_context io;
  auto document = std::make_shared<std::string>(JwksOf(test::kA3Jwk, "one"));
  auto served = std::make_shared<int>(0);  // documents fetched so far
  auto serve = [document, served](http::Request request) -> asio::awaitable<http::Response> {
    if (request.path != "/jwks.json") co_return http::Response{404, {}, "no"};
    ++*served;
    if (document->empty()) co_return http::Response{503, {}, "down"};
    co_return http::Response{200, {}, *document};
  };
  http::ServerOptions server_options;
  server_options.port = 0;
  http::Server server(io, server_options, http::Handler(serve));
  auto port = server.Start();
  ASSERT_TRUE(port.ok()) << port.error().message;

  // As at start-up: the secret, and key "one" from the URL.
  auto initial = ParseJwks(*document, "test");
  ASSERT_TRUE(initial.ok()) << initial.error().message;
  auto store = KeyStore::FromKeys(std::nullopt, std::string(40, 's'), *initial, kConfiguredSecretEpoch);
  ASSERT_TRUE(store.ok()) << store.error().message;

  asio::thread_pool fetcher(1);
  JwksRefreshOptions options;
  options.url = "http://127.0.0.1:" + std::to_string(*port) + "/jwks.json";
  options.interval = std::chrono::milliseconds(20);
  options.fetch_timeout = std::chrono::milliseconds(300);  // a fetch cut off by io.stop() ends soon
  int changes = 0;
  asio::co_spawn(io, RefreshJwks(fetcher, options, *store, [&] { ++changes; }), asio::detached);

  // The driver waits for fetches to happen rather than for fixed times, so a
  // slow machine (or a sanitizer build) only makes it slower, never wrong.
  std::vector<std::vector<std::string>> seen;
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        asio::steady_timer pause(io);
        auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
        auto until = [&](auto done) -> asio::awaitable<void> {
          while (!done() && std::chrono::steady_clock::now() < deadline) {
            pause.expires_after(std::chrono::milliseconds(5));
            co_await pause.async_wait(asio::use_awaitable);
          }
        };
        auto fetched_twice_more = [&] {
          int from = *served;
          return [&, from] { return *served >= from + 2; };
        };
        co_await until(fetched_twice_more());  // the same document: keys as they were
        seen.push_back(Kids(*store));
        *document = JwksOf(test::kA2Jwk, "two");  // rotated
        co_await until([&] { return Kids(*store) == std::vector<std::string>{"(secret)", "two"}; });
        seen.push_back(Kids(*store));
        int changes_before = changes;
        *document = "{ not json";  // a broken document
        co_await until(fetched_twice_more());
        *document = "";  // the issuer is down
        co_await until(fetched_twice_more());
        seen.push_back(Kids(*store));
        seen.push_back({changes == changes_before ? "unchanged" : "changed"});
        io.stop();
      },
      asio::detached);
  io.run();
  fetcher.join();
  EXPECT_EQ(seen, (std::vector<std::vector<std::string>>{
                      {"(secret)", "one"}, {"(secret)", "two"}, {"(secret)", "two"}, {"unchanged"}}));
}

}  // namespace agentbase::auth
