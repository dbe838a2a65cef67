#pragma once
// The change feed: committed row changes of the tables in a publication
// (Supabase's supabase_realtime), read through logical replication with the
// built-in pgoutput plugin, delivered one at a time, in commit order, to a
// callback on the feed's executor.
//
// Slot. The feed uses a permanent logical replication slot of its own name
// (FeedOptions::slot), not a temporary one: when the replication connection
// drops (a killed backend, a network cut, a database restart), the slot
// keeps every change committed meanwhile and the feed resumes from it, so a
// subscribed client loses nothing. Changes the server sends again (those
// after the last acknowledgement) are recognised by their commit LSN and not
// delivered twice. When the feed starts it drops a slot of that name left
// behind by an earlier process (nobody is subscribed to those changes any
// more); Stop() drops the slot. A process that dies leaves the slot until
// the next start: the WAL it holds back is bounded by max_slot_wal_keep_size
// (the embedded cluster sets it; on Supabase, its own setting), beyond which
// PostgreSQL invalidates the slot. A slot that was lost or invalidated is
// created anew and reported as FeedState::kGap: changes in between may be
// missing.
//
// Acknowledgement. After the callback returned for every change of a
// transaction, its end LSN counts as flushed; the feed reports it when the
// server asks (keepalives) and at most every status_interval while changes
// flow, so the server can recycle WAL.
//
// Memory: one change at a time (the callback gets each as it is decoded;
// nothing is buffered per transaction), the announced relations and types.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "changes/change.hpp"
#include "changes/change_stream.hpp"
#include "util/result.hpp"

namespace agentbase::changes {

struct FeedOptions {
  // An ordinary connection string (URL or key=value); the feed adds
  // replication=database. Its user needs the REPLICATION attribute (or to be
  // a superuser) and a pg_hba.conf line that allows replication connections.
  std::string conninfo;
  std::string publication = "supabase_realtime";
  // Lower-case letters, digits and '_', at most 63: one per serving process
  // (two processes on one database need two names).
  std::string slot = "agentbase_realtime";
  StreamOptions stream;
  std::chrono::milliseconds status_interval{1000};
  // Waits between reconnection attempts: first_retry, doubling up to max_retry.
  std::chrono::milliseconds first_retry{100};
  std::chrono::milliseconds max_retry{5000};
};

enum class FeedState {
  kStreaming,     // connected and streaming from the slot
  kReconnecting,  // the connection failed or dropped (see FeedStatus::error); retrying
  kGap,           // the slot was gone and was created anew: changes may have been missed
};

struct FeedStatus {
  FeedState state = FeedState::kStreaming;
  std::optional<Error> error;  // why, for kReconnecting and kGap
};

class Feed {
 public:
  using OnChange = std::function<void(Change)>;
  using OnStatus = std::function<void(const FeedStatus&)>;

  // Checks the options; Start begins streaming.
  static Result<std::unique_ptr<Feed>> Create(boost::asio::any_io_executor executor, FeedOptions options,
                                              OnChange on_change, OnStatus on_status = {});
  // Stops without waiting (the slot stays until the next start): call Stop
  // first to drop it.
  ~Feed();
  Feed(const Feed&) = delete;
  Feed& operator=(const Feed&) = delete;

  // Starts the feed's coroutine on the executor; it connects, creates the
  // slot and streams, reconnecting after failures until Stop.
  void Start();
  // Ends streaming and drops the slot.
  boost::asio::awaitable<Status> Stop();

  // The end LSN of the last transaction whose changes were all delivered.
  uint64_t DeliveredLsn() const;
  // The backend serving the replication connection (0 when not connected);
  // for tests that kill it.
  int BackendPid() const;

  struct State;

 private:
  explicit Feed(std::shared_ptr<State> state) : state_(std::move(state)) {}
  std::shared_ptr<State> state_;
};

}  // namespace agentbase::changes
