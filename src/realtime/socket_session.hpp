#pragma once
// One realtime websocket: decodes the client's frames, answers heartbeats,
// joins and leaves channels, and passes broadcasts, presence and token
// refreshes on to the Hub (docs: README "Realtime").

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include "auth/jwt.hpp"
#include "http/websocket.hpp"
#include "realtime/hub.hpp"
#include "realtime/options.hpp"
#include "realtime/protocol.hpp"

namespace agentbase::realtime {

// What every socket shares: the hub, the keys, the verified-token cache.
struct SessionContext {
  Hub& hub;
  const auth::KeySet& keys;
  auth::TokenCache& tokens;
  const RealtimeOptions& options;
};

// A verified token and what realtime keeps of it.
struct TokenGrant {
  std::string token;
  std::shared_ptr<const auth::VerifiedToken> verified;
};

// Verifies a token as a channel's: signature, exp and role are required
// (Supabase's rule), the role must be one of options.jwt_roles. Errors read
// as Supabase's join errors ("InvalidJWTToken: ...").
Result<TokenGrant> VerifyChannelToken(const SessionContext& context, std::string_view token);

class SocketSession final : public http::WebSocketHandler,
                            public Outlet,
                            public std::enable_shared_from_this<SocketSession> {
 public:
  SocketSession(SessionContext context, boost::asio::any_io_executor executor, std::shared_ptr<http::WebSocket> socket,
                Serializer serializer, TokenGrant connection_token);

  void OnText(std::string_view frame) override;
  void OnBinary(std::string_view frame) override;
  void OnClosed() override;

  Serializer serializer() const override { return serializer_; }
  void SendText(std::shared_ptr<const std::string> frame) override;
  void SendBinary(std::shared_ptr<const std::string> frame) override;

 private:
  struct Channel {
    std::shared_ptr<Member> member;
    TokenGrant token;
    std::unique_ptr<boost::asio::steady_timer> expiry;
    bool broadcast_ack = false;
    std::chrono::steady_clock::time_point presence_window_start;
    size_t presence_in_window = 0;
  };

  bool CountMessage();
  void Handle(Message message);
  void HandleJoin(Message& message);
  void HandleLeave(const Message& message);
  void HandleAccessToken(Channel& channel, const Message& message);
  void HandleBroadcast(Channel& channel, const Message& message);
  void HandlePresence(Channel& channel, const Message& message);
  void HandleBinaryBroadcast(const BinaryBroadcast& broadcast);
  // Whether one more broadcast fits the socket's rate; shuts `channel` if not.
  bool BroadcastAllowed(Channel& channel);

  void Send(const Message& message);
  void Reply(const Message& request, bool ok, boost::json::object response);
  void SendSystem(const Channel& channel, std::string_view extension, bool ok, std::string_view text);
  // A system error, then phx_close; the channel is gone afterwards.
  void ShutChannel(const std::string& topic, std::string_view reason);
  void RemoveChannel(const std::string& topic);
  void ArmExpiry(Channel& channel);
  void OnExpiry(const std::string& topic, uint64_t member_id);

  SessionContext context_;
  boost::asio::any_io_executor executor_;
  std::shared_ptr<http::WebSocket> socket_;
  Serializer serializer_;
  TokenGrant connection_token_;
  std::map<std::string, Channel> channels_;  // by topic
  std::chrono::steady_clock::time_point second_start_;
  size_t messages_in_second_ = 0;
  size_t broadcasts_in_second_ = 0;
  bool closed_ = false;
};

}  // namespace agentbase::realtime
