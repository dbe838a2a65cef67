#include "realtime/socket_session.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/json/serialize.hpp>

#include "auth/claims.hpp"
#include "util/text.hpp"

namespace agentbase::realtime {

namespace json = boost::json;
using Clock = std::chrono::steady_clock;

namespace {

constexpr std::string_view kTopicPrefix = "realtime:";
constexpr size_t kMaxPresenceKeyBytes = 255;

// Supabase accepts true/false and the strings "true"/"false".
bool FlexibleBool(const json::object& object, std::string_view key, bool fallback) {
  const json::value* value = object.if_contains(key);
  if (value == nullptr) return fallback;
  if (value->is_bool()) return value->get_bool();
  if (value->is_string()) {
    if (value->get_string() == "true") return true;
    if (value->get_string() == "false") return false;
  }
  return fallback;
}

const json::object* ObjectAt(const json::object& object, std::string_view key) {
  const json::value* value = object.if_contains(key);
  return value != nullptr && value->is_object() ? &value->get_object() : nullptr;
}

std::optional<std::string> StringAt(const json::object& object, std::string_view key) {
  const json::value* value = object.if_contains(key);
  if (value == nullptr || !value->is_string()) return std::nullopt;
  return std::string(value->get_string());
}

std::string SubTopic(const std::string& topic) { return topic.substr(kTopicPrefix.size()); }

// A presence key nobody chose: random, as Supabase's UUIDs are.
std::string GeneratedPresenceKey() { return auth::RandomBase64Url(12); }

// Binding from one postgres_changes entry, or the reason it cannot be one.
Result<Binding> BindingFrom(const json::value& entry) {
  if (!entry.is_object()) return Error::InvalidInput("a postgres_changes entry must be an object");
  const auto& object = entry.get_object();
  Binding binding;
  auto event = StringAt(object, "event");
  binding.event = ToUpper(event.value_or(""));
  auto schema = StringAt(object, "schema");
  binding.schema = schema.value_or("");
  binding.table = StringAt(object, "table");
  if (const auto* table = object.if_contains("table"); table != nullptr && !table->is_string() && !table->is_null()) {
    return Error::InvalidInput("table must be a string");
  }
  auto describe = [&] { return json::serialize(entry); };
  if (binding.event != "*" && binding.event != "INSERT" && binding.event != "UPDATE" && binding.event != "DELETE") {
    return Error::InvalidInput(
        "Unable to subscribe to changes with given parameters. event must be *, INSERT, UPDATE or DELETE: " +
        describe());
  }
  if (binding.schema.empty()) {
    return Error::InvalidInput("Unable to subscribe to changes with given parameters. schema is required: " +
                               describe());
  }
  if (auto filter = StringAt(object, "filter"); filter && !TrimView(*filter).empty()) {
    auto parsed = ParseFilter(TrimView(*filter));
    if (!parsed) return parsed.error();
    binding.filter = std::move(*parsed);
  }
  if (const json::value* select = object.if_contains("select"); select != nullptr && !select->is_null()) {
    bool wildcard = binding.schema == "*" || !binding.table || *binding.table == "*";
    if (wildcard) {
      return Error::InvalidInput(
          "Unable to subscribe to changes with given parameters. select needs one schema and one table: " + describe());
    }
    if (!select->is_array()) return Error::InvalidInput("select must be an array of column names: " + describe());
    std::vector<std::string> columns;
    for (const auto& column : select->get_array()) {
      if (!column.is_string()) return Error::InvalidInput("select must be an array of column names: " + describe());
      columns.emplace_back(column.get_string());
    }
    binding.select = std::move(columns);
  }
  return binding;
}

}  // namespace

Result<TokenGrant> VerifyChannelToken(const SessionContext& context, std::string_view token) {
  auth::VerifyOptions verify;
  verify.audience = context.options.jwt_audience;
  auto verified = context.tokens.Verify(token, context.keys, verify);
  if (!verified) return Error::Permission("InvalidJWTToken: " + verified.error().message, "jwt");
  const auth::VerifiedToken& claims = **verified;
  if (claims.role.empty() || !claims.exp) {
    return Error::Permission("InvalidJWTToken: Fields `role` and `exp` are required in JWT", "jwt");
  }
  // Supabase holds exp strictly (no leeway): a token past it is expired.
  std::int64_t now = auth::UnixNow();
  if (*claims.exp <= now) {
    return Error::Permission("InvalidJWTToken: Token has expired " + std::to_string(now - *claims.exp) + " seconds ago",
                             "jwt");
  }
  const auto& roles = context.options.jwt_roles;
  if (std::find(roles.begin(), roles.end(), claims.role) == roles.end()) {
    return Error::Permission("Unauthorized: the JWT role '" + claims.role + "' is not allowed", "jwt");
  }
  return TokenGrant{std::string(token), *verified};
}

SocketSession::SocketSession(SessionContext context, boost::asio::any_io_executor executor,
                             std::shared_ptr<http::WebSocket> socket, Serializer serializer,
                             TokenGrant connection_token)
    : context_(context),
      executor_(std::move(executor)),
      socket_(std::move(socket)),
      serializer_(serializer),
      connection_token_(std::move(connection_token)),
      second_start_(Clock::now()) {}

void SocketSession::SendText(std::shared_ptr<const std::string> frame) {
  if (!closed_) socket_->SendText(std::move(frame));
}

void SocketSession::SendBinary(std::shared_ptr<const std::string> frame) {
  if (!closed_) socket_->SendBinary(std::move(frame));
}

void SocketSession::Send(const Message& message) {
  SendText(std::make_shared<const std::string>(EncodeText(message, serializer_)));
}

void SocketSession::Reply(const Message& request, bool ok, json::object response) {
  Send(Message{request.join_ref, request.ref, request.topic, "phx_reply",
               json::object{{"status", ok ? "ok" : "error"}, {"response", std::move(response)}}});
}

void SocketSession::SendSystem(const Channel& channel, std::string_view extension, bool ok, std::string_view text) {
  const Member& member = *channel.member;
  Send(Message{member.join_ref, std::nullopt, member.topic, "system",
               json::object{{"extension", extension},
                            {"status", ok ? "ok" : "error"},
                            {"message", text},
                            {"channel", SubTopic(member.topic)}}});
}

bool SocketSession::CountMessage() {
  auto now = Clock::now();
  if (now - second_start_ >= std::chrono::seconds(1)) {
    second_start_ = now;
    messages_in_second_ = 0;
    broadcasts_in_second_ = 0;
  }
  return ++messages_in_second_ <= context_.options.max_messages_per_second;
}

void SocketSession::OnText(std::string_view frame) {
  if (closed_) return;
  if (!CountMessage()) {
    socket_->Close(http::kClosePolicyViolation, "too many messages per second");
    return;
  }
  auto message = DecodeText(frame, serializer_);
  if (!message) {
    // Without a ref there is nothing to reply to: the close says why.
    socket_->Close(http::kCloseUnsupportedData, message.error().message);
    return;
  }
  Handle(std::move(*message));
}

void SocketSession::OnBinary(std::string_view frame) {
  if (closed_) return;
  if (!CountMessage()) {
    socket_->Close(http::kClosePolicyViolation, "too many messages per second");
    return;
  }
  if (serializer_ != Serializer::kV2) {
    socket_->Close(http::kCloseUnsupportedData, "binary messages need serializer 2.0.0");
    return;
  }
  auto broadcast = DecodeBinary(frame);
  if (!broadcast) {
    socket_->Close(http::kCloseUnsupportedData, broadcast.error().message);
    return;
  }
  HandleBinaryBroadcast(*broadcast);
}

void SocketSession::OnClosed() {
  closed_ = true;
  for (auto& [topic, channel] : channels_) {
    if (channel.expiry) channel.expiry->cancel();
    context_.hub.Remove(*channel.member);
  }
  channels_.clear();
  socket_.reset();
}

void SocketSession::Handle(Message message) {
  if (message.topic == "phoenix") {
    if (message.event == "heartbeat") {
      Reply(message, true, {});
    } else {
      Reply(message, false, json::object{{"reason", "unknown event on topic phoenix"}});
    }
    return;
  }
  if (message.event == "phx_join") {
    HandleJoin(message);
    return;
  }
  if (message.event == "phx_leave") {
    HandleLeave(message);
    return;
  }
  auto found = channels_.find(message.topic);
  if (found == channels_.end()) {
    Reply(message, false, json::object{{"reason", "unmatched topic"}});
    return;
  }
  Channel& channel = found->second;
  // A push of an earlier join of this topic: Phoenix ignores it.
  if (message.join_ref && *message.join_ref != channel.member->join_ref) return;
  if (message.event == "access_token") {
    HandleAccessToken(channel, message);
  } else if (message.event == "broadcast") {
    HandleBroadcast(channel, message);
  } else if (message.event == "presence") {
    HandlePresence(channel, message);
  } else {
    Reply(message, false, json::object{{"reason", "unknown event '" + message.event + "'"}});
  }
}

void SocketSession::HandleJoin(Message& message) {
  auto refuse = [&](std::string reason) { Reply(message, false, json::object{{"reason", std::move(reason)}}); };
  if (!StartsWith(message.topic, kTopicPrefix)) {
    refuse("unmatched topic");
    return;
  }
  if (message.topic.size() == kTopicPrefix.size()) {
    refuse("TopicNameRequired: You must provide a topic name");
    return;
  }
  if (!message.payload.is_object()) {
    refuse("MalformedJoin: the join payload must be an object");
    return;
  }
  const json::object& payload = message.payload.get_object();
  const json::object empty;
  const json::object* config = ObjectAt(payload, "config");
  if (config == nullptr) config = &empty;

  // Private channels are authorised by policies on realtime.messages on
  // Supabase; this server has none, so it refuses them rather than let
  // everyone in.
  if (FlexibleBool(*config, "private", false)) {
    refuse("PrivateOnly: private channels (Realtime Authorization) are not supported by this server");
    return;
  }

  // The channel's token: the join's access_token, else the socket's.
  TokenGrant token = connection_token_;
  if (auto given = StringAt(payload, "access_token"); given && !given->empty() && !StartsWith(*given, "sb_")) {
    auto verified = VerifyChannelToken(context_, *given);
    if (!verified) {
      refuse(verified.error().message);
      return;
    }
    token = std::move(*verified);
  }

  // A second join of a joined topic replaces the first.
  if (channels_.contains(message.topic)) {
    const Member& old = *channels_.at(message.topic).member;
    Send(Message{old.join_ref, old.join_ref, old.topic, "phx_close", json::object{}});
    RemoveChannel(message.topic);
  }
  if (channels_.size() >= context_.options.max_channels_per_socket) {
    refuse("ChannelRateLimitReached: Too many channels (at most " +
           std::to_string(context_.options.max_channels_per_socket) + " per connection)");
    return;
  }

  json::array requested;
  if (const json::value* changes = config->if_contains("postgres_changes"); changes != nullptr) {
    if (changes->is_array()) {
      requested = changes->get_array();
    } else if (!changes->is_null()) {
      refuse("MalformedJoin: config.postgres_changes must be an array");
      return;
    }
  }
  if (requested.size() > context_.options.max_bindings_per_join) {
    refuse("Too many postgres_changes entries (at most " + std::to_string(context_.options.max_bindings_per_join) +
           " per channel)");
    return;
  }
  if (!requested.empty() && json::serialize(requested).size() > context_.options.max_join_bindings_bytes) {
    refuse("postgres_changes entries too large (at most " + std::to_string(context_.options.max_join_bindings_bytes) +
           " bytes per channel)");
    return;
  }

  auto member = std::make_shared<Member>();
  member->id = context_.hub.NextMemberId();
  member->outlet = this;
  member->topic = message.topic;
  member->join_ref = message.join_ref.value_or(message.ref.value_or(""));
  member->subscriber = MakeChangeSubscriber(token.verified->role, token.verified->claims_text, token.verified->claims);
  const json::object* broadcast = ObjectAt(*config, "broadcast");
  member->broadcast_self = broadcast != nullptr && FlexibleBool(*broadcast, "self", false);
  const json::object* presence = ObjectAt(*config, "presence");
  member->presence_enabled = presence != nullptr && FlexibleBool(*presence, "enabled", false);
  member->presence_key = presence != nullptr ? StringAt(*presence, "key").value_or("") : "";
  if (member->presence_key.empty()) member->presence_key = GeneratedPresenceKey();
  if (member->presence_key.size() > kMaxPresenceKeyBytes) {
    refuse("MalformedJoin: the presence key is longer than 255 bytes");
    return;
  }
  if (member->presence_key == "ids") {
    // The client reads any payload with a top-level "ids" as a postgres
    // change: a presence_state keyed "ids" would break its dispatch.
    refuse("MalformedJoin: the presence key 'ids' is reserved");
    return;
  }

  // Each entry echoed as the client sent it, plus its id, in its place: the
  // client matches them by index.
  json::array echoed;
  std::vector<std::string> refusals;
  std::vector<std::string> params;  // of each binding
  for (auto& entry : requested) {
    auto binding = BindingFrom(entry);
    if (!binding) {
      refusals.push_back(binding.error().message);
      binding = Binding{};
      binding->usable = false;
    }
    params.push_back(BindingParams(entry));
    binding->id = BindingId(params.back());
    // Another subscription of this channel with the same id would fire on
    // this one's changes: the next free id (identical entries share one).
    auto taken = [&](int64_t id) {
      for (size_t k = 0; k < member->bindings.size(); ++k) {
        if (member->bindings[k].id == id && params[k] != params.back()) return true;
      }
      return false;
    };
    while (taken(binding->id)) binding->id = binding->id % kMaxBindingId + 1;
    json::value reply_entry = entry.is_object() ? entry : json::object{};
    reply_entry.as_object()["id"] = binding->id;
    echoed.push_back(std::move(reply_entry));
    member->bindings.push_back(std::move(*binding));
  }

  Reply(message, true, json::object{{"postgres_changes", std::move(echoed)}});
  Channel channel;
  channel.member = member;
  channel.token = std::move(token);
  channel.broadcast_ack = broadcast != nullptr && FlexibleBool(*broadcast, "ack", false);
  channel.presence_window_start = Clock::now();
  auto [slot, inserted] = channels_.emplace(message.topic, std::move(channel));
  for (const auto& refusal : refusals) SendSystem(slot->second, "postgres_changes", false, refusal);
  if (!member->bindings.empty() && refusals.size() < member->bindings.size()) {
    SendSystem(slot->second, "postgres_changes", true, "Subscribed to PostgreSQL");
  }
  if (member->presence_enabled) {
    Send(Message{member->join_ref, std::nullopt, member->topic, "presence_state",
                 context_.hub.PresenceState(member->topic)});
  }
  context_.hub.Add(member);
  ArmExpiry(slot->second);
}

void SocketSession::HandleLeave(const Message& message) {
  Reply(message, true, {});
  auto found = channels_.find(message.topic);
  if (found == channels_.end()) return;  // never joined: ok all the same
  if (message.join_ref && *message.join_ref != found->second.member->join_ref) return;
  std::string join_ref = found->second.member->join_ref;
  RemoveChannel(message.topic);
  Send(Message{join_ref, join_ref, message.topic, "phx_close", json::object{}});
}

void SocketSession::HandleAccessToken(Channel& channel, const Message& message) {
  if (!message.payload.is_object()) return;
  auto given = StringAt(message.payload.get_object(), "access_token");
  if (!given || given->empty() || StartsWith(*given, "sb_") || *given == channel.token.token) return;
  auto verified = VerifyChannelToken(context_, *given);
  if (!verified) {
    ShutChannel(message.topic, verified.error().message);
    return;
  }
  channel.token = std::move(*verified);
  channel.member->subscriber = MakeChangeSubscriber(channel.token.verified->role, channel.token.verified->claims_text,
                                                    channel.token.verified->claims);
  ArmExpiry(channel);
}

bool SocketSession::BroadcastAllowed(Channel& channel) {
  if (++broadcasts_in_second_ <= context_.options.max_broadcasts_per_second) return true;
  ShutChannel(channel.member->topic, "Too many messages per second");
  return false;
}

void SocketSession::HandleBroadcast(Channel& channel, const Message& message) {
  if (!BroadcastAllowed(channel)) return;
  const json::object* payload = message.payload.if_object();
  std::optional<std::string> event = payload != nullptr ? StringAt(*payload, "event") : std::nullopt;
  if (!event) {
    Reply(message, false, json::object{{"reason", "a broadcast needs an event name"}});
    return;
  }
  const json::value* body = payload->if_contains("payload");
  Broadcast broadcast{*event, true, body != nullptr ? json::serialize(*body) : "{}"};
  context_.hub.SendBroadcast(channel.member->topic, broadcast, channel.member.get());
  if (channel.broadcast_ack) Reply(message, true, {});
}

void SocketSession::HandleBinaryBroadcast(const BinaryBroadcast& pushed) {
  auto found = channels_.find(pushed.topic);
  if (found == channels_.end()) {
    Message fake{pushed.join_ref, pushed.ref, pushed.topic, "broadcast", {}};
    if (pushed.ref) Reply(fake, false, json::object{{"reason", "unmatched topic"}});
    return;
  }
  Channel& channel = found->second;
  if (pushed.join_ref && *pushed.join_ref != channel.member->join_ref) return;
  if (!BroadcastAllowed(channel)) return;
  context_.hub.SendBroadcast(pushed.topic, Broadcast{pushed.event, pushed.json, pushed.payload}, channel.member.get());
  if (channel.broadcast_ack && pushed.ref) {
    Reply(Message{pushed.join_ref, pushed.ref, pushed.topic, "broadcast", {}}, true, {});
  }
}

void SocketSession::HandlePresence(Channel& channel, const Message& message) {
  auto now = Clock::now();
  if (now - channel.presence_window_start >= context_.options.presence_window) {
    channel.presence_window_start = now;
    channel.presence_in_window = 0;
  }
  if (++channel.presence_in_window > context_.options.max_presence_per_window) {
    ShutChannel(message.topic, "Client presence rate limit exceeded");
    return;
  }
  const json::object* payload = message.payload.if_object();
  std::string event = ToLower(payload != nullptr ? StringAt(*payload, "event").value_or("") : "");
  if (event == "track") {
    const json::value* meta = payload->if_contains("payload");
    if (meta == nullptr || !meta->is_object()) {
      Reply(message, false, json::object{{"reason", "Presence track payload must be a map"}});
      return;
    }
    if (json::serialize(*meta).size() > context_.options.max_presence_bytes) {
      Reply(message, false,
            json::object{{"reason", "Presence track payload too large (at most " +
                                        std::to_string(context_.options.max_presence_bytes) + " bytes)"}});
      return;
    }
    Reply(message, true, {});
    context_.hub.Track(*channel.member, meta->get_object());
  } else if (event == "untrack") {
    Reply(message, true, {});
    context_.hub.Untrack(*channel.member);
  } else {
    Reply(message, false, json::object{{"reason", "presence event must be track or untrack"}});
  }
}

void SocketSession::ShutChannel(const std::string& topic, std::string_view reason) {
  auto found = channels_.find(topic);
  if (found == channels_.end()) return;
  SendSystem(found->second, "system", false, reason);
  std::string join_ref = found->second.member->join_ref;
  RemoveChannel(topic);
  Send(Message{join_ref, join_ref, topic, "phx_close", json::object{}});
}

void SocketSession::RemoveChannel(const std::string& topic) {
  auto found = channels_.find(topic);
  if (found == channels_.end()) return;
  if (found->second.expiry) found->second.expiry->cancel();
  context_.hub.Remove(*found->second.member);
  channels_.erase(found);
}

void SocketSession::ArmExpiry(Channel& channel) {
  if (!channel.token.verified->exp) return;
  if (!channel.expiry) channel.expiry = std::make_unique<boost::asio::steady_timer>(executor_);
  std::int64_t left = *channel.token.verified->exp - auth::UnixNow();
  channel.expiry->expires_after(std::chrono::seconds(std::max<std::int64_t>(left, 0)));
  std::weak_ptr<SocketSession> weak = weak_from_this();
  std::string topic = channel.member->topic;
  uint64_t member_id = channel.member->id;
  channel.expiry->async_wait([weak, topic, member_id](const boost::system::error_code& ec) {
    if (ec) return;  // cancelled: re-armed, left, or the socket closed
    if (auto self = weak.lock()) self->OnExpiry(topic, member_id);
  });
}

void SocketSession::OnExpiry(const std::string& topic, uint64_t member_id) {
  auto found = channels_.find(topic);
  if (closed_ || found == channels_.end() || found->second.member->id != member_id) return;
  std::int64_t exp = found->second.token.verified->exp.value_or(0);
  std::int64_t now = auth::UnixNow();
  if (exp > now) {  // refreshed meanwhile
    ArmExpiry(found->second);
    return;
  }
  ShutChannel(topic, "Token has expired " + std::to_string(now - exp) + " seconds ago");
}

}  // namespace agentbase::realtime
