#include "changes/feed.hpp"

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <exception>

#include "changes/replication_connection.hpp"
#include "util/text.hpp"
#include "util/utf8.hpp"

namespace agentbase::changes {

namespace asio = boost::asio;
using asio::awaitable;

namespace {

constexpr auto kAwait = asio::as_tuple(asio::use_awaitable);

bool ValidName(const std::string& name) {
  if (name.empty() || name.size() > 63) return false;
  return std::all_of(name.begin(), name.end(),
                     [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'; });
}

}  // namespace

struct Feed::State {
  State(asio::any_io_executor executor_in, FeedOptions options_in, OnChange on_change_in, OnStatus on_status_in)
      : executor(executor_in),
        options(std::move(options_in)),
        on_change(std::move(on_change_in)),
        on_status(std::move(on_status_in)),
        stream(options.stream),
        retry_timer(executor_in),
        done(executor_in, asio::steady_timer::time_point::max()) {}

  void Report(FeedState state, std::optional<Error> error = std::nullopt) {
    if (on_status) on_status(FeedStatus{state, std::move(error)});
  }

  asio::any_io_executor executor;
  FeedOptions options;
  OnChange on_change;
  OnStatus on_status;
  ChangeStream stream;
  asio::steady_timer retry_timer;
  asio::steady_timer done;  // cancelled when the loop ends (Stop waits on it)
  bool running = false;
  bool stopping = false;
  bool types_loaded = false;
  bool slot_ready = false;  // this feed made (or resumed) its slot at least once
  bool streamed = false;    // the last session reached streaming
  ReplicationConnection* connection = nullptr;
  // The commit LSN of the last transaction delivered whole, and the LSN to
  // acknowledge after it.
  uint64_t delivered_commit_lsn = 0;
  uint64_t flushed_lsn = 0;
};

namespace {

using State = Feed::State;

// What the database says about the feed's prerequisites, in one query.
awaitable<Result<std::string>> PrepareSlot(std::shared_ptr<State> state, ReplicationConnection& connection) {
  const FeedOptions& options = state->options;
  auto facts = co_await connection.Query(
      "SELECT pg_catalog.current_setting('wal_level'), "
      "(SELECT count(*) FROM pg_catalog.pg_publication WHERE pubname = " +
      QuoteLiteral(options.publication) +
      "), "
      "(SELECT CASE WHEN s.database IS DISTINCT FROM current_database() THEN 'elsewhere:' || coalesce(s.database, '') "
      "WHEN s.active THEN 'active' WHEN s.wal_status = 'lost' THEN 'lost' ELSE 'idle' END "
      "FROM pg_catalog.pg_replication_slots s WHERE s.slot_name = " +
      QuoteLiteral(options.slot) + ")");
  if (!facts) co_return facts.error();
  if (facts->Get(0, 0) != "logical") {
    Error error = Error::Unavailable(
        "change capture needs wal_level=logical; the server has wal_level=" + facts->Text(0, 0), "55000");
    error.hint = "set wal_level = logical (ALTER SYSTEM SET wal_level = logical) and restart PostgreSQL";
    co_return error;
  }
  if (facts->Get(0, 1) == "0") {
    Error error = Error::NotFound("the publication " + options.publication + " does not exist", "42704");
    error.hint = "run agentbase db push (it creates supabase_realtime with the tables that publish changes)";
    co_return error;
  }
  std::string slot = facts->IsNull(0, 2) ? "missing" : facts->Text(0, 2);
  co_return slot;
}

awaitable<Status> SendStatus(ReplicationConnection& connection, uint64_t lsn) {
  co_return co_await connection.WriteCopyData(pgoutput::EncodeStandbyStatus(lsn, lsn, lsn, pgoutput::Now(), false));
}

// One connection's life: prepare the slot, stream until something fails.
// Always ends with an error (why it ended).
awaitable<Status> Session(std::shared_ptr<State> state) {
  const FeedOptions& options = state->options;
  auto connected = co_await ReplicationConnection::Connect(state->executor, options.conninfo);
  if (!connected) co_return connected.error();
  std::unique_ptr<ReplicationConnection> connection = std::move(*connected);
  state->connection = connection.get();
  struct Forget {
    State* state;
    ~Forget() { state->connection = nullptr; }
  } forget{state.get()};
  if (state->stopping) co_return Error::Unavailable("the change feed is stopping", "shutdown");

  auto slot = co_await PrepareSlot(state, *connection);
  if (!slot) co_return slot.error();
  if (StartsWith(*slot, "elsewhere:")) {
    co_return Error::Conflict("the replication slot " + options.slot + " belongs to another database (" +
                                  slot->substr(10) + "): give this feed another slot name",
                              "slot-in-use");
  }
  if (*slot == "active") {
    // On the first start another process streams from it; later, our own
    // old walsender may still be on its way out: either way, wait and retry.
    co_return Error::Conflict("the replication slot " + options.slot + " is in use by another connection",
                              "slot-in-use");
  }
  bool drop = (*slot == "idle" && !state->slot_ready) || *slot == "lost";
  bool create = drop || *slot == "missing";
  if (drop) {
    auto dropped = co_await connection->Query("DROP_REPLICATION_SLOT " + options.slot);
    if (!dropped) co_return dropped.error();
  }
  if (create) {
    auto created =
        co_await connection->Query("CREATE_REPLICATION_SLOT " + options.slot + " LOGICAL pgoutput NOEXPORT_SNAPSHOT");
    if (!created) co_return created.error();
    if (state->slot_ready) {
      state->Report(FeedState::kGap,
                    Error::Unavailable("the replication slot " + options.slot + " was " +
                                           (*slot == "lost" ? "invalidated" : "gone") +
                                           " and was created anew: changes committed meanwhile may be missing",
                                       "slot-lost"));
    }
  }
  state->slot_ready = true;
  if (!state->types_loaded) {
    // pgoutput announces user-defined types itself (Type messages); built-in
    // ones come from the catalog, whose OIDs below 16384 never change.
    auto types = co_await connection->Query("SELECT oid, typname FROM pg_catalog.pg_type WHERE oid < 16384");
    if (!types) co_return types.error();
    for (int row = 0; row < types->Rows(); ++row) {
      state->stream.AddTypeName(static_cast<uint32_t>(types->Int(row, 0)), types->Text(row, 1));
    }
    state->types_loaded = true;
  }
  state->stream.Reset();
  auto started = co_await connection->StartCopyBoth("START_REPLICATION SLOT " + options.slot +
                                                    " LOGICAL 0/0 (proto_version '1', publication_names " +
                                                    QuoteLiteral(options.publication) + ")");
  if (!started) co_return started.error();
  state->streamed = true;
  state->Report(FeedState::kStreaming);

  uint64_t acknowledged = 0;
  auto last_status = std::chrono::steady_clock::now();
  bool in_transaction = false;
  bool skipping = false;
  uint64_t transaction_lsn = 0;
  while (true) {
    auto data = co_await connection->ReadCopyData();
    if (!data) co_return data.error();
    if (state->stopping) co_return Error::Unavailable("the change feed is stopping", "shutdown");
    auto decoded = pgoutput::DecodeCopyData(*data);
    if (!decoded) co_return decoded.error();
    bool reply = false;
    if (auto* keepalive = std::get_if<pgoutput::Keepalive>(&*decoded)) {
      // Everything the server sent before the keepalive was read and, between
      // transactions, delivered: the WAL up to its position can go.
      if (!in_transaction) state->flushed_lsn = std::max(state->flushed_lsn, keepalive->wal_end);
      reply = keepalive->reply_requested;
    } else {
      auto step = state->stream.Consume(std::get<pgoutput::XLogData>(*decoded).message);
      if (!step) co_return step.error();
      switch (step->what) {
        case ChangeStream::Step::What::kBegin:
          in_transaction = true;
          transaction_lsn = step->lsn;
          // Sent again after a reconnect: already delivered.
          skipping = state->delivered_commit_lsn != 0 && step->lsn <= state->delivered_commit_lsn;
          break;
        case ChangeStream::Step::What::kChange:
          if (!skipping) state->on_change(std::move(*step->change));
          break;
        case ChangeStream::Step::What::kCommit:
          in_transaction = false;
          if (!skipping) state->delivered_commit_lsn = transaction_lsn;
          state->flushed_lsn = std::max(state->flushed_lsn, step->lsn);
          break;
        case ChangeStream::Step::What::kNone: break;
      }
      if (state->stopping) co_return Error::Unavailable("the change feed is stopping", "shutdown");
    }
    auto now = std::chrono::steady_clock::now();
    if (reply || (state->flushed_lsn > acknowledged && now - last_status >= options.status_interval)) {
      if (auto sent = co_await SendStatus(*connection, state->flushed_lsn); !sent) co_return sent.error();
      acknowledged = state->flushed_lsn;
      last_status = now;
    }
  }
}

awaitable<void> Run(std::shared_ptr<State> state) {
  auto delay = state->options.first_retry;
  while (!state->stopping) {
    state->streamed = false;
    auto ended = co_await Session(state);
    if (state->stopping) break;
    if (state->streamed) delay = state->options.first_retry;
    state->Report(FeedState::kReconnecting, ended.ok() ? std::nullopt : std::optional<Error>(ended.error()));
    state->retry_timer.expires_after(delay);
    co_await state->retry_timer.async_wait(kAwait);
    delay = std::min(delay * 2, state->options.max_retry);
  }
  state->running = false;
  state->done.cancel();
}

}  // namespace

Result<std::unique_ptr<Feed>> Feed::Create(asio::any_io_executor executor, FeedOptions options, OnChange on_change,
                                           OnStatus on_status) {
  if (!ValidName(options.slot)) {
    return Error::Usage("the replication slot name '" + options.slot +
                        "' must be 1 to 63 lower-case letters, digits or '_'");
  }
  if (options.publication.empty() || HasNulByte(options.publication)) {
    return Error::Usage("the publication name is empty or holds a NUL byte");
  }
  if (!on_change) return Error::Usage("the change feed needs a callback");
  auto state = std::make_shared<State>(executor, std::move(options), std::move(on_change), std::move(on_status));
  return std::unique_ptr<Feed>(new Feed(std::move(state)));
}

Feed::~Feed() {
  state_->stopping = true;
  state_->retry_timer.cancel();
  if (state_->connection != nullptr) state_->connection->Cancel();
}

void Feed::Start() {
  if (state_->running || state_->stopping) return;
  state_->running = true;
  asio::co_spawn(state_->executor, Run(state_), [](std::exception_ptr failure) {
    if (failure) std::rethrow_exception(failure);  // a bug (or the callback's): let run() report it
  });
}

awaitable<Status> Feed::Stop() {
  std::shared_ptr<State> state = state_;
  state->stopping = true;
  state->retry_timer.cancel();
  if (state->connection != nullptr) state->connection->Cancel();
  if (state->running) co_await state->done.async_wait(kAwait);
  if (!state->slot_ready) co_return Ok();
  auto connected = co_await ReplicationConnection::Connect(state->executor, state->options.conninfo);
  if (!connected) co_return connected.error();
  // WAIT: our walsender may take a moment to notice its connection closed.
  auto dropped = co_await (*connected)->Query("DROP_REPLICATION_SLOT " + state->options.slot + " WAIT");
  if (!dropped && dropped.error().code != "42704") co_return dropped.error();
  state->slot_ready = false;
  co_return Ok();
}

uint64_t Feed::DeliveredLsn() const { return state_->flushed_lsn; }

int Feed::BackendPid() const { return state_->connection != nullptr ? state_->connection->BackendPid() : 0; }

}  // namespace agentbase::changes
