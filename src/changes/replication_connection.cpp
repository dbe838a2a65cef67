#include "changes/replication_connection.hpp"

#include <unistd.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "db/conninfo.hpp"
#include "util/text.hpp"

namespace agentbase::changes {

namespace asio = boost::asio;
using asio::awaitable;
using Descriptor = asio::posix::stream_descriptor;

namespace {

constexpr auto kAwait = asio::as_tuple(asio::use_awaitable);

// pgoutput writes values with the walsender's output functions, so these
// settings decide their text: timestamptz in UTC, ISO dates, floats exact.
constexpr const char* kSessionOptions =
    "-c TimeZone=UTC -c DateStyle=ISO -c IntervalStyle=postgres -c extra_float_digits=3";

struct Parameters {
  std::vector<std::string> keywords;
  std::vector<std::string> values;
};

Result<Parameters> ReplicationParameters(const std::string& conninfo) {
  auto valid = db::ValidateConninfo(conninfo);
  if (!valid) return valid.error();
  char* raw_error = nullptr;
  std::unique_ptr<PQconninfoOption, decltype(&PQconninfoFree)> options(PQconninfoParse(valid->c_str(), &raw_error),
                                                                       &PQconninfoFree);
  if (!options) {
    std::string message = raw_error != nullptr ? OneLine(raw_error) : "unparsable";
    PQfreemem(raw_error);
    return Error::Usage("invalid database URL: " + message);
  }
  Parameters parameters;
  std::string session_options = kSessionOptions;
  for (auto* option = options.get(); option->keyword != nullptr; ++option) {
    if (option->val == nullptr) continue;
    std::string keyword = option->keyword;
    if (keyword == "replication") continue;
    if (keyword == "options") {
      session_options = std::string(option->val) + " " + session_options;
      continue;
    }
    parameters.keywords.push_back(keyword);
    parameters.values.emplace_back(option->val);
  }
  parameters.keywords.emplace_back("replication");
  parameters.values.emplace_back("database");
  parameters.keywords.emplace_back("options");
  parameters.values.push_back(session_options);
  return parameters;
}

}  // namespace

ReplicationConnection::~ReplicationConnection() {
  if (socket_) {
    boost::system::error_code ignored;
    socket_->close(ignored);  // our dup, closed before libpq closes the original
  }
  PQfinish(conn_);
}

Error ReplicationConnection::Broken(const std::string& what) const {
  return Error::Unavailable(what + ": " + OneLine(PQerrorMessage(conn_)), "08006");
}

Status ReplicationConnection::WatchSocket() {
  int fd = PQsocket(conn_);
  if (fd < 0) return Error::Unavailable("replication connection has no socket", "08006");
  int copy = dup(fd);
  if (copy < 0) return Error::Unavailable("dup failed", "08006");
  if (socket_) {
    boost::system::error_code ignored;
    socket_->close(ignored);
  }
  socket_ = std::make_unique<Descriptor>(executor_, copy);
  return Ok();
}

awaitable<Result<std::unique_ptr<ReplicationConnection>>> ReplicationConnection::Connect(asio::any_io_executor executor,
                                                                                         const std::string& conninfo) {
  auto parameters = ReplicationParameters(conninfo);
  if (!parameters) co_return parameters.error();
  std::vector<const char*> keywords;
  std::vector<const char*> values;
  for (size_t i = 0; i < parameters->keywords.size(); ++i) {
    keywords.push_back(parameters->keywords[i].c_str());
    values.push_back(parameters->values[i].c_str());
  }
  keywords.push_back(nullptr);
  values.push_back(nullptr);
  PGconn* raw = PQconnectStartParams(keywords.data(), values.data(), 0);
  if (raw == nullptr) throw std::bad_alloc();
  std::unique_ptr<ReplicationConnection> connection(new ReplicationConnection(executor, raw));
  if (PQstatus(raw) == CONNECTION_BAD) co_return db::DescribeConnectFailure(PQerrorMessage(raw), conninfo);
  PostgresPollingStatusType polling = PGRES_POLLING_WRITING;
  int watched_fd = -1;
  while (polling != PGRES_POLLING_OK) {
    if (polling == PGRES_POLLING_FAILED) co_return db::DescribeConnectFailure(PQerrorMessage(raw), conninfo);
    if (PQsocket(raw) != watched_fd) {  // libpq may switch sockets while connecting
      if (auto watched = connection->WatchSocket(); !watched) co_return watched.error();
      watched_fd = PQsocket(raw);
    }
    auto wait = polling == PGRES_POLLING_READING ? Descriptor::wait_read : Descriptor::wait_write;
    auto [ec] = co_await connection->socket_->async_wait(wait, kAwait);
    if (ec) co_return Error::Unavailable("waiting for the replication connection failed: " + ec.message(), "08006");
    polling = PQconnectPoll(raw);
  }
  if (auto watched = connection->WatchSocket(); !watched) co_return watched.error();
  if (PQsetnonblocking(raw, 1) != 0) co_return connection->Broken("cannot make the connection nonblocking");
  PQsetNoticeProcessor(
      raw, [](void*, const char*) {}, nullptr);
  co_return connection;
}

void ReplicationConnection::Cancel() {
  cancelled_ = true;
  if (socket_) {
    boost::system::error_code ignored;
    socket_->cancel(ignored);
  }
}

awaitable<Status> ReplicationConnection::WaitReadable() {
  auto [ec] = co_await socket_->async_wait(Descriptor::wait_read, kAwait);
  if (cancelled_) co_return Error::Unavailable("the change feed is stopping", "shutdown");
  if (ec) co_return Error::Unavailable("replication socket: " + ec.message(), "08006");
  if (PQconsumeInput(conn_) != 1) co_return Broken("lost the replication connection");
  co_return Ok();
}

awaitable<Status> ReplicationConnection::Flush() {
  using namespace asio::experimental::awaitable_operators;
  while (true) {
    int pending = PQflush(conn_);
    if (pending == 0) co_return Ok();
    if (pending < 0) co_return Broken("sending to the database failed");
    // The server may be blocked writing to us: read while we wait to write.
    auto ready = co_await (socket_->async_wait(Descriptor::wait_write, kAwait) ||
                           socket_->async_wait(Descriptor::wait_read, kAwait));
    if (cancelled_) co_return Error::Unavailable("the change feed is stopping", "shutdown");
    if (ready.index() == 1 && PQconsumeInput(conn_) != 1) co_return Broken("lost the replication connection");
  }
}

awaitable<Result<db::PgResult>> ReplicationConnection::Query(std::string sql) {
  if (PQsendQuery(conn_, sql.c_str()) != 1) co_return Broken("sending a replication command failed");
  if (auto flushed = co_await Flush(); !flushed) co_return flushed.error();
  std::optional<db::PgResult> last;
  std::optional<Error> failure;
  while (true) {
    while (PQisBusy(conn_)) {
      if (auto readable = co_await WaitReadable(); !readable) co_return readable.error();
    }
    PGresult* result = PQgetResult(conn_);
    if (result == nullptr) break;
    db::PgResult owned(result);
    auto status = PQresultStatus(result);
    if (status == PGRES_FATAL_ERROR) {
      if (!failure) failure = db::ErrorFromResult(result, conn_);
    } else if (status == PGRES_COPY_BOTH || status == PGRES_COPY_IN || status == PGRES_COPY_OUT) {
      co_return Error::Internal("a query entered COPY: use StartCopyBoth");
    } else {
      last.emplace(std::move(owned));
    }
  }
  if (failure) co_return *failure;
  if (!last) co_return Error::Internal("no result from: " + sql);
  co_return std::move(*last);
}

awaitable<Status> ReplicationConnection::StartCopyBoth(std::string sql) {
  if (PQsendQuery(conn_, sql.c_str()) != 1) co_return Broken("sending START_REPLICATION failed");
  if (auto flushed = co_await Flush(); !flushed) co_return flushed.error();
  while (PQisBusy(conn_)) {
    if (auto readable = co_await WaitReadable(); !readable) co_return readable.error();
  }
  PGresult* result = PQgetResult(conn_);
  if (result == nullptr) co_return Broken("START_REPLICATION gave no answer");
  db::PgResult owned(result);
  if (PQresultStatus(result) == PGRES_COPY_BOTH) co_return Ok();
  Error error = db::ErrorFromResult(result, conn_);
  // Drain the rest so that the connection's state stays defined.
  while (PGresult* rest = PQgetResult(conn_)) PQclear(rest);
  co_return error;
}

awaitable<Result<std::string>> ReplicationConnection::ReadCopyData() {
  while (true) {
    char* buffer = nullptr;
    int length = PQgetCopyData(conn_, &buffer, 1);
    if (length > 0) {
      std::string data(buffer, static_cast<size_t>(length));
      PQfreemem(buffer);
      co_return data;
    }
    if (length == 0) {
      if (auto readable = co_await WaitReadable(); !readable) co_return readable.error();
      continue;
    }
    if (length == -2) co_return Broken("reading the replication stream failed");
    // -1: the server ended the stream; its result says why.
    std::optional<Error> failure;
    while (PGresult* result = PQgetResult(conn_)) {
      if (PQresultStatus(result) == PGRES_FATAL_ERROR && !failure) failure = db::ErrorFromResult(result, conn_);
      PQclear(result);
    }
    if (failure) co_return *failure;
    co_return Error::Unavailable("the server ended the replication stream", "08006");
  }
}

awaitable<Status> ReplicationConnection::WriteCopyData(std::string_view bytes) {
  while (true) {
    int queued = PQputCopyData(conn_, bytes.data(), static_cast<int>(bytes.size()));
    if (queued == 1) break;
    if (queued < 0) co_return Broken("sending a status update failed");
    // 0: libpq's buffer is full (nonblocking): send what it holds, then retry.
    if (auto flushed = co_await Flush(); !flushed) co_return flushed.error();
  }
  co_return co_await Flush();
}

}  // namespace agentbase::changes
