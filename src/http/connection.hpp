#pragma once
// One accepted TCP connection as the HTTP server tracks it: shared by
// server.cpp (requests) and websocket.cpp (an upgraded connection). Internal
// to src/http (it exposes Beast and Asio types).

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <list>
#include <memory>
#include <string>
#include <utility>

#include "http/message.hpp"
#include "http/websocket.hpp"

namespace agentbase::http::detail {

using Clock = std::chrono::steady_clock;
using tcp = boost::asio::ip::tcp;
namespace beast = boost::beast;

// Timeouts are deadlines that one sweeper enforces by closing the socket
// (see Sweep), rather than a timer per read and write: re-arming and
// cancelling timers cost more than the rest of a small request.
struct Connection {
  Connection(uint64_t connection_id, tcp::socket connected, std::string remote, std::string key, bool turned_away)
      : id(connection_id),
        socket(std::move(connected)),
        remote_address(std::move(remote)),
        address_key(std::move(key)),
        rejecting(turned_away) {}

  void ExpiresAfter(Clock::duration limit) { deadline = Clock::now() + limit; }
  void ExpiresNever() { deadline = Clock::time_point::max(); }
  // Where a session is in its request cycle: Reclaim and Shutdown choose by it.
  enum class Phase {
    kWaiting,         // for a request's first byte: may be reclaimed; Shutdown closes it
    kReadingHeaders,  // a request's first byte is in, its headers are not
    kBusy,            // reading the body, in the handler, writing, or closing
  };

  // Waiting for a request's first byte, for at most `limit`.
  void BecomeIdle(Clock::duration limit) {
    phase = Phase::kWaiting;
    since = Clock::now();
    deadline = since + limit;
  }
  // A request's first byte is in; its headers are due by `limit` from now,
  // or, on a new connection, from the accept (`fresh`: since and the
  // deadline stay those of its first wait).
  void BeginHeaders(bool fresh, Clock::duration limit) {
    phase = Phase::kReadingHeaders;
    if (!fresh) {
      since = Clock::now();
      deadline = since + limit;
    }
  }
  void Close() {
    beast::error_code ignored;  // closing a socket that is already closed or reset
    socket.close(ignored);
  }

  uint64_t id;
  tcp::socket socket;
  Clock::time_point deadline = Clock::time_point::max();
  beast::flat_buffer buffer;  // may hold the start of the next (pipelined) request
  std::string remote_address;
  std::string address_key;                         // what max_connections_per_address counts by
  std::list<Connection*>::iterator address_entry;  // in ServerState::sessions_by_address (sessions only)
  bool rejecting;                                  // being answered 503; not counted as a session
  Phase phase = Phase::kWaiting;
  Clock::time_point since = Clock::now();  // when kWaiting or kReadingHeaders began
  // Set while the connection is an open websocket: Shutdown calls it to
  // close the websocket with 1001 (going away) instead of waiting for it.
  std::function<void()> on_drain;
};

// Completes the websocket handshake of an upgrade request the handler
// accepted, then serves the websocket until it closes (websocket.cpp).
boost::asio::awaitable<void> ServeWebSocket(std::shared_ptr<Connection> connection, Request request,
                                            UpgradeAnswer answer);

}  // namespace agentbase::http::detail
