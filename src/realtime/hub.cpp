#include "realtime/hub.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio/co_spawn.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <map>

#include "util/log_failure.hpp"
#include "util/text.hpp"

namespace agentbase::realtime {

namespace json = boost::json;

namespace {

std::string_view ColumnType(const Change& change, std::string_view column) {
  for (const auto& c : change.columns) {
    if (c.name == column) return c.type;
  }
  return {};
}

std::shared_ptr<const std::string> Shared(std::string text) {
  return std::make_shared<const std::string>(std::move(text));
}

// A subscriber identity by its claims text, with the hash it keeps.
struct ClaimsKey {
  size_t hash;
  std::string_view text;
  bool operator==(const ClaimsKey& other) const { return hash == other.hash && text == other.text; }
};
struct ClaimsKeyHash {
  size_t operator()(const ClaimsKey& key) const { return key.hash; }
};

void HashCombine(size_t& seed, size_t value) { seed ^= value + 0x9e3779b97f4a7c15ull + (seed << 6) + (seed >> 2); }

// What makes two deliveries of one change the same frame: the topic, the
// serializer, the matching bindings' ids and the selected columns. Points
// into members and targets that outlive the map that holds it.
struct FrameKey {
  const std::string* topic;
  Serializer serializer;
  const std::vector<int64_t>* ids;
  const std::optional<std::vector<std::string>>* select;
  size_t hash;

  FrameKey(const std::string& topic, Serializer serializer, const std::vector<int64_t>& ids,
           const std::optional<std::vector<std::string>>& select)
      : topic(&topic), serializer(serializer), ids(&ids), select(&select), hash(std::hash<std::string>{}(topic)) {
    HashCombine(hash, static_cast<size_t>(serializer));
    for (int64_t id : ids) HashCombine(hash, static_cast<size_t>(id));
    if (select) {
      for (const auto& column : *select) HashCombine(hash, std::hash<std::string>{}(column));
    } else {
      HashCombine(hash, 1);
    }
  }
  bool operator==(const FrameKey& other) const {
    return hash == other.hash && serializer == other.serializer && *topic == *other.topic && *ids == *other.ids &&
           *select == *other.select;
  }
};
struct FrameKeyHash {
  size_t operator()(const FrameKey& key) const { return key.hash; }
};

}  // namespace

std::string BindingParams(const json::value& entry) {
  std::string params;
  for (const char* key : {"event", "schema", "table", "filter"}) {
    const json::value* value = entry.is_object() ? entry.as_object().if_contains(key) : nullptr;
    // A string as sent; anything else (absent, null, a number) as its JSON,
    // after a byte no JSON text starts with.
    if (value != nullptr && value->is_string()) {
      params += value->as_string();
    } else {
      params += '\x01';
      if (value != nullptr) params += json::serialize(*value);
    }
    params += '\0';
  }
  return params;
}

int64_t BindingId(std::string_view params) {
  // FNV-1a: stable across runs and builds (std::hash need not be).
  uint64_t hash = 14695981039346656037ull;
  for (unsigned char c : params) hash = (hash ^ c) * 1099511628211ull;
  return static_cast<int64_t>(hash % static_cast<uint64_t>(kMaxBindingId)) + 1;
}

bool BindingMatches(const Binding& binding, const Change& change) {
  if (!binding.usable) return false;
  if (binding.event != "*" && binding.event != changes::ChangeKindName(change.kind)) return false;
  if (binding.schema != "*" && binding.schema != change.schema) return false;
  if (binding.table && *binding.table != "*" && *binding.table != change.table) return false;
  if (!binding.filter) return true;
  const json::object& row = change.kind == ChangeKind::kDelete ? change.old_record : change.record;
  return FilterMatches(*binding.filter, row, ColumnType(change, binding.filter->column));
}

json::object ChangeData(const Change& change, const std::vector<std::string>& primary_key) {
  // Supabase's error form: no columns, an empty record, no timestamp.
  if (primary_key.empty() && change.kind != ChangeKind::kDelete) {
    json::object data{{"schema", change.schema},
                      {"table", change.table},
                      {"commit_timestamp", nullptr},
                      {"type", changes::ChangeKindName(change.kind)},
                      {"columns", json::array()},
                      {"record", json::object()},
                      {"errors", json::array{"Error 400: Bad Request, no primary key"}}};
    if (change.kind == ChangeKind::kUpdate) data["old_record"] = json::object();
    return data;
  }
  json::array columns;
  for (const auto& column : change.columns)
    columns.push_back(json::object{{"name", column.name}, {"type", column.type}});
  json::object data{{"schema", change.schema},
                    {"table", change.table},
                    {"commit_timestamp", change.commit_timestamp},
                    {"type", changes::ChangeKindName(change.kind)},
                    {"columns", std::move(columns)}};
  if (change.kind != ChangeKind::kDelete) data["record"] = change.record;
  if (change.kind == ChangeKind::kUpdate) data["old_record"] = change.old_record;
  if (change.kind == ChangeKind::kDelete) {
    // Only the primary key of a deleted row, whatever the table's replica
    // identity: Supabase does so under RLS, where nobody's right to the old
    // row's other columns can be checked any more; we do so everywhere.
    json::object key;
    for (const auto& name : primary_key) {
      if (const auto* value = change.old_record.if_contains(name)) key[name] = *value;
    }
    data["old_record"] = std::move(key);
  }
  if (change.oversized) {
    data["errors"] = json::array{"Error 413: Payload Too Large"};
  } else {
    data["errors"] = nullptr;
  }
  return data;
}

json::object SelectColumns(const json::object& data, const std::vector<std::string>& columns,
                           const std::vector<std::string>& primary_key) {
  auto wanted = [&](std::string_view name) {
    return std::find(columns.begin(), columns.end(), name) != columns.end() ||
           std::find(primary_key.begin(), primary_key.end(), name) != primary_key.end();
  };
  json::object selected = data;
  if (auto* all = selected.if_contains("columns"); all != nullptr && all->is_array()) {
    json::array kept;
    for (const auto& column : all->get_array()) {
      if (wanted(column.at("name").as_string())) kept.push_back(column);
    }
    *all = std::move(kept);
  }
  for (const char* side : {"record", "old_record"}) {
    auto* row = selected.if_contains(side);
    if (row == nullptr || !row->is_object()) continue;
    json::object kept;
    for (const auto& [name, value] : row->get_object()) {
      if (wanted(name)) kept[name] = value;
    }
    *row = std::move(kept);
  }
  return selected;
}

boost::asio::awaitable<Result<std::vector<Verdict>>> Authorizer::VisibleBatch(
    std::vector<std::shared_ptr<const Change>> changes, Subscribers subscribers) {
  std::vector<Verdict> verdicts;
  verdicts.reserve(changes.size());
  for (auto& change : changes) {
    auto verdict = co_await Visible(std::move(change), subscribers);
    if (!verdict) co_return verdict.error();
    verdicts.push_back(std::move(*verdict));
  }
  co_return verdicts;
}

Hub::Hub(boost::asio::any_io_executor executor, std::shared_ptr<Authorizer> authorizer)
    : executor_(std::move(executor)), authorizer_(std::move(authorizer)) {}

void Hub::Submit(std::shared_ptr<const Change> change) {
  ++stats_.changes_received;
  if (queued_.size() >= kMaxQueuedChanges) {
    if (stats_.changes_dropped++ % 1000 == 0) {
      spdlog::error("realtime: {} changes wait to be published; dropping changes ({} so far)", queued_.size(),
                    stats_.changes_dropped);
    }
    return;
  }
  queued_.push_back(std::move(change));
  if (publishing_) return;
  publishing_ = true;
  boost::asio::co_spawn(executor_, PublishQueued(this), LogFailure{"realtime: publishing changes"});
}

// One change after the other, so every member sees them in commit order.
boost::asio::awaitable<void> Hub::PublishQueued(Hub* hub) {
  // However this ends, the next Submit starts publishing again.
  struct Done {
    Hub* hub;
    ~Done() { hub->publishing_ = false; }
  } done{hub};
  while (!hub->queued_.empty()) {
    // What queued up while the last batch was judged is judged together:
    // a backlog costs the authorizer one round trip, not one per change.
    std::vector<std::shared_ptr<const Change>> batch;
    while (!hub->queued_.empty() && batch.size() < kMaxBatch) {
      batch.push_back(std::move(hub->queued_.front()));
      hub->queued_.pop_front();
    }
    co_await hub->PublishBatch(std::move(batch));
  }
}

void Hub::Add(std::shared_ptr<Member> member) {
  topics_[member->topic].push_back(member->id);
  members_.emplace(member->id, std::move(member));
}

void Hub::Remove(const Member& member) {
  auto found = members_.find(member.id);
  if (found == members_.end()) return;
  // Out of the topic first: the others get the leave, the leaver does not
  // (its channel is closing).
  auto topic_members = topics_.find(member.topic);
  if (topic_members != topics_.end()) {
    std::erase(topic_members->second, member.id);
    if (topic_members->second.empty()) topics_.erase(topic_members);
  }
  Untrack(member);
  members_.erase(found);  // `member` may be gone from here on
}

void Hub::SendBroadcast(const std::string& topic, const Broadcast& broadcast, const Member* sender) {
  auto topic_members = topics_.find(topic);
  if (topic_members == topics_.end()) return;
  std::shared_ptr<const std::string> binary;
  std::shared_ptr<const std::string> text[2];  // by serializer
  for (uint64_t id : topic_members->second) {
    const Member& member = *members_.at(id);
    if (sender != nullptr && member.id == sender->id && !sender->broadcast_self) continue;
    Serializer serializer = member.outlet->serializer();
    if (serializer == Serializer::kV2) {
      if (!binary) {
        auto frame =
            EncodeUserBroadcast(BinaryBroadcast{{}, {}, topic, broadcast.event, {}, broadcast.json, broadcast.payload});
        if (frame) binary = Shared(std::move(*frame));
      }
      if (binary) {
        member.outlet->SendBinary(binary);
        ++stats_.broadcast_deliveries;
        continue;
      }
      // A topic or event longer than a binary frame allows goes as text.
    }
    if (!broadcast.json) continue;  // raw bytes have no JSON form
    auto& encoded = text[serializer == Serializer::kV2 ? 1 : 0];
    if (!encoded) {
      json::object payload{
          {"type", "broadcast"}, {"event", broadcast.event}, {"payload", json::parse(broadcast.payload)}};
      encoded = Shared(EncodeText(Message{{}, {}, topic, "broadcast", std::move(payload)}, serializer));
    }
    member.outlet->SendText(encoded);
    ++stats_.broadcast_deliveries;
  }
}

void Hub::SendPresenceDiff(const std::string& topic, const json::object& diff) {
  auto topic_members = topics_.find(topic);
  if (topic_members == topics_.end()) return;
  std::shared_ptr<const std::string> text[2];
  for (uint64_t id : topic_members->second) {
    const Member& member = *members_.at(id);
    Serializer serializer = member.outlet->serializer();
    auto& encoded = text[serializer == Serializer::kV2 ? 1 : 0];
    if (!encoded) encoded = Shared(EncodeText(Message{{}, {}, topic, "presence_diff", diff}, serializer));
    member.outlet->SendText(encoded);
    ++stats_.presence_deliveries;
  }
}

void Hub::Track(Member& member, json::object meta) {
  member.presence_enabled = true;
  auto diff = presence_[member.topic].Track(member.id, member.presence_key, std::move(meta));
  if (diff) SendPresenceDiff(member.topic, *diff);
}

void Hub::Untrack(const Member& member) {
  auto registry = presence_.find(member.topic);
  if (registry == presence_.end()) return;
  auto diff = registry->second.Untrack(member.id);
  if (registry->second.Empty()) presence_.erase(registry);
  if (diff) SendPresenceDiff(member.topic, *diff);
}

json::object Hub::PresenceState(const std::string& topic) const {
  auto registry = presence_.find(topic);
  return registry == presence_.end() ? json::object() : registry->second.State();
}

boost::asio::awaitable<void> Hub::Publish(std::shared_ptr<const Change> change) {
  std::vector<std::shared_ptr<const Change>> one;
  one.push_back(std::move(change));
  co_await PublishBatch(std::move(one));
}

boost::asio::awaitable<void> Hub::PublishBatch(std::vector<std::shared_ptr<const Change>> changes) {
  // Who would get each, decided now: members that join while the authorizer
  // runs see the next change, not these.
  struct Target {
    uint64_t member;
    std::vector<int64_t> ids;
    size_t subscriber;
    // The union of the matching bindings' select lists; none if any of
    // them selects everything.
    std::optional<std::vector<std::string>> select;
  };
  std::vector<std::vector<Target>> targets(changes.size());
  Subscribers subscribers;
  // Claims decide the role, so equal claims texts are one subscriber.
  std::unordered_map<ClaimsKey, size_t, ClaimsKeyHash> subscriber_index;
  std::vector<std::shared_ptr<const Change>> judged;  // the changes someone may get
  std::vector<size_t> judged_as(changes.size(), SIZE_MAX);
  for (size_t c = 0; c < changes.size(); ++c) {
    const Change& change = *changes[c];
    for (const auto& [id, member] : members_) {
      std::vector<int64_t> ids;
      std::optional<std::vector<std::string>> select = std::vector<std::string>();
      for (const auto& binding : member->bindings) {
        if (!BindingMatches(binding, change)) continue;
        ids.push_back(binding.id);
        if (!binding.select) {
          select.reset();
        } else if (select) {
          select->insert(select->end(), binding.select->begin(), binding.select->end());
        }
      }
      if (ids.empty() || !member->subscriber) continue;
      const ChangeSubscriber& subscriber = *member->subscriber;
      auto [slot, added] =
          subscriber_index.emplace(ClaimsKey{subscriber.claims_hash, subscriber.claims_text}, subscribers.size());
      if (added) subscribers.push_back(member->subscriber);
      targets[c].push_back({id, std::move(ids), slot->second, std::move(select)});
    }
    if (targets[c].empty()) continue;
    // Members in the order they joined: deterministic delivery order.
    std::sort(targets[c].begin(), targets[c].end(),
              [](const Target& a, const Target& b) { return a.member < b.member; });
    judged_as[c] = judged.size();
    judged.push_back(changes[c]);
  }
  subscriber_index.clear();  // its keys are views of `subscribers`' texts, which the authorizer may drop
  if (judged.empty()) co_return;
  if (!authorizer_) {
    spdlog::warn("realtime: {} changes are withheld: no authorizer is configured", judged.size());
    stats_.changes_withheld += judged.size();
    co_return;
  }
  size_t asked = subscribers.size();
  size_t judged_count = judged.size();
  auto verdicts = co_await authorizer_->VisibleBatch(std::move(judged), std::move(subscribers));
  if (!verdicts) {
    spdlog::error("realtime: {} changes are withheld: {}", judged_count, verdicts.error().message);
    stats_.changes_withheld += judged_count;
    co_return;
  }
  if (verdicts->size() != judged_count) {
    spdlog::error("realtime: the authorizer judged {} of {} changes; they are withheld", verdicts->size(),
                  judged_count);
    stats_.changes_withheld += judged_count;
    co_return;
  }
  for (size_t c = 0; c < changes.size(); ++c) {
    if (judged_as[c] == SIZE_MAX) continue;
    const Change& change = *changes[c];
    const Verdict& verdict = (*verdicts)[judged_as[c]];
    if (verdict.visible.size() != asked) {
      spdlog::error("realtime: the authorizer answered {} of {} subscribers; the change of {}.{} is withheld",
                    verdict.visible.size(), asked, change.schema, change.table);
      ++stats_.changes_withheld;
      continue;
    }
    json::object data = ChangeData(change, verdict.primary_key);
    // Members of one topic whose matching bindings have the same ids and
    // columns, under one serializer, get the same message: it is encoded
    // once and shared (binding ids depend only on what was subscribed, so a
    // thousand alike subscribers of a channel cost one encoding and no copy).
    std::unordered_map<FrameKey, std::shared_ptr<const std::string>, FrameKeyHash> frames;
    for (auto& target : targets[c]) {
      if (!verdict.visible[target.subscriber]) continue;
      // Gone meanwhile? (A channel joined again is another member.)
      auto found = members_.find(target.member);
      if (found == members_.end()) continue;
      const Member* member = found->second.get();
      Serializer serializer = member->outlet->serializer();
      auto& frame = frames[FrameKey(member->topic, serializer, target.ids, target.select)];
      if (!frame) {
        json::object payload{{"ids", json::array(target.ids.begin(), target.ids.end())},
                             {"data", target.select ? SelectColumns(data, *target.select, verdict.primary_key) : data}};
        frame = Shared(EncodeText(Message{{}, {}, member->topic, "postgres_changes", std::move(payload)}, serializer));
      }
      member->outlet->SendText(frame);
      ++stats_.change_deliveries;
    }
  }
}

}  // namespace agentbase::realtime
