#pragma once
// Websockets (RFC 6455) over the HTTP server, without Beast in sight: a
// handler registered for a path (Server::AddUpgradeRoute) decides on each
// upgrade request, and, if it accepts, gets a WebSocket to send on and gives
// back a WebSocketHandler that receives the messages.
//
// Everything runs on the server's event-loop thread, like HTTP handlers.
//
// Limits (WebSocketLimits), so one client cannot hurt the others:
//  - A message larger than max_message_bytes closes the socket with 1009
//    (message too big) before it is buffered whole.
//  - A text message that is not UTF-8 closes it with 1007 (Beast checks).
//  - Output is queued per socket; when the bytes waiting to be sent pass
//    max_queued_bytes (a client that does not read), the socket is dropped at
//    once: memory stays bounded and the other sockets are not held up.
//  - Nothing received for half of idle_timeout: a ping is sent; nothing
//    for all of it: the socket is dropped. The opening and closing
//    handshakes have handshake_timeout.
//  - Server shutdown closes every websocket with 1001 (going away).
// An upgraded connection still counts as one of the server's connections
// (max_connections, max_connections_per_address).

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "http/message.hpp"

namespace agentbase::http {

struct WebSocketLimits {
  size_t max_message_bytes = 1024 * 1024;
  size_t max_queued_bytes = 4 * 1024 * 1024;
  std::chrono::milliseconds idle_timeout{60'000};
  std::chrono::milliseconds handshake_timeout{10'000};
};

// RFC 6455 7.4.1 close codes the server sends.
inline constexpr uint16_t kCloseNormal = 1000;
inline constexpr uint16_t kCloseGoingAway = 1001;
inline constexpr uint16_t kCloseUnsupportedData = 1003;
inline constexpr uint16_t kClosePolicyViolation = 1008;
inline constexpr uint16_t kCloseTooBig = 1009;

// The sending side of one open websocket. Messages are shared, so one
// broadcast to many sockets is held in memory once.
class WebSocket {
 public:
  virtual ~WebSocket() = default;
  // Queues a message. False when the socket is closing or closed, or when
  // this message took the queue past max_queued_bytes (the socket is then
  // dropped): either way the message is not sent.
  virtual bool SendText(std::shared_ptr<const std::string> text) = 0;
  virtual bool SendBinary(std::shared_ptr<const std::string> bytes) = 0;
  // Sends what is queued, then a close frame with this code and reason
  // (at most 123 bytes are kept), and closes. Later sends are refused.
  virtual void Close(uint16_t code, std::string_view reason) = 0;
  virtual bool IsOpen() const = 0;
  virtual size_t QueuedBytes() const = 0;
};

// What the application does with one open websocket's messages. Each call
// may send on the WebSocket or close it.
class WebSocketHandler {
 public:
  virtual ~WebSocketHandler() = default;
  virtual void OnText(std::string_view message) = 0;
  virtual void OnBinary(std::string_view message) = 0;
  // The socket is gone (closed by either side, an error, a limit). Called
  // once, last; the handler is released afterwards.
  virtual void OnClosed() = 0;
};

// The answer to an upgrade request: `refusal` (sent as an HTTP response,
// then the connection closes), or acceptance: once the handshake is done,
// `open` is called with the socket and returns its handler.
struct UpgradeAnswer {
  std::optional<Response> refusal;
  WebSocketLimits limits;
  std::function<std::shared_ptr<WebSocketHandler>(std::shared_ptr<WebSocket>)> open;
};

// Decides on a websocket upgrade request (GET with Upgrade: websocket).
using UpgradeHandler = std::function<boost::asio::awaitable<UpgradeAnswer>(Request)>;

}  // namespace agentbase::http
