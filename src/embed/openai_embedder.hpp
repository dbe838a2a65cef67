#pragma once
// An embedder that asks an OpenAI-compatible endpoint (OpenAI itself, or a
// server that speaks its API: vLLM, Ollama, LiteLLM, a stand-in in tests):
//
//   POST <url>/embeddings
//   Authorization: Bearer <api_key>          (when a key is set)
//   {"model": "<model>", "input": ["text", ...]}
//
//   200 {"data": [{"embedding": [0.1, ...], "index": 0}, ...], ...}
//
// The texts go in batches of at most max_batch, one after the other, each on
// a connection of its own under its own deadline of `timeout` (a call of n
// texts may take up to ceil(n / max_batch) timeouts). The answer's entries
// are put in the order of their "index" (an entry without one counts by its
// position); each must be `dimensions` finite numbers.
//
// Errors, by kind:
//  - kInvalidInput: an empty text or one that is not valid UTF-8 (refused
//    before any call; the error names its index), or the endpoint answered
//    400, 413 or 422 (the request was refused as given: a text too long);
//  - kBusy: 429 (rate limited; later may work);
//  - kTimeout: no answer within `timeout`;
//  - kUnavailable: any other status (401 for a wrong key, 404 for an unknown
//    model, 5xx), the connection failed, or the answer was unusable:
//    malformed JSON, too many or too few embeddings, a vector of the wrong
//    length, an element that is not a number or does not fit a float.
// An error status's message includes OpenAI's {"error": {"message": ...}}
// when the body has that shape, or else the start of the body.

#include <boost/asio/any_io_executor.hpp>
#include <chrono>
#include <cstddef>
#include <memory>
#include <string>

#include "embed/embedder.hpp"

namespace agentbase::embed {

struct OpenAiEmbedderOptions {
  // The API's base, e.g. https://api.openai.com/v1; calls go to <url>/embeddings.
  std::string url;
  std::string model;                         // e.g. text-embedding-3-small
  std::string api_key;                       // empty: no Authorization header (a local server)
  std::chrono::milliseconds timeout{10000};  // per batch, from resolving the host to the answer's last byte
  size_t dimensions = 1536;
  size_t max_batch = 64;
  size_t max_response_bytes = 64 * 1024 * 1024;
};

// Refuses (ErrorKind::kUsage) a URL that is not http or https, has no host,
// carries credentials, a query or a fragment; plain http with an API key to
// any host but this machine (the key would cross the network in clear); an
// empty model; and zero dimensions, max_batch, max_response_bytes or timeout.
// The calls run on a strand of `executor`.
Result<std::unique_ptr<Embedder>> MakeOpenAiEmbedder(boost::asio::any_io_executor executor,
                                                     OpenAiEmbedderOptions options);

}  // namespace agentbase::embed
