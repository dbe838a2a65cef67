// The HTTP server over real loopback sockets: a Server runs on its own
// io_context thread, the tests talk to it through plain POSIX sockets (with
// receive timeouts, so no test can hang) and hand-written HTTP.

#include "http/server.hpp"

#include <arpa/inet.h>
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <cerrno>
#include <chrono>
#include <future>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "util/text.hpp"

namespace agentbase::http {
namespace {

namespace net = boost::asio;
namespace json = boost::json;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// ---------------------------------------------------------------- the handler

// Touched only on the server thread, except the atomic.
struct HandlerLog {
  std::vector<std::string> events;
  std::atomic<int> slow_started{0};
};

int QueryInt(const std::string& query, const std::string& name, int fallback) {
  for (const auto& part : Split(query, '&')) {
    if (StartsWith(part, name + "=")) return std::stoi(part.substr(name.size() + 1));
  }
  return fallback;
}

// /throw throws, /slow?ms=N answers after N ms, /status?code=N answers that
// status, /missing/<name> a 404 that echoes the name (as REST errors echo a
// table's name), anything else echoes the request as JSON.
net::awaitable<Response> TestHandler(std::shared_ptr<HandlerLog> log, Request request) {
  if (request.path == "/throw") throw std::runtime_error("handler failure on purpose");
  if (request.path == "/status") {
    Response response{QueryInt(request.query, "code", 200), {}, "{}"};
    if (request.query.find("retry=") != std::string::npos) {
      response.headers.emplace_back("Retry-After", std::to_string(QueryInt(request.query, "retry", 0)));
    }
    co_return response;
  }
  if (StartsWith(request.path, "/missing/")) {
    co_return Response{404,
                       {{"Content-Type", "application/json"}},
                       R"({"code":"X404","message":"no such thing: )" + request.path.substr(9) + R"("})"};
  }
  if (request.path == "/slow") {
    log->events.push_back("slow-start");
    ++log->slow_started;
    net::steady_timer timer(co_await net::this_coro::executor,
                            std::chrono::milliseconds(QueryInt(request.query, "ms", 300)));
    co_await timer.async_wait(net::use_awaitable);
    log->events.push_back("slow-end");
    co_return Response{200, {{"Content-Type", "text/plain"}}, "slow done"};
  }
  log->events.push_back("echo " + request.path);
  json::array headers;
  for (const auto& [name, value] : request.headers) {
    headers.push_back(json::array{json::string(name), json::string(value)});
  }
  json::object echo{{"method", request.method}, {"target", request.target}, {"path", request.path},
                    {"query", request.query},   {"body", request.body},     {"remote", request.remote_address},
                    {"headers", headers}};
  co_return Response{200, {{"Content-Type", "application/json"}, {"Content-Range", "0-0/*"}}, json::serialize(echo)};
}

// ------------------------------------------------------------ the test client

struct ParsedResponse {
  int status = 0;
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-cased
  std::string body;

  std::optional<std::string> Header(const std::string& name) const {
    for (const auto& [key, value] : headers) {
      if (key == name) return value;
    }
    return std::nullopt;
  }
  json::value Json() const { return json::parse(body); }
};

void SetTimeouts(int fd, std::chrono::milliseconds timeout) {
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(timeout.count() / 1000);
  tv.tv_usec = static_cast<suseconds_t>((timeout.count() % 1000) * 1000);
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
}

class Client {
 public:
  // `from`: the local address to connect from; Linux routes all of
  // 127.0.0.0/8 to the loopback, so 127.0.0.2 is a second client address.
  explicit Client(uint16_t port, const char* from = nullptr) {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    SetTimeouts(fd_, 3s);
    if (from != nullptr) {
      sockaddr_in local{};
      local.sin_family = AF_INET;
      inet_pton(AF_INET, from, &local.sin_addr);
      if (bind(fd_, reinterpret_cast<sockaddr*>(&local), sizeof(local)) != 0) connect_errno_ = errno;
    }
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect_errno_ == 0 && connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) {
      connect_errno_ = errno;
    }
  }
  ~Client() { Close(); }
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  bool Connected() const { return connect_errno_ == 0; }
  int ConnectErrno() const { return connect_errno_; }

  bool Send(std::string_view data) {
    while (!data.empty()) {
      ssize_t sent = send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
      if (sent <= 0) return false;
      data.remove_prefix(static_cast<size_t>(sent));
    }
    return true;
  }

  // One response; nullopt if the connection ends or stalls before it is whole.
  std::optional<ParsedResponse> Read(bool head = false) {
    for (;;) {
      size_t end = buffer_.find("\r\n\r\n");
      while (end == std::string::npos) {
        if (!Fill()) return std::nullopt;
        end = buffer_.find("\r\n\r\n");
      }
      std::string head_text = buffer_.substr(0, end);
      buffer_.erase(0, end + 4);
      ParsedResponse response;
      auto lines = Split(head_text, '\n');
      if (lines.empty() || lines[0].size() < 12) return std::nullopt;
      response.status = std::stoi(lines[0].substr(9, 3));
      for (size_t i = 1; i < lines.size(); ++i) {
        size_t colon = lines[i].find(':');
        if (colon == std::string::npos) continue;
        response.headers.emplace_back(ToLower(lines[i].substr(0, colon)), Trim(lines[i].substr(colon + 1)));
      }
      if (response.status == 100) continue;  // interim
      size_t length = 0;
      if (auto value = response.Header("content-length")) length = std::stoul(*value);
      if (head || response.status == 204 || response.status == 304) length = 0;
      while (buffer_.size() < length) {
        if (!Fill()) return std::nullopt;
      }
      response.body = buffer_.substr(0, length);
      buffer_.erase(0, length);
      return response;
    }
  }

  // What has arrived and not been read as a response yet.
  const std::string& Buffered() const { return buffer_; }

  // True if the server closes the connection within `within` (data that
  // arrives meanwhile is kept for Read).
  bool WaitClosed(std::chrono::milliseconds within) {
    SetTimeouts(fd_, within);
    bool closed = false;
    for (;;) {
      char chunk[4096];
      ssize_t got = recv(fd_, chunk, sizeof(chunk), 0);
      if (got > 0) {
        buffer_.append(chunk, static_cast<size_t>(got));
        continue;
      }
      closed = got == 0 || errno == ECONNRESET;
      break;
    }
    SetTimeouts(fd_, 3s);
    return closed;
  }

  void Close() {
    if (fd_ >= 0) close(fd_);
    fd_ = -1;
  }

 private:
  bool Fill() {
    char chunk[65536];
    ssize_t got = recv(fd_, chunk, sizeof(chunk), 0);
    if (got <= 0) return false;
    buffer_.append(chunk, static_cast<size_t>(got));
    return true;
  }

  int fd_ = -1;
  int connect_errno_ = 0;
  std::string buffer_;
};

std::string Get(std::string_view target, std::string_view extra_headers = "") {
  return fmt::format("GET {} HTTP/1.1\r\nHost: localhost\r\n{}\r\n", target, extra_headers);
}

bool EchoHasHeader(const json::value& echo, std::string_view name, std::string_view value) {
  for (const auto& pair : echo.at("headers").as_array()) {
    if (pair.as_array().at(0).as_string() == name && pair.as_array().at(1).as_string() == value) return true;
  }
  return false;
}

// An answer the server gives itself before closing (400, 413, 431, 501,
// 503): `status`, a JSON error with `code`, Connection: close, and then the
// server closes the connection. The answer goes to `answer` for further checks.
testing::AssertionResult AnsweredAndClosed(Client& client, int status, std::string_view code,
                                           ParsedResponse* answer = nullptr) {
  auto response = client.Read();
  if (!response) return testing::AssertionFailure() << "no answer";
  if (answer != nullptr) *answer = *response;
  if (response->status != status) return testing::AssertionFailure() << "status " << response->status;
  if (response->Header("connection") != "close") return testing::AssertionFailure() << "no Connection: close";
  try {
    auto error = response->Json();
    if (error.at("code").as_string() != code) return testing::AssertionFailure() << "body " << response->body;
  } catch (const std::exception& e) {
    return testing::AssertionFailure() << "body " << response->body << ": " << e.what();
  }
  if (!client.WaitClosed(2s)) return testing::AssertionFailure() << "the connection stays open";
  return testing::AssertionSuccess();
}

// That the server closes `client` between `at_least` and `at_most` from now.
testing::AssertionResult ClosedWithin(Client& client, std::chrono::milliseconds at_least,
                                      std::chrono::milliseconds at_most) {
  auto started = Clock::now();
  if (!client.WaitClosed(at_most)) {
    return testing::AssertionFailure() << "still open after " << at_most.count() << " ms";
  }
  auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started);
  if (elapsed < at_least) return testing::AssertionFailure() << "closed after only " << elapsed.count() << " ms";
  return testing::AssertionSuccess();
}

// ----------------------------------------------------------------- the fixture

class HttpServerTest : public ::testing::Test {
 protected:
  static ServerOptions TestOptions() {
    ServerOptions options;
    options.port = 0;
    options.header_timeout = 1s;
    options.request_timeout = 1s;
    options.idle_timeout = 2s;
    return options;
  }

  void StartServer(ServerOptions options = TestOptions()) {
    auto log = log_;
    // Not a coroutine lambda: it only forwards to one (captures in coroutine
    // lambdas are unsafe on GCC 12).
    server_ =
        std::make_unique<Server>(io_, options, [log](Request request) { return TestHandler(log, std::move(request)); });
    auto port = server_->Start();
    ASSERT_TRUE(port.ok()) << port.error().message;
    port_ = port.value();
    thread_ = std::thread([this] { io_.run(); });
  }

  void TearDown() override {
    if (thread_.joinable()) {
      if (!shutdown_started_) BeginShutdown(500ms).wait_for(2s);
      work_.reset();
      io_.stop();
      thread_.join();
    }
    server_.reset();
  }

  std::future<void> BeginShutdown(std::chrono::milliseconds deadline) {
    shutdown_started_ = true;
    auto done = std::make_shared<std::promise<void>>();
    auto future = done->get_future();
    Server* server = server_.get();
    net::post(io_, [this, server, deadline, done] {
      net::co_spawn(io_, server->Shutdown(deadline), [done](std::exception_ptr error) {
        if (error) {
          done->set_exception(error);
        } else {
          done->set_value();
        }
      });
    });
    return future;
  }

  // Reads server state on its own thread.
  template <typename Read>
  auto OnServerThread(Read read) {
    std::promise<decltype(read())> result;
    net::post(io_, [&] { result.set_value(read()); });
    return result.get_future().get();
  }
  size_t ActiveSessions() {
    return OnServerThread([&] { return server_->ActiveSessions(); });
  }
  size_t IdleSessions() {
    return OnServerThread([&] { return server_->IdleSessions(); });
  }
  std::vector<std::string> Events() {
    return OnServerThread([&] { return log_->events; });
  }
  // Polls `count_now` until it gives `count`; false if it does not within `within`.
  template <typename Count>
  static bool WaitForCount(Count count_now, size_t count, std::chrono::milliseconds within) {
    auto until = Clock::now() + within;
    while (count_now() != count) {
      if (Clock::now() > until) return false;
      std::this_thread::sleep_for(5ms);
    }
    return true;
  }
  bool WaitForSessions(size_t count, std::chrono::milliseconds within) {
    return WaitForCount([this] { return ActiveSessions(); }, count, within);
  }
  bool WaitForIdleSessions(size_t count, std::chrono::milliseconds within) {
    return WaitForCount([this] { return IdleSessions(); }, count, within);
  }
  void WaitForSlowStart(int count) {
    auto until = Clock::now() + 2s;
    while (log_->slow_started < count && Clock::now() < until) std::this_thread::sleep_for(5ms);
    ASSERT_EQ(log_->slow_started, count);
  }

  net::io_context io_{1};
  net::executor_work_guard<net::io_context::executor_type> work_ = net::make_work_guard(io_);
  std::shared_ptr<HandlerLog> log_ = std::make_shared<HandlerLog>();
  std::unique_ptr<Server> server_;
  std::thread thread_;
  uint16_t port_ = 0;
  bool shutdown_started_ = false;
};

// ---------------------------------------------------------------------- tests

TEST_F(HttpServerTest, GetTranslatesTheRequest) {
  StartServer();
  Client client(port_);
  ASSERT_TRUE(client.Send(Get("/items%20x?select=a,b&name=eq.J%20D", "X-Custom-Thing: Some Value\r\n")));
  auto response = client.Read();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->Header("content-length"), std::to_string(response->body.size()));
  EXPECT_EQ(response->Header("server"), "agentbase");
  EXPECT_EQ(response->Header("content-range"), "0-0/*");
  EXPECT_EQ(response->Header("connection"), std::nullopt);
  auto echo = response->Json();
  EXPECT_EQ(echo.at("method").as_string(), "GET");
  EXPECT_EQ(echo.at("target").as_string(), "/items%20x?select=a,b&name=eq.J%20D");
  EXPECT_EQ(echo.at("path").as_string(), "/items x");
  EXPECT_EQ(echo.at("query").as_string(), "select=a,b&name=eq.J%20D");
  EXPECT_EQ(echo.at("remote").as_string(), "127.0.0.1");
  EXPECT_TRUE(EchoHasHeader(echo, "x-custom-thing", "Some Value"));
  EXPECT_TRUE(EchoHasHeader(echo, "host", "localhost"));
}

TEST_F(HttpServerTest, PostBodiesPlainAndChunked) {
  StartServer();
  Client client(port_);
  ASSERT_TRUE(client.Send(
      "POST /rpc/f HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 9\r\n\r\n{\"a\": 1}\n"));
  auto plain = client.Read();
  ASSERT_TRUE(plain);
  EXPECT_EQ(plain->status, 200);
  EXPECT_EQ(plain->Json().at("method").as_string(), "POST");
  EXPECT_EQ(plain->Json().at("body").as_string(), "{\"a\": 1}\n");

  ASSERT_TRUE(
      client.Send("patch /t HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                  "3\r\nabc\r\n4\r\ndefg\r\n0\r\n\r\n"));
  auto chunked = client.Read();
  ASSERT_TRUE(chunked);
  EXPECT_EQ(chunked->Json().at("method").as_string(), "PATCH");
  EXPECT_EQ(chunked->Json().at("body").as_string(), "abcdefg");
}

TEST_F(HttpServerTest, ExpectContinueGetsAnInterimResponse) {
  StartServer();
  Client client(port_);
  ASSERT_TRUE(client.Send("POST /x HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n"));
  ASSERT_TRUE(client.WaitClosed(300ms) == false);  // the 100 arrives, the connection stays
  EXPECT_EQ(client.Buffered(), "HTTP/1.1 100 Continue\r\n\r\n");
  ASSERT_TRUE(client.Send("hello"));
  auto response = client.Read();  // skips the 100
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->Json().at("body").as_string(), "hello");
}

TEST_F(HttpServerTest, HeadSendsTheLengthButNoBody) {
  StartServer();
  Client client(port_);
  ASSERT_TRUE(client.Send(Get("/same")));
  auto get = client.Read();
  ASSERT_TRUE(get);
  ASSERT_TRUE(client.Send("HEAD /same HTTP/1.1\r\nHost: localhost\r\n\r\n"));
  auto head = client.Read(/*head=*/true);
  ASSERT_TRUE(head);
  EXPECT_EQ(head->status, 200);
  // The echo differs only in the method: HEAD is 1 byte longer than GET.
  EXPECT_EQ(head->Header("content-length"), std::to_string(get->body.size() + 1));
  // No body bytes were sent: the next response parses cleanly.
  ASSERT_TRUE(client.Send(Get("/after")));
  auto after = client.Read();
  ASSERT_TRUE(after);
  EXPECT_EQ(after->Json().at("path").as_string(), "/after");
}

TEST_F(HttpServerTest, CorsPreflightIsAnsweredByTheServer) {
  StartServer();
  Client client(port_);
  ASSERT_TRUE(
      client.Send("OPTIONS /todos HTTP/1.1\r\nHost: x\r\nOrigin: http://example.com\r\n"
                  "Access-Control-Request-Method: POST\r\n"
                  "Access-Control-Request-Headers: apikey, content-type,x-client-info\r\n\r\n"));
  auto response = client.Read();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->body, "");
  EXPECT_EQ(response->Header("access-control-allow-origin"), "*");
  EXPECT_EQ(response->Header("access-control-allow-methods"), "GET, POST, PATCH, PUT, DELETE, OPTIONS");
  EXPECT_EQ(response->Header("access-control-allow-headers"), "Authorization, apikey, content-type, x-client-info");
  EXPECT_EQ(response->Header("access-control-max-age"), "86400");
  EXPECT_TRUE(Events().empty());  // the handler never saw it

  // Any other response carries the CORS headers too; a plain OPTIONS goes to the handler.
  ASSERT_TRUE(client.Send("OPTIONS /todos HTTP/1.1\r\nHost: x\r\n\r\n"));
  auto plain = client.Read();
  ASSERT_TRUE(plain);
  EXPECT_EQ(plain->Json().at("method").as_string(), "OPTIONS");
  EXPECT_EQ(plain->Header("access-control-allow-origin"), "*");
  auto exposed = plain->Header("access-control-expose-headers");
  ASSERT_TRUE(exposed);
  EXPECT_NE(exposed->find("Content-Range"), std::string::npos);
}

TEST_F(HttpServerTest, KeepAliveAndConnectionClose) {
  StartServer();
  Client client(port_);
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(client.Send(Get("/n" + std::to_string(i))));
    auto response = client.Read();
    ASSERT_TRUE(response);
    EXPECT_EQ(response->Json().at("path").as_string(), "/n" + std::to_string(i));
  }
  EXPECT_EQ(ActiveSessions(), 1u);
  ASSERT_TRUE(client.Send(Get("/last", "Connection: close\r\n")));
  auto last = client.Read();
  ASSERT_TRUE(last);
  EXPECT_EQ(last->Header("connection"), "close");
  EXPECT_TRUE(client.WaitClosed(1s));
}

TEST_F(HttpServerTest, Http10ClosesUnlessKeepAlive) {
  StartServer();
  Client keep(port_);
  ASSERT_TRUE(keep.Send("GET /a HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"));
  auto first = keep.Read();
  ASSERT_TRUE(first);
  EXPECT_EQ(first->Header("connection"), "keep-alive");
  ASSERT_TRUE(keep.Send("GET /b HTTP/1.0\r\n\r\n"));
  auto second = keep.Read();
  ASSERT_TRUE(second);
  EXPECT_EQ(second->Json().at("path").as_string(), "/b");
  EXPECT_TRUE(keep.WaitClosed(1s));
}

TEST_F(HttpServerTest, PipelinedRequestWaitsForThePreviousOne) {
  StartServer();
  Client client(port_);
  ASSERT_TRUE(client.Send(Get("/slow?ms=300") + Get("/second")));
  auto first = client.Read();
  ASSERT_TRUE(first);
  EXPECT_EQ(first->body, "slow done");
  auto second = client.Read();
  ASSERT_TRUE(second);
  EXPECT_EQ(second->Json().at("path").as_string(), "/second");
  EXPECT_EQ(Events(), (std::vector<std::string>{"slow-start", "slow-end", "echo /second"}));
}

TEST_F(HttpServerTest, MalformedRequestsGet400AndClose) {
  StartServer();
  const std::vector<std::string> bad = {
      "NOT A VALID REQUEST LINE\r\n\r\n",
      "GET / HTTP/1.1\r\nHost: x\r\nNo colon here\r\n\r\n",
      "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nZZ\r\nabc\r\n",
      "GET /bad%zzescape HTTP/1.1\r\nHost: x\r\n\r\n",
  };
  for (const auto& request : bad) {
    Client client(port_);
    ASSERT_TRUE(client.Send(request));
    ParsedResponse response;
    EXPECT_TRUE(AnsweredAndClosed(client, 400, "AB400", &response)) << request;
    EXPECT_EQ(response.Header("content-type"), "application/json; charset=utf-8");
    EXPECT_TRUE(response.Json().at("hint").is_null());
  }
  EXPECT_TRUE(Events().empty());
}

TEST_F(HttpServerTest, OversizedHeaderGets431) {
  StartServer();
  Client client(port_);
  ASSERT_TRUE(client.Send(Get("/", "X-Big: " + std::string(20 * 1024, 'a') + "\r\n")));
  ParsedResponse response;
  EXPECT_TRUE(AnsweredAndClosed(client, 431, "AB431", &response));
  EXPECT_EQ(response.Header("access-control-allow-origin"), "*");
}

TEST_F(HttpServerTest, OversizedBodyGets413) {
  StartServer();
  const std::string big(2 * 1024 * 1024, 'x');
  {
    Client client(port_);
    ASSERT_TRUE(
        client.Send("POST /t HTTP/1.1\r\nHost: x\r\nContent-Length: " + std::to_string(big.size()) + "\r\n\r\n" + big));
    EXPECT_TRUE(AnsweredAndClosed(client, 413, "AB413"));
  }
  {
    // Chunked: the limit applies while the body is read.
    Client client(port_);
    ASSERT_TRUE(client.Send(
        fmt::format("POST /t HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n{:x}\r\n", big.size()) + big +
        "\r\n0\r\n\r\n"));
    EXPECT_TRUE(AnsweredAndClosed(client, 413, "AB413"));
  }
  EXPECT_TRUE(Events().empty());
}

TEST_F(HttpServerTest, HandlerExceptionGives500AndTheConnectionLives) {
  StartServer();
  Client client(port_);
  ASSERT_TRUE(client.Send(Get("/throw")));
  auto failed = client.Read();
  ASSERT_TRUE(failed);
  EXPECT_EQ(failed->status, 500);
  EXPECT_EQ(failed->body, R"({"code":"AB500","message":"internal server error","details":null,"hint":null})");
  EXPECT_EQ(failed->Header("content-type"), "application/json; charset=utf-8");
  ASSERT_TRUE(client.Send(Get("/fine")));
  auto fine = client.Read();
  ASSERT_TRUE(fine);
  EXPECT_EQ(fine->status, 200);
}

TEST_F(HttpServerTest, StalledRequestIsDroppedAfterHeaderTimeout) {
  StartServer();  // header_timeout 1 s
  Client half(port_);
  Client silent(port_);
  auto started = Clock::now();
  ASSERT_TRUE(half.Send("GET /stall HTTP/1.1\r\nHost: x\r\n"));
  EXPECT_TRUE(half.WaitClosed(3s));
  EXPECT_TRUE(silent.WaitClosed(3s));
  auto elapsed = Clock::now() - started;
  EXPECT_GE(elapsed, 800ms);
  EXPECT_LT(elapsed, 2500ms);
  EXPECT_TRUE(WaitForSessions(0, 1s));
}

TEST_F(HttpServerTest, IdleKeepAliveConnectionIsClosedAfterIdleTimeout) {
  StartServer();  // idle_timeout 2 s
  Client client(port_);
  ASSERT_TRUE(client.Send(Get("/once")));
  ASSERT_TRUE(client.Read());
  EXPECT_TRUE(ClosedWithin(client, 1500ms, 3500ms));
}

// Busy connections (a handler running) are never reclaimed: beyond the cap a
// new one gets 503; once they finish and wait, a new one takes the place of
// the one that has waited longest.
TEST_F(HttpServerTest, ConnectionsBeyondTheLimitGet503UnlessOneIsIdle) {
  ServerOptions options = TestOptions();
  options.max_connections = 4;
  options.max_connections_per_address = 0;
  options.idle_timeout = 3s;  // nothing times out during the test
  StartServer(options);
  std::vector<std::unique_ptr<Client>> clients;
  for (int i = 0; i < 4; ++i) {
    clients.push_back(std::make_unique<Client>(port_));
    // They finish, and begin to wait, in order.
    ASSERT_TRUE(clients.back()->Send(Get("/slow?ms=" + std::to_string(500 + 100 * i))));
  }
  WaitForSlowStart(4);
  EXPECT_EQ(ActiveSessions(), 4u);

  for (int attempt = 0; attempt < 3; ++attempt) {
    Client extra(port_);
    ASSERT_TRUE(extra.Connected());
    ASSERT_TRUE(extra.Send(Get("/extra")));
    ParsedResponse response;
    EXPECT_TRUE(AnsweredAndClosed(extra, 503, "AB503", &response));
    EXPECT_EQ(response.Header("retry-after"), "1");
  }
  EXPECT_EQ(ActiveSessions(), 4u);

  for (auto& client : clients) ASSERT_TRUE(client->Read());
  ASSERT_TRUE(WaitForIdleSessions(4, 1s));  // now all four wait for a request
  Client next(port_);
  ASSERT_TRUE(next.Send(Get("/now")));
  auto response = next.Read();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
  EXPECT_TRUE(clients[0]->WaitClosed(1s));  // the first to finish had waited longest
  EXPECT_FALSE(clients[3]->WaitClosed(100ms));
  EXPECT_TRUE(WaitForSessions(4, 1s));
  auto events = Events();
  EXPECT_EQ(std::count(events.begin(), events.end(), "echo /extra"), 0);
  EXPECT_EQ(std::count(events.begin(), events.end(), "echo /now"), 1);
}

// ------------------------------------------------------ request smuggling

constexpr std::string_view kSmuggled = "GET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n";

// Each framing a proxy could read differently is refused before its body is
// read, with the connection closed, so the body never runs as a request.
TEST_F(HttpServerTest, AmbiguousBodyFramingIsRefusedAndTheBodyNeverRuns) {
  StartServer();
  struct Case {
    std::string headers;  // between the request line and the blank line
    std::string body;
    int status;
  };
  const std::string smuggled(kSmuggled);
  const std::string as_chunk = fmt::format("{:x}\r\n{}\r\n0\r\n\r\n", smuggled.size(), smuggled);
  const std::string length = "Content-Length: " + std::to_string(smuggled.size()) + "\r\n";
  const std::vector<Case> cases = {
      {"Transfer-Encoding: identity\r\n", smuggled, 400},
      {"Transfer-Encoding: gzip\r\n", smuggled, 400},
      {"Transfer-Encoding: chunked, identity\r\n", as_chunk, 400},
      {"Transfer-Encoding: xchunked\r\n", as_chunk, 400},
      {"Transfer-Encoding: chunked;x=1\r\n", as_chunk, 400},
      {"Transfer-Encoding: \r\n", smuggled, 400},
      {"Transfer-Encoding: ,\r\n", smuggled, 400},
      {"Transfer-Encoding: chunked, chunked\r\n", as_chunk, 400},
      {"Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n", as_chunk, 400},
      {"Transfer-Encoding: chunked\r\nTransfer-Encoding: identity\r\n", as_chunk, 400},
      {"Transfer-Encoding: chunked\r\n" + length, as_chunk, 400},
      {length + "Transfer-Encoding: chunked\r\n", as_chunk, 400},
      {"Transfer-Encoding: identity\r\n" + length, smuggled, 400},
      {length + "Transfer-Encoding: identity\r\n", smuggled, 400},
      {"Transfer-Encoding : chunked\r\n", as_chunk, 400},
      {"Transfer-Encoding:\tchunked\r\n , identity\r\n", as_chunk, 400},  // folded: "chunked , identity"
      {length + length, smuggled, 400},
      {"Content-Length: 35, 35\r\n", smuggled, 400},
      {"Content-Length: 35\r\nContent-Length: 0\r\n", smuggled, 400},
      {"Content-Length: +35\r\n", smuggled, 400},
      {"Content-Length: 0x23\r\n", smuggled, 400},
      {"Transfer-Encoding: gzip, chunked\r\n", as_chunk, 501},
      {"Transfer-Encoding: identity\r\nTransfer-Encoding: chunked\r\n", as_chunk, 501},
  };
  ASSERT_EQ(smuggled.size(), 35u);
  for (const auto& test : cases) {
    std::string request = "POST /upload HTTP/1.1\r\nHost: x\r\n" + test.headers + "\r\n" + test.body;
    Client client(port_);
    ASSERT_TRUE(client.Send(request));
    EXPECT_TRUE(AnsweredAndClosed(client, test.status, test.status == 400 ? "AB400" : "AB501")) << test.headers;
    EXPECT_EQ(client.Buffered(), "") << test.headers;  // no second answer, to the smuggled request
  }
  // HTTP/1.0 has no transfer codings at all.
  {
    Client client(port_);
    ASSERT_TRUE(client.Send("POST /upload HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n" + as_chunk));
    auto response = client.Read();  // HTTP/1.0: closing is the default, no Connection header says it
    ASSERT_TRUE(response);
    EXPECT_EQ(response->status, 400);
    EXPECT_TRUE(client.WaitClosed(2s));
  }
  EXPECT_TRUE(Events().empty());  // neither /upload nor /smuggled reached the handler
}

// What is unambiguous still works: chunked in any case, a fold before it
// (RFC 9112 5.2 lets it read as one space), and one Content-Length; the
// request after it on the same connection is a request of its own.
TEST_F(HttpServerTest, UnambiguousFramingStillWorks) {
  StartServer();
  Client client(port_);
  ASSERT_TRUE(client.Send("POST /a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: Chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n" +
                          std::string("POST /b HTTP/1.1\r\nHost: x\r\nTransfer-Encoding:\r\n chunked\r\n\r\n"
                                      "2\r\nde\r\n0\r\n\r\n") +
                          "POST /c HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nfgh"));
  for (const auto& [path, body] :
       std::vector<std::pair<std::string, std::string>>{{"/a", "abc"}, {"/b", "de"}, {"/c", "fgh"}}) {
    auto response = client.Read();
    ASSERT_TRUE(response) << path;
    EXPECT_EQ(response->status, 200) << path;
    EXPECT_EQ(response->Json().at("path").as_string(), path);
    EXPECT_EQ(response->Json().at("body").as_string(), body);
  }
}

// --------------------------------------------------------- header bytes

// Beast refuses control characters in header values, NUL among them, so none
// reaches a handler (nor PostgreSQL, where a NUL would cut a setting short).
TEST_F(HttpServerTest, ControlCharactersInHeaderValuesGet400) {
  StartServer();
  for (std::string value :
       {std::string("a\0b", 3), std::string("a\x01z"), std::string("a\x7f"), std::string("bare\rcr")}) {
    Client client(port_);
    ASSERT_TRUE(client.Send(Get("/x", "User-Agent: " + value + "\r\n")));
    EXPECT_TRUE(AnsweredAndClosed(client, 400, "AB400")) << value;
  }
  {
    Client client(port_);
    ASSERT_TRUE(client.Send(Get("/x", std::string("User-Agent: a\0b\r\n", 17))));
    auto response = client.Read();
    ASSERT_TRUE(response);
    EXPECT_NE(std::string(response->Json().at("details").as_string()).find("control character"), std::string::npos);
  }
  EXPECT_TRUE(Events().empty());
}

// Bytes that are not UTF-8 are header bytes like any other: passed on as sent
// (rest/headers_json.cpp repairs them for PostgreSQL).
TEST_F(HttpServerTest, NonUtf8HeaderValuesReachTheHandler) {
  StartServer();
  Client client(port_);
  ASSERT_TRUE(client.Send(Get("/x", "User-Agent: caf\xE9 \xFF\r\n")));
  auto response = client.Read();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
  EXPECT_NE(response->body.find("caf\xE9 \xFF"), std::string::npos);
}

// An error that echoes part of the request stays valid JSON whatever the bytes.
TEST_F(HttpServerTest, ErrorBodiesAreValidUtf8Json) {
  StartServer();
  Client client(port_);
  ASSERT_TRUE(client.Send(Get("/missing/t%FF%C3x%E2%82")));
  auto response = client.Read();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 404);
  auto error = response->Json();  // throws on invalid UTF-8
  EXPECT_EQ(error.at("message").as_string(), "no such thing: t\xEF\xBF\xBD\xEF\xBF\xBDx\xEF\xBF\xBD");
  EXPECT_EQ(response->Header("content-length"), std::to_string(response->body.size()));
}

// ------------------------------------------------------------ Retry-After

TEST_F(HttpServerTest, Every503And504CarriesRetryAfter) {
  StartServer();
  Client client(port_);
  for (int code : {503, 504}) {
    ASSERT_TRUE(client.Send(Get("/status?code=" + std::to_string(code))));
    auto response = client.Read();
    ASSERT_TRUE(response);
    EXPECT_EQ(response->status, code);
    EXPECT_EQ(response->Header("retry-after"), "1");
  }
  ASSERT_TRUE(client.Send(Get("/status?code=503&retry=7")));
  auto own = client.Read();
  ASSERT_TRUE(own);
  int retry_after_headers = 0;
  for (const auto& [name, value] : own->headers) retry_after_headers += name == "retry-after";
  EXPECT_EQ(retry_after_headers, 1);
  EXPECT_EQ(own->Header("retry-after"), "7");  // the handler's own is kept
  ASSERT_TRUE(client.Send(Get("/status?code=500")));
  auto other = client.Read();
  ASSERT_TRUE(other);
  EXPECT_EQ(other->Header("retry-after"), std::nullopt);
}

// --------------------------------------------------------------- timeouts

ServerOptions FastTimeouts() {
  ServerOptions options;
  options.port = 0;
  options.header_timeout = 300ms;
  options.request_timeout = 2s;
  options.idle_timeout = 400ms;
  return options;
}

// Slowloris: a byte at a time keeps no connection past header_timeout.
TEST_F(HttpServerTest, HeadersThatTrickleAreDroppedAtTheHeaderDeadline) {
  StartServer(FastTimeouts());
  Client trickle(port_);
  auto started = Clock::now();
  const std::string request = Get("/never");
  bool closed = false;
  for (char c : request) {
    if (!trickle.Send(std::string_view(&c, 1)) || trickle.WaitClosed(40ms)) {
      closed = true;
      break;
    }
  }
  EXPECT_TRUE(closed || trickle.WaitClosed(1s));
  auto elapsed = Clock::now() - started;
  EXPECT_GE(elapsed, 250ms);
  EXPECT_LT(elapsed, 800ms);
  EXPECT_EQ(trickle.Buffered(), "");  // dropped without an answer
  EXPECT_TRUE(Events().empty());
  EXPECT_TRUE(WaitForSessions(0, 1s));
}

TEST_F(HttpServerTest, SilentNewConnectionIsDroppedAtTheHeaderDeadline) {
  StartServer(FastTimeouts());
  Client silent(port_);
  EXPECT_TRUE(ClosedWithin(silent, 250ms, 800ms));
}

// The header deadline restarts with each request on a kept-alive connection,
// after the idle wait; a slow handler is not the client's fault.
TEST_F(HttpServerTest, KeptAliveConnectionGetsAFreshHeaderDeadline) {
  StartServer(FastTimeouts());
  Client client(port_);
  ASSERT_TRUE(client.Send(Get("/slow?ms=500")));  // longer than header_timeout
  auto slow = client.Read();
  ASSERT_TRUE(slow);
  EXPECT_EQ(slow->status, 200);
  ASSERT_FALSE(client.WaitClosed(200ms));  // idle, within idle_timeout
  ASSERT_TRUE(client.Send("GET /second HTTP/1.1\r\n"));
  ASSERT_FALSE(client.WaitClosed(150ms));  // within the new header deadline
  ASSERT_TRUE(client.Send("Host: x\r\n\r\n"));
  auto second = client.Read();
  ASSERT_TRUE(second);
  EXPECT_EQ(second->Json().at("path").as_string(), "/second");
  auto idle_from = Clock::now();
  EXPECT_TRUE(client.WaitClosed(2s));  // then the idle timeout
  EXPECT_GE(Clock::now() - idle_from, 300ms);
}

// The body has request_timeout once the headers are in.
TEST_F(HttpServerTest, StalledBodyIsDroppedAtTheRequestDeadline) {
  ServerOptions options = FastTimeouts();
  options.request_timeout = 500ms;
  StartServer(options);
  Client client(port_);
  ASSERT_TRUE(client.Send("POST /x HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc"));
  // Past header_timeout: the body had its own deadline.
  EXPECT_TRUE(ClosedWithin(client, 400ms, 1200ms));
  EXPECT_TRUE(Events().empty());
}

// ------------------------------------------------- connections per address

// One address at its cap with busy (half-sent) connections gets 503 for more;
// another address is served all the while.
TEST_F(HttpServerTest, OneAddressAtItsCapLeavesOthersServed) {
  ServerOptions options = TestOptions();
  options.max_connections_per_address = 3;
  options.header_timeout = 3s;  // the half-sent ones hold for the whole test
  StartServer(options);
  std::vector<std::unique_ptr<Client>> busy;
  for (int i = 0; i < 3; ++i) {
    busy.push_back(std::make_unique<Client>(port_));
    ASSERT_TRUE(busy.back()->Send(Get("/slow?ms=1500")));
  }
  WaitForSlowStart(3);
  Client beyond(port_);
  ASSERT_TRUE(beyond.Send(Get("/beyond")));
  ParsedResponse refused;
  EXPECT_TRUE(AnsweredAndClosed(beyond, 503, "AB503", &refused));
  EXPECT_EQ(refused.Header("retry-after"), "1");
  EXPECT_NE(std::string(refused.Json().at("details").as_string()).find("one client address"), std::string::npos);

  Client other(port_, "127.0.0.2");
  ASSERT_TRUE(other.Connected()) << other.ConnectErrno();
  ASSERT_TRUE(other.Send(Get("/other")));
  auto served = other.Read();
  ASSERT_TRUE(served);
  EXPECT_EQ(served->status, 200);
  EXPECT_EQ(served->Json().at("remote").as_string(), "127.0.0.2");
  auto events = Events();
  EXPECT_EQ(std::count(events.begin(), events.end(), "echo /other"), 1);
  EXPECT_EQ(std::count(events.begin(), events.end(), "echo /beyond"), 0);
}

// On a dual-stack listener IPv4 clients arrive as v4-mapped IPv6 addresses,
// which all share one /64: each must still count as its own IPv4 address.
TEST_F(HttpServerTest, V4MappedClientsAreCountedByTheirIPv4Address) {
  int probe = socket(AF_INET6, SOCK_STREAM, 0);
  if (probe < 0) GTEST_SKIP() << "no IPv6";
  close(probe);
  ServerOptions options = TestOptions();
  options.address = "::";
  options.max_connections_per_address = 1;
  StartServer(options);
  Client busy(port_);
  ASSERT_TRUE(busy.Send(Get("/slow?ms=1000")));
  WaitForSlowStart(1);

  Client same(port_);
  ASSERT_TRUE(same.Send(Get("/same")));
  EXPECT_TRUE(AnsweredAndClosed(same, 503, "AB503"));
  Client other(port_, "127.0.0.2");
  ASSERT_TRUE(other.Send(Get("/other")));
  auto served = other.Read();
  ASSERT_TRUE(served);
  EXPECT_EQ(served->status, 200);
  EXPECT_EQ(served->Json().at("remote").as_string(), "::ffff:127.0.0.2");
}

// At its cap, an address's own connection that waited longest gives way,
// not another address's that has waited longer still.
TEST_F(HttpServerTest, OneAddressAtItsCapReclaimsItsOwnIdleConnection) {
  ServerOptions options = TestOptions();
  options.max_connections_per_address = 2;
  options.idle_timeout = 3s;
  StartServer(options);
  Client other(port_, "127.0.0.2");  // idle first, but another address's: untouched
  ASSERT_TRUE(other.Send(Get("/other")));
  ASSERT_TRUE(other.Read());
  ASSERT_TRUE(WaitForIdleSessions(1, 1s));
  Client first(port_);
  ASSERT_TRUE(first.Send(Get("/first")));
  ASSERT_TRUE(first.Read());
  Client second(port_);
  ASSERT_TRUE(second.Send(Get("/second")));
  ASSERT_TRUE(second.Read());
  ASSERT_TRUE(WaitForIdleSessions(3, 1s));

  Client third(port_);
  ASSERT_TRUE(third.Send(Get("/third")));
  auto response = third.Read();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
  EXPECT_TRUE(first.WaitClosed(1s));
  EXPECT_FALSE(second.WaitClosed(100ms));
  EXPECT_FALSE(other.WaitClosed(100ms));
  ASSERT_TRUE(other.Send(Get("/again")));
  EXPECT_TRUE(other.Read());
}

// At the global cap with nothing idle, a connection whose headers have been
// trickling in for longer than half the header timeout gives way to a new
// one; one that just started does not.
TEST_F(HttpServerTest, SlowHeadersGiveWayAtTheGlobalCap) {
  ServerOptions options = FastTimeouts();
  options.max_connections = 2;
  options.max_connections_per_address = 0;
  options.header_timeout = 1500ms;  // slow-header grace: 750 ms
  StartServer(options);
  Client busy(port_);
  ASSERT_TRUE(busy.Send(Get("/slow?ms=2500")));
  WaitForSlowStart(1);
  Client trickle(port_);
  ASSERT_TRUE(trickle.Send("GET /never HTTP/1.1\r\n"));
  ASSERT_TRUE(WaitForSessions(2, 1s));
  ASSERT_TRUE(WaitForIdleSessions(0, 1s));  // its first byte is in: it reads headers now
  auto trickle_started = Clock::now();

  Client early(port_);
  ASSERT_TRUE(early.Send(Get("/early")));
  auto refused = early.Read();
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 503);
  ASSERT_LT(Clock::now() - trickle_started, 700ms);  // the refusal was within the grace

  std::this_thread::sleep_for(800ms - (Clock::now() - trickle_started));  // past the grace, before the deadline
  Client late(port_);
  ASSERT_TRUE(late.Send(Get("/late")));
  auto served = late.Read();
  ASSERT_TRUE(served);
  EXPECT_EQ(served->status, 200);
  EXPECT_TRUE(trickle.WaitClosed(200ms));
  EXPECT_LT(Clock::now() - trickle_started, 1400ms);  // closed for the new one, not by its deadline
  EXPECT_EQ(trickle.Buffered(), "");
}

// The attack run: one address opens far more connections than its cap and
// leaves them idle or half-sent. Others are served throughout, and once the
// hostile ones reach their deadlines the address is served again too.
TEST_F(HttpServerTest, HostileConnectionFloodFromOneAddressLocksNobodyOut) {
  ServerOptions options = FastTimeouts();
  options.max_connections = 40;
  options.max_connections_per_address = 8;
  options.header_timeout = 500ms;
  StartServer(options);
  std::vector<std::unique_ptr<Client>> hostile;
  for (int i = 0; i < 110; ++i) {
    hostile.push_back(std::make_unique<Client>(port_));
    if (i % 2 == 0) hostile.back()->Send("GET /half HTTP/1.1\r\nHost: x\r\n");
  }
  for (const char* from : {"127.0.0.2", "127.0.0.3"}) {
    Client other(port_, from);
    ASSERT_TRUE(other.Send(Get("/other")));
    auto served = other.Read();
    ASSERT_TRUE(served) << from;
    EXPECT_EQ(served->status, 200) << from;
  }
  // Every hostile connection is gone by its header deadline (or was never
  // taken in); none of them ever ran a request.
  for (auto& client : hostile) EXPECT_TRUE(client->WaitClosed(2s));
  EXPECT_TRUE(WaitForSessions(0, 1s));
  Client again(port_);
  ASSERT_TRUE(again.Send(Get("/again")));
  auto served = again.Read();
  ASSERT_TRUE(served);
  EXPECT_EQ(served->status, 200);
  EXPECT_EQ(Events(), (std::vector<std::string>{"echo /other", "echo /other", "echo /again"}));
}

TEST_F(HttpServerTest, GracefulShutdownFinishesInFlightRequests) {
  StartServer();
  Client idle(port_);
  ASSERT_TRUE(idle.Send(Get("/first")));
  ASSERT_TRUE(idle.Read());
  Client busy(port_);
  ASSERT_TRUE(busy.Send(Get("/slow?ms=500")));
  WaitForSlowStart(1);

  auto started = Clock::now();
  auto done = BeginShutdown(3000ms);
  EXPECT_TRUE(idle.WaitClosed(1s));
  EXPECT_LT(Clock::now() - started, 500ms);  // closed at once, not by the idle timeout
  Client late(port_);
  EXPECT_FALSE(late.Connected());
  EXPECT_EQ(late.ConnectErrno(), ECONNREFUSED);

  auto response = busy.Read();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->body, "slow done");
  EXPECT_EQ(response->Header("connection"), "close");
  EXPECT_TRUE(busy.WaitClosed(1s));
  busy.Close();  // the server keeps reading until the client closes too (or 1 s)
  ASSERT_EQ(done.wait_for(2s), std::future_status::ready);
  done.get();
  EXPECT_LT(Clock::now() - started, 1500ms);
  EXPECT_EQ(ActiveSessions(), 0u);
}

TEST_F(HttpServerTest, ShutdownForceClosesAtTheDeadline) {
  StartServer();
  Client busy(port_);
  ASSERT_TRUE(busy.Send(Get("/slow?ms=3000")));
  WaitForSlowStart(1);
  auto started = Clock::now();
  auto done = BeginShutdown(200ms);
  ASSERT_EQ(done.wait_for(2s), std::future_status::ready);
  done.get();
  EXPECT_LT(Clock::now() - started, 1s);
  EXPECT_FALSE(busy.Read());  // closed without an answer
}

TEST_F(HttpServerTest, StartReportsAPortInUse) {
  StartServer();
  ServerOptions options = TestOptions();
  options.port = port_;
  Server second(io_, options, [](Request) -> net::awaitable<Response> { co_return Response{}; });
  auto port = second.Start();
  ASSERT_FALSE(port.ok());
  EXPECT_EQ(port.error().code, "listen");
  EXPECT_NE(port.error().message.find("bind"), std::string::npos) << port.error().message;
}

}  // namespace
}  // namespace agentbase::http
