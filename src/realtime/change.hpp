#pragma once
// How realtime meets the change feed (src/changes, a floor below), which
// reads committed changes from PostgreSQL; serve wires the two together.
//
//  - The feed calls a ChangeListener once per committed row change, in
//    commit order, on the server's event loop. Realtime queues the change
//    and handles its queue one change at a time: that is how order is kept.
//  - Realtime asks an Authorizer, once per change, which of the distinct
//    subscribers (role and JWT claims) may see it (DatabaseAuthorizer asks
//    changes::Authorizer, i.e. row level security; tests use their own).

#include <boost/asio/awaitable.hpp>
#include <boost/json/object.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "changes/change.hpp"
#include "util/result.hpp"

namespace agentbase::realtime {

// The change feed's changes (src/changes, a floor below).
using changes::Change;
using changes::ChangeColumn;
using changes::ChangeKind;

// One distinct subscriber identity: its role and its JWT claims.
struct ChangeSubscriber {
  std::string role;
  std::string claims_text;     // serialized once, for request.jwt.claims and to tell identities apart
  boost::json::object claims;  // the same, parsed (changes::Authorizer takes these)
  // std::hash of claims_text, computed once: every change compares the
  // claims of every member of a topic to ask about each identity once.
  size_t claims_hash = 0;
};

inline std::shared_ptr<const ChangeSubscriber> MakeChangeSubscriber(std::string role, std::string claims_text,
                                                                    boost::json::object claims) {
  size_t hash = std::hash<std::string>{}(claims_text);
  return std::make_shared<const ChangeSubscriber>(
      ChangeSubscriber{std::move(role), std::move(claims_text), std::move(claims), hash});
}

// Shared, never changed: a refreshed token replaces a member's subscriber
// while changes judged under the old one may still be in flight.
using Subscribers = std::vector<std::shared_ptr<const ChangeSubscriber>>;

struct Verdict {
  std::vector<bool> visible;  // one entry per subscriber asked about, in order
  // The table's primary key columns: a DELETE's old record is cut down to
  // them (the change's own primary_key is its replica identity, which names
  // every column under REPLICA IDENTITY FULL). Empty: the table has none.
  std::vector<std::string> primary_key;
};

class Authorizer {
 public:
  virtual ~Authorizer() = default;
  // For `change`, whether each of `subscribers` may see it. An error
  // withholds the change from all of them (it is logged); it never reaches
  // anyone unchecked.
  virtual boost::asio::awaitable<Result<Verdict>> Visible(std::shared_ptr<const Change> change,
                                                          Subscribers subscribers) = 0;
  // The same for several changes (one verdict per change, in order), so
  // that an authorizer can judge a backlog in one round trip; by default
  // one change after the other.
  virtual boost::asio::awaitable<Result<std::vector<Verdict>>> VisibleBatch(
      std::vector<std::shared_ptr<const Change>> changes, Subscribers subscribers);
};

// What the feed calls per change, in commit order (realtime's Hub::Submit
// behind it): it only queues, so a synchronous callback keeps the order.
using ChangeListener = std::function<void(std::shared_ptr<const Change>)>;

}  // namespace agentbase::realtime
