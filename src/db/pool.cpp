#include "db/pool.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace agentbase::db {

namespace asio = boost::asio;

Lease::~Lease() {
  if (connection_ && pool_) pool_->Return(std::move(connection_));
}

Pool::Pool(asio::any_io_executor executor, std::string conninfo, PoolOptions options)
    : executor_(std::move(executor)), conninfo_(std::move(conninfo)), options_(options) {}

Pool::~Pool() { Close(); }

void Pool::Close() {
  closed_ = true;
  open_ -= idle_.size();
  idle_.clear();
  for (auto& waiter : waiters_) {
    waiter->woken = true;
    waiter->wake.cancel();
  }
  waiters_.clear();
}

bool Pool::WakeOne(std::unique_ptr<AsyncConnection>& connection) {
  while (!waiters_.empty()) {
    auto waiter = waiters_.front();
    waiters_.pop_front();
    if (waiter->woken) continue;
    waiter->woken = true;
    waiter->handed = std::move(connection);
    waiter->wake.cancel();
    return true;
  }
  return false;
}

void Pool::Return(std::unique_ptr<AsyncConnection> connection) {
  if (closed_ || !connection->Reusable()) {
    connection.reset();
    --open_;
    std::unique_ptr<AsyncConnection> none;
    if (!closed_) WakeOne(none);  // its slot is free: a waiter may open a new one
    return;
  }
  if (WakeOne(connection)) return;
  idle_.push_back(std::move(connection));
}

asio::awaitable<Result<Lease>> Pool::Acquire() {
  auto deadline = std::chrono::steady_clock::now() + options_.acquire_timeout;
  while (true) {
    if (closed_) co_return Error::Make("the server is shutting down", "PGRST003");
    if (!idle_.empty()) {
      auto connection = std::move(idle_.front());
      idle_.pop_front();
      co_return Lease(this, std::move(connection));
    }
    if (open_ < options_.size) {
      ++open_;
      std::weak_ptr<bool> alive = alive_;
      auto connected = co_await AsyncConnection::Connect(executor_, conninfo_);
      if (alive.expired()) co_return Error::Make("the pool was destroyed", "PGRST003");
      if (!connected) {
        --open_;
        std::unique_ptr<AsyncConnection> none;
        WakeOne(none);
        co_return connected.error();
      }
      co_return Lease(this, std::move(*connected));
    }
    if (waiters_.size() >= options_.max_waiters) {
      co_return Error::Make("too many requests are waiting for a database connection", "PGRST003");
    }
    auto waiter = std::make_shared<Waiter>(executor_);
    waiter->wake.expires_at(deadline);
    waiters_.push_back(waiter);
    co_await waiter->wake.async_wait(asio::as_tuple(asio::use_awaitable));
    if (!waiter->woken) {
      waiter->woken = true;  // timed out; its queue entry is skipped later
      co_return Error::Make("timed out waiting for a database connection", "PGRST003");
    }
    if (waiter->handed) co_return Lease(this, std::move(waiter->handed));
    // Otherwise a slot freed up (or the pool closed): go round again.
  }
}

}  // namespace agentbase::db
