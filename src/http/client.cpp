#include "http/client.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <regex>

#include "util/log_failure.hpp"

namespace agentbase::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;

namespace {

struct Url {
  bool tls = false;
  std::string host;
  std::string port;
  std::string target;
};

Result<Url> ParseUrl(const std::string& text) {
  static const std::regex shape(R"(^(https?)://([^/:?#]+)(?::(\d+))?([^#]*)$)", std::regex::icase);
  std::smatch match;
  if (!std::regex_match(text, match, shape)) return Error::Unavailable("not an http(s) URL: " + text, "fetch");
  Url url;
  url.tls = match[1].str().size() == 5;
  url.host = match[2];
  url.port = match[3].matched ? match[3].str() : (url.tls ? "443" : "80");
  url.target = match[4].str().empty() ? "/" : match[4].str();
  return url;
}

template <class Stream>
asio::awaitable<void> Exchange(Stream& stream, const Url& url, size_t max_bytes, Result<std::string>* out) {
  bhttp::request<bhttp::empty_body> request{bhttp::verb::get, url.target, 11};
  request.set(bhttp::field::host, url.host);
  request.set(bhttp::field::user_agent, "agentbase");
  request.set(bhttp::field::accept, "application/json");
  co_await bhttp::async_write(stream, request, asio::use_awaitable);
  beast::flat_buffer buffer;
  bhttp::response_parser<bhttp::string_body> parser;
  parser.body_limit(max_bytes);
  co_await bhttp::async_read(stream, buffer, parser, asio::use_awaitable);
  auto& response = parser.get();
  if (response.result_int() < 200 || response.result_int() > 299) {
    *out = Error::Unavailable("GET " + url.host + url.target + " answered " + std::to_string(response.result_int()),
                              "fetch");
  } else {
    *out = std::move(response.body());
  }
}

asio::awaitable<void> Run(Url url, FetchOptions options, asio::ssl::context* tls, Result<std::string>* out) {
  auto executor = co_await asio::this_coro::executor;
  asio::ip::tcp::resolver resolver(executor);
  auto endpoints = co_await resolver.async_resolve(url.host, url.port, asio::use_awaitable);
  if (!url.tls) {
    beast::tcp_stream stream(executor);
    stream.expires_after(options.timeout);
    co_await stream.async_connect(endpoints, asio::use_awaitable);
    co_await Exchange(stream, url, options.max_bytes, out);
    co_return;
  }
  beast::ssl_stream<beast::tcp_stream> stream(executor, *tls);
  if (!SSL_set_tlsext_host_name(stream.native_handle(), url.host.c_str())) {
    *out = Error::Unavailable("TLS: cannot set the server name", "fetch");
    co_return;
  }
  stream.set_verify_callback(asio::ssl::host_name_verification(url.host));
  beast::get_lowest_layer(stream).expires_after(options.timeout);
  co_await beast::get_lowest_layer(stream).async_connect(endpoints, asio::use_awaitable);
  co_await stream.async_handshake(asio::ssl::stream_base::client, asio::use_awaitable);
  co_await Exchange(stream, url, options.max_bytes, out);
}

}  // namespace

Result<std::string> Fetch(const std::string& text, const FetchOptions& options) {
  auto url = ParseUrl(text);
  if (!url) return url.error();
  asio::io_context io;
  asio::ssl::context tls(asio::ssl::context::tls_client);
  tls.set_default_verify_paths();
  tls.set_verify_mode(asio::ssl::verify_peer);
  Result<std::string> out = Error::Unavailable("GET " + text + " did not finish", "fetch");
  asio::co_spawn(io, Run(*url, options, &tls, &out), [&out, &text](std::exception_ptr failure) {
    if (failure) out = Error::Unavailable("GET " + text + ": " + DescribeException(failure), "fetch");
  });
  // The stream timeouts bound each step; this bounds the whole exchange.
  io.run_for(options.timeout * 2);
  return out;
}

}  // namespace agentbase::http
