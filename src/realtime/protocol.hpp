#pragma once
// Phoenix channel messages as supabase-js's realtime client speaks them
// (docs: README "Realtime"), in both serializer versions the client may
// negotiate with the websocket's vsn parameter:
//   1.0.0  text frames holding {"topic","event","payload","ref","join_ref"}
//          (the server's frames leave out join_ref, as Phoenix's V1 does);
//   2.0.0  text frames holding [join_ref, ref, topic, event, payload], plus
//          binary frames for user broadcasts: kind 3 from the client, kind 4
//          to it. No other binary kind may be sent: the client cannot read it.
// Pure functions; nothing here touches a socket.

#include <boost/json/value.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "util/result.hpp"

namespace agentbase::realtime {

enum class Serializer { kV1, kV2 };

// From the websocket URL's vsn parameter: absent means 1.0.0 (Phoenix's
// default); anything but 1.0.0 or 2.0.0 is an error.
Result<Serializer> SerializerFor(std::optional<std::string_view> vsn);

// JSON a client sent (a frame, a payload, a REST body), refused (kind
// kInvalidInput, naming `what`) when it is not JSON or holds a number out of
// a double's range, which would be written back as no JSON at all.
Result<boost::json::value> ParseClientJson(std::string_view text, const std::string& what);

struct Message {
  std::optional<std::string> join_ref;
  std::optional<std::string> ref;
  std::string topic;
  std::string event;
  boost::json::value payload;
};

// A text frame. Errors (kind kInvalidInput) name what is wrong: not JSON,
// not the shape of the serializer, a ref that is not a string, a ref, topic
// or event longer than 255 bytes (as in the binary frames).
Result<Message> DecodeText(std::string_view frame, Serializer serializer);
std::string EncodeText(const Message& message, Serializer serializer);

// A user broadcast as the binary frames carry it. `payload` holds UTF-8 JSON
// text when `json`, else raw bytes; `metadata` is JSON object text or empty.
struct BinaryBroadcast {
  std::optional<std::string> join_ref;  // kind 3 only; empty → nullopt
  std::optional<std::string> ref;       // kind 3 only
  std::string topic;
  std::string event;
  std::string metadata;
  bool json = true;
  std::string payload;
};

// A binary frame from the client: only kind 3 (user broadcast push) exists.
Result<BinaryBroadcast> DecodeBinary(std::string_view frame);
// Kind 4 (user broadcast), the only binary frame the client understands.
// Topic, event and metadata must each be at most 255 bytes (the client
// limits its own to that); longer ones are an error.
Result<std::string> EncodeUserBroadcast(const BinaryBroadcast& broadcast);

}  // namespace agentbase::realtime
