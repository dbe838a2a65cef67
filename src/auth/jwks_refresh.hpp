#pragma once
// Keeps the keys of a --jwks URL current while serving, so that a rotated
// key (a new kid added, an old one withdrawn) is honoured without a restart.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/thread_pool.hpp>
#include <chrono>
#include <functional>
#include <string>

#include "auth/key_store.hpp"

namespace agentbase::auth {

struct JwksRefreshOptions {
  std::string url;
  std::string initial_document;  // as fetched at start-up (KeyStore::FetchedJwks)
  std::chrono::milliseconds interval{std::chrono::minutes(5)};
  std::chrono::milliseconds fetch_timeout{std::chrono::seconds(5)};
};

// Fetches `url` every `interval` on `fetcher` (the fetch blocks, so it runs
// off the event loop) and, when the document changed and is a valid JWKS,
// replaces the store's configured keys and calls `changed` (to drop cached
// verifications). A failed fetch or a bad document keeps the keys there are
// and is logged. Runs until its executor stops.
boost::asio::awaitable<void> RefreshJwks(boost::asio::thread_pool& fetcher, JwksRefreshOptions options, KeyStore& store,
                                         std::function<void()> changed);

}  // namespace agentbase::auth
