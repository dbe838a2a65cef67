#pragma once
// HTTP(S) client calls, bounded in time and size, TLS verified against the
// system's certificate store:
//  - Fetch: a blocking GET for start-up work such as fetching a JWKS;
//  - Client::Send: one request from a coroutine (an embeddings endpoint),
//    on a connection of its own, under one deadline.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "http/message.hpp"
#include "util/result.hpp"

namespace boost::asio::ssl {
class context;
}

namespace agentbase::http {

struct FetchOptions {
  std::chrono::milliseconds timeout{10000};
  size_t max_bytes = 1024 * 1024;
};

// The body of a 2xx answer to GET `url` (http:// or https://); anything else
// is an error with code "fetch".
Result<std::string> Fetch(const std::string& url, const FetchOptions& options = {});

// An absolute http:// or https:// URL, split for connecting.
struct HttpUrl {
  bool tls = false;
  std::string host;         // to resolve: a name, or an address without brackets
  std::string port;         // decimal, the scheme's default when the URL names none
  std::string host_header;  // as the Host header carries it: "[::1]:8080", "example.com"
  std::string target;       // path and query, "/" at least

  // localhost, 127.0.0.0/8 or ::1: a stand-in on this machine.
  bool IsLoopback() const;
};

// Refuses (ErrorKind::kInvalidInput, code "url") anything but http and https,
// a URL without a host, one with user information (credentials belong in
// headers, not in URLs that get logged), a fragment, or a port outside
// 1-65535.
Result<HttpUrl> ParseHttpUrl(std::string_view text);

struct ClientRequest {
  std::string method = "GET";
  HttpUrl url;
  HeaderList headers;  // Host, User-Agent and Content-Length are set by Send
  std::string body;
};

struct ClientResponse {
  int status = 0;
  HeaderList headers;  // names in lower case
  std::string body;
};

struct ClientOptions {
  // One deadline for the whole call: resolving, connecting, the TLS
  // handshake, writing the request and reading the answer.
  std::chrono::milliseconds timeout{10000};
  size_t max_response_bytes = 1024 * 1024;  // the body's limit
};

class Client {
 public:
  // The connections run on a strand of `executor`, so Send may be awaited
  // from any thread's coroutine.
  explicit Client(boost::asio::any_io_executor executor);
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // The answer whatever its status; errors are for no answer: the deadline
  // passed (ErrorKind::kTimeout), the host could not be resolved or reached,
  // the TLS handshake or peer verification failed, the connection broke, or
  // the answer was malformed or over max_response_bytes
  // (ErrorKind::kUnavailable). A new connection per call, closed after it.
  // At the deadline Send returns at once, even if a name lookup is still
  // running (the system resolver cannot be interrupted; it finishes in the
  // background and its answer is dropped).
  boost::asio::awaitable<Result<ClientResponse>> Send(ClientRequest request, ClientOptions options);

 private:
  // The TLS context, made at the first https call: loading the system's
  // certificates takes tens of milliseconds, once.
  Result<std::shared_ptr<boost::asio::ssl::context>> Tls();

  boost::asio::any_io_executor executor_;
  std::once_flag tls_once_;
  std::optional<Result<std::shared_ptr<boost::asio::ssl::context>>> tls_;
};

}  // namespace agentbase::http
