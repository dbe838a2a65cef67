#pragma once
// A nonblocking libpq connection driven by the Asio event loop, in pipeline
// mode: a request's statements (BEGIN, settings, query, COMMIT) go out
// together and come back in one round trip.

#include <libpq-fe.h>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "db/connection.hpp"
#include "util/result.hpp"

namespace agentbase::db {

struct Statement {
  std::string sql;
  Params params;  // text parameters, bound as unknown-typed ($1, $2, ...)
};

struct PipelineOutcome {
  std::vector<PgResult> results;   // one per statement, in order, up to the failure
  std::optional<Error> failure;    // the first statement error (SQLSTATE, message, detail, hint)
  size_t failed_statement = 0;     // index of the statement that failed
};

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
  // arrives. A statement error is a value in the outcome (the rest of the
  // pipeline is skipped by the server, and an open transaction is rolled
  // back before returning); an Error result means the connection broke.
  boost::asio::awaitable<Result<PipelineOutcome>> Run(std::vector<Statement> statements);

  // Waits for the next NOTIFY on a channel this connection LISTENs to and
  // returns its payload.
  boost::asio::awaitable<Result<std::string>> WaitForNotification();

  // Whether it can go back to the pool: connected, idle, nothing pending.
  bool Reusable() const;
  int BackendPid() const { return PQbackendPID(conn_); }

 private:
  AsyncConnection(boost::asio::any_io_executor executor, PGconn* conn);
  Status WatchSocket();
  boost::asio::awaitable<Status> WaitReadable();
  boost::asio::awaitable<Status> Flush();
  boost::asio::awaitable<Result<PGresult*>> NextResult();
  boost::asio::awaitable<Result<PipelineOutcome>> Collect(size_t statements);
  Error BrokenError(const std::string& what) const;

  boost::asio::any_io_executor executor_;
  PGconn* conn_;
  std::unique_ptr<boost::asio::posix::stream_descriptor> socket_;  // a dup of libpq's socket
  bool broken_ = false;
};

}  // namespace agentbase::db
