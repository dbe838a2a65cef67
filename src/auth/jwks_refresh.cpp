#include "auth/jwks_refresh.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <utility>

#include "http/client.hpp"

namespace agentbase::auth {

namespace asio = boost::asio;

namespace {

// What a fetch on the worker thread brought back (default-constructible, as
// co_spawn's result must be).
struct Fetched {
  bool ok = false;
  std::string body_or_error;
};

asio::awaitable<Fetched> FetchOnWorker(std::string url, http::FetchOptions options) {
  auto body = http::Fetch(url, options);
  if (!body) co_return Fetched{false, body.error().message};
  co_return Fetched{true, std::move(*body)};
}

}  // namespace

asio::awaitable<void> RefreshJwks(asio::thread_pool& fetcher, JwksRefreshOptions options, KeyStore& store,
                                  std::function<void()> changed) {
  auto executor = co_await asio::this_coro::executor;
  asio::steady_timer pause(executor);
  http::FetchOptions fetch;
  fetch.timeout = options.fetch_timeout;
  std::string last_document = std::move(options.initial_document);
  while (true) {
    pause.expires_after(options.interval);
    auto [ec] = co_await pause.async_wait(asio::as_tuple(asio::use_awaitable));
    if (ec) co_return;
    Fetched fetched = co_await asio::co_spawn(fetcher, FetchOnWorker(options.url, fetch), asio::use_awaitable);
    if (!fetched.ok) {
      spdlog::warn("jwks: keeping the current keys; fetching {} failed: {}", options.url, fetched.body_or_error);
      continue;
    }
    if (fetched.body_or_error == last_document) continue;
    auto keys = ParseJwks(fetched.body_or_error, options.url);
    if (!keys) {
      spdlog::warn("jwks: keeping the current keys; {}", keys.error().message);
      continue;
    }
    if (auto replaced = store.ReplaceConfiguredKeys(*keys); !replaced) {
      spdlog::warn("jwks: keeping the current keys; {}", replaced.error().message);
      continue;
    }
    last_document = std::move(fetched.body_or_error);
    changed();
    spdlog::info("jwks: keys from {} changed; now {} keys", options.url, store.Verification().keys().size());
  }
}

}  // namespace agentbase::auth
