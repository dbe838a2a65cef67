// The only translation unit that includes Beast (it is slow to compile).

#include "http/server.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <exception>
#include <limits>
#include <optional>
#include <unordered_map>
#include <utility>
#include <vector>

#include "http/cors.hpp"
#include "http/errors.hpp"
#include "http/response_head.hpp"
#include "http/target.hpp"
#include "util/text.hpp"

namespace agentbase::http {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;

namespace {

constexpr auto kUseTuple = net::as_tuple(net::use_awaitable);
constexpr size_t kReadChunk = 8192;
// How long a connection closed after an error keeps reading (and discarding)
// what the client still sends, so the client sees our answer, not a reset.
constexpr std::chrono::seconds kLingerLimit{1};
// After an accept error (out of descriptors, say), wait before trying again
// rather than spinning.
constexpr std::chrono::milliseconds kAcceptRetryDelay{100};
constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";

// co_spawn would otherwise drop exceptions silently.
struct LogFailure {
  const char* what;
  void operator()(std::exception_ptr error) const {
    if (!error) return;
    try {
      std::rethrow_exception(error);
    } catch (const std::exception& e) {
      spdlog::error("http: {} failed: {}", what, e.what());
    } catch (...) {
      spdlog::error("http: {} failed with a non-standard exception", what);
    }
  }
};

}  // namespace

namespace detail {

// Timeouts are deadlines that one sweeper enforces by closing the socket
// (see Sweep), rather than a timer per read and write: re-arming and
// cancelling timers cost more than the rest of a small request.
struct Connection {
  Connection(uint64_t connection_id, tcp::socket connected, std::string remote, bool turned_away)
      : id(connection_id), socket(std::move(connected)), remote_address(std::move(remote)), rejecting(turned_away) {}

  void ExpiresAfter(Clock::duration limit) { deadline = Clock::now() + limit; }
  void ExpiresNever() { deadline = Clock::time_point::max(); }
  void Close() {
    beast::error_code ignored;  // closing a socket that is already closed or reset
    socket.close(ignored);
  }

  uint64_t id;
  tcp::socket socket;
  Clock::time_point deadline = Clock::time_point::max();
  beast::flat_buffer buffer;  // may hold the start of the next (pipelined) request
  std::string remote_address;
  bool rejecting;     // being answered 503; not counted as a session
  bool idle = true;   // waiting for the first byte of a request: Shutdown closes it
};

struct ServerState {
  ServerState(net::io_context& io_context, ServerOptions server_options, Handler request_handler)
      : io(io_context),
        options(std::move(server_options)),
        handler(std::move(request_handler)),
        acceptor(io_context),
        sweep_timer(io_context) {}

  std::shared_ptr<Connection> Register(tcp::socket socket, bool rejecting) {
    beast::error_code ec;
    auto remote = socket.remote_endpoint(ec);
    std::string remote_address = ec ? std::string() : remote.address().to_string();
    auto connection = std::make_shared<Connection>(next_id++, std::move(socket), std::move(remote_address), rejecting);
    connections.emplace(connection->id, connection);
    ++(rejecting ? rejecting_count : session_count);
    return connection;
  }

  void Unregister(uint64_t id) {
    auto it = connections.find(id);
    if (it == connections.end()) return;
    --(it->second->rejecting ? rejecting_count : session_count);
    connections.erase(it);
    // A stopped io_context may be tearing down its queues; nobody waits then.
    if (draining && connections.empty() && !io.stopped()) {
      for (auto& waiter : drain_waiters) waiter->cancel();
      sweep_timer.cancel();
    }
  }

  void CloseIdle() {
    for (auto& [id, connection] : connections) {
      if (connection->idle || connection->rejecting) connection->Close();
    }
  }

  void CloseAll() {
    for (auto& [id, connection] : connections) connection->Close();
  }

  // Closes the connections whose deadline has passed; their pending read or
  // write ends with an error and their session ends.
  void CloseExpired(Clock::time_point now) {
    for (auto& [id, connection] : connections) {
      if (connection->deadline <= now) {
        spdlog::debug("http: connection {} timed out", id);
        connection->ExpiresNever();
        connection->Close();
      }
    }
  }

  net::io_context& io;
  ServerOptions options;
  Handler handler;
  tcp::acceptor acceptor;
  bool started = false;
  bool draining = false;
  uint64_t next_id = 1;
  size_t session_count = 0;
  size_t rejecting_count = 0;
  std::unordered_map<uint64_t, std::shared_ptr<Connection>> connections;
  std::vector<std::shared_ptr<net::steady_timer>> drain_waiters;
  net::steady_timer sweep_timer;
};

}  // namespace detail

namespace {

using detail::Connection;
using detail::ServerState;
using BeastRequest = bhttp::request<bhttp::string_body>;

// Unregisters a connection however its coroutine ends (return, exception, or
// destruction of the frame with the io_context).
class Registration {
 public:
  Registration(std::shared_ptr<ServerState> state, uint64_t id) : state_(std::move(state)), id_(id) {}
  ~Registration() { state_->Unregister(id_); }
  Registration(const Registration&) = delete;
  Registration& operator=(const Registration&) = delete;

 private:
  std::shared_ptr<ServerState> state_;
  uint64_t id_;
};

Clock::duration LingerLimit(const ServerOptions& options) {
  return std::min<Clock::duration>(kLingerLimit, options.request_timeout);
}

Response InternalError() { return JsonError(500, "AB500", "internal server error"); }

// What to answer when reading a request failed; nullopt when there is nobody
// to answer (end of stream, reset, timeout, closed by Shutdown).
std::optional<Response> ReadErrorResponse(const beast::error_code& ec, const ServerOptions& options) {
  if (ec == bhttp::error::header_limit) {
    return JsonError(431, "AB431", "request header fields too large",
                     fmt::format("the request line and headers exceed {} bytes", options.header_limit));
  }
  if (ec == bhttp::error::body_limit) {
    return JsonError(413, "AB413", "request body too large",
                     fmt::format("the request body exceeds {} bytes", options.body_limit));
  }
  static constexpr bhttp::error kMalformed[] = {
      bhttp::error::bad_line_ending,  bhttp::error::bad_method,          bhttp::error::bad_target,
      bhttp::error::bad_version,      bhttp::error::bad_field,           bhttp::error::bad_value,
      bhttp::error::bad_content_length, bhttp::error::bad_transfer_encoding, bhttp::error::bad_chunk,
      bhttp::error::bad_chunk_extension, bhttp::error::bad_obs_fold,      bhttp::error::multiple_content_length,
  };
  for (auto malformed : kMalformed) {
    if (ec == malformed) return JsonError(400, "AB400", "malformed HTTP request", ec.message());
  }
  return std::nullopt;
}

bool IsContinueExpected(const BeastRequest& message) {
  auto expect = message.find(bhttp::field::expect);
  return message.version() >= 11 && expect != message.end() && beast::iequals(expect->value(), "100-continue");
}

// One request read off a connection: either a request for the handler, an
// answer the server gives itself (then the connection closes), or nothing
// (the connection is gone).
struct Incoming {
  std::optional<Request> request;
  std::optional<Response> error;
  unsigned version = 11;
  bool keep_alive = false;
};

net::awaitable<Incoming> ReadRequest(std::shared_ptr<ServerState> state, std::shared_ptr<Connection> connection) {
  Incoming incoming;
  bhttp::request_parser<bhttp::string_body> parser;
  parser.header_limit(static_cast<uint32_t>(
      std::min<size_t>(state->options.header_limit, std::numeric_limits<uint32_t>::max())));
  parser.body_limit(state->options.body_limit);

  beast::error_code ec;
  std::tie(ec, std::ignore) =
      co_await bhttp::async_read_header(connection->socket, connection->buffer, parser, kUseTuple);
  if (!ec && !parser.is_done()) {
    if (IsContinueExpected(parser.get())) {
      std::tie(ec, std::ignore) =
          co_await net::async_write(connection->socket, net::buffer(kContinue.data(), kContinue.size()), kUseTuple);
    }
    if (!ec) {
      std::tie(ec, std::ignore) =
          co_await bhttp::async_read(connection->socket, connection->buffer, parser, kUseTuple);
    }
  }
  if (ec) {
    incoming.error = ReadErrorResponse(ec, state->options);
    if (!incoming.error) spdlog::debug("http: connection {} ended while reading: {}", connection->id, ec.message());
    co_return incoming;
  }

  BeastRequest& message = parser.get();
  incoming.version = message.version();
  incoming.keep_alive = message.keep_alive();
  Request request;
  request.method = ToUpper(message.method_string());
  request.target = std::string(message.target());
  auto target = ParseTarget(request.target);
  if (!target) {
    incoming.error = JsonError(400, "AB400", "malformed request target", target.error().message);
    co_return incoming;
  }
  request.path = std::move(target->path);
  request.query = std::move(target->query);
  request.headers.reserve(static_cast<size_t>(std::distance(message.begin(), message.end())));
  for (const auto& field : message) {
    request.headers.emplace_back(ToLower(field.name_string()), std::string(field.value()));
  }
  request.body = std::move(message.body());
  request.remote_address = connection->remote_address;
  incoming.request = std::move(request);
  co_return incoming;
}

// The handler's answer; exceptions and unusable statuses become 500.
// `method` and `path` (for the log) are the caller's copies, which outlive the call.
net::awaitable<Response> CallHandler(std::shared_ptr<ServerState> state, Request request, std::string_view method,
                                     std::string_view path) {
  std::string failure;
  try {
    if (state->options.cors && IsPreflight(request)) co_return PreflightResponse(request);
    Response response = co_await state->handler(std::move(request));
    if (response.status >= 200 && response.status <= 599) co_return response;
    failure = fmt::format("returned the unusable status {}", response.status);
  } catch (const std::exception& error) {
    failure = fmt::format("threw: {}", error.what());
  } catch (...) {
    failure = "threw a non-standard exception";
  }
  spdlog::error("http: the handler of {} {} {}", method, path, failure);
  co_return InternalError();
}

// Stops sending, then reads and discards until the client closes too or the
// limit passes, then closes.
net::awaitable<void> CloseGracefully(std::shared_ptr<Connection> connection, Clock::duration limit) {
  beast::error_code ec;
  connection->socket.shutdown(tcp::socket::shutdown_send, ec);
  if (!ec) {
    connection->ExpiresAfter(limit);
    connection->buffer.clear();
    for (;;) {
      auto [read_ec, ignored] = co_await connection->socket.async_read_some(connection->buffer.prepare(kReadChunk),
                                                                            kUseTuple);
      if (read_ec) break;
    }
  }
  connection->Close();
}

net::awaitable<beast::error_code> Send(std::shared_ptr<ServerState> state, std::shared_ptr<Connection> connection,
                                       Response response, unsigned version, bool keep_alive, bool head) {
  if (state->options.cors) AddCorsHeaders(response);
  std::string head_bytes = ResponseHead(response, version, keep_alive);
  // For HEAD the Content-Length is the one GET would send; the body stays home.
  bool with_body = !head && StatusHasBody(response.status);
  std::array<net::const_buffer, 2> buffers = {net::buffer(head_bytes),
                                              with_body ? net::buffer(response.body) : net::const_buffer()};
  connection->ExpiresAfter(state->options.request_timeout);
  auto [ec, ignored] = co_await net::async_write(connection->socket, buffers, kUseTuple);
  co_return ec;
}

net::awaitable<void> RunSession(std::shared_ptr<ServerState> state, std::shared_ptr<Connection> connection) {
  Registration registration(state, connection->id);
  bool first = true;
  for (;;) {
    if (connection->buffer.size() == 0) {
      // Wait for the next request's first byte, under the idle timeout (a new
      // connection gets the request timeout: it has no business idling).
      connection->idle = true;
      if (state->draining) break;
      connection->ExpiresAfter(first ? state->options.request_timeout : state->options.idle_timeout);
      auto [ec, size] = co_await connection->socket.async_read_some(connection->buffer.prepare(kReadChunk), kUseTuple);
      if (ec) break;
      connection->buffer.commit(size);
    }
    first = false;
    connection->idle = false;
    connection->ExpiresAfter(state->options.request_timeout);
    Incoming incoming = co_await ReadRequest(state, connection);
    if (incoming.error) {
      spdlog::debug("http: connection {}: answering {} and closing", connection->id, incoming.error->status);
      auto ec = co_await Send(state, connection, std::move(*incoming.error), incoming.version, false, false);
      if (!ec) co_await CloseGracefully(connection, LingerLimit(state->options));
      break;
    }
    if (!incoming.request) break;

    bool timed = spdlog::should_log(spdlog::level::debug);
    auto started = timed ? Clock::now() : Clock::time_point{};
    std::string method = incoming.request->method;
    std::string path = incoming.request->path;
    connection->ExpiresNever();
    Response response = co_await CallHandler(state, std::move(*incoming.request), method, path);
    int status = response.status;
    bool keep_alive = incoming.keep_alive && !state->draining;
    auto ec = co_await Send(state, connection, std::move(response), incoming.version, keep_alive, method == "HEAD");
    if (timed) {
      spdlog::debug("http: {} {} {} {}us", method, path, status,
                    std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - started).count());
    }
    if (ec) break;
    if (!keep_alive || state->draining) {
      co_await CloseGracefully(connection, LingerLimit(state->options));
      break;
    }
  }
  connection->Close();
}

net::awaitable<void> RejectConnection(std::shared_ptr<ServerState> state, std::shared_ptr<Connection> connection) {
  Registration registration(state, connection->id);
  Response response =
      JsonError(503, "AB503", "too many connections",
                fmt::format("the server is at its limit of {} connections", state->options.max_connections));
  response.headers.emplace_back("Retry-After", "1");
  auto limit = LingerLimit(state->options);
  auto ec = co_await Send(state, connection, std::move(response), 11, false, false);
  if (!ec) co_await CloseGracefully(connection, limit);
  connection->Close();
}

void Admit(const std::shared_ptr<ServerState>& state, tcp::socket socket) {
  if (state->draining) return;  // closes the socket
  beast::error_code ec;
  socket.set_option(tcp::no_delay(true), ec);  // small responses should not wait for Nagle
  if (state->session_count >= state->options.max_connections) {
    if (state->rejecting_count >= state->options.max_connections) {
      spdlog::debug("http: too many connections; closing a new one unanswered");
      return;
    }
    spdlog::debug("http: too many connections; answering 503");
    auto connection = state->Register(std::move(socket), true);
    net::co_spawn(state->io, RejectConnection(state, connection), LogFailure{"turning away a connection"});
    return;
  }
  auto connection = state->Register(std::move(socket), false);
  net::co_spawn(state->io, RunSession(state, connection), LogFailure{"session"});
}

// How often deadlines are checked: a tenth of the shortest timeout, so a
// timeout fires at most 10% late.
Clock::duration SweepInterval(const ServerOptions& options) {
  Clock::duration shortest = std::min<Clock::duration>(options.request_timeout, options.idle_timeout) / 10;
  return std::clamp<Clock::duration>(shortest, std::chrono::milliseconds(10), std::chrono::seconds(1));
}

// Enforces the connections' deadlines until the server has stopped and the
// last connection is gone.
net::awaitable<void> Sweep(std::shared_ptr<ServerState> state) {
  auto interval = SweepInterval(state->options);
  while (!(state->draining && state->connections.empty())) {
    state->sweep_timer.expires_after(interval);
    co_await state->sweep_timer.async_wait(kUseTuple);
    state->CloseExpired(Clock::now());
  }
}

net::awaitable<void> AcceptLoop(std::shared_ptr<ServerState> state) {
  for (;;) {
    auto [ec, socket] = co_await state->acceptor.async_accept(kUseTuple);
    if (!state->acceptor.is_open() || ec == net::error::operation_aborted) co_return;
    if (ec) {
      spdlog::warn("http: accept failed: {}", ec.message());
      net::steady_timer pause(state->io, kAcceptRetryDelay);
      co_await pause.async_wait(kUseTuple);
      continue;
    }
    Admit(state, std::move(socket));
  }
}

net::awaitable<void> DrainAndStop(std::shared_ptr<ServerState> state, std::chrono::milliseconds deadline) {
  if (!state->draining) {
    state->draining = true;
    spdlog::info("http: shutting down; {} connections open, waiting up to {} ms", state->connections.size(),
                 deadline.count());
    beast::error_code ec;
    state->acceptor.close(ec);
    state->CloseIdle();
  }
  if (!state->connections.empty()) {
    auto timer = std::make_shared<net::steady_timer>(state->io, deadline);
    state->drain_waiters.push_back(timer);
    co_await timer->async_wait(kUseTuple);
    std::erase(state->drain_waiters, timer);
    if (!state->connections.empty()) {
      spdlog::warn("http: {} connections still open after {} ms; closing them", state->connections.size(),
                   deadline.count());
      state->CloseAll();
    }
  }
  if (state->connections.empty()) state->sweep_timer.cancel();
  spdlog::info("http: stopped");
}

std::string FormatEndpoint(const tcp::endpoint& endpoint) {
  if (endpoint.address().is_v6()) return fmt::format("[{}]:{}", endpoint.address().to_string(), endpoint.port());
  return fmt::format("{}:{}", endpoint.address().to_string(), endpoint.port());
}

}  // namespace

Server::Server(net::io_context& io, ServerOptions options, Handler handler)
    : state_(std::make_shared<ServerState>(io, std::move(options), std::move(handler))) {}

Server::~Server() {
  state_->draining = true;
  beast::error_code ec;
  state_->acceptor.close(ec);
  state_->CloseAll();
  state_->sweep_timer.cancel();
}

Result<uint16_t> Server::Start() {
  ServerState& state = *state_;
  if (state.started || state.draining) return Error::Make("the HTTP server was already started or stopped", "listen");
  beast::error_code ec;
  auto address = net::ip::make_address(state.options.address, ec);
  if (ec) {
    Error error = Error::Make("invalid listen address '" + state.options.address + "': " + ec.message(), "listen");
    error.hint = "use an IP address such as 127.0.0.1, 0.0.0.0 or ::";
    return error;
  }
  tcp::endpoint endpoint(address, state.options.port);
  auto fail = [&](std::string_view step) {
    Error error = Error::Make(fmt::format("cannot listen on {}: {} failed: {}", FormatEndpoint(endpoint), step,
                                          ec.message()),
                              "listen");
    if (ec == net::error::address_in_use) error.hint = "another process uses this port; choose another one";
    if (ec == net::error::access_denied) error.hint = "ports below 1024 need privileges; choose a higher one";
    beast::error_code ignored;
    state.acceptor.close(ignored);
    return error;
  };
  state.acceptor.open(endpoint.protocol(), ec);
  if (ec) return fail("open");
  state.acceptor.set_option(net::socket_base::reuse_address(true), ec);
  if (ec) return fail("setsockopt");
  state.acceptor.bind(endpoint, ec);
  if (ec) return fail("bind");
  state.acceptor.listen(net::socket_base::max_listen_connections, ec);
  if (ec) return fail("listen");
  auto bound = state.acceptor.local_endpoint(ec);
  if (ec) return fail("getsockname");

  state.started = true;
  net::co_spawn(state.io, AcceptLoop(state_), LogFailure{"accept loop"});
  net::co_spawn(state.io, Sweep(state_), LogFailure{"timeout sweeper"});
  spdlog::info("http: listening on {}", FormatEndpoint(bound));
  return bound.port();
}

net::awaitable<void> Server::Shutdown(std::chrono::milliseconds deadline) { return DrainAndStop(state_, deadline); }

size_t Server::ActiveSessions() const { return state_->session_count; }

}  // namespace agentbase::http
