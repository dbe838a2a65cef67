#include "realtime/presence.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <random>

namespace agentbase::realtime {

namespace json = boost::json;

namespace {

// Unique per process run, and unlike any earlier run's (a client that
// reconnects to a restarted server must not see an old ref again).
std::string NewPhxRef() {
  static const uint64_t start = (static_cast<uint64_t>(std::random_device{}()) << 32) | std::random_device{}();
  static uint64_t counter = 0;
  return fmt::format("F{:016x}", start + ++counter);
}

json::object Metas(const json::object& meta) { return json::object{{"metas", json::array{meta}}}; }

}  // namespace

json::object PresenceDiff(const std::string& key, const json::object* joined, const json::object* left) {
  json::object joins;
  json::object leaves;
  if (joined != nullptr) joins[key] = Metas(*joined);
  if (left != nullptr) leaves[key] = Metas(*left);
  return json::object{{"joins", std::move(joins)}, {"leaves", std::move(leaves)}};
}

std::optional<json::object> PresenceRegistry::Track(uint64_t member, const std::string& key, json::object meta) {
  auto entry = std::find_if(entries_.begin(), entries_.end(), [&](const Entry& e) { return e.member == member; });
  json::object full = meta;
  full["phx_ref"] = NewPhxRef();
  if (entry == entries_.end()) {
    entries_.push_back({member, key, std::move(meta), full});
    return PresenceDiff(key, &full, nullptr);
  }
  if (entry->key == key && entry->tracked == meta) return std::nullopt;
  json::object old = entry->meta;
  full["phx_ref_prev"] = old.at("phx_ref");
  json::object diff = PresenceDiff(key, &full, nullptr);
  diff["leaves"].as_object()[entry->key] = Metas(old);
  entry->key = key;
  entry->tracked = std::move(meta);
  entry->meta = std::move(full);
  return diff;
}

std::optional<json::object> PresenceRegistry::Untrack(uint64_t member) {
  auto entry = std::find_if(entries_.begin(), entries_.end(), [&](const Entry& e) { return e.member == member; });
  if (entry == entries_.end()) return std::nullopt;
  json::object diff = PresenceDiff(entry->key, nullptr, &entry->meta);
  entries_.erase(entry);
  return diff;
}

json::object PresenceRegistry::State() const {
  json::object state;
  for (const auto& entry : entries_) {
    auto& slot = state[entry.key];
    if (!slot.is_object()) slot = json::object{{"metas", json::array{}}};
    slot.as_object()["metas"].as_array().push_back(entry.meta);
  }
  return state;
}

}  // namespace agentbase::realtime
