#pragma once
// Who is present on one topic, in Phoenix Presence's shapes: a state maps
// each presence key to {"metas":[...]}, one meta per tracking channel
// member, each the tracked object plus a unique "phx_ref" (and
// "phx_ref_prev" after an update); a diff is {"joins":{...},"leaves":{...}}
// in the same shape.

#include <boost/json/object.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace agentbase::realtime {

class PresenceRegistry {
 public:
  // Tracks `meta` for `member` (one meta per member) under `key`. A member
  // tracked before is updated: the diff then leaves the old meta and joins
  // the new one. nullopt when nothing changed (the same meta again).
  std::optional<boost::json::object> Track(uint64_t member, const std::string& key, boost::json::object meta);
  // The member's meta leaves; nullopt if it tracked nothing.
  std::optional<boost::json::object> Untrack(uint64_t member);
  boost::json::object State() const;
  bool Empty() const { return entries_.empty(); }

 private:
  struct Entry {
    uint64_t member;
    std::string key;
    boost::json::object tracked;  // as the client sent it
    boost::json::object meta;     // tracked + phx_ref (+ phx_ref_prev)
  };
  std::vector<Entry> entries_;  // in tracking order
};

// {"joins":{},"leaves":{}} with `meta` under `key` on one side.
boost::json::object PresenceDiff(const std::string& key, const boost::json::object* joined,
                                 const boost::json::object* left);

}  // namespace agentbase::realtime
