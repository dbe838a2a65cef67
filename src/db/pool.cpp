#include "db/pool.hpp"

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "util/log_failure.hpp"

namespace agentbase::db {

namespace asio = boost::asio;
using detail::PoolSlot;

Lease::~Lease() {
  if (slot_ == nullptr) return;
  slot_->leased = false;
  pool_->Released(slot_);
}

Pool::Pool(asio::any_io_executor executor, std::string conninfo, PoolOptions options)
    : executor_(std::move(executor)), conninfo_(std::move(conninfo)), options_(std::move(options)) {
  options_.pipeline_depth = std::max<size_t>(options_.pipeline_depth, 1);
  StartWatchdog();
}

void Pool::StartWatchdog() {
  if (options_.deadline.count() <= 0) return;
  watchdog_ = std::make_shared<asio::steady_timer>(executor_);
  auto period = std::max(options_.deadline / 4, std::chrono::milliseconds(10));
  asio::co_spawn(
      executor_,
      [this, timer = watchdog_, period, alive = std::weak_ptr<bool>(alive_)]() -> asio::awaitable<void> {
        while (true) {
          timer->expires_after(period);
          auto [ec] = co_await timer->async_wait(asio::as_tuple(asio::use_awaitable));
          if (ec || alive.expired() || closed_) co_return;
          AbortOverdue();
        }
      },
      LogFailure{"db: pool watchdog"});
}

void Pool::AbortOverdue() {
  auto now = std::chrono::steady_clock::now();
  for (const auto& slot : slots_) {
    auto& connection = *slot->connection;
    if (connection.InFlight() == 0 || now - connection.OldestSentAt() <= options_.deadline) continue;
    Error reason = Error::Timeout("the database did not answer within " + std::to_string(options_.deadline.count()) +
                                      " ms; the request was given up",
                                  "deadline");
    connection.Abort(std::move(reason));
  }
}

Pool::~Pool() { Close(); }

void Pool::Close() {
  closed_ = true;
  if (watchdog_) watchdog_->cancel();
  std::erase_if(slots_, [](const auto& slot) { return slot->Idle(); });
  for (auto& waiter : waiters_) {
    waiter->woken = true;
    waiter->wake.cancel();
  }
  waiters_.clear();
}

void Pool::Recycle() {
  std::erase_if(slots_, [](const auto& slot) { return slot->Idle(); });
  for (auto& slot : slots_) slot->retired = true;
  WakeOldest();  // freed places may be opened anew
}

void Pool::WakeOldest() {
  if (waiters_.empty() || waiters_.front()->woken) return;
  waiters_.front()->woken = true;
  waiters_.front()->wake.cancel();
}

void Pool::Released(PoolSlot* slot) {
  bool beyond_size = slots_.size() > options_.size;  // a reserve connection, no longer needed
  if (slot->Idle() && (closed_ || slot->retired || beyond_size || !slot->connection->Reusable())) {
    std::erase_if(slots_, [slot](const auto& owned) { return owned.get() == slot; });
  }
  WakeOldest();
}

PoolSlot* Pool::FindSlot(Want want) const {
  auto usable = [](const PoolSlot& slot) { return !slot.leased && !slot.retired && !slot.connection->Broken(); };
  for (const auto& slot : slots_) {
    if (usable(*slot) && slot->Idle()) return slot.get();
  }
  // Share only once no more connections may be opened, and only with
  // connections that are making progress; the least loaded first.
  if (want == Want::kWhole || Open() < options_.size) return nullptr;
  auto now = std::chrono::steady_clock::now();
  PoolSlot* best = nullptr;
  for (const auto& slot : slots_) {
    if (!usable(*slot) || slot->submissions >= options_.pipeline_depth) continue;
    if (now - slot->connection->OldestSentAt() > options_.stall_after) continue;
    if (best == nullptr || slot->submissions < best->submissions) best = slot.get();
  }
  return best;
}

asio::awaitable<Result<PoolSlot*>> Pool::OpenSlot() {
  ++opening_;
  std::weak_ptr<bool> alive = alive_;
  auto connected = co_await AsyncConnection::Connect(executor_, conninfo_);
  if (alive.expired()) co_return Error::Unavailable("the pool was destroyed", "shutdown");
  if (connected && !options_.on_connect.empty()) {
    std::vector<Statement> setup;
    for (const auto& sql : options_.on_connect) setup.push_back({sql, {}});
    auto ran = co_await (*connected)->Run(std::move(setup));
    if (alive.expired()) co_return Error::Unavailable("the pool was destroyed", "shutdown");
    if (!ran)
      connected = ran.error();
    else if (ran->failure)
      connected = *ran->failure;
  }
  --opening_;
  if (connected) (*connected)->PrepareStatements(options_.prepared_statements);
  if (!connected) {
    WakeOldest();  // its place is free again
    // However it failed (unreachable server, refused login, a failing
    // on_connect statement), it is a connection that could not be had.
    Error error = connected.error();
    if (error.Is(ErrorKind::kUnavailable)) error.code = "connect";
    error.kind = ErrorKind::kUnavailable;
    co_return error;
  }
  if (closed_) co_return Error::Unavailable("the server is shutting down", "shutdown");
  slots_.push_back(std::make_unique<PoolSlot>());
  slots_.back()->connection = std::move(*connected);
  co_return slots_.back().get();
}

PoolStats Pool::Stats() const {
  PoolStats stats;
  stats.open = Open();
  for (const auto& slot : slots_) stats.busy += slot->Idle() ? 0 : 1;
  stats.waiting = waiters_.size();
  stats.waits = waits_;
  stats.timeouts = timeouts_;
  return stats;
}

bool Pool::MayOpenReserve(std::string_view caller) const {
  // Only when every connection is open and held up (leased, or its oldest
  // transaction stalled), and none of them by this caller.
  if (caller.empty() || opening_ > 0 || slots_.size() < options_.size ||
      slots_.size() >= options_.size + options_.reserve) {
    return false;
  }
  auto now = std::chrono::steady_clock::now();
  for (const auto& slot : slots_) {
    const auto& connection = *slot->connection;
    bool stalled = now - connection.OldestSentAt() > options_.stall_after;
    if (!slot->leased && !stalled) return false;
    if (stalled && connection.OldestCaller() == caller) return false;
  }
  return true;
}

asio::awaitable<Result<PoolSlot*>> Pool::Take(Want want, std::string_view caller) {
  auto deadline = std::chrono::steady_clock::now() + options_.acquire_timeout;
  std::shared_ptr<Waiter> me;  // set once queued; stays first in line while retrying
  auto leave_line = [&] {
    auto found = std::find(waiters_.begin(), waiters_.end(), me);
    if (found == waiters_.end()) return;
    bool was_first = found == waiters_.begin();
    waiters_.erase(found);
    if (was_first) WakeOldest();
  };
  while (true) {
    if (closed_) {
      if (me) leave_line();
      co_return Error::Unavailable("the server is shutting down", "shutdown");
    }
    bool my_turn = me ? waiters_.front() == me : waiters_.empty();
    PoolSlot* slot = FindSlot(want);
    // The reserve does not wait in line: the line may be one caller's.
    bool reserve = slot == nullptr && MayOpenReserve(caller);
    if (my_turn || reserve) {
      bool open_one = reserve || (slot == nullptr && Open() < options_.size);
      if (slot != nullptr || open_one) {
        // The next in line may fit as well.
        if (me) leave_line();
        if (open_one) {
          auto opened = co_await OpenSlot();
          if (!opened) co_return opened.error();
          slot = *opened;
        }
        if (want == Want::kWhole)
          slot->leased = true;
        else
          ++slot->submissions;
        co_return slot;
      }
    }
    if (!me) {
      if (waiters_.size() >= options_.max_waiters) {
        ++timeouts_;
        co_return Error::Busy("too many requests are waiting for a database connection", "pool-full");
      }
      ++waits_;
      me = std::make_shared<Waiter>(executor_);
      waiters_.push_back(me);
    }
    me->woken = false;
    me->wake.expires_at(deadline);
    co_await me->wake.async_wait(asio::as_tuple(asio::use_awaitable));
    if (!me->woken) {
      leave_line();
      ++timeouts_;
      co_return Error::Busy("timed out waiting for a database connection", "pool-timeout");
    }
  }
}

asio::awaitable<Result<Lease>> Pool::Acquire(std::string_view caller) {
  auto slot = co_await Take(Want::kWhole, caller);
  if (!slot) co_return slot.error();
  co_return Lease(this, *slot);
}

asio::awaitable<Result<PipelineOutcome>> Pool::Submit(std::vector<Statement> statements, std::string_view caller) {
  // The connection keeps the caller's name while the transaction is in flight.
  std::string owner(caller);
  auto slot = co_await Take(Want::kShare, owner);
  if (!slot) co_return slot.error();
  auto outcome = co_await (*slot)->connection->Submit(std::move(statements), std::move(owner));
  --(*slot)->submissions;
  Released(*slot);
  co_return outcome;
}

}  // namespace agentbase::db
