#include "embed/openai_embedder.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <optional>
#include <span>
#include <string_view>
#include <utility>
#include <vector>

#include "http/client.hpp"
#include "util/text.hpp"
#include "util/utf8.hpp"

namespace agentbase::embed {

namespace json = boost::json;

namespace {

// How much of an endpoint's error message (or of a body that is not OpenAI's
// error shape) goes into ours.
constexpr size_t kExcerptBytes = 300;

std::string RequestBody(const std::string& model, std::span<const std::string> texts) {
  size_t size = model.size() + 32;
  for (const auto& text : texts) size += text.size() + 3;
  std::string body;
  body.reserve(size);
  body += R"({"model":)";
  AppendJsonString(body, model);
  body += R"(,"input":[)";
  for (size_t i = 0; i < texts.size(); ++i) {
    if (i > 0) body += ',';
    AppendJsonString(body, texts[i]);
  }
  body += "]}";
  return body;
}

// At most kExcerptBytes of `text`, as one line of valid UTF-8 (a character
// cut in two becomes U+FFFD).
std::string Excerpt(std::string_view text) {
  std::string excerpt(text.substr(0, kExcerptBytes));
  if (text.size() > kExcerptBytes) excerpt += "...";
  return OneLine(ReplaceInvalidUtf8(excerpt));
}

// OpenAI's {"error": {"message": "..."}}, else the start of the body.
std::string ErrorMessageOf(const std::string& body) {
  json::error_code ec;
  json::value parsed = json::parse(body, ec);
  if (!ec && parsed.is_object()) {
    const json::value* error = parsed.as_object().if_contains("error");
    if (error && error->is_object()) {
      const json::value* message = error->as_object().if_contains("message");
      if (message && message->is_string()) return Excerpt(message->as_string());
    }
    // Some compatible servers answer {"error": "..."}.
    if (error && error->is_string()) return Excerpt(error->as_string());
  }
  return Excerpt(body);
}

Error StatusError(const std::string& endpoint, const http::ClientResponse& response) {
  std::string message = "the embeddings endpoint " + endpoint + " answered " + std::to_string(response.status);
  std::string reason = ErrorMessageOf(response.body);
  if (!reason.empty()) message += ": " + reason;
  switch (response.status) {
    case 400:
    case 413:
    case 422: return Error::InvalidInput(std::move(message), "embed");
    case 429: return Error::Busy(std::move(message), "embed");
    default: return Error::Unavailable(std::move(message), "embed");
  }
}

// The vector of one "embedding" value, unchecked in length and finiteness
// (CheckEmbedding's part); nullopt and `why` for anything but an array of
// numbers.
std::optional<Embedding> Numbers(const json::value& value, std::string& why) {
  if (!value.is_array()) {
    why = value.is_string() ? "is a string, not an array of numbers (base64 answers are not supported)"
                            : "is not an array of numbers";
    return std::nullopt;
  }
  const json::array& elements = value.as_array();
  Embedding numbers;
  numbers.reserve(elements.size());
  for (size_t i = 0; i < elements.size(); ++i) {
    const json::value& element = elements[i];
    double number = 0;
    if (element.is_double()) {
      number = element.get_double();
    } else if (element.is_int64()) {
      number = static_cast<double>(element.get_int64());
    } else if (element.is_uint64()) {
      number = static_cast<double>(element.get_uint64());
    } else {
      why = "has an element that is not a number (element " + std::to_string(i) + ")";
      return std::nullopt;
    }
    // Beyond a float's range this becomes an infinity, which CheckEmbedding refuses.
    numbers.push_back(static_cast<float>(number));
  }
  return numbers;
}

class OpenAiEmbedder final : public Embedder {
 public:
  OpenAiEmbedder(boost::asio::any_io_executor executor, OpenAiEmbedderOptions options, http::HttpUrl endpoint)
      : options_(std::move(options)),
        endpoint_(std::move(endpoint)),
        endpoint_text_((endpoint_.tls ? "https://" : "http://") + endpoint_.host_header + endpoint_.target),
        client_(std::move(executor)) {}

  size_t Dimensions() const override { return options_.dimensions; }
  std::string Describe() const override { return "openai-compatible " + options_.url + " model " + options_.model; }

  boost::asio::awaitable<Result<std::vector<Embedding>>> Embed(std::vector<std::string> texts) override {
    for (size_t i = 0; i < texts.size(); ++i) {
      if (texts[i].empty()) co_return Error::InvalidInput("text " + std::to_string(i) + " is empty", "embed");
      if (!IsValidUtf8(texts[i])) {
        co_return Error::InvalidInput("text " + std::to_string(i) + " is not valid UTF-8", "embed");
      }
    }
    std::vector<Embedding> embeddings;
    embeddings.reserve(texts.size());
    for (size_t first = 0; first < texts.size(); first += options_.max_batch) {
      size_t count = std::min(options_.max_batch, texts.size() - first);
      auto batch = co_await EmbedBatch(std::span<const std::string>(texts).subspan(first, count), first);
      if (!batch) co_return batch.error();
      for (auto& embedding : *batch) embeddings.push_back(std::move(embedding));
    }
    co_return embeddings;
  }

 private:
  // `texts` are the call's texts from index `first` on (for messages).
  boost::asio::awaitable<Result<std::vector<Embedding>>> EmbedBatch(std::span<const std::string> texts, size_t first) {
    http::ClientRequest request;
    request.method = "POST";
    request.url = endpoint_;
    request.headers = {{"Content-Type", "application/json"}, {"Accept", "application/json"}};
    if (!options_.api_key.empty()) request.headers.emplace_back("Authorization", "Bearer " + options_.api_key);
    request.body = RequestBody(options_.model, texts);
    auto response = co_await client_.Send(std::move(request), {options_.timeout, options_.max_response_bytes});
    if (!response) co_return response.error();
    if (response->status < 200 || response->status > 299) co_return StatusError(endpoint_text_, *response);
    co_return ParseAnswer(response->body, texts.size(), first);
  }

  Result<std::vector<Embedding>> ParseAnswer(const std::string& body, size_t count, size_t first) const {
    auto unusable = [&](const std::string& why) {
      return Error::Unavailable("the embeddings endpoint " + endpoint_text_ + " gave an unusable answer: " + why,
                                "embed");
    };
    // A batch is tens of thousands of numbers in up to max_batch arrays:
    // parsed into one arena, freed at once.
    json::monotonic_resource arena;
    json::error_code ec;
    json::value answer = json::parse(body, ec, &arena);
    if (ec) return unusable("malformed JSON (" + ec.message() + ")");
    const json::value* data = answer.is_object() ? answer.as_object().if_contains("data") : nullptr;
    if (!data || !data->is_array()) return unusable("no \"data\" array");
    const json::array& entries = data->as_array();
    if (entries.size() != count) {
      return unusable(std::to_string(entries.size()) + " embeddings for " + std::to_string(count) + " texts");
    }
    std::vector<std::optional<Embedding>> slots(count);
    for (size_t position = 0; position < entries.size(); ++position) {
      std::string entry_name = "entry " + std::to_string(position) + " of \"data\"";
      if (!entries[position].is_object()) return unusable(entry_name + " is not an object");
      const json::object& entry = entries[position].as_object();
      size_t index = position;
      if (const json::value* given = entry.if_contains("index")) {
        bool in_range =
            (given->is_int64() && given->get_int64() >= 0 && static_cast<uint64_t>(given->get_int64()) < count) ||
            (given->is_uint64() && given->get_uint64() < count);
        if (!in_range) {
          return unusable(entry_name + " has an \"index\" that is not one of 0-" + std::to_string(count - 1));
        }
        index = given->is_int64() ? static_cast<size_t>(given->get_int64()) : static_cast<size_t>(given->get_uint64());
      }
      std::string text_name = "text " + std::to_string(first + index);
      if (slots[index]) return unusable("two embeddings for " + text_name);
      const json::value* vector = entry.if_contains("embedding");
      if (!vector) return unusable(entry_name + " has no \"embedding\"");
      std::string why;
      auto numbers = Numbers(*vector, why);
      if (!numbers) return unusable("the embedding for " + text_name + " " + why);
      if (auto checked = CheckEmbedding(*numbers, options_.dimensions); !checked) {
        return unusable("the embedding for " + text_name + ": " + checked.error().message);
      }
      slots[index] = std::move(numbers);
    }
    std::vector<Embedding> embeddings;
    embeddings.reserve(count);
    for (auto& slot : slots) embeddings.push_back(std::move(*slot));
    return embeddings;
  }

  OpenAiEmbedderOptions options_;
  http::HttpUrl endpoint_;
  std::string endpoint_text_;
  http::Client client_;
};

}  // namespace

Result<std::unique_ptr<Embedder>> MakeOpenAiEmbedder(boost::asio::any_io_executor executor,
                                                     OpenAiEmbedderOptions options) {
  auto url = http::ParseHttpUrl(options.url);
  if (!url) return Error::Usage("embeddings: " + url.error().message);
  if (url->target.find('?') != std::string::npos) {
    return Error::Usage("embeddings: the base URL must not have a query: " + options.url);
  }
  if (!url->tls && !options.api_key.empty() && !url->IsLoopback()) {
    return Error::Usage("embeddings: " + options.url +
                        " is plain http, and the API key would cross the network unencrypted; use https (plain "
                        "http is for a server on this machine)");
  }
  if (options.model.empty()) return Error::Usage("embeddings: no model named");
  if (options.dimensions == 0) return Error::Usage("embeddings: dimensions must be at least 1");
  if (options.max_batch == 0) return Error::Usage("embeddings: max_batch must be at least 1");
  if (options.max_response_bytes == 0) return Error::Usage("embeddings: max_response_bytes must be at least 1");
  if (options.timeout <= std::chrono::milliseconds::zero()) return Error::Usage("embeddings: timeout must be positive");
  http::HttpUrl endpoint = std::move(*url);
  while (!endpoint.target.empty() && endpoint.target.back() == '/') endpoint.target.pop_back();
  endpoint.target += "/embeddings";
  return std::unique_ptr<Embedder>(
      std::make_unique<OpenAiEmbedder>(std::move(executor), std::move(options), std::move(endpoint)));
}

}  // namespace agentbase::embed
