// What a websocket client sends to /realtime/v1: text frames in either
// serializer (DecodeText), binary frames (DecodeBinary, kind 3), and the
// filter of a postgres_changes entry (ParseFilter, then FilterMatches).
//
// Properties: no crash, exception or undefined behaviour; errors are values
// of kind kInvalidInput with a message; what decodes encodes back to the same
// message (text frames: topic, event, refs and payload; binary: a kind-4
// frame that decodes to the same broadcast once its kind byte reads 3 with
// empty refs); a parsed filter names a column and evaluates on any record.
//
// Input: the first byte picks the decoder (0: text 1.0.0, 1: text 2.0.0,
// 2: binary, 3: filter), the rest is the frame or the filter.

#include <algorithm>
#include <boost/json/object.hpp>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_check.hpp"
#include "realtime/filter.hpp"
#include "realtime/protocol.hpp"

using namespace agentbase;
using namespace agentbase::realtime;

namespace {

void RequireInputError(const Error& error, std::string_view stage) {
  fuzz::Require(error.Is(ErrorKind::kInvalidInput) && !error.message.empty(),
                "a frame error that is not invalid input with a message", std::string(stage) + ": " + error.message);
}

// Equal JSON, except that doubles may differ in their last bits: Boost 1.81's
// parser reads numbers of more than 19 digits inexactly, so the shortest text
// that writes such a double back may read as its neighbour.
bool SameJson(const boost::json::value& a, const boost::json::value& b) {
  if (a.is_double() && b.is_double()) {
    double x = a.get_double();
    double y = b.get_double();
    return x == y || std::fabs(x - y) <= 1e-15 * std::max(std::fabs(x), std::fabs(y));
  }
  if (a.kind() != b.kind()) return false;
  if (a.is_array()) {
    const auto& left = a.get_array();
    const auto& right = b.get_array();
    if (left.size() != right.size()) return false;
    for (size_t i = 0; i < left.size(); ++i) {
      if (!SameJson(left[i], right[i])) return false;
    }
    return true;
  }
  if (a.is_object()) {
    const auto& left = a.get_object();
    const auto& right = b.get_object();
    if (left.size() != right.size()) return false;
    for (const auto& [key, value] : left) {
      const auto* other = right.if_contains(key);
      if (other == nullptr || !SameJson(value, *other)) return false;
    }
    return true;
  }
  return a == b;
}

void CheckText(std::string_view frame, Serializer serializer) {
  auto message = DecodeText(frame, serializer);
  if (!message) return RequireInputError(message.error(), "DecodeText");
  auto again = DecodeText(EncodeText(*message, serializer), serializer);
  fuzz::Require(again.ok(), "an encoded message does not decode", again ? "" : again.error().message);
  fuzz::Require(again->topic == message->topic && again->event == message->event,
                "the round trip changed the topic or event");
  fuzz::Require(again->ref == message->ref, "the round trip changed the ref");
  // The 1.0.0 serializer sends no join_ref (as Phoenix's does not).
  fuzz::Require(serializer == Serializer::kV1 || again->join_ref == message->join_ref,
                "the round trip changed the join_ref");
  fuzz::Require(SameJson(again->payload, message->payload), "the round trip changed the payload");
}

void CheckBinary(std::string_view frame) {
  auto broadcast = DecodeBinary(frame);
  if (!broadcast) return RequireInputError(broadcast.error(), "DecodeBinary");
  fuzz::Require(broadcast->topic.size() <= 255 && broadcast->event.size() <= 255, "a field over 255 bytes decoded");
  auto sent = EncodeUserBroadcast(*broadcast);
  if (!sent) return;  // metadata over 255 bytes cannot go out as kind 4
  // Kind 4 has no refs; read as kind 3 with two empty refs it is the same.
  std::string as_push = *sent;
  fuzz::Require(!as_push.empty() && static_cast<unsigned char>(as_push[0]) == 4, "a user broadcast is not kind 4");
  as_push.replace(0, 1, std::string("\x03\x00\x00", 3));
  auto again = DecodeBinary(as_push);
  fuzz::Require(again.ok(), "an encoded broadcast does not decode", again ? "" : again.error().message);
  fuzz::Require(again->topic == broadcast->topic && again->event == broadcast->event &&
                    again->metadata == broadcast->metadata && again->json == broadcast->json &&
                    again->payload == broadcast->payload,
                "the round trip changed the broadcast");
}

void CheckFilter(std::string_view text) {
  auto filter = ParseFilter(text);
  if (!filter) return RequireInputError(filter.error(), "ParseFilter");
  fuzz::Require(!filter->column.empty() && !filter->values.empty(), "a filter without a column or a value");
  boost::json::object record{{filter->column, filter->values.front()}};
  for (std::string_view type : {"", "int8", "text", "uuid", "bool", "jsonb", "timestamptz", "_int4"}) {
    (void)FilterMatches(*filter, record, type);
    (void)FilterMatches(*filter, boost::json::object{{filter->column, 1.5}}, type);
    (void)FilterMatches(*filter, boost::json::object{}, type);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 4) {
    case 0: CheckText(rest, Serializer::kV1); break;
    case 1: CheckText(rest, Serializer::kV2); break;
    case 2: CheckBinary(rest); break;
    default: CheckFilter(rest); break;
  }
  return 0;
}
