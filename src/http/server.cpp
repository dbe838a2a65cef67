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
#include <list>
#include <optional>
#include <unordered_map>
#include <utility>
#include <vector>

#include "http/connection.hpp"
#include "http/cors.hpp"
#include "http/errors.hpp"
#include "http/response_head.hpp"
#include "http/target.hpp"
#include "util/log_failure.hpp"
#include "util/text.hpp"
#include "util/utf8.hpp"

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

}  // namespace

namespace detail {

struct ServerState {
  ServerState(net::io_context& io_context, ServerOptions server_options, Handler request_handler)
      : io(io_context),
        options(std::move(server_options)),
        handler(std::move(request_handler)),
        acceptor(io_context),
        sweep_timer(io_context) {}

  std::shared_ptr<Connection> Register(tcp::socket socket, std::string remote_address, std::string address_key,
                                       bool rejecting) {
    auto connection = std::make_shared<Connection>(next_id++, std::move(socket), std::move(remote_address),
                                                   std::move(address_key), rejecting);
    connections.emplace(connection->id, connection);
    if (rejecting) {
      ++rejecting_count;
    } else {
      ++session_count;
      auto& peers = sessions_by_address[connection->address_key];
      connection->address_entry = peers.insert(peers.end(), connection.get());
    }
    return connection;
  }

  void Unregister(uint64_t id) {
    auto it = connections.find(id);
    if (it == connections.end()) return;
    const Connection& connection = *it->second;
    if (connection.rejecting) {
      --rejecting_count;
    } else {
      --session_count;
      auto peers = sessions_by_address.find(connection.address_key);
      peers->second.erase(connection.address_entry);
      if (peers->second.empty()) sessions_by_address.erase(peers);
    }
    connections.erase(it);
    // A stopped io_context may be tearing down its queues; nobody waits then.
    if (draining && connections.empty() && !io.stopped()) {
      for (auto& waiter : drain_waiters) waiter->cancel();
      sweep_timer.cancel();
    }
  }

  void CloseIdle() {
    for (auto& [id, connection] : connections) {
      if (connection->phase == Connection::Phase::kWaiting || connection->rejecting) {
        connection->Close();
      } else if (connection->on_drain) {
        connection->on_drain();
      }
    }
  }

  void CloseAll() {
    for (auto& [id, connection] : connections) connection->Close();
  }

  size_t SessionsFrom(const std::string& address_key) const {
    auto it = sessions_by_address.find(address_key);
    return it == sessions_by_address.end() ? 0 : it->second.size();
  }

  // Closes a session to make room for a new connection (among that
  // address's, when one is given): the one that has waited longest for a
  // request, or else the one whose headers have been arriving longest, if
  // for more than `slow_headers` (a slowloris, or a client too slow to serve
  // when room is short). False if every session is busy otherwise. The
  // closed session ends on its own once its read fails. It runs only at a
  // cap, on every accept there: linear in that address's sessions (at most
  // its cap, however many other clients are connected), or at the global
  // cap in all connections (at most twice max_connections, with those being
  // turned away).
  bool Reclaim(const std::string* address_key, Clock::duration slow_headers) {
    Connection* idle_longest = nullptr;
    Connection* slowest = nullptr;
    auto consider = [&](Connection* connection) {
      if (connection->phase == Connection::Phase::kWaiting) {
        if (idle_longest == nullptr || connection->since < idle_longest->since) idle_longest = connection;
      } else if (connection->phase == Connection::Phase::kReadingHeaders) {
        if (slowest == nullptr || connection->since < slowest->since) slowest = connection;
      }
    };
    if (address_key != nullptr) {
      auto peers = sessions_by_address.find(*address_key);
      if (peers != sessions_by_address.end()) std::for_each(peers->second.begin(), peers->second.end(), consider);
    } else {
      for (auto& [id, connection] : connections) {
        if (!connection->rejecting) consider(connection.get());
      }
    }
    Connection* chosen = idle_longest;
    if (chosen == nullptr && slowest != nullptr && Clock::now() - slowest->since > slow_headers) {
      chosen = slowest;
    }
    if (chosen == nullptr) return false;
    spdlog::debug("http: closing connection {} ({}) for a new one", chosen->id,
                  chosen == idle_longest ? "idle" : "slow headers");
    chosen->phase = Connection::Phase::kBusy;  // not picked twice while its session winds down
    chosen->ExpiresNever();
    chosen->Close();
    return true;
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
  // Open sessions by Connection::address_key; addresses with none are
  // erased, so it holds at most one entry per session.
  std::unordered_map<std::string, std::list<Connection*>> sessions_by_address;
  std::vector<std::shared_ptr<net::steady_timer>> drain_waiters;
  net::steady_timer sweep_timer;
  std::unordered_map<std::string, UpgradeHandler> upgrade_routes;  // by exact path
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

// Why Beast refused a request, in words a client's author can act on;
// nullopt for errors that are not the client's malformed HTTP.
std::optional<std::string_view> MalformedDetail(const beast::error_code& ec) {
  if (ec == bhttp::error::bad_value) {
    return "a header value contains a control character (NUL, a bare CR or LF, or another byte below 0x20 other "
           "than tab)";
  }
  if (ec == bhttp::error::bad_field) return "malformed header field name";
  if (ec == bhttp::error::bad_line_ending) return "a line of the request does not end in CRLF";
  if (ec == bhttp::error::bad_method || ec == bhttp::error::bad_target || ec == bhttp::error::bad_version) {
    return "malformed request line";
  }
  if (ec == bhttp::error::bad_content_length) {
    return "invalid Content-Length, or Content-Length together with Transfer-Encoding";
  }
  if (ec == bhttp::error::multiple_content_length) return "conflicting Content-Length values";
  if (ec == bhttp::error::bad_transfer_encoding) {
    return "Transfer-Encoding repeated, or together with Content-Length";
  }
  if (ec == bhttp::error::bad_chunk || ec == bhttp::error::bad_chunk_extension) return "malformed chunked body";
  if (ec == bhttp::error::bad_obs_fold) return "malformed obsolete line folding";
  return std::nullopt;
}

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
  if (auto detail = MalformedDetail(ec)) return JsonError(400, "AB400", "malformed HTTP request", *detail);
  return std::nullopt;
}

Response FramingRefused(std::string_view detail) {
  return JsonError(400, "AB400", "ambiguous request body framing", detail);
}

// RFC 9112 6.1 and 6.3. Beast reads a Transfer-Encoding whose final coding is
// not chunked (identity, gzip, "chunked, identity") as no body at all, and
// accepts repeated identical Content-Lengths; a proxy in front may read either
// differently, and the body would then run here as a request of its own. So
// anything but one plain Content-Length or exactly "chunked" is refused.
// Called once the headers are in, before any of the body is read.
std::optional<Response> FramingError(const BeastRequest& message, bool parser_chunked) {
  auto transfer_encoding = message.find(bhttp::field::transfer_encoding);
  if (transfer_encoding == message.end()) {
    auto content_length = message.find(bhttp::field::content_length);
    if (content_length == message.end()) return std::nullopt;  // no body: the common case ends here
    if (message.count(bhttp::field::content_length) > 1 ||
        content_length->value().find(',') != beast::string_view::npos) {
      return FramingRefused("Content-Length is given more than once");
    }
    return std::nullopt;
  }
  if (message.version() < 11) return FramingRefused("Transfer-Encoding in an HTTP/1.0 request");
  if (message.count(bhttp::field::content_length) > 0) {
    return FramingRefused("Transfer-Encoding together with Content-Length");
  }
  // The codings of every Transfer-Encoding field, in order, as one list.
  size_t codings = 0;
  size_t chunked = 0;
  bool last_is_chunked = false;
  std::string_view other_coding;
  // In arrival order (Beast's equal_range spans other fields in between).
  for (const auto& field : message) {
    if (field.name() != bhttp::field::transfer_encoding) continue;
    std::string_view list(field.value().data(), field.value().size());
    while (!list.empty()) {
      size_t comma = list.find(',');
      // Beast has refused every control character but tab in a value, so
      // TrimView's white space is exactly the list's OWS (space and tab).
      std::string_view element = TrimView(list.substr(0, comma));
      list = comma == std::string_view::npos ? std::string_view() : list.substr(comma + 1);
      if (element.empty()) continue;  // "a, , b": empty list elements are allowed and mean nothing
      ++codings;
      last_is_chunked = beast::iequals(element, "chunked");
      if (last_is_chunked) {
        ++chunked;
      } else if (other_coding.empty()) {
        other_coding = element;
      }
    }
  }
  if (codings == 0) return FramingRefused("empty Transfer-Encoding");
  if (!last_is_chunked) {
    return FramingRefused("the final transfer coding is not chunked, so the body's length is unknown");
  }
  if (chunked > 1) return FramingRefused("the chunked transfer coding is applied more than once");
  if (!other_coding.empty()) {
    return JsonError(501, "AB501", "transfer coding not implemented",
                     fmt::format("only chunked is implemented, not '{}'", other_coding));
  }
  // Beast must have read it the same way; anything else is a disagreement to refuse.
  if (!parser_chunked) return FramingRefused("unrecognized Transfer-Encoding");
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
  parser.header_limit(
      static_cast<uint32_t>(std::min<size_t>(state->options.header_limit, std::numeric_limits<uint32_t>::max())));
  parser.body_limit(state->options.body_limit);

  beast::error_code ec;
  std::tie(ec, std::ignore) =
      co_await bhttp::async_read_header(connection->socket, connection->buffer, parser, kUseTuple);
  connection->phase = Connection::Phase::kBusy;
  if (!ec) {
    if (auto refused = FramingError(parser.get(), parser.chunked())) {
      incoming.version = parser.get().version();
      incoming.error = std::move(refused);
      co_return incoming;
    }
  }
  if (!ec && !parser.is_done()) {
    connection->ExpiresAfter(state->options.request_timeout);  // the body's own deadline
    if (IsContinueExpected(parser.get())) {
      std::tie(ec, std::ignore) =
          co_await net::async_write(connection->socket, net::buffer(kContinue.data(), kContinue.size()), kUseTuple);
    }
    if (!ec) {
      std::tie(ec, std::ignore) = co_await bhttp::async_read(connection->socket, connection->buffer, parser, kUseTuple);
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
  } catch (...) {
    failure = "threw: " + DescribeException(std::current_exception());
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
      auto [read_ec, ignored] =
          co_await connection->socket.async_read_some(connection->buffer.prepare(kReadChunk), kUseTuple);
      if (read_ec) break;
    }
  }
  connection->Close();
}

bool HasHeader(const Response& response, std::string_view name) {
  return std::any_of(response.headers.begin(), response.headers.end(),
                     [&](const auto& header) { return EqualsIgnoreCase(header.first, name); });
}

// What every response owes the client whoever produced it; checks that cost
// a comparison on a successful response.
void EnforceResponseRules(Response& response) {
  if (response.status < 400) return;
  // A 503 or 504 is temporary: say when to come back.
  if ((response.status == 503 || response.status == 504) && !HasHeader(response, "retry-after")) {
    response.headers.emplace_back("Retry-After", "1");
  }
  // Errors echo parts of the request (a path, a name), which may be any
  // bytes; JSON must be UTF-8, and replacing only inside the ill-formed
  // sequences keeps a JSON body's structure, which is all ASCII.
  if (!IsValidUtf8(response.body)) response.body = ReplaceInvalidUtf8(response.body);
}

net::awaitable<beast::error_code> Send(std::shared_ptr<ServerState> state, std::shared_ptr<Connection> connection,
                                       Response response, unsigned version, bool keep_alive, bool head) {
  EnforceResponseRules(response);
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

// The upgrade route a request asks for: a GET for a registered path whose
// Upgrade header names websocket (Beast's handshake checks the rest).
const UpgradeHandler* UpgradeRoute(const ServerState& state, const Request& request) {
  if (state.upgrade_routes.empty() || request.method != "GET") return nullptr;
  auto route = state.upgrade_routes.find(request.path);
  if (route == state.upgrade_routes.end()) return nullptr;
  auto upgrade = request.Header("upgrade");
  if (!upgrade || !EqualsIgnoreCase(TrimView(*upgrade), "websocket")) return nullptr;
  return &route->second;
}

// Hands an upgrade request to its route; the connection ends with the websocket.
net::awaitable<void> Upgrade(std::shared_ptr<ServerState> state, std::shared_ptr<Connection> connection,
                             const UpgradeHandler& route, Request request, unsigned version) {
  connection->ExpiresNever();  // the websocket keeps its own deadlines
  UpgradeAnswer answer;
  std::string failure;
  try {
    answer = co_await route(request);
  } catch (...) {
    failure = DescribeException(std::current_exception());
  }
  if (!failure.empty()) {
    spdlog::error("http: the upgrade handler of {} threw: {}", request.path, failure);
    answer.refusal = InternalError();
  }
  if (!answer.refusal && connection->buffer.size() > 0) {
    // A client must wait for 101 before it speaks websocket.
    answer.refusal = JsonError(400, "AB400", "data sent after the upgrade request, before the handshake completed");
  }
  if (!answer.refusal && !answer.open) answer.refusal = InternalError();
  if (answer.refusal) {
    auto ec = co_await Send(state, connection, std::move(*answer.refusal), version, false, false);
    if (!ec) co_await CloseGracefully(connection, LingerLimit(state->options));
    co_return;
  }
  co_await detail::ServeWebSocket(connection, std::move(request), std::move(answer));
}

net::awaitable<void> RunSession(std::shared_ptr<ServerState> state, std::shared_ptr<Connection> connection) {
  Registration registration(state, connection->id);
  const ServerOptions& options = state->options;
  bool fresh = true;  // nothing read yet
  for (;;) {
    if (connection->buffer.size() == 0) {
      // Wait for the next request's first byte, under the idle timeout. A new
      // connection has no business idling: its whole header is due within
      // header_timeout of the accept.
      if (state->draining) break;
      connection->BecomeIdle(fresh ? options.header_timeout : options.idle_timeout);
      auto [ec, size] = co_await connection->socket.async_read_some(connection->buffer.prepare(kReadChunk), kUseTuple);
      if (ec) break;
      connection->buffer.commit(size);
    }
    connection->BeginHeaders(fresh, options.header_timeout);
    fresh = false;
    Incoming incoming = co_await ReadRequest(state, connection);
    if (incoming.error) {
      spdlog::debug("http: connection {}: answering {} and closing", connection->id, incoming.error->status);
      auto ec = co_await Send(state, connection, std::move(*incoming.error), incoming.version, false, false);
      if (!ec) co_await CloseGracefully(connection, LingerLimit(state->options));
      break;
    }
    if (!incoming.request) break;
    if (const UpgradeHandler* route = UpgradeRoute(*state, *incoming.request)) {
      co_await Upgrade(state, connection, *route, std::move(*incoming.request), incoming.version);
      break;
    }

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

net::awaitable<void> RejectConnection(std::shared_ptr<ServerState> state, std::shared_ptr<Connection> connection,
                                      std::string reason) {
  Registration registration(state, connection->id);
  // Send adds its Retry-After, as to every 503.
  Response response = JsonError(503, "AB503", "too many connections", reason);
  auto limit = LingerLimit(state->options);
  auto ec = co_await Send(state, connection, std::move(response), 11, false, false);
  if (!ec) co_await CloseGracefully(connection, limit);
  connection->Close();
}

// At a cap, a request whose headers have taken longer than this may be
// closed for a new connection: real clients send theirs in one packet.
Clock::duration SlowHeaders(const ServerOptions& options) {
  return std::min<Clock::duration>(std::chrono::seconds(1), options.header_timeout / 2);
}

// What max_connections_per_address counts by: the address, or for IPv6 its
// /64, since one host usually holds a whole /64.
std::string AddressKey(const net::ip::address& address) {
  if (!address.is_v6()) return address.to_string();
  auto v6 = address.to_v6();
  if (v6.is_v4_mapped()) return net::ip::make_address_v4(net::ip::v4_mapped, v6).to_string();
  auto bytes = v6.to_bytes();
  std::fill(bytes.begin() + 8, bytes.end(), 0);
  return net::ip::address_v6(bytes).to_string() + "/64";
}

void Admit(const std::shared_ptr<ServerState>& state, tcp::socket socket) {
  if (state->draining) return;  // closes the socket
  const ServerOptions& options = state->options;
  beast::error_code ec;
  socket.set_option(tcp::no_delay(true), ec);  // small responses should not wait for Nagle
  auto remote = socket.remote_endpoint(ec);
  std::string remote_address = ec ? std::string() : remote.address().to_string();
  std::string address_key = ec ? std::string() : AddressKey(remote.address());

  // Within a cap, a connection waiting for a request gives way to the new
  // one; otherwise the new one is turned away.
  std::string refusal;
  if (options.max_connections_per_address > 0 &&
      state->SessionsFrom(address_key) >= options.max_connections_per_address) {
    if (!state->Reclaim(&address_key, SlowHeaders(options))) {
      refusal = fmt::format("the server is at its limit of {} connections from one client address",
                            options.max_connections_per_address);
    }
  } else if (state->session_count >= options.max_connections && !state->Reclaim(nullptr, SlowHeaders(options))) {
    refusal = fmt::format("the server is at its limit of {} connections", options.max_connections);
  }
  if (!refusal.empty()) {
    if (state->rejecting_count >= options.max_connections) {
      spdlog::debug("http: too many connections; closing a new one unanswered");
      return;
    }
    spdlog::debug("http: too many connections; answering 503");
    auto connection = state->Register(std::move(socket), std::move(remote_address), std::move(address_key), true);
    net::co_spawn(state->io, RejectConnection(state, connection, std::move(refusal)),
                  LogFailure{"turning away a connection"});
    return;
  }
  auto connection = state->Register(std::move(socket), std::move(remote_address), std::move(address_key), false);
  net::co_spawn(state->io, RunSession(state, connection), LogFailure{"http: session"});
}

// How often deadlines are checked: a tenth of the shortest timeout, so a
// timeout fires at most 10% late.
Clock::duration SweepInterval(const ServerOptions& options) {
  Clock::duration shortest =
      std::min<Clock::duration>({options.header_timeout, options.request_timeout, options.idle_timeout}) / 10;
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

void Server::AddUpgradeRoute(std::string path, UpgradeHandler handler) {
  state_->upgrade_routes.insert_or_assign(std::move(path), std::move(handler));
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
    Error error = Error::Make(
        fmt::format("cannot listen on {}: {} failed: {}", FormatEndpoint(endpoint), step, ec.message()), "listen");
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
  net::co_spawn(state.io, AcceptLoop(state_), LogFailure{"http: accept loop"});
  net::co_spawn(state.io, Sweep(state_), LogFailure{"http: timeout sweeper"});
  spdlog::info("http: listening on {}", FormatEndpoint(bound));
  return bound.port();
}

net::awaitable<void> Server::Shutdown(std::chrono::milliseconds deadline) { return DrainAndStop(state_, deadline); }

size_t Server::ActiveSessions() const { return state_->session_count; }

size_t Server::IdleSessions() const {
  const auto& connections = state_->connections;
  return static_cast<size_t>(std::count_if(connections.begin(), connections.end(), [](const auto& entry) {
    return entry.second->phase == Connection::Phase::kWaiting && !entry.second->rejecting;
  }));
}

}  // namespace agentbase::http
