#pragma once
// A nonblocking libpq connection driven by the Asio event loop, in pipeline
// mode: a request's statements go out together and come back in one round
// trip, and several requests' submissions may be in flight on one connection
// at once (each ended by its own Sync, so they stay independent).

#include <libpq-fe.h>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <deque>
#include <list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "db/connection.hpp"
#include "util/result.hpp"

namespace agentbase::db {

struct Statement {
  std::string sql;
  Params params;  // text parameters, bound as unknown-typed ($1, $2, ...)
  // Worth preparing once per connection and reusing (SQL that repeats with
  // other parameter values), when the connection prepares statements.
  bool reuse = false;
  // The indexes of parameters in PostgreSQL's binary format rather than
  // text: their type is the one the SQL casts them to (e.g. $3::real[]),
  // and they may hold any byte.
  std::vector<size_t> binary_params = {};
};

struct PipelineOutcome {
  std::vector<PgResult> results;  // one per statement, in order, up to the failure
  std::optional<Error> failure;   // the first statement error (SQLSTATE, message, detail, hint)
  size_t failed_statement = 0;    // index of the statement that failed; the statement
                                  // count when the implicit transaction failed to commit
};

// A submission with a NUL byte in a statement or parameter (HasNulByte)
// fails as PostgreSQL fails such input (22021), before anything is sent:
// libpq would cut it short ("x\0y" would match "x").
std::optional<PipelineOutcome> RefuseNulBytes(const std::vector<Statement>& statements);

class AsyncConnection {
 public:
  // Connects without blocking the loop (apart from host name resolution:
  // prefer unix sockets or hostaddr).
  static boost::asio::awaitable<Result<std::unique_ptr<AsyncConnection>>> Connect(boost::asio::any_io_executor executor,
                                                                                  std::string conninfo);
  ~AsyncConnection();
  AsyncConnection(const AsyncConnection&) = delete;
  AsyncConnection& operator=(const AsyncConnection&) = delete;

  // Sends the statements and one Sync, and returns when the Sync's answer
  // arrives. Other submissions may be in flight on the connection meanwhile:
  // each gets exactly its own results, in order. Without an explicit BEGIN,
  // the statements form one implicit transaction that PostgreSQL commits at
  // the Sync, or rolls back whole on an error (the rest is skipped), so an
  // error never reaches the next submission. A statement error is a value in
  // the outcome; an Error result means the connection broke.
  // `caller` names who the submission is for (the pool's fairness; may be
  // empty).
  boost::asio::awaitable<Result<PipelineOutcome>> Submit(std::vector<Statement> statements, std::string caller = {});

  // Submit, for a connection used by one caller at a time (explicit BEGIN
  // and a COMMIT decided later): an explicit transaction left aborted by an
  // error is rolled back before returning; one left open on purpose stays.
  boost::asio::awaitable<Result<PipelineOutcome>> Run(std::vector<Statement> statements, std::string caller = {});

  // Waits for the next NOTIFY on a channel this connection LISTENs to and
  // returns its payload.
  boost::asio::awaitable<Result<std::string>> WaitForNotification();

  // From now on, statements marked `reuse` are prepared (named) on first use
  // and executed by name afterwards, at most `limit` per connection: beyond
  // it the least recently used one is deallocated first, so a client that
  // sends ever new request shapes cannot grow the backend's memory. Like
  // PostgREST's db-prepared-statements; not for poolers in transaction mode.
  void PrepareStatements(size_t limit) { prepare_limit_ = limit; }
  // Longer statements run unnamed: rare shapes whose plans are the largest.
  static constexpr size_t kMaxPreparedSqlBytes = 16 * 1024;

  // Whether it can go back to the pool: connected, idle, nothing pending.
  bool Reusable() const;
  bool Broken() const;
  int BackendPid() const { return PQbackendPID(conn_); }
  // Submissions sent and not yet answered, and when the oldest was sent.
  size_t InFlight() const { return in_flight_.size(); }
  std::chrono::steady_clock::time_point OldestSentAt() const {
    return in_flight_.empty() ? std::chrono::steady_clock::time_point::max() : in_flight_.front()->sent_at;
  }
  // Whom the oldest submission in flight is for ("" when none).
  std::string_view OldestCaller() const {
    return in_flight_.empty() ? std::string_view() : std::string_view(in_flight_.front()->caller);
  }
  // Gives up on the connection (e.g. its backend is frozen past a deadline):
  // the oldest submission gets `reason`, the others a broken connection, and
  // nothing waits for the database any more.
  void Abort(Error reason);

 private:
  // One submission waiting for its answer; only the oldest reads results.
  struct InFlightSubmission {
    // Made only when the submission has to wait behind others; cancelled
    // when it becomes the oldest.
    std::optional<boost::asio::steady_timer> turn;
    std::chrono::steady_clock::time_point sent_at;
    std::string caller;
    void Wake() {
      if (turn) turn->cancel();
    }
  };

  AsyncConnection(boost::asio::any_io_executor executor, PGconn* conn);
  Status WatchSocket();
  boost::asio::awaitable<Status> WaitReadable();
  boost::asio::awaitable<Status> Flush();
  boost::asio::awaitable<Status> FlushOnce();
  void Break();
  void FinishOldest();
  boost::asio::awaitable<Result<PGresult*>> NextResult();
  // What a submission's results will be, in order: each statement's own,
  // preceded by its Prepare's when it is prepared in this submission.
  struct Expected {
    enum class Kind { kStatement, kPrepare, kDeallocate };
    size_t statement;
    Kind kind;
  };
  // How one statement of a submission runs: by a name it already has, by a
  // name prepared now, or unnamed (neither).
  struct NamePlan {
    const std::string* existing = nullptr;
    bool prepare = false;
  };
  bool Preparable(const Statement& statement) const;
  // Looks each statement up once (touching it as recently used) and makes
  // room for the new ones under the limit, queueing the least recently used
  // for DEALLOCATE.
  std::vector<NamePlan> PlanNames(const std::vector<Statement>& statements);
  bool SendDeallocations(std::vector<Expected>& expected);
  bool Send(const Statement& statement, const NamePlan& plan, std::vector<Expected>& expected,
            std::vector<std::string>& new_names);
  boost::asio::awaitable<Result<PipelineOutcome>> Collect(const std::vector<Expected>& expected, size_t statements,
                                                          std::vector<bool>& prepared_ok);
  Error BrokenError(const std::string& what) const;

  boost::asio::any_io_executor executor_;
  PGconn* conn_;
  std::unique_ptr<boost::asio::posix::stream_descriptor> socket_;  // a dup of libpq's socket
  bool broken_ = false;
  std::optional<Error> abort_reason_;  // set by Abort
  bool flushing_ = false;
  std::deque<std::shared_ptr<InFlightSubmission>> in_flight_;
  size_t prepare_limit_ = 0;  // 0: never prepare
  struct PreparedStatement {
    std::string sql;
    std::string name;
  };
  std::list<PreparedStatement> prepared_lru_;  // most recently used first
  // SQL (a view of the entry's own) -> its entry.
  std::unordered_map<std::string_view, std::list<PreparedStatement>::iterator> prepared_;
  std::vector<std::string> to_deallocate_;  // names to DEALLOCATE before the next submission
  uint64_t next_statement_ = 0;
};

}  // namespace agentbase::db
