#include "db/async_connection.hpp"

#include <unistd.h>

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/container/small_vector.hpp>

#include "db/conninfo.hpp"
#include "util/text.hpp"
#include "util/utf8.hpp"

namespace agentbase::db {

namespace asio = boost::asio;
using asio::awaitable;
using Descriptor = asio::posix::stream_descriptor;

namespace {

constexpr auto kAwait = asio::as_tuple(asio::use_awaitable);

}  // namespace

AsyncConnection::AsyncConnection(asio::any_io_executor executor, PGconn* conn)
    : executor_(std::move(executor)), conn_(conn) {}

AsyncConnection::~AsyncConnection() {
  // Our descriptor is a dup: close it before libpq closes the original.
  if (socket_) {
    boost::system::error_code ignored;
    socket_->close(ignored);
  }
  PQfinish(conn_);
}

Status AsyncConnection::WatchSocket() {
  int fd = PQsocket(conn_);
  if (fd < 0) return Error::Make("connection has no socket", "08006");
  int copy = dup(fd);
  if (copy < 0) return Error::Make("dup failed", "08006");
  if (socket_) {
    boost::system::error_code ignored;
    socket_->close(ignored);
  }
  socket_ = std::make_unique<Descriptor>(executor_, copy);
  return Ok();
}

Error AsyncConnection::BrokenError(const std::string& what) const {
  Error error = Error::Make(what + ": " + OneLine(PQerrorMessage(conn_)), "08006");
  return error;
}

awaitable<Result<std::unique_ptr<AsyncConnection>>> AsyncConnection::Connect(asio::any_io_executor executor,
                                                                             std::string conninfo) {
  auto valid = ValidateConninfo(conninfo);
  if (!valid) co_return valid.error();
  PGconn* raw = PQconnectStart(valid->c_str());
  if (raw == nullptr) throw std::bad_alloc();
  std::unique_ptr<AsyncConnection> connection(new AsyncConnection(executor, raw));
  if (PQstatus(raw) == CONNECTION_BAD) co_return DescribeConnectFailure(PQerrorMessage(raw), conninfo);
  PostgresPollingStatusType polling = PGRES_POLLING_WRITING;
  int watched_fd = -1;
  while (polling != PGRES_POLLING_OK) {
    if (polling == PGRES_POLLING_FAILED) co_return DescribeConnectFailure(PQerrorMessage(raw), conninfo);
    // libpq may switch sockets while connecting (e.g. trying the next host).
    if (PQsocket(raw) != watched_fd) {
      if (auto watched = connection->WatchSocket(); !watched) co_return watched.error();
      watched_fd = PQsocket(raw);
    }
    auto wait = polling == PGRES_POLLING_READING ? Descriptor::wait_read : Descriptor::wait_write;
    auto [ec] = co_await connection->socket_->async_wait(wait, kAwait);
    if (ec) co_return Error::Make("waiting for the database connection failed: " + ec.message(), "08006");
    polling = PQconnectPoll(raw);
  }
  if (auto watched = connection->WatchSocket(); !watched) co_return watched.error();
  if (PQsetnonblocking(raw, 1) != 0 || PQenterPipelineMode(raw) != 1) {
    co_return connection->BrokenError("cannot enter pipeline mode");
  }
  PQsetNoticeProcessor(
      raw, [](void*, const char*) {}, nullptr);
  co_return connection;
}

bool AsyncConnection::Broken() const { return broken_ || PQstatus(conn_) != CONNECTION_OK; }

bool AsyncConnection::Reusable() const {
  return !Broken() && in_flight_.empty() && PQtransactionStatus(conn_) == PQTRANS_IDLE && !PQisBusy(conn_);
}

void AsyncConnection::Break() {
  broken_ = true;
  // Everyone waiting for a turn learns it now instead of waiting for results
  // that will never come.
  for (auto& submission : in_flight_) submission->Wake();
}

void AsyncConnection::FinishOldest() {
  in_flight_.pop_front();
  if (!in_flight_.empty()) in_flight_.front()->Wake();
}

void AsyncConnection::Abort(Error reason) {
  if (broken_) return;
  abort_reason_ = std::move(reason);
  Break();
  if (socket_) {
    boost::system::error_code ignored;
    socket_->cancel(ignored);  // whoever waits on the socket learns it now
  }
}

awaitable<Status> AsyncConnection::WaitReadable() {
  auto [ec] = co_await socket_->async_wait(Descriptor::wait_read, kAwait);
  if (abort_reason_) co_return *abort_reason_;
  if (ec) co_return Error::Make("database socket: " + ec.message(), "08006");
  if (PQconsumeInput(conn_) != 1) co_return BrokenError("lost the database connection");
  co_return Ok();
}

awaitable<Status> AsyncConnection::FlushOnce() {
  using namespace asio::experimental::awaitable_operators;
  while (true) {
    int pending = PQflush(conn_);
    if (pending == 0) co_return Ok();
    if (pending < 0) co_return BrokenError("sending to the database failed");
    // The server may be blocked writing to us: read while we wait to write.
    auto ready = co_await (socket_->async_wait(Descriptor::wait_write, kAwait) ||
                           socket_->async_wait(Descriptor::wait_read, kAwait));
    if (abort_reason_) co_return *abort_reason_;
    if (ready.index() == 1 && PQconsumeInput(conn_) != 1) co_return BrokenError("lost the database connection");
  }
}

awaitable<Status> AsyncConnection::Flush() {
  // One flusher at a time: whatever others queue while it waits goes out
  // with its next PQflush.
  if (flushing_) co_return Ok();
  flushing_ = true;
  auto flushed = co_await FlushOnce();
  flushing_ = false;
  co_return flushed;
}

awaitable<Result<PGresult*>> AsyncConnection::NextResult() {
  while (PQisBusy(conn_)) {
    if (auto readable = co_await WaitReadable(); !readable) co_return readable.error();
  }
  co_return PQgetResult(conn_);
}

awaitable<Result<PipelineOutcome>> AsyncConnection::Collect(const std::vector<Expected>& expected, size_t statements,
                                                            std::vector<bool>& prepared_ok) {
  PipelineOutcome outcome;
  for (const Expected& next : expected) {
    // Each Prepare and each statement yields its result, then a null.
    auto first = co_await NextResult();
    if (!first) co_return first.error();
    if (*first == nullptr) co_return BrokenError("the pipeline ended early");
    PgResult result(*first);
    auto status = PQresultStatus(*first);
    if (status == PGRES_FATAL_ERROR && !outcome.failure) {
      outcome.failure = ErrorFromResult(*first, conn_);
      outcome.failed_statement = next.statement;
    } else if (next.kind == Expected::Kind::kPrepare) {
      prepared_ok[next.statement] = status == PGRES_COMMAND_OK;
    } else if (next.kind == Expected::Kind::kDeallocate) {
      // Nothing to read; a failure was reported above.
    } else if (status == PGRES_TUPLES_OK || status == PGRES_COMMAND_OK) {
      outcome.results.push_back(std::move(result));
    }
    auto end = co_await NextResult();
    if (!end) co_return end.error();
    if (*end != nullptr) {
      PQclear(*end);
      co_return BrokenError("unexpected extra result in the pipeline");
    }
  }
  // Then the Sync's answer. When the implicit transaction fails to commit
  // (a deferred constraint, a serialization failure), its error comes first.
  bool saw_commit_error = false;
  while (true) {
    auto next = co_await NextResult();
    if (!next) co_return next.error();
    if (*next == nullptr) {
      // Only the commit error's own end-of-result null is expected here.
      if (!saw_commit_error) co_return BrokenError("pipeline lost its sync");
      saw_commit_error = false;
      continue;
    }
    PgResult result(*next);
    auto status = PQresultStatus(*next);
    if (status == PGRES_PIPELINE_SYNC) break;
    if (status != PGRES_FATAL_ERROR || saw_commit_error) co_return BrokenError("pipeline lost its sync");
    saw_commit_error = true;
    if (!outcome.failure) {
      outcome.failure = ErrorFromResult(*next, conn_);
      outcome.failed_statement = statements;
    }
  }
  co_return outcome;
}

bool AsyncConnection::Preparable(const Statement& statement) const {
  return statement.reuse && prepare_limit_ > 0 && statement.sql.size() <= kMaxPreparedSqlBytes;
}

std::vector<AsyncConnection::NamePlan> AsyncConnection::PlanNames(const std::vector<Statement>& statements) {
  std::vector<NamePlan> plan(statements.size());
  if (prepare_limit_ == 0) return plan;
  size_t found = 0;
  size_t misses = 0;
  for (size_t index = 0; index < statements.size(); ++index) {
    if (!Preparable(statements[index])) continue;
    if (auto entry = prepared_.find(statements[index].sql); entry != prepared_.end()) {
      prepared_lru_.splice(prepared_lru_.begin(), prepared_lru_, entry->second);
      plan[index].existing = &entry->second->name;
      ++found;
    } else {
      plan[index].prepare = true;
      ++misses;
    }
  }
  // Least recently used out first; this submission's own are at the front.
  while (prepared_lru_.size() > found && prepared_lru_.size() + misses > prepare_limit_) {
    to_deallocate_.push_back(std::move(prepared_lru_.back().name));
    prepared_.erase(prepared_lru_.back().sql);  // before the node that holds the key goes
    prepared_lru_.pop_back();
  }
  // More new statements than the limit holds: the rest run unnamed.
  size_t room = prepare_limit_ - std::min(prepare_limit_, prepared_lru_.size());
  for (auto& entry : plan) {
    if (!entry.prepare) continue;
    if (room == 0)
      entry.prepare = false;
    else
      --room;
  }
  return plan;
}

bool AsyncConnection::SendDeallocations(std::vector<Expected>& expected) {
  for (const auto& name : to_deallocate_) {
    std::string sql = "DEALLOCATE " + name;
    if (PQsendQueryParams(conn_, sql.c_str(), 0, nullptr, nullptr, nullptr, nullptr, 0) != 1) return false;
    expected.push_back({0, Expected::Kind::kDeallocate});
  }
  to_deallocate_.clear();
  return true;
}

bool AsyncConnection::Send(const Statement& statement, const NamePlan& plan, std::vector<Expected>& expected,
                           std::vector<std::string>& new_names) {
  size_t index = new_names.size();
  new_names.emplace_back();
  // The parameters as C strings; a request has only a few.
  boost::container::small_vector<const char*, 8> values;
  for (const auto& param : statement.params) values.push_back(param ? param->c_str() : nullptr);
  int count = static_cast<int>(values.size());
  // Lengths and formats only when a parameter is binary (libpq reads text
  // parameters up to their NUL).
  boost::container::small_vector<int, 8> lengths;
  boost::container::small_vector<int, 8> formats;
  if (!statement.binary_params.empty()) {
    lengths.assign(values.size(), 0);
    formats.assign(values.size(), 0);
    for (size_t index : statement.binary_params) {
      if (index >= values.size() || !statement.params[index]) continue;
      lengths[index] = static_cast<int>(statement.params[index]->size());
      formats[index] = 1;
    }
  }
  const int* param_lengths = lengths.empty() ? nullptr : lengths.data();
  const int* param_formats = formats.empty() ? nullptr : formats.data();
  const std::string* name = plan.existing;
  if (plan.prepare) {
    // Recorded as prepared only once PostgreSQL has said so (see Submit).
    new_names[index] = "agentbase_" + std::to_string(++next_statement_);
    name = &new_names[index];
    if (PQsendPrepare(conn_, name->c_str(), statement.sql.c_str(), count, nullptr) != 1) return false;
    expected.push_back({index, Expected::Kind::kPrepare});
  }
  expected.push_back({index, Expected::Kind::kStatement});
  if (name != nullptr) {
    return PQsendQueryPrepared(conn_, name->c_str(), count, values.data(), param_lengths, param_formats, 0) == 1;
  }
  return PQsendQueryParams(conn_, statement.sql.c_str(), count, nullptr, values.data(), param_lengths, param_formats,
                           0) == 1;
}

std::optional<PipelineOutcome> RefuseNulBytes(const std::vector<Statement>& statements) {
  for (size_t index = 0; index < statements.size(); ++index) {
    if (!HasNulByte(statements[index].sql, statements[index].params, statements[index].binary_params)) continue;
    PipelineOutcome outcome;
    outcome.failure = NulByteError();
    outcome.failed_statement = index;
    return outcome;
  }
  return std::nullopt;
}

awaitable<Result<PipelineOutcome>> AsyncConnection::Submit(std::vector<Statement> statements, std::string caller) {
  if (Broken()) co_return BrokenError("the database connection is broken");
  if (auto refused = RefuseNulBytes(statements)) co_return std::move(*refused);
  std::vector<Expected> expected;
  expected.reserve(statements.size() * 2);
  std::vector<std::string> new_names;
  new_names.reserve(statements.size());
  std::vector<NamePlan> names = PlanNames(statements);
  // Deallocations go first, so nothing of this submission can abort them.
  if (!SendDeallocations(expected)) {
    Break();
    co_return BrokenError("cannot queue a statement");
  }
  for (size_t index = 0; index < statements.size(); ++index) {
    if (!Send(statements[index], names[index], expected, new_names)) {
      Break();
      co_return BrokenError("cannot queue a statement");
    }
  }
  if (PQpipelineSync(conn_) != 1) {
    Break();
    co_return BrokenError("cannot sync the pipeline");
  }
  auto submission = std::make_shared<InFlightSubmission>();
  submission->sent_at = std::chrono::steady_clock::now();
  submission->caller = std::move(caller);
  in_flight_.push_back(submission);
  auto flushed = co_await Flush();
  if (!flushed) {
    Break();
    co_return flushed.error();
  }
  // Results arrive in submission order: wait until every older one has read its own.
  while (in_flight_.front() != submission && !broken_) {
    if (!submission->turn) submission->turn.emplace(executor_, std::chrono::steady_clock::time_point::max());
    co_await submission->turn->async_wait(kAwait);
  }
  if (broken_) co_return BrokenError("the database connection broke");
  std::vector<bool> prepared_ok(statements.size(), false);
  auto outcome = co_await Collect(expected, statements.size(), prepared_ok);
  if (!outcome) {
    Break();
    co_return outcome.error();
  }
  FinishOldest();
  // Named statements outlive the transaction that prepared them, also one
  // that failed later on.
  for (size_t index = 0; index < statements.size(); ++index) {
    if (!prepared_ok[index]) continue;
    if (prepared_.contains(statements[index].sql)) {
      // Prepared by a submission pipelined alongside this one: one name is enough.
      to_deallocate_.push_back(std::move(new_names[index]));
      continue;
    }
    prepared_lru_.push_front({std::move(statements[index].sql), std::move(new_names[index])});
    prepared_.emplace(prepared_lru_.front().sql, prepared_lru_.begin());
  }
  co_return outcome;
}

awaitable<Result<PipelineOutcome>> AsyncConnection::Run(std::vector<Statement> statements, std::string caller) {
  auto outcome = co_await Submit(std::move(statements), std::move(caller));
  if (!outcome) co_return outcome;
  // A failed statement leaves an explicit transaction aborted: roll it back
  // now so the connection returns to the pool clean (one more round trip, on
  // errors only).
  if (in_flight_.empty() && PQtransactionStatus(conn_) == PQTRANS_INERROR) {
    std::vector<Statement> rollback;
    rollback.push_back({"ROLLBACK", {}});
    auto cleaned = co_await Submit(std::move(rollback));
    if (!cleaned) co_return cleaned.error();
  }
  co_return outcome;
}

awaitable<Result<std::string>> AsyncConnection::WaitForNotification() {
  while (true) {
    if (PGnotify* notification = PQnotifies(conn_)) {
      std::string payload = notification->extra ? notification->extra : "";
      PQfreemem(notification);
      co_return payload;
    }
    if (auto readable = co_await WaitReadable(); !readable) {
      Break();
      co_return readable.error();
    }
  }
}

}  // namespace agentbase::db
