#pragma once
// /realtime/v1: Supabase Realtime for supabase-js's own client.
//  - GET /realtime/v1/websocket?apikey=<jwt>&vsn=2.0.0: the websocket
//    (socket_session.hpp); a token that does not verify (or lacks role or
//    exp) is refused before the upgrade with 401 {"error": "..."}.
//  - POST /realtime/v1/api/broadcast {"messages":[{topic, event, payload}]}
//    and POST /realtime/v1/api/broadcast/<topic>/events/<event> (the body is
//    the payload): broadcasts from HTTP, answered 202. Authorization: Bearer
//    <jwt>, else the apikey header.

#include <boost/asio/awaitable.hpp>

#include "auth/jwt.hpp"
#include "http/message.hpp"
#include "http/websocket.hpp"
#include "realtime/hub.hpp"
#include "realtime/options.hpp"

namespace agentbase::realtime {

inline constexpr std::string_view kWebSocketPath = "/realtime/v1/websocket";

class RealtimeApi {
 public:
  RealtimeApi(Hub& hub, const auth::KeySet& keys, RealtimeOptions options);

  boost::asio::awaitable<http::UpgradeAnswer> Upgrade(http::Request request);
  boost::asio::awaitable<http::Response> Handle(http::Request request);
  // After the keys changed (JWKS refresh).
  void ClearTokenCache() { tokens_.Clear(); }

  const RealtimeOptions& options() const { return options_; }

 private:
  Hub& hub_;
  const auth::KeySet& keys_;
  RealtimeOptions options_;
  auth::TokenCache tokens_;
};

}  // namespace agentbase::realtime
