#pragma once
// The HTTP/1.1 server the REST and auth handlers plug into. Everything runs on
// the io_context's one thread: the acceptor, every session and the handler
// calls, so nothing here takes a lock. Construct, Start, Shutdown, destroy and
// call ActiveSessions and IdleSessions on that thread (or before it runs /
// after it stopped).
//
// Per connection, one request at a time: read, handle, write, next. Pipelined
// requests wait in the read buffer until the previous response is written.
//
// Limits (see http/errors.hpp for the JSON error bodies):
//  - Open connections are capped twice: max_connections_per_address from one
//    client address (an IPv6 client counts per /64, the block one host is
//    usually given) and max_connections in all. A connection beyond either
//    cap first reclaims a connection that is waiting for a request (a kept-
//    alive one, or a new one that has sent nothing yet), the one that has
//    waited longest; of the same address for the per-address cap, of any
//    for the global one. RFC 9112 9.5 lets a server close an idle connection
//    at any time; clients retry on a fresh one. If none waits, it reclaims
//    the connection whose headers have been arriving longest, if for more
//    than a second (or half of header_timeout, if shorter): real clients
//    send their headers in one packet, a slowloris does not. Otherwise the
//    new connection is accepted, answered at once with 503 AB503,
//    Retry-After: 1 and Connection: close, and closed. Accepting goes on, so the backlog
//    never fills with clients that would hang. If as many connections as
//    max_connections are already being turned away, further ones are closed
//    without an answer.
//  - Request line plus headers over header_limit: 431 AB431, then close.
//  - A body over body_limit (declared by Content-Length, or counted while
//    reading a chunked body): 413 AB413, then close.
//  - Malformed HTTP (request line, header, a control character such as NUL in
//    a header value, chunked encoding, bad %-escape in the path): 400 AB400,
//    then close.
//  - Body framing two parsers could read differently (request smuggling,
//    RFC 9112 6.1 and 6.3) is refused before any of the body is read, and the
//    connection closes, so the body never runs as a request of its own:
//    Transfer-Encoding whose final coding is not chunked, chunked twice,
//    Transfer-Encoding with Content-Length, Transfer-Encoding in HTTP/1.0, an
//    empty Transfer-Encoding, and a Content-Length given more than once (even
//    if the copies agree) are 400 AB400; chunked after another coding (gzip,
//    chunked) is 501 AB501, as no other transfer coding is implemented.
//    Obsolete line folding is accepted as Beast reads it: each fold becomes
//    one space, as RFC 9112 5.2 allows, so a folded field means the same to
//    any conforming proxy.
//  - header_timeout bounds the wait for a request's headers: on a new
//    connection from the accept, on a kept-alive one from the request's first
//    byte. A client that trickles its headers (slowloris) or connects and
//    sends nothing is disconnected at that deadline without an answer (as
//    nginx does with its 408: a half-sent request cannot be answered
//    reliably).
//  - request_timeout bounds reading the body once the headers are in, and,
//    separately, writing the response; overrun, the connection is dropped.
//  - idle_timeout bounds the wait for the first byte of the next request on a
//    kept-alive connection; then the connection is closed quietly.
//  - The handler itself runs without a deadline; handlers bound their own work
//    (statement_timeout, pool wait).
//  - A handler that throws, or returns a status outside 200-599: logged, and
//    answered 500 AB500; the connection stays usable.
//  - Every 503 and 504 carries Retry-After (1 s unless the handler set one).
//  - Every error body (status 400 and up) is sent as valid UTF-8: ill-formed
//    sequences a handler echoed from the request become U+FFFD, so a JSON
//    error stays valid JSON.
// Whenever the server closes a connection after answering (an error,
// Connection: close, HTTP/1.0, shutdown) it first shuts down its sending side
// and reads and discards what the client still sends, until the client closes
// or for at most a second, so the client sees the answer instead of a reset.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "http/message.hpp"
#include "http/websocket.hpp"
#include "util/result.hpp"

namespace boost::asio {
class io_context;
}

namespace agentbase::http {

namespace detail {
struct ServerState;
}

struct ServerOptions {
  std::string address = "127.0.0.1";
  uint16_t port = 54321;  // 0: let the system pick a free port (tests)
  size_t max_connections = 1024;
  // From one client address (IPv6: one /64); 0 turns the cap off.
  size_t max_connections_per_address = 64;
  size_t header_limit = 16 * 1024;
  size_t body_limit = 1024 * 1024;
  std::chrono::milliseconds header_timeout{10'000};
  std::chrono::milliseconds request_timeout{30'000};
  std::chrono::milliseconds idle_timeout{60'000};
  // Answer CORS preflights and add CORS headers to every response (http/cors.hpp).
  bool cors = true;
};

class Server {
 public:
  Server(boost::asio::io_context& io, ServerOptions options, Handler handler);
  // Closes the listener and every connection at once (no draining); sessions
  // still running finish on the io_context. Destroy before the io_context.
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Websocket upgrade requests (GET, Upgrade: websocket) for exactly this
  // path go to `handler` instead of the request handler (http/websocket.hpp).
  // Call before Start.
  void AddUpgradeRoute(std::string path, UpgradeHandler handler);

  // Binds and listens; returns the bound port. Errors (address in use, bad
  // address, already started) come back as values with code "listen".
  Result<uint16_t> Start();

  // Graceful stop: close the listener (new connects are refused), close idle
  // keep-alive connections now, let requests already being read or handled
  // finish (answered with Connection: close), and complete when every
  // connection has ended or `deadline` has passed, whichever comes first; at
  // the deadline the remaining connections are closed. Handlers still running
  // then finish on the io_context, but their answers are dropped. The returned
  // awaitable does not refer to this Server, so it may outlive it.
  boost::asio::awaitable<void> Shutdown(std::chrono::milliseconds deadline);

  // Open client connections, not counting those being turned away with 503.
  size_t ActiveSessions() const;
  // Of those, the ones waiting for a request (new, or kept alive): the ones
  // a new connection may reclaim at a cap.
  size_t IdleSessions() const;

 private:
  // Shared with the accept loop and the sessions, which may outlive the Server.
  std::shared_ptr<detail::ServerState> state_;
};

}  // namespace agentbase::http
