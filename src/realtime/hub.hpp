#pragma once
// Every joined channel of every socket, by topic: broadcast fan-out,
// presence, and postgres_changes delivery. One Hub per server, used only
// from the event-loop thread.
//
// A channel member is registered only after its join reply has been queued,
// so nothing reaches a topic before the client knows its join succeeded
// (before that, the client's "*" bindings would take every change).

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "realtime/change.hpp"
#include "realtime/filter.hpp"
#include "realtime/presence.hpp"
#include "realtime/protocol.hpp"

namespace agentbase::realtime {

// One postgres_changes entry of a join.
struct Binding {
  int64_t id = 0;                    // the id sent back in the join reply; never 0
  std::string event;                 // upper case: *, INSERT, UPDATE, DELETE
  std::string schema;                // "*": any
  std::optional<std::string> table;  // absent or "*": any table of the schema
  std::optional<Filter> filter;
  // Only these columns (and the primary key) are sent; absent: all.
  std::optional<std::vector<std::string>> select;
  bool usable = true;  // false: refused at join (a system error said why); matches nothing
};

// What identifies a postgres_changes entry: what the client compares of it
// (event, schema, table, filter), as one text.
std::string BindingParams(const boost::json::value& entry);

// The id of an entry, as Supabase's (phash2 of the params): a hash of its
// params in 1 .. kMaxBindingId. Alike subscriptions get alike ids on every
// socket, so the members of a topic that subscribed alike share one frame
// per change.
constexpr int64_t kMaxBindingId = (int64_t{1} << 27) - 1;
int64_t BindingId(std::string_view params);

// Whether a change of `change`'s table and kind passes the binding,
// filter included (on old_record for a DELETE).
bool BindingMatches(const Binding& binding, const Change& change);

// The socket a member sends on.
class Outlet {
 public:
  virtual ~Outlet() = default;
  virtual Serializer serializer() const = 0;
  virtual void SendText(std::shared_ptr<const std::string> frame) = 0;
  virtual void SendBinary(std::shared_ptr<const std::string> frame) = 0;
};

// One joined channel on one socket.
struct Member {
  uint64_t id = 0;  // unique in the hub
  Outlet* outlet = nullptr;
  std::string topic;  // realtime:<name>
  std::string join_ref;
  bool broadcast_self = false;
  bool presence_enabled = false;
  std::string presence_key;
  std::vector<Binding> bindings;
  std::shared_ptr<const ChangeSubscriber> subscriber;  // whose rights decide which changes it sees
};

// A user broadcast: `payload` is JSON text when `json`, else raw bytes.
struct Broadcast {
  std::string event;
  bool json = true;
  std::string payload;
};

// What the hub has done since the server started (read by /metrics).
struct HubStats {
  uint64_t changes_received = 0;      // from the change feed
  uint64_t changes_dropped = 0;       // past kMaxQueuedChanges
  uint64_t changes_withheld = 0;      // the authorizer failed: nobody got them
  uint64_t change_deliveries = 0;     // postgres_changes messages sent
  uint64_t broadcast_deliveries = 0;  // broadcast messages sent
  uint64_t presence_deliveries = 0;   // presence_diff messages sent
};

class Hub {
 public:
  // Changes queued beyond this many are dropped (logged): the feed cannot
  // be slowed down, and memory must stay bounded.
  static constexpr size_t kMaxQueuedChanges = 100'000;
  // Queued changes judged together at most (one authorizer round trip).
  static constexpr size_t kMaxBatch = 64;

  explicit Hub(boost::asio::any_io_executor executor, std::shared_ptr<Authorizer> authorizer = nullptr);

  // Without an authorizer no postgres change is delivered (fail closed).
  void SetAuthorizer(std::shared_ptr<Authorizer> authorizer) { authorizer_ = std::move(authorizer); }

  uint64_t NextMemberId() { return ++last_member_id_; }

  void Add(std::shared_ptr<Member> member);
  // Removes the member; if it was present, the others get the leave.
  void Remove(const Member& member);

  // To every member of `topic` but `sender` (unless its broadcast_self);
  // `sender` may be null (REST). Vsn-2 sockets get a binary kind-4 frame,
  // vsn-1 sockets JSON (raw-byte payloads cannot reach them).
  void SendBroadcast(const std::string& topic, const Broadcast& broadcast, const Member* sender);

  // presence_diff to every member of the topic, the tracker included.
  void Track(Member& member, boost::json::object meta);
  void Untrack(const Member& member);
  boost::json::object PresenceState(const std::string& topic) const;

  // One committed change: to every member with a matching binding whose
  // subscriber the authorizer lets see it, one postgres_changes message per
  // member with the ids of its matching bindings (members whose messages
  // come out alike share one). Completes once sent;
  // awaited change after change, it keeps commit order.
  boost::asio::awaitable<void> Publish(std::shared_ptr<const Change> change);
  // Several changes, in order, judged in one call of the authorizer.
  boost::asio::awaitable<void> PublishBatch(std::vector<std::shared_ptr<const Change>> changes);
  // Queues a change for Publish; queued changes are published one at a
  // time, in the order submitted (the ChangeListener the feed calls).
  void Submit(std::shared_ptr<const Change> change);
  size_t QueuedChanges() const { return queued_.size(); }

  size_t MemberCount() const { return members_.size(); }
  const HubStats& Stats() const { return stats_; }

 private:
  void SendPresenceDiff(const std::string& topic, const boost::json::object& diff);
  static boost::asio::awaitable<void> PublishQueued(Hub* hub);

  boost::asio::any_io_executor executor_;
  std::shared_ptr<Authorizer> authorizer_;
  std::deque<std::shared_ptr<const Change>> queued_;
  bool publishing_ = false;
  HubStats stats_;
  uint64_t last_member_id_ = 0;
  std::unordered_map<uint64_t, std::shared_ptr<Member>> members_;
  std::unordered_map<std::string, std::vector<uint64_t>> topics_;  // member ids by topic
  std::unordered_map<std::string, PresenceRegistry> presence_;     // by topic
};

// The data of a postgres_changes message: {schema, table, type,
// commit_timestamp, columns, record / old_record, errors}; `primary_key` is
// the table's (Verdict::primary_key).
boost::json::object ChangeData(const Change& change, const std::vector<std::string>& primary_key);

// `data` (from ChangeData) with columns, record and old_record cut down to
// `columns` and the primary key.
boost::json::object SelectColumns(const boost::json::object& data, const std::vector<std::string>& columns,
                                  const std::vector<std::string>& primary_key);

}  // namespace agentbase::realtime
