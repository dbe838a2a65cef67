#include "http/client.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>
#include <optional>
#include <utility>

#include "util/log_failure.hpp"
#include "util/text.hpp"

namespace agentbase::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

bool HttpUrl::IsLoopback() const {
  if (EqualsIgnoreCase(host, "localhost")) return true;
  boost::system::error_code ec;
  auto address = asio::ip::make_address(host, ec);
  return !ec && address.is_loopback();
}

Result<HttpUrl> ParseHttpUrl(std::string_view text) {
  auto refuse = [&](std::string_view why) {
    return Error::InvalidInput("not a usable http(s) URL (" + std::string(why) + "): " + std::string(text), "url");
  };
  auto parsed = boost::urls::parse_uri(text);
  if (!parsed) return refuse("malformed");
  HttpUrl url;
  if (parsed->scheme_id() == boost::urls::scheme::https) {
    url.tls = true;
  } else if (parsed->scheme_id() != boost::urls::scheme::http) {
    return refuse("the scheme must be http or https");
  }
  if (parsed->has_userinfo()) return refuse("user information in a URL is refused; credentials go in headers");
  if (parsed->has_fragment()) return refuse("a fragment");
  url.host = parsed->host_address();
  if (url.host.empty()) return refuse("no host");
  url.port = url.tls ? "443" : "80";
  url.host_header = parsed->encoded_host();
  if (parsed->has_port()) {
    auto port = ParseInt64(parsed->port());
    if (!port || *port < 1 || *port > 65535) return refuse("the port must be 1-65535");
    url.port = std::to_string(*port);
    url.host_header += ":" + url.port;
  }
  url.target = parsed->encoded_target();
  if (url.target.empty() || url.target[0] != '/') url.target.insert(0, "/");
  return url;
}

namespace {

// "POST https://host:port/target", for error messages.
std::string Describe(const ClientRequest& request) {
  return request.method + " " + (request.url.tls ? "https://" : "http://") + request.url.host_header +
         request.url.target;
}

Error TimedOut(const std::string& what, std::chrono::milliseconds timeout) {
  return Error::Timeout(what + ": no answer within " + std::to_string(timeout.count()) + " ms", "timeout");
}

// One call's connection, shared by the coroutine that runs the exchange and
// by the deadline that may cut it short. Both run on `strand`, so neither
// needs a lock.
struct Call {
  explicit Call(const asio::strand<asio::any_io_executor>& on) : strand(on), resolver(on), finished(on) {}

  beast::tcp_stream& Lowest() { return secure ? beast::get_lowest_layer(*secure) : *plain; }
  // The caller gave up: whatever is pending ends now, with an error nobody reads.
  void Abandon() {
    abandoned = true;
    resolver.cancel();
    if (plain || secure) Lowest().close();
  }

  asio::strand<asio::any_io_executor> strand;
  tcp::resolver resolver;
  asio::steady_timer finished;  // the caller waits on it until the deadline; cancelled when the exchange ends
  std::optional<beast::tcp_stream> plain;
  std::optional<beast::ssl_stream<beast::tcp_stream>> secure;
  std::optional<Result<ClientResponse>> outcome;
  std::exception_ptr failure;  // an exchange that threw: a bug, rethrown to the caller
  bool abandoned = false;
};

class Exchange {
 public:
  Exchange(std::shared_ptr<Call> call, ClientRequest request, ClientOptions options, Clock::time_point deadline,
           std::shared_ptr<asio::ssl::context> tls)
      : call_(std::move(call)),
        request_(std::move(request)),
        options_(options),
        deadline_(deadline),
        tls_(std::move(tls)),
        what_(Describe(request_)) {}

  asio::awaitable<Result<ClientResponse>> Run() {
    const HttpUrl& url = request_.url;
    auto [resolve_error, endpoints] =
        co_await call_->resolver.async_resolve(url.host, url.port, asio::as_tuple(asio::use_awaitable));
    if (call_->abandoned) co_return TimedOut(what_, options_.timeout);
    if (resolve_error) co_return Failed("resolving " + url.host, resolve_error);
    if (!url.tls) {
      call_->plain.emplace(call_->strand);
      call_->plain->expires_at(deadline_);
      auto [connect_error, endpoint] =
          co_await call_->plain->async_connect(endpoints, asio::as_tuple(asio::use_awaitable));
      if (connect_error) co_return Failed("connecting", connect_error);
      co_return co_await WriteAndRead(*call_->plain);
    }
    call_->secure.emplace(call_->strand, *tls_);
    auto& stream = *call_->secure;
    // SNI names hosts, never addresses (RFC 6066 3); the certificate is
    // checked against either.
    boost::system::error_code not_an_address;
    asio::ip::make_address(url.host, not_an_address);
    if (not_an_address && !SSL_set_tlsext_host_name(stream.native_handle(), url.host.c_str())) {
      co_return Error::Unavailable(what_ + ": TLS: cannot set the server name", "http");
    }
    stream.set_verify_callback(asio::ssl::host_name_verification(url.host));
    beast::get_lowest_layer(stream).expires_at(deadline_);
    auto [connect_error, endpoint] =
        co_await beast::get_lowest_layer(stream).async_connect(endpoints, asio::as_tuple(asio::use_awaitable));
    if (connect_error) co_return Failed("connecting", connect_error);
    auto [handshake_error] =
        co_await stream.async_handshake(asio::ssl::stream_base::client, asio::as_tuple(asio::use_awaitable));
    if (handshake_error) co_return Failed("TLS handshake", handshake_error);
    co_return co_await WriteAndRead(stream);
  }

 private:
  template <class Stream>
  asio::awaitable<Result<ClientResponse>> WriteAndRead(Stream& stream) {
    auto verb = bhttp::string_to_verb(request_.method);
    if (verb == bhttp::verb::unknown) co_return Error::InvalidInput(what_ + ": unknown method", "http");
    bhttp::request<bhttp::string_body> message{verb, request_.url.target, 11};
    message.set(bhttp::field::host, request_.url.host_header);
    message.set(bhttp::field::user_agent, "agentbase");
    message.set(bhttp::field::connection, "close");
    for (const auto& [name, value] : request_.headers) message.set(name, value);
    message.body() = std::move(request_.body);
    message.prepare_payload();
    auto [write_error, written] = co_await bhttp::async_write(stream, message, asio::as_tuple(asio::use_awaitable));
    if (write_error) co_return Failed("sending the request", write_error);

    beast::flat_buffer buffer;
    bhttp::response_parser<bhttp::string_body> parser;
    parser.body_limit(options_.max_response_bytes);
    auto [read_error, read] = co_await bhttp::async_read(stream, buffer, parser, asio::as_tuple(asio::use_awaitable));
    if (read_error == bhttp::error::body_limit) {
      co_return Error::Unavailable(
          what_ + ": the answer is larger than " + std::to_string(options_.max_response_bytes) + " bytes", "http");
    }
    if (read_error) co_return Failed("reading the answer", read_error);
    auto response = parser.release();
    ClientResponse answer;
    answer.status = static_cast<int>(response.result_int());
    for (const auto& field : response) answer.headers.emplace_back(ToLower(field.name_string()), field.value());
    answer.body = std::move(response.body());
    co_return answer;
  }

  Error Failed(const std::string& step, const boost::system::error_code& ec) const {
    if (ec == beast::error::timeout || call_->abandoned) return TimedOut(what_, options_.timeout);
    return Error::Unavailable(what_ + ": " + step + ": " + ec.message(), "http");
  }

  std::shared_ptr<Call> call_;
  ClientRequest request_;
  ClientOptions options_;
  Clock::time_point deadline_;
  std::shared_ptr<asio::ssl::context> tls_;  // kept alive for a lookup that outlives the Client
  std::string what_;
};

// Runs on the call's strand: starts the exchange and waits for it or the
// deadline, whichever comes first. The exchange is spawned rather than
// awaited so that the wait ends at the deadline even while the system
// resolver is still blocked in a lookup that cannot be interrupted.
asio::awaitable<std::optional<Result<ClientResponse>>> Supervise(std::shared_ptr<Call> call, ClientRequest request,
                                                                 ClientOptions options,
                                                                 std::shared_ptr<asio::ssl::context> tls) {
  auto deadline = Clock::now() + options.timeout;
  std::string what = Describe(request);
  call->finished.expires_at(deadline);
  auto exchange = std::make_shared<Exchange>(call, std::move(request), options, deadline, std::move(tls));
  asio::co_spawn(
      call->strand,
      [exchange, call]() -> asio::awaitable<void> {
        auto outcome = co_await exchange->Run();
        if (!call->abandoned) call->outcome = std::move(outcome);
      },
      [call](std::exception_ptr failure) {
        if (failure && call->abandoned) LogFailure{"http client exchange"}(failure);
        call->failure = failure;
        call->finished.cancel();
      });
  // The exchange's end is always posted (co_spawn never completes inline),
  // so it cannot come before the wait below has begun.
  co_await call->finished.async_wait(asio::as_tuple(asio::use_awaitable));
  if (call->failure) std::rethrow_exception(call->failure);
  if (call->outcome) co_return std::move(call->outcome);
  call->Abandon();
  co_return TimedOut(what, options.timeout);
}

}  // namespace

Client::Client(asio::any_io_executor executor) : executor_(std::move(executor)) {}

Client::~Client() = default;

Result<std::shared_ptr<asio::ssl::context>> Client::Tls() {
  std::call_once(tls_once_, [this] {
    auto context = std::make_shared<asio::ssl::context>(asio::ssl::context::tls_client);
    boost::system::error_code ec;
    context->set_default_verify_paths(ec);
    if (ec) {
      tls_ = Error::Unavailable("TLS: cannot load the system's certificate store: " + ec.message(), "http");
      return;
    }
    context->set_verify_mode(asio::ssl::verify_peer);
    tls_ = std::move(context);
  });
  return *tls_;
}

asio::awaitable<Result<ClientResponse>> Client::Send(ClientRequest request, ClientOptions options) {
  std::shared_ptr<asio::ssl::context> tls;
  if (request.url.tls) {
    auto context = Tls();
    if (!context) co_return Error::Unavailable(Describe(request) + ": " + context.error().message, "http");
    tls = *context;
  }
  auto call = std::make_shared<Call>(asio::make_strand(executor_));
  auto strand = call->strand;
  auto answer = co_await asio::co_spawn(strand, Supervise(std::move(call), std::move(request), options, std::move(tls)),
                                        asio::use_awaitable);
  co_return std::move(*answer);
}

Result<std::string> Fetch(const std::string& text, const FetchOptions& options) {
  auto url = ParseHttpUrl(text);
  if (!url) return Error::Unavailable(url.error().message, "fetch");
  asio::io_context io;
  Client client(io.get_executor());
  ClientRequest request;
  request.url = std::move(*url);
  request.headers.emplace_back("Accept", "application/json");
  std::optional<Result<ClientResponse>> answer;
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        answer = co_await client.Send(std::move(request), ClientOptions{options.timeout, options.max_bytes});
      },
      [&](std::exception_ptr failure) {
        if (failure) answer = Error::Internal("GET " + text + ": " + DescribeException(failure), "fetch");
      });
  // Until the answer, not until all work is done: a lookup that outlived
  // the deadline would keep run() going.
  while (!answer && io.run_one() > 0) {
  }
  if (!answer) return Error::Internal("GET " + text + " did not finish", "fetch");
  if (!*answer) {
    Error error = answer->error();
    error.code = "fetch";
    return error;
  }
  const ClientResponse& response = answer->value();
  if (response.status < 200 || response.status > 299) {
    return Error::Unavailable("GET " + text + " answered " + std::to_string(response.status), "fetch");
  }
  return std::move(answer->value().body);
}

}  // namespace agentbase::http
