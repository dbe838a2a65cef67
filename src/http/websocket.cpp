// The only translation unit that includes Beast's websocket (slow to compile).

#include <spdlog/spdlog.h>

#include <array>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/compose.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/websocket/stream.hpp>
#include <deque>
#include <utility>

#include "http/connection.hpp"

namespace agentbase::http::detail {

namespace net = boost::asio;
namespace bhttp = boost::beast::http;
namespace websocket = boost::beast::websocket;

// The websocket's next layer: the connection's socket, with a teardown of
// our own. Beast 1.81's TCP teardown stops draining after its first read
// (it tests a byte count it never sets), so a server-initiated close while
// the client is still sending (an oversized message: 1009) closed the socket
// with unread data, the kernel answered with a reset, and the client lost
// the close frame. This one reads until the client's end of stream; Beast's
// close timer (handshake_timeout) closes the socket if that never comes.
class ClientStream {
 public:
  using executor_type = tcp::socket::executor_type;
  using next_layer_type = tcp::socket;

  explicit ClientStream(tcp::socket& socket) : socket_(&socket) {}

  executor_type get_executor() { return socket_->get_executor(); }
  tcp::socket& next_layer() { return *socket_; }
  const tcp::socket& next_layer() const { return *socket_; }

  template <class MutableBuffers, class Token>
  auto async_read_some(const MutableBuffers& buffers, Token&& token) {
    return socket_->async_read_some(buffers, std::forward<Token>(token));
  }
  template <class ConstBuffers, class Token>
  auto async_write_some(const ConstBuffers& buffers, Token&& token) {
    return socket_->async_write_some(buffers, std::forward<Token>(token));
  }

 private:
  tcp::socket* socket_;
};

// Shuts our sending side, reads and discards until the client's end of
// stream (or an error, or the socket closed by the timer), then closes.
struct DrainingTeardown {
  tcp::socket& socket;
  std::unique_ptr<std::array<char, 8192>> buffer = std::make_unique<std::array<char, 8192>>();
  bool started = false;

  template <class Self>
  void operator()(Self& self, boost::system::error_code ec = {}, size_t = 0) {
    if (!started) {
      started = true;
      boost::system::error_code ignored;
      socket.shutdown(tcp::socket::shutdown_send, ignored);
    } else if (ec) {
      boost::system::error_code ignored;
      socket.close(ignored);
      // The end of stream is the clean end of a teardown.
      self.complete(ec == net::error::eof ? boost::system::error_code() : ec);
      return;
    }
    socket.async_read_some(net::buffer(*buffer), std::move(self));
  }
};

// Found by Beast through argument-dependent lookup on ClientStream.
template <class TeardownHandler>
void async_teardown(boost::beast::role_type, ClientStream& stream, TeardownHandler&& handler) {
  net::async_compose<TeardownHandler, void(boost::system::error_code)>(DrainingTeardown{stream.next_layer()}, handler,
                                                                       stream.next_layer());
}

namespace {

constexpr auto kUseTuple = net::as_tuple(net::use_awaitable);
// RFC 6455 5.5: a control frame's payload is at most 125 bytes, two of which
// are the close code.
constexpr size_t kMaxCloseReason = 123;

// Beast needs its own request type for the handshake; the server already
// parsed and checked this one, so it is only copied over.
bhttp::request<bhttp::empty_body> HandshakeRequest(const Request& request) {
  bhttp::request<bhttp::empty_body> handshake;
  handshake.method_string(request.method);
  handshake.target(request.target);
  handshake.version(11);
  for (const auto& [name, value] : request.headers) handshake.insert(name, value);
  return handshake;
}

class OpenWebSocket final : public WebSocket, public std::enable_shared_from_this<OpenWebSocket> {
 public:
  OpenWebSocket(std::shared_ptr<Connection> connection, const WebSocketLimits& limits)
      : connection_(std::move(connection)), limits_(limits), stream_(ClientStream(connection_->socket)) {}

  bool SendText(std::shared_ptr<const std::string> text) override { return Enqueue(std::move(text), false); }
  bool SendBinary(std::shared_ptr<const std::string> bytes) override { return Enqueue(std::move(bytes), true); }

  void Close(uint16_t code, std::string_view reason) override {
    if (!open_ || close_code_) return;
    close_code_ = code;
    close_reason_ = std::string(reason.substr(0, kMaxCloseReason));
    if (!writing_) WriteNext();
  }

  bool IsOpen() const override { return open_ && !close_code_; }
  size_t QueuedBytes() const override { return queued_bytes_; }

  // Handshake, then read until the socket ends; writes run beside, one at a
  // time, each started by the one before or by the send that found none.
  net::awaitable<void> Run(Request request, UpgradeAnswer answer) {
    stream_.read_message_max(limits_.max_message_bytes);
    websocket::stream_base::timeout timeouts{limits_.handshake_timeout, limits_.idle_timeout, true};
    stream_.set_option(timeouts);
    stream_.set_option(websocket::stream_base::decorator(
        [](websocket::response_type& response) { response.set(bhttp::field::server, "agentbase"); }));
    auto [accept_ec] = co_await stream_.async_accept(HandshakeRequest(request), kUseTuple);
    if (accept_ec) {
      spdlog::debug("websocket: connection {}: handshake failed: {}", connection_->id, accept_ec.message());
      co_return;
    }
    open_ = true;
    std::weak_ptr<OpenWebSocket> weak = weak_from_this();
    connection_->on_drain = [weak] {
      if (auto socket = weak.lock()) socket->Close(kCloseGoingAway, "server shutting down");
    };
    handler_ = answer.open(shared_from_this());

    boost::beast::flat_buffer buffer;
    for (;;) {
      auto [ec, size] = co_await stream_.async_read(buffer, kUseTuple);
      if (ec) {
        spdlog::debug("websocket: connection {} ends: {}", connection_->id, ec.message());
        break;
      }
      auto data = buffer.cdata();
      std::string_view message(static_cast<const char*>(data.data()), data.size());
      if (stream_.got_text()) {
        handler_->OnText(message);
      } else {
        handler_->OnBinary(message);
      }
      buffer.consume(buffer.size());
      if (!open_) break;  // dropped by a handler's send (queue overflow)
    }
    Finish();
  }

 private:
  struct Outgoing {
    std::shared_ptr<const std::string> bytes;
    bool binary;
  };

  bool Enqueue(std::shared_ptr<const std::string> bytes, bool binary) {
    if (!open_ || close_code_) return false;
    queued_bytes_ += bytes->size();
    if (queued_bytes_ > limits_.max_queued_bytes) {
      spdlog::warn("websocket: connection {} from {} reads too slowly ({} bytes waiting); dropping it", connection_->id,
                   connection_->remote_address, queued_bytes_);
      Drop();
      return false;
    }
    queue_.push_back({std::move(bytes), binary});
    if (!writing_) WriteNext();
    return true;
  }

  // Ends the connection without a closing handshake: pending reads and
  // writes fail and both loops end.
  void Drop() {
    open_ = false;
    queue_.clear();
    queued_bytes_ = 0;
    connection_->Close();
  }

  void Finish() {
    open_ = false;
    queue_.clear();
    queued_bytes_ = 0;
    connection_->on_drain = nullptr;
    // Released after the call: the handler holds this socket, and the cycle
    // must end with the connection.
    if (auto handler = std::move(handler_)) handler->OnClosed();
  }

  // Writes the first queued message or, with nothing queued and a close
  // asked for, the close frame. Completion handlers rather than a writer
  // coroutine: a change fanned out to a thousand sockets costs each one
  // write and its completion, with no wake-up of a waiting coroutine first.
  void WriteNext() {
    if (!open_) return;
    auto self = shared_from_this();
    if (queue_.empty()) {
      if (!close_code_) return;
      writing_ = true;
      websocket::close_reason reason(static_cast<websocket::close_code>(*close_code_), close_reason_);
      stream_.async_close(reason, [self](boost::system::error_code ec) {
        self->writing_ = false;
        if (ec) spdlog::debug("websocket: connection {}: close failed: {}", self->connection_->id, ec.message());
        // The read loop sees the peer's close frame (or the timeout) and ends.
      });
      return;
    }
    writing_ = true;
    Outgoing& next = queue_.front();
    stream_.binary(next.binary);
    // The handler holds the bytes: the queue may be cleared while the write runs.
    stream_.async_write(net::buffer(*next.bytes),
                        [self, bytes = next.bytes](boost::system::error_code ec, size_t) { self->Written(ec); });
  }

  void Written(boost::system::error_code ec) {
    writing_ = false;
    if (!open_) return;  // dropped or finished meanwhile
    if (ec) {
      spdlog::debug("websocket: connection {}: write failed: {}", connection_->id, ec.message());
      Drop();
      return;
    }
    queued_bytes_ -= queue_.front().bytes->size();
    queue_.pop_front();
    WriteNext();
  }

  std::shared_ptr<Connection> connection_;
  WebSocketLimits limits_;
  websocket::stream<ClientStream> stream_;
  std::shared_ptr<WebSocketHandler> handler_;
  std::deque<Outgoing> queue_;
  size_t queued_bytes_ = 0;
  bool writing_ = false;  // a write or the close is under way
  bool open_ = false;
  std::optional<uint16_t> close_code_;
  std::string close_reason_;
};

}  // namespace

net::awaitable<void> ServeWebSocket(std::shared_ptr<Connection> connection, Request request, UpgradeAnswer answer) {
  auto socket = std::make_shared<OpenWebSocket>(connection, answer.limits);
  co_await socket->Run(std::move(request), std::move(answer));
}

}  // namespace agentbase::http::detail
