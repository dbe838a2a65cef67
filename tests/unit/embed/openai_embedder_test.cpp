// The OpenAI-compatible embedder against a stand-in endpoint: our own HTTP
// server on loopback, on a thread of its own, answering as each test tells it.

#include "embed/openai_embedder.hpp"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json.hpp>
#include <chrono>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "http/server.hpp"

namespace agentbase::embed {

namespace {

namespace asio = boost::asio;
namespace json = boost::json;
using namespace std::chrono_literals;

constexpr size_t kDimensions = 4;

// A request as the stand-in saw it.
struct Seen {
  std::string path;
  std::string authorization;
  std::string content_type;
  std::string model;
  std::vector<std::string> input;
};

// The vector the stand-in gives a text: its length, its first byte, 1, -1.
json::array VectorFor(const std::string& text) {
  return json::array{static_cast<double>(text.size()), static_cast<double>(static_cast<unsigned char>(text[0])), 1.0,
                     -1.0};
}

// OpenAI's answer to `input`, its entries in reverse order (each names its index).
std::string ReversedAnswer(const std::vector<std::string>& input) {
  json::array data;
  for (size_t i = input.size(); i-- > 0;) {
    data.push_back(json::object{{"object", "embedding"}, {"index", i}, {"embedding", VectorFor(input[i])}});
  }
  return json::serialize(json::object{{"object", "list"}, {"data", data}, {"model", "stand-in"}});
}

class OpenAiEmbedderTest : public ::testing::Test {
 protected:
  // What the stand-in answers, given what it saw; runs on the server thread.
  using Answer = std::function<http::Response(const Seen&)>;

  void SetUp() override {
    http::ServerOptions options;
    options.port = 0;
    server_ = std::make_unique<http::Server>(server_io_, options,
                                             [this](http::Request request) { return Handle(std::move(request)); });
    auto port = server_->Start();
    ASSERT_TRUE(port.ok()) << port.error().message;
    port_ = *port;
    server_thread_ = std::thread([this] { server_io_.run(); });
  }
  void TearDown() override {
    server_io_.stop();
    server_thread_.join();
    server_.reset();
  }

  std::string BaseUrl() const { return "http://127.0.0.1:" + std::to_string(port_) + "/v1"; }

  OpenAiEmbedderOptions Options() const {
    OpenAiEmbedderOptions options;
    options.url = BaseUrl();
    options.model = "text-embedding-test";
    options.api_key = "sk-test";
    options.dimensions = kDimensions;
    options.timeout = 2s;
    return options;
  }

  std::unique_ptr<Embedder> Make(OpenAiEmbedderOptions options) {
    auto embedder = MakeOpenAiEmbedder(client_io_.get_executor(), std::move(options));
    if (!embedder) throw std::runtime_error(embedder.error().message);
    return std::move(*embedder);
  }

  void AnswerWith(Answer answer) {
    std::lock_guard lock(mutex_);
    answer_ = std::move(answer);
  }
  // Every call an answer of this status and body.
  void AnswerWith(int status, std::string body) {
    AnswerWith([status, body](const Seen&) {
      return http::Response{status, {{"Content-Type", "application/json"}}, body};
    });
  }
  void NeverAnswer() {
    std::lock_guard lock(mutex_);
    silent_ = true;
  }
  std::vector<Seen> SeenRequests() {
    std::lock_guard lock(mutex_);
    return seen_;
  }

  Result<std::vector<Embedding>> EmbedAll(Embedder& embedder, std::vector<std::string> texts) {
    std::optional<Result<std::vector<Embedding>>> result;
    client_io_.restart();  // a previous call ran it out of work
    asio::co_spawn(
        client_io_, [&]() -> asio::awaitable<void> { result = co_await embedder.Embed(std::move(texts)); },
        [](std::exception_ptr failure) {
          if (failure) std::rethrow_exception(failure);
        });
    while (!result && client_io_.run_one() > 0) {
    }
    if (!result) return Error::Internal("Embed did not finish");
    return std::move(*result);
  }

  uint16_t port_ = 0;

 private:
  asio::awaitable<http::Response> Handle(http::Request request) {
    Seen seen;
    seen.path = request.path;
    seen.authorization = std::string(request.Header("authorization").value_or(""));
    seen.content_type = std::string(request.Header("content-type").value_or(""));
    json::error_code ec;
    json::value body = json::parse(request.body, ec);
    if (!ec && body.is_object()) {
      if (const auto* model = body.as_object().if_contains("model"); model && model->is_string()) {
        seen.model = model->as_string();
      }
      if (const auto* input = body.as_object().if_contains("input"); input && input->is_array()) {
        for (const auto& text : input->as_array()) seen.input.emplace_back(text.as_string());
      }
    }
    Answer answer;
    bool silent = false;
    {
      std::lock_guard lock(mutex_);
      seen_.push_back(seen);
      answer = answer_;
      silent = silent_;
    }
    if (silent) {
      asio::steady_timer never(co_await asio::this_coro::executor, std::chrono::hours(1));
      co_await never.async_wait(asio::use_awaitable);
    }
    if (!answer) co_return http::Response{500, {}, "no answer set"};
    co_return answer(seen);
  }

  asio::io_context server_io_;
  asio::executor_work_guard<asio::io_context::executor_type> server_work_{server_io_.get_executor()};
  std::unique_ptr<http::Server> server_;
  std::thread server_thread_;
  asio::io_context client_io_;

  std::mutex mutex_;
  Answer answer_;
  bool silent_ = false;
  std::vector<Seen> seen_;
};

void ExpectError(const Result<std::vector<Embedding>>& result, ErrorKind kind, const std::string& part) {
  ASSERT_FALSE(result.ok()) << "expected an error containing: " << part;
  EXPECT_TRUE(result.error().Is(kind)) << KindName(result.error().Kind()) << ": " << result.error().message;
  EXPECT_NE(result.error().message.find(part), std::string::npos) << result.error().message;
}

}  // namespace

TEST_F(OpenAiEmbedderTest, EmbedsInBatchesAndOrdersTheAnswersByIndex) {
  AnswerWith([](const Seen& seen) {
    return http::Response{200, {{"Content-Type", "application/json"}}, ReversedAnswer(seen.input)};
  });
  auto options = Options();
  options.max_batch = 2;
  auto embedder = Make(options);
  std::vector<std::string> texts = {"alpha", "bravo!", "c", "delta delta", "écho"};
  auto embeddings = EmbedAll(*embedder, texts);
  ASSERT_TRUE(embeddings.ok()) << embeddings.error().message;
  ASSERT_EQ(embeddings->size(), texts.size());
  for (size_t i = 0; i < texts.size(); ++i) {
    EXPECT_EQ((*embeddings)[i], (Embedding{static_cast<float>(texts[i].size()),
                                           static_cast<float>(static_cast<unsigned char>(texts[i][0])), 1.0F, -1.0F}))
        << i;
  }

  auto seen = SeenRequests();
  ASSERT_EQ(seen.size(), 3U);
  EXPECT_EQ(seen[0].input, (std::vector<std::string>{"alpha", "bravo!"}));
  EXPECT_EQ(seen[1].input, (std::vector<std::string>{"c", "delta delta"}));
  EXPECT_EQ(seen[2].input, (std::vector<std::string>{"écho"}));
  for (const auto& request : seen) {
    EXPECT_EQ(request.path, "/v1/embeddings");
    EXPECT_EQ(request.authorization, "Bearer sk-test");
    EXPECT_EQ(request.content_type, "application/json");
    EXPECT_EQ(request.model, "text-embedding-test");
  }
}

TEST_F(OpenAiEmbedderTest, SendsNoAuthorizationWithoutAKeyAndNothingForNoTexts) {
  AnswerWith([](const Seen& seen) { return http::Response{200, {}, ReversedAnswer(seen.input)}; });
  auto options = Options();
  options.api_key.clear();
  options.url = BaseUrl() + "/";  // a trailing slash is no part of the path
  auto embedder = Make(options);
  EXPECT_EQ(embedder->Dimensions(), kDimensions);
  EXPECT_EQ(embedder->Describe(), "openai-compatible " + BaseUrl() + "/ model text-embedding-test");

  auto none = EmbedAll(*embedder, {});
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
  EXPECT_TRUE(SeenRequests().empty());

  ASSERT_TRUE(EmbedAll(*embedder, {"one"}).ok());
  auto seen = SeenRequests();
  ASSERT_EQ(seen.size(), 1U);
  EXPECT_EQ(seen[0].path, "/v1/embeddings");
  EXPECT_EQ(seen[0].authorization, "");
}

TEST_F(OpenAiEmbedderTest, AnErrorStatusCarriesOpenAisMessage) {
  AnswerWith(401, R"({"error":{"message":"Incorrect API key provided: sk-test.","type":"invalid_request_error",)"
                  R"("param":null,"code":"invalid_api_key"}})");
  auto embedder = Make(Options());
  auto result = EmbedAll(*embedder, {"hello"});
  ExpectError(result, ErrorKind::kUnavailable, "answered 401: Incorrect API key provided: sk-test.");

  AnswerWith(429, R"({"error":{"message":"Rate limit reached","type":"requests"}})");
  ExpectError(EmbedAll(*embedder, {"hello"}), ErrorKind::kBusy, "429: Rate limit reached");

  AnswerWith(400, R"({"error":{"message":"This model's maximum context length is 8192 tokens"}})");
  ExpectError(EmbedAll(*embedder, {"hello"}), ErrorKind::kInvalidInput, "400: This model's maximum context length");

  AnswerWith(502, "<html>\n<body>Bad Gateway</body>\n</html>");
  ExpectError(EmbedAll(*embedder, {"hello"}), ErrorKind::kUnavailable,
              "502: <html>; <body>Bad Gateway</body>; </html>");
}

TEST_F(OpenAiEmbedderTest, RefusesMalformedJson) {
  AnswerWith(200, R"({"data": [{"embedding": [1, 2)");
  auto embedder = Make(Options());
  ExpectError(EmbedAll(*embedder, {"hello"}), ErrorKind::kUnavailable, "malformed JSON");

  AnswerWith(200, R"({"object": "list"})");
  ExpectError(EmbedAll(*embedder, {"hello"}), ErrorKind::kUnavailable, R"(no "data" array)");
}

TEST_F(OpenAiEmbedderTest, RefusesAVectorOfTheWrongLength) {
  AnswerWith(200, R"({"data": [{"index": 0, "embedding": [0.1, 0.2, 0.3, 0.4]},
                               {"index": 1, "embedding": [0.1, 0.2, 0.3]}]})");
  auto embedder = Make(Options());
  ExpectError(EmbedAll(*embedder, {"hello", "world"}), ErrorKind::kUnavailable,
              "the embedding for text 1: an embedding of 3 numbers where 4 are expected");
}

TEST_F(OpenAiEmbedderTest, RefusesNumbersThatAreNotFiniteFloatsAndElementsThatAreNotNumbers) {
  auto embedder = Make(Options());
  // JSON has no NaN; a number too large for a double (1e400) or for a float
  // (1e39) is the nearest an endpoint can send.
  AnswerWith(200, R"({"data": [{"index": 0, "embedding": [0.1, 1e400, 0.3, 0.4]}]})");
  ExpectError(EmbedAll(*embedder, {"hello"}), ErrorKind::kUnavailable,
              "the embedding for text 0: element 1 of an embedding is infinite");
  AnswerWith(200, R"({"data": [{"index": 0, "embedding": [0.1, 0.2, -1e39, 0.4]}]})");
  ExpectError(EmbedAll(*embedder, {"hello"}), ErrorKind::kUnavailable, "element 2 of an embedding is infinite");
  AnswerWith(200, R"({"data": [{"index": 0, "embedding": [0.1, 0.2, "NaN", 0.4]}]})");
  ExpectError(EmbedAll(*embedder, {"hello"}), ErrorKind::kUnavailable, "not a number (element 2)");
  AnswerWith(200, R"({"data": [{"index": 0, "embedding": [0.1, null, 0.3, 0.4]}]})");
  ExpectError(EmbedAll(*embedder, {"hello"}), ErrorKind::kUnavailable, "not a number (element 1)");
  AnswerWith(200, R"({"data": [{"index": 0, "embedding": "AAAAAA=="}]})");
  ExpectError(EmbedAll(*embedder, {"hello"}), ErrorKind::kUnavailable, "base64 answers are not supported");
}

TEST_F(OpenAiEmbedderTest, RefusesTheWrongNumberOfEmbeddingsOrBadIndexes) {
  auto embedder = Make(Options());
  AnswerWith(200, R"({"data": [{"index": 0, "embedding": [1, 2, 3, 4]}]})");
  ExpectError(EmbedAll(*embedder, {"hello", "world"}), ErrorKind::kUnavailable, "1 embeddings for 2 texts");
  AnswerWith(200, R"({"data": [{"index": 0, "embedding": [1, 2, 3, 4]}, {"index": 0, "embedding": [1, 2, 3, 4]}]})");
  ExpectError(EmbedAll(*embedder, {"hello", "world"}), ErrorKind::kUnavailable, "two embeddings for text 0");
  AnswerWith(200, R"({"data": [{"index": 0, "embedding": [1, 2, 3, 4]}, {"index": 2, "embedding": [1, 2, 3, 4]}]})");
  ExpectError(EmbedAll(*embedder, {"hello", "world"}), ErrorKind::kUnavailable,
              R"(entry 1 of "data" has an "index" that is not one of 0-1)");
}

TEST_F(OpenAiEmbedderTest, GivesUpOnAnEndpointThatNeverAnswers) {
  NeverAnswer();
  auto options = Options();
  options.timeout = 200ms;
  auto embedder = Make(options);
  auto started = std::chrono::steady_clock::now();
  auto result = EmbedAll(*embedder, {"hello"});
  auto waited = std::chrono::steady_clock::now() - started;
  ExpectError(result, ErrorKind::kTimeout, "no answer within 200 ms");
  EXPECT_GE(waited, 200ms);
  EXPECT_LT(waited, 2s);
}

TEST_F(OpenAiEmbedderTest, ReportsARefusedConnection) {
  uint16_t closed_port = 0;
  {
    asio::io_context io;
    asio::ip::tcp::acceptor probe(io, {asio::ip::make_address("127.0.0.1"), 0});
    closed_port = probe.local_endpoint().port();
  }
  auto options = Options();
  options.url = "http://127.0.0.1:" + std::to_string(closed_port) + "/v1";
  auto embedder = Make(options);
  ExpectError(EmbedAll(*embedder, {"hello"}), ErrorKind::kUnavailable, "connecting");
}

TEST_F(OpenAiEmbedderTest, RefusesAnAnswerOverTheSizeLimit) {
  AnswerWith([](const Seen& seen) { return http::Response{200, {}, ReversedAnswer(seen.input)}; });
  auto options = Options();
  options.max_response_bytes = 64;
  auto embedder = Make(options);
  ExpectError(EmbedAll(*embedder, {"hello", "world"}), ErrorKind::kUnavailable, "larger than 64 bytes");
}

TEST_F(OpenAiEmbedderTest, RefusesEmptyOrInvalidTextsBeforeAnyCall) {
  auto embedder = Make(Options());
  ExpectError(EmbedAll(*embedder, {"fine", ""}), ErrorKind::kInvalidInput, "text 1 is empty");
  ExpectError(EmbedAll(*embedder, {"caf\xC3"}), ErrorKind::kInvalidInput, "text 0 is not valid UTF-8");
  EXPECT_TRUE(SeenRequests().empty());
}

TEST_F(OpenAiEmbedderTest, RefusesOptionsThatCannotWork) {
  auto refused = [this](OpenAiEmbedderOptions options, const std::string& part) {
    auto embedder = MakeOpenAiEmbedder(asio::system_executor(), std::move(options));
    ASSERT_FALSE(embedder.ok()) << part;
    EXPECT_TRUE(embedder.error().Is(ErrorKind::kUsage)) << embedder.error().message;
    EXPECT_NE(embedder.error().message.find(part), std::string::npos) << embedder.error().message;
  };
  auto options = Options();
  options.url = "ftp://api.example.com/v1";
  refused(options, "the scheme must be http or https");
  options.url = "api.example.com/v1";
  refused(options, "not a usable http(s) URL");
  options.url = "https://user:pass@api.example.com/v1";
  refused(options, "user information");
  options.url = "https://api.example.com/v1?key=1";
  refused(options, "must not have a query");
  options.url = "http://api.example.com/v1";
  refused(options, "unencrypted");
  options.api_key.clear();
  EXPECT_TRUE(MakeOpenAiEmbedder(asio::system_executor(), options).ok());  // no key, nothing to leak

  options = Options();
  options.model.clear();
  refused(options, "no model");
  options = Options();
  options.dimensions = 0;
  refused(options, "dimensions");
  options = Options();
  options.max_batch = 0;
  refused(options, "max_batch");
  options = Options();
  options.timeout = 0ms;
  refused(options, "timeout");
  EXPECT_TRUE(MakeOpenAiEmbedder(asio::system_executor(), Options()).ok());
}

}  // namespace agentbase::embed
