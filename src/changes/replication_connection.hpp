#pragma once
// A libpq connection in logical replication mode (replication=database),
// driven by the Asio event loop without blocking it: simple queries and
// replication commands before streaming, then the CopyBoth stream of
// START_REPLICATION (reading CopyData, sending status updates).
// Replication connections accept neither the extended protocol nor
// pipelines, hence a connection of its own kind beside db::AsyncConnection.

#include <libpq-fe.h>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "db/connection.hpp"
#include "util/result.hpp"

namespace agentbase::changes {

class ReplicationConnection {
 public:
  // `conninfo` is an ordinary connection string (URL or key=value): the
  // connection asks for replication=database, and for the session settings
  // pgoutput's text values depend on (UTC, ISO dates, exact floats).
  static boost::asio::awaitable<Result<std::unique_ptr<ReplicationConnection>>> Connect(
      boost::asio::any_io_executor executor, const std::string& conninfo);
  ~ReplicationConnection();
  ReplicationConnection(const ReplicationConnection&) = delete;
  ReplicationConnection& operator=(const ReplicationConnection&) = delete;

  // A simple-protocol query or replication command (no parameters: quote
  // literals yourself); its last result.
  boost::asio::awaitable<Result<db::PgResult>> Query(std::string sql);

  // Sends START_REPLICATION (or anything that enters CopyBoth).
  boost::asio::awaitable<Status> StartCopyBoth(std::string sql);
  // The next CopyData message of the stream. An Error when the stream or
  // the connection ends (its message says why: the server's error, if any).
  boost::asio::awaitable<Result<std::string>> ReadCopyData();
  // Queues a CopyData message to the server and sends it.
  boost::asio::awaitable<Status> WriteCopyData(std::string_view bytes);

  // Cancels whatever waits on the socket (for Stop): the waiter gets an error.
  void Cancel();
  int BackendPid() const { return PQbackendPID(conn_); }

 private:
  ReplicationConnection(boost::asio::any_io_executor executor, PGconn* conn)
      : executor_(std::move(executor)), conn_(conn) {}
  Status WatchSocket();
  boost::asio::awaitable<Status> WaitReadable();
  boost::asio::awaitable<Status> Flush();
  Error Broken(const std::string& what) const;

  boost::asio::any_io_executor executor_;
  PGconn* conn_;
  std::unique_ptr<boost::asio::posix::stream_descriptor> socket_;  // a dup of libpq's socket
  bool cancelled_ = false;
};

}  // namespace agentbase::changes
