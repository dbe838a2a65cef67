#pragma once
// A bounded pool of AsyncConnections for the single event-loop thread (no
// locks): at most `size` connections, at most `max_waiters` requests waiting,
// each for at most `acquire_timeout`.
//
// Two ways to use a connection:
//  - Submit: one self-contained transaction (implicit, ended by its Sync).
//    Up to `pipeline_depth` of them share a connection at once, pipelined,
//    when every connection is busy: PostgreSQL then finds the next request
//    already waiting instead of sleeping between requests.
//  - Acquire: a connection of one's own (explicit BEGIN, a COMMIT decided
//    after seeing the result), handed out only with nothing else in flight.
// Waiters are served in arrival order, so a caller who needs a whole
// connection is not overtaken forever by shared submissions.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <deque>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "db/async_connection.hpp"

namespace agentbase::db {

struct PoolOptions {
  size_t size = 4;
  // Transactions in flight on one connection at most (1: one at a time).
  size_t pipeline_depth = 4;
  // A connection whose oldest transaction has run this long takes no more:
  // a slow query must not hold up requests queued behind it.
  std::chrono::milliseconds stall_after{5};
  size_t max_waiters = 1024;
  std::chrono::milliseconds acquire_timeout{10000};
  // Run once on each new connection (session settings).
  std::vector<std::string> on_connect;
  // Statements marked `reuse` kept prepared per connection, at most (0: none).
  size_t prepared_statements = 0;
  // Connections beyond `size`, opened only when every connection is held up
  // (leased, or its oldest transaction has run longer than stall_after), and
  // only for a caller that holds up none of them: one caller's slow requests
  // cannot make everyone else wait. Closed again when idle.
  size_t reserve = 0;
  // A transaction still unanswered this long is given up (its connection is
  // dropped; an ErrorKind::kTimeout error): a frozen backend cannot hang requests
  // forever. Zero: no deadline.
  std::chrono::milliseconds deadline{0};
};

class Pool;

// What the pool is doing, for /metrics.
struct PoolStats {
  size_t open = 0;
  size_t busy = 0;
  size_t waiting = 0;
  uint64_t waits = 0;     // callers that had to wait, ever
  uint64_t timeouts = 0;  // of those, turned away (ErrorKind::kBusy)
};

namespace detail {
struct PoolSlot {
  std::unique_ptr<AsyncConnection> connection;
  size_t submissions = 0;  // shared transactions running on it
  bool leased = false;     // held whole by an Acquire
  bool retired = false;    // takes no new work; closes once its work ends
  bool Idle() const { return !leased && submissions == 0; }
};
}  // namespace detail

// A connection on loan; goes back to the pool (or is dropped when no longer
// reusable) when the lease ends.
class Lease {
 public:
  Lease(Pool* pool, detail::PoolSlot* slot) : pool_(pool), slot_(slot) {}
  Lease(Lease&& other) noexcept : pool_(other.pool_), slot_(other.slot_) { other.slot_ = nullptr; }
  Lease& operator=(Lease&&) = delete;
  ~Lease();
  AsyncConnection& operator*() { return *slot_->connection; }
  AsyncConnection* operator->() { return slot_->connection.get(); }

 private:
  Pool* pool_;
  detail::PoolSlot* slot_;
};

class Pool {
 public:
  Pool(boost::asio::any_io_executor executor, std::string conninfo, PoolOptions options);
  ~Pool();
  Pool(const Pool&) = delete;
  Pool& operator=(const Pool&) = delete;

  // A whole connection. Errors, by kind:
  //  - kBusy: none freed up in time (code "pool-timeout") or too many
  //    requests are waiting ("pool-full");
  //  - kUnavailable: no connection could be opened ("connect", or the
  //    SQLSTATE of a failing on_connect statement), or the pool is closed
  //    ("shutdown").
  boost::asio::awaitable<Result<Lease>> Acquire(std::string_view caller = {});

  // Runs one self-contained transaction (no BEGIN; see AsyncConnection::Submit)
  // on a connection it may share. Errors as for Acquire, or kUnavailable
  // (08006) when the connection broke under it, or kTimeout ("deadline")
  // when it was given up at PoolOptions::deadline.
  // `caller` names whom the work is for (e.g. a user), for fairness: see
  // PoolOptions::reserve. Empty: nobody in particular (no reserve).
  boost::asio::awaitable<Result<PipelineOutcome>> Submit(std::vector<Statement> statements,
                                                         std::string_view caller = {});

  // Drops idle connections and refuses new work (shutdown); connections in
  // use close when their work ends.
  void Close();
  // Replaces every connection (after a schema change, so that no prepared
  // statement of the old schema lingers): idle ones close now, busy ones
  // once their work ends; new work gets new connections.
  void Recycle();
  size_t Open() const { return slots_.size() + opening_; }
  PoolStats Stats() const;

 private:
  friend class Lease;
  enum class Want { kWhole, kShare };
  struct Waiter {
    explicit Waiter(boost::asio::any_io_executor executor) : wake(std::move(executor)) {}
    boost::asio::steady_timer wake;
    bool woken = false;
  };

  boost::asio::awaitable<Result<detail::PoolSlot*>> Take(Want want, std::string_view caller);
  detail::PoolSlot* FindSlot(Want want) const;
  // Whether `caller` may open a reserve connection now: all are taken, and
  // none is held up by a transaction of theirs.
  bool MayOpenReserve(std::string_view caller) const;
  void StartWatchdog();
  void AbortOverdue();
  boost::asio::awaitable<Result<detail::PoolSlot*>> OpenSlot();
  // A slot's work ended: drop it when broken or closing, then let the
  // oldest waiter try again.
  void Released(detail::PoolSlot* slot);
  void WakeOldest();

  boost::asio::any_io_executor executor_;
  std::string conninfo_;
  PoolOptions options_;
  std::vector<std::unique_ptr<detail::PoolSlot>> slots_;
  size_t opening_ = 0;
  std::deque<std::shared_ptr<Waiter>> waiters_;
  bool closed_ = false;
  uint64_t waits_ = 0;
  uint64_t timeouts_ = 0;
  std::shared_ptr<boost::asio::steady_timer> watchdog_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace agentbase::db
