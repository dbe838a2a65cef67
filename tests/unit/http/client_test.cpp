// http::Fetch and http::Client against our own server on loopback.

#include "http/client.hpp"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <optional>
#include <thread>

#include "http/server.hpp"

namespace agentbase::http {

namespace {

boost::asio::awaitable<Response> Answer(Request request) {
  if (request.path == "/echo") {
    std::string seen = request.method + " " + request.target +
                       " host=" + std::string(request.Header("host").value_or("")) +
                       " x-test=" + std::string(request.Header("x-test").value_or("")) + " body=" + request.body;
    co_return Response{201, {{"X-Answer", "yes"}}, seen};
  }
  if (request.path == "/silent") {
    boost::asio::steady_timer never(co_await boost::asio::this_coro::executor, std::chrono::hours(1));
    co_await never.async_wait(boost::asio::use_awaitable);
  }
  if (request.path == "/jwks.json") {
    Response response{200, {}, R"({"keys":[]})"};
    response.SetHeader("Content-Type", "application/json");
    co_return response;
  }
  co_return Response{404, {}, "no"};
}

class FetchTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ServerOptions options;
    options.port = 0;
    server_ = std::make_unique<Server>(io_, options, Handler(Answer));
    auto port = server_->Start();
    ASSERT_TRUE(port.ok());
    port_ = *port;
    thread_ = std::thread([this] { io_.run(); });
  }
  void TearDown() override {
    io_.stop();
    thread_.join();
    server_.reset();
  }
  std::string Url(const std::string& path) { return "http://127.0.0.1:" + std::to_string(port_) + path; }

  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_{io_.get_executor()};
  std::unique_ptr<Server> server_;
  std::thread thread_;
  uint16_t port_ = 0;
};

// Runs one Client::Send to its end on an io_context of the test's own.
Result<ClientResponse> SendNow(ClientRequest request, ClientOptions options = {}) {
  boost::asio::io_context io;
  Client client(io.get_executor());
  std::optional<Result<ClientResponse>> answer;
  boost::asio::co_spawn(
      io, [&]() -> boost::asio::awaitable<void> { answer = co_await client.Send(std::move(request), options); },
      [](std::exception_ptr failure) {
        if (failure) std::rethrow_exception(failure);
      });
  while (!answer && io.run_one() > 0) {
  }
  if (!answer) return Error::Internal("Send did not finish");
  return std::move(*answer);
}

// A self-signed certificate for "localhost", in PEM: no system store vouches for it.
struct SelfSigned {
  std::string certificate;
  std::string private_key;
};

SelfSigned MakeSelfSigned() {
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(EVP_EC_gen("P-256"), EVP_PKEY_free);
  std::unique_ptr<X509, decltype(&X509_free)> certificate(X509_new(), X509_free);
  if (!key || !certificate) throw std::runtime_error("OpenSSL: cannot make a key or certificate");
  ASN1_INTEGER_set(X509_get_serialNumber(certificate.get()), 1);
  X509_gmtime_adj(X509_getm_notBefore(certificate.get()), -60);
  X509_gmtime_adj(X509_getm_notAfter(certificate.get()), 3600);
  X509_set_pubkey(certificate.get(), key.get());
  X509_NAME* name = X509_get_subject_name(certificate.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("localhost"), -1, -1, 0);
  X509_set_issuer_name(certificate.get(), name);
  if (X509_sign(certificate.get(), key.get(), EVP_sha256()) == 0) throw std::runtime_error("OpenSSL: cannot sign");
  auto pem = [](auto write) {
    std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), BIO_free);
    write(bio.get());
    char* data = nullptr;
    long size = BIO_get_mem_data(bio.get(), &data);
    return std::string(data, static_cast<size_t>(size));
  };
  return {pem([&](BIO* bio) { PEM_write_bio_X509(bio, certificate.get()); }),
          pem([&](BIO* bio) { PEM_write_bio_PrivateKey(bio, key.get(), nullptr, nullptr, 0, nullptr, nullptr); })};
}

}  // namespace

TEST(ParseHttpUrlTest, SplitsHttpAndHttpsUrls) {
  auto plain = ParseHttpUrl("http://127.0.0.1:8080/v1/embeddings?x=1");
  ASSERT_TRUE(plain.ok()) << plain.error().message;
  EXPECT_FALSE(plain->tls);
  EXPECT_EQ(plain->host, "127.0.0.1");
  EXPECT_EQ(plain->port, "8080");
  EXPECT_EQ(plain->host_header, "127.0.0.1:8080");
  EXPECT_EQ(plain->target, "/v1/embeddings?x=1");
  EXPECT_TRUE(plain->IsLoopback());

  auto secure = ParseHttpUrl("HTTPS://api.openai.com");
  ASSERT_TRUE(secure.ok()) << secure.error().message;
  EXPECT_TRUE(secure->tls);
  EXPECT_EQ(secure->host, "api.openai.com");
  EXPECT_EQ(secure->port, "443");
  EXPECT_EQ(secure->host_header, "api.openai.com");
  EXPECT_EQ(secure->target, "/");
  EXPECT_FALSE(secure->IsLoopback());

  auto v6 = ParseHttpUrl("http://[::1]:9/x");
  ASSERT_TRUE(v6.ok()) << v6.error().message;
  EXPECT_EQ(v6->host, "::1");
  EXPECT_EQ(v6->host_header, "[::1]:9");
  EXPECT_TRUE(v6->IsLoopback());
  EXPECT_TRUE(ParseHttpUrl("http://LocalHost/")->IsLoopback());
}

TEST(ParseHttpUrlTest, RefusesWhatCannotBeCalled) {
  for (const char* text : {"ftp://example.com/x", "example.com/v1", "http:///v1", "http://user:secret@example.com/v1",
                           "https://example.com/v1#part", "http://example.com:0/", "http://example.com:70000/", ""}) {
    auto url = ParseHttpUrl(text);
    ASSERT_FALSE(url.ok()) << text;
    EXPECT_TRUE(url.error().Is(ErrorKind::kInvalidInput)) << text;
    EXPECT_EQ(url.error().code, "url") << text;
  }
}

TEST_F(FetchTest, SendReturnsAnyStatusWithItsHeadersAndBody) {
  ClientRequest request;
  request.method = "POST";
  request.url = *ParseHttpUrl(Url("/echo?q=1"));
  request.headers = {{"X-Test", "42"}};
  request.body = "hello";
  auto answer = SendNow(request);
  ASSERT_TRUE(answer.ok()) << answer.error().message;
  EXPECT_EQ(answer->status, 201);
  EXPECT_EQ(answer->body, "POST /echo?q=1 host=127.0.0.1:" + std::to_string(port_) + " x-test=42 body=hello");
  bool found = false;
  for (const auto& [name, value] : answer->headers) found = found || (name == "x-answer" && value == "yes");
  EXPECT_TRUE(found);

  request.url = *ParseHttpUrl(Url("/nope"));
  auto missing = SendNow(request);
  ASSERT_TRUE(missing.ok()) << missing.error().message;
  EXPECT_EQ(missing->status, 404);
}

TEST_F(FetchTest, SendGivesUpAtTheDeadline) {
  ClientRequest request;
  request.url = *ParseHttpUrl(Url("/silent"));
  auto started = std::chrono::steady_clock::now();
  auto answer = SendNow(request, ClientOptions{std::chrono::milliseconds(150), 1024});
  auto waited = std::chrono::steady_clock::now() - started;
  ASSERT_FALSE(answer.ok());
  EXPECT_TRUE(answer.error().Is(ErrorKind::kTimeout)) << answer.error().message;
  EXPECT_NE(answer.error().message.find("150 ms"), std::string::npos) << answer.error().message;
  EXPECT_GE(waited, std::chrono::milliseconds(150));
  EXPECT_LT(waited, std::chrono::seconds(2));
}

TEST_F(FetchTest, SendReportsARefusedConnectionAndAnOversizedAnswer) {
  uint16_t closed_port = 0;
  {
    boost::asio::io_context io;
    boost::asio::ip::tcp::acceptor probe(io, {boost::asio::ip::make_address("127.0.0.1"), 0});
    closed_port = probe.local_endpoint().port();
  }
  ClientRequest request;
  request.url = *ParseHttpUrl("http://127.0.0.1:" + std::to_string(closed_port) + "/");
  auto refused = SendNow(request);
  ASSERT_FALSE(refused.ok());
  EXPECT_TRUE(refused.error().Is(ErrorKind::kUnavailable)) << refused.error().message;
  EXPECT_NE(refused.error().message.find("connecting"), std::string::npos) << refused.error().message;

  request.url = *ParseHttpUrl(Url("/jwks.json"));
  auto oversized = SendNow(request, ClientOptions{std::chrono::milliseconds(2000), 4});
  ASSERT_FALSE(oversized.ok());
  EXPECT_TRUE(oversized.error().Is(ErrorKind::kUnavailable));
  EXPECT_NE(oversized.error().message.find("larger than 4 bytes"), std::string::npos) << oversized.error().message;
}

TEST_F(FetchTest, ReturnsTheBodyOfA2xx) {
  auto body = Fetch(Url("/jwks.json"));
  ASSERT_TRUE(body.ok()) << body.error().message;
  EXPECT_EQ(*body, R"({"keys":[]})");
}

TEST_F(FetchTest, OtherStatusesAndFailuresAreErrors) {
  auto missing = Fetch(Url("/nope"));
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, "fetch");
  EXPECT_NE(missing.error().message.find("404"), std::string::npos);

  FetchOptions quick;
  quick.timeout = std::chrono::milliseconds(500);
  EXPECT_FALSE(Fetch("http://127.0.0.1:1/jwks.json", quick).ok());
  EXPECT_FALSE(Fetch("ftp://example.com/jwks.json").ok());
  EXPECT_FALSE(Fetch("not a url").ok());
}

TEST_F(FetchTest, BodiesOverTheLimitAreRefused) {
  FetchOptions small;
  small.max_bytes = 4;
  EXPECT_FALSE(Fetch(Url("/jwks.json"), small).ok());
}

// The client verifies the server: a certificate no system authority signed
// ends the handshake, after the client named the host it wanted (SNI).
TEST(ClientTlsTest, RefusesAServerItCannotVerifyAndNamesTheHost) {
  namespace asio = boost::asio;
  SelfSigned identity = MakeSelfSigned();
  asio::ssl::context server_tls(asio::ssl::context::tls_server);
  server_tls.use_certificate_chain(asio::buffer(identity.certificate));
  server_tls.use_private_key(asio::buffer(identity.private_key), asio::ssl::context::pem);
  static std::string server_name;  // what the ClientHello named; a C callback has no capture
  server_name.clear();
  SSL_CTX_set_tlsext_servername_callback(
      server_tls.native_handle(), +[](SSL* ssl, int*, void*) {
        const char* name = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
        server_name = name ? name : "";
        return SSL_TLSEXT_ERR_OK;
      });

  asio::io_context server_io;
  asio::ip::tcp::acceptor acceptor(server_io, {asio::ip::make_address("127.0.0.1"), 0});
  uint16_t port = acceptor.local_endpoint().port();
  boost::system::error_code server_error;
  asio::co_spawn(
      server_io,
      [&]() -> asio::awaitable<void> {
        asio::ssl::stream<asio::ip::tcp::socket> stream(co_await acceptor.async_accept(asio::use_awaitable),
                                                        server_tls);
        co_await stream.async_handshake(asio::ssl::stream_base::server,
                                        asio::redirect_error(asio::use_awaitable, server_error));
      },
      [](std::exception_ptr failure) {
        if (failure) std::rethrow_exception(failure);
      });
  std::thread server([&] { server_io.run_for(std::chrono::seconds(5)); });

  ClientRequest request;
  request.url = *ParseHttpUrl("https://localhost:" + std::to_string(port) + "/");
  auto answer = SendNow(request, ClientOptions{std::chrono::milliseconds(3000), 1024});
  server.join();
  ASSERT_FALSE(answer.ok());
  EXPECT_TRUE(answer.error().Is(ErrorKind::kUnavailable)) << answer.error().message;
  EXPECT_NE(answer.error().message.find("TLS handshake"), std::string::npos) << answer.error().message;
  EXPECT_NE(answer.error().message.find("certificate verify failed"), std::string::npos) << answer.error().message;
  EXPECT_EQ(server_name, "localhost");
  EXPECT_TRUE(server_error) << "the server's handshake should have failed too";
}

}  // namespace agentbase::http
