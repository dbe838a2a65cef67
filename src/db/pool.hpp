#pragma once
// A bounded pool of AsyncConnections for the single event-loop thread (no
// locks): at most `size` connections, at most `max_waiters` requests waiting
// for one, each for at most `acquire_timeout`.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <deque>
#include <memory>
#include <string>

#include "db/async_connection.hpp"

namespace agentbase::db {

struct PoolOptions {
  size_t size = 4;
  size_t max_waiters = 1024;
  std::chrono::milliseconds acquire_timeout{10000};
};

class Pool;

// A connection on loan; goes back to the pool (or is dropped when no longer
// reusable) when the lease ends.
class Lease {
 public:
  Lease(Pool* pool, std::unique_ptr<AsyncConnection> connection) : pool_(pool), connection_(std::move(connection)) {}
  Lease(Lease&& other) noexcept = default;
  Lease& operator=(Lease&&) = delete;
  ~Lease();
  AsyncConnection& operator*() { return *connection_; }
  AsyncConnection* operator->() { return connection_.get(); }

 private:
  Pool* pool_;
  std::unique_ptr<AsyncConnection> connection_;
};

class Pool {
 public:
  Pool(boost::asio::any_io_executor executor, std::string conninfo, PoolOptions options);
  ~Pool();

  // Errors: code "PGRST003" when no connection freed up in time or too many
  // requests are waiting (the caller answers 504/503), or the connection error.
  boost::asio::awaitable<Result<Lease>> Acquire();

  // Drops idle connections and refuses new loans (for shutdown and schema reloads).
  void Close();
  size_t Open() const { return open_; }
  size_t Idle() const { return idle_.size(); }

 private:
  friend class Lease;
  struct Waiter {
    explicit Waiter(boost::asio::any_io_executor executor) : wake(std::move(executor)) {}
    boost::asio::steady_timer wake;
    std::unique_ptr<AsyncConnection> handed;
    bool woken = false;
  };
  void Return(std::unique_ptr<AsyncConnection> connection);
  // Hands `connection` (or, when null, a free slot) to the oldest live waiter.
  bool WakeOne(std::unique_ptr<AsyncConnection>& connection);

  boost::asio::any_io_executor executor_;
  std::string conninfo_;
  PoolOptions options_;
  std::deque<std::unique_ptr<AsyncConnection>> idle_;
  std::deque<std::shared_ptr<Waiter>> waiters_;
  size_t open_ = 0;  // idle + on loan + being opened
  bool closed_ = false;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace agentbase::db
