#include "realtime/protocol.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <cmath>
#include <cstdint>

namespace agentbase::realtime {

namespace json = boost::json;

namespace {

constexpr uint8_t kUserBroadcastPush = 3;
constexpr uint8_t kUserBroadcast = 4;
constexpr size_t kPushHeaderBytes = 7;
constexpr size_t kBroadcastHeaderBytes = 5;
constexpr size_t kMaxFieldBytes = 255;

Error Malformed(std::string message) { return Error::InvalidInput(std::move(message), "malformed_message"); }

// A ref: a string, or null/absent for none.
Result<std::optional<std::string>> RefOf(const json::value* value, std::string_view name) {
  if (value == nullptr || value->is_null()) return std::optional<std::string>();
  if (!value->is_string()) return Malformed(std::string(name) + " must be a string or null");
  return std::optional<std::string>(std::string(value->get_string()));
}

Result<std::string> TextOf(const json::value* value, std::string_view name) {
  if (value == nullptr || !value->is_string()) return Malformed(std::string(name) + " must be a string");
  return std::string(value->get_string());
}

json::value RefValue(const std::optional<std::string>& ref) {
  return ref ? json::value(json::string(*ref)) : json::value(nullptr);
}

}  // namespace

Result<Serializer> SerializerFor(std::optional<std::string_view> vsn) {
  if (!vsn || *vsn == "1.0.0") return Serializer::kV1;
  if (*vsn == "2.0.0") return Serializer::kV2;
  return Error::InvalidInput("unsupported serializer version '" + std::string(*vsn) + "' (1.0.0 or 2.0.0)", "vsn");
}

namespace {

// A number too large for a double (1e999) parses as infinity, which no JSON
// can carry on: written back it would break the frame for every receiver.
bool HasNonFiniteNumber(const json::value& value) {
  switch (value.kind()) {
    case json::kind::double_: return !std::isfinite(value.get_double());
    case json::kind::array:
      for (const auto& item : value.get_array()) {
        if (HasNonFiniteNumber(item)) return true;
      }
      return false;
    case json::kind::object:
      for (const auto& [key, item] : value.get_object()) {
        if (HasNonFiniteNumber(item)) return true;
      }
      return false;
    default: return false;
  }
}

}  // namespace

Result<json::value> ParseClientJson(std::string_view text, const std::string& what) {
  boost::system::error_code ec;
  json::value parsed = json::parse(text, ec);
  if (ec) return Malformed(what + " is not JSON: " + ec.message());
  if (HasNonFiniteNumber(parsed)) return Malformed(what + " holds a number out of range");
  return parsed;
}

Result<Message> DecodeText(std::string_view frame, Serializer serializer) {
  auto read = ParseClientJson(frame, "the message");
  if (!read) return read.error();
  json::value parsed = std::move(*read);
  Message message;
  json::value *join_ref, *ref, *topic, *event, *payload;
  if (serializer == Serializer::kV2) {
    if (!parsed.is_array() || parsed.get_array().size() != 5) {
      return Malformed("a message is an array [join_ref, ref, topic, event, payload]");
    }
    auto& array = parsed.get_array();
    join_ref = &array[0];
    ref = &array[1];
    topic = &array[2];
    event = &array[3];
    payload = &array[4];
  } else {
    if (!parsed.is_object()) return Malformed("a message is an object {topic, event, payload, ref, join_ref}");
    auto& object = parsed.get_object();
    join_ref = object.if_contains("join_ref");
    ref = object.if_contains("ref");
    topic = object.if_contains("topic");
    event = object.if_contains("event");
    payload = object.if_contains("payload");
  }
  auto join_ref_text = RefOf(join_ref, "join_ref");
  if (!join_ref_text) return join_ref_text.error();
  auto ref_text = RefOf(ref, "ref");
  if (!ref_text) return ref_text.error();
  auto topic_text = TextOf(topic, "topic");
  if (!topic_text) return topic_text.error();
  auto event_text = TextOf(event, "event");
  if (!event_text) return event_text.error();
  // Kept per channel for its lifetime; the client never sends more (its
  // binary frames cannot carry more).
  for (const auto* text : {&*join_ref_text, &*ref_text}) {
    if (*text && (*text)->size() > kMaxFieldBytes) return Malformed("a ref longer than 255 bytes");
  }
  if (topic_text->size() > kMaxFieldBytes) return Malformed("a topic longer than 255 bytes");
  if (event_text->size() > kMaxFieldBytes) return Malformed("an event name longer than 255 bytes");
  message.join_ref = std::move(*join_ref_text);
  message.ref = std::move(*ref_text);
  message.topic = std::move(*topic_text);
  message.event = std::move(*event_text);
  message.payload = payload != nullptr ? std::move(*payload) : json::object();
  return message;
}

std::string EncodeText(const Message& message, Serializer serializer) {
  if (serializer == Serializer::kV2) {
    json::array array{RefValue(message.join_ref), RefValue(message.ref), json::string(message.topic),
                      json::string(message.event), message.payload};
    return json::serialize(array);
  }
  // Phoenix's V1 serializer sends no join_ref.
  json::object object{
      {"topic", message.topic}, {"event", message.event}, {"payload", message.payload}, {"ref", RefValue(message.ref)}};
  return json::serialize(object);
}

Result<BinaryBroadcast> DecodeBinary(std::string_view frame) {
  if (frame.empty()) return Malformed("an empty binary message");
  auto kind = static_cast<uint8_t>(frame[0]);
  if (kind != kUserBroadcastPush) {
    return Malformed("binary message of kind " + std::to_string(kind) + ": only kind 3 (user broadcast) is accepted");
  }
  if (frame.size() < kPushHeaderBytes) return Malformed("a binary broadcast shorter than its header");
  auto byte = [&](size_t at) { return static_cast<size_t>(static_cast<uint8_t>(frame[at])); };
  size_t lengths[5] = {byte(1), byte(2), byte(3), byte(4), byte(5)};
  uint8_t encoding = static_cast<uint8_t>(frame[6]);
  if (encoding > 1) return Malformed("binary broadcast payload encoding must be 0 (raw) or 1 (JSON)");
  size_t at = kPushHeaderBytes;
  std::string fields[5];
  for (size_t i = 0; i < 5; ++i) {
    if (frame.size() - at < lengths[i]) return Malformed("a binary broadcast shorter than its header says");
    fields[i] = std::string(frame.substr(at, lengths[i]));
    at += lengths[i];
  }
  BinaryBroadcast broadcast;
  if (!fields[0].empty()) broadcast.join_ref = std::move(fields[0]);
  if (!fields[1].empty()) broadcast.ref = std::move(fields[1]);
  broadcast.topic = std::move(fields[2]);
  broadcast.event = std::move(fields[3]);
  broadcast.metadata = std::move(fields[4]);
  broadcast.json = encoding == 1;
  broadcast.payload = std::string(frame.substr(at));
  if (broadcast.json) {
    if (auto payload = ParseClientJson(broadcast.payload, "a binary broadcast's JSON payload"); !payload) {
      return payload.error();
    }
  }
  if (!broadcast.metadata.empty()) {
    boost::system::error_code ec;
    auto metadata = json::parse(broadcast.metadata, ec);
    if (ec || !metadata.is_object()) return Malformed("a binary broadcast's metadata is not a JSON object");
  }
  return broadcast;
}

Result<std::string> EncodeUserBroadcast(const BinaryBroadcast& broadcast) {
  if (broadcast.topic.size() > kMaxFieldBytes || broadcast.event.size() > kMaxFieldBytes ||
      broadcast.metadata.size() > kMaxFieldBytes) {
    return Error::InvalidInput("topic, event and metadata of a binary broadcast are at most 255 bytes each");
  }
  std::string frame;
  frame.reserve(kBroadcastHeaderBytes + broadcast.topic.size() + broadcast.event.size() + broadcast.metadata.size() +
                broadcast.payload.size());
  frame.push_back(static_cast<char>(kUserBroadcast));
  frame.push_back(static_cast<char>(broadcast.topic.size()));
  frame.push_back(static_cast<char>(broadcast.event.size()));
  frame.push_back(static_cast<char>(broadcast.metadata.size()));
  frame.push_back(static_cast<char>(broadcast.json ? 1 : 0));
  frame += broadcast.topic;
  frame += broadcast.event;
  frame += broadcast.metadata;
  frame += broadcast.payload;
  return frame;
}

}  // namespace agentbase::realtime
