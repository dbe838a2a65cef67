#pragma once
// Embedders turn texts into vectors for user memory search. The number of
// dimensions is fixed when the schema is made (user_memory.embedding, 1536 by
// default), so every embedder is made for one dimension count and every
// vector it hands out is checked against it.
//
// Two kinds (their own headers):
//  - offline_embedder.hpp: lexical feature hashing, no network, the default;
//  - openai_embedder.hpp: an OpenAI-compatible /embeddings endpoint.
// Vectors from different embedders (or models) are not comparable: a table
// must be searched with the embedder that filled it.

#include <boost/asio/awaitable.hpp>
#include <cstddef>
#include <span>
#include <string>
#include <vector>

#include "util/result.hpp"

namespace agentbase::embed {

using Embedding = std::vector<float>;

// One embedding as the schema takes it: exactly `dimensions` finite numbers.
// ErrorKind::kInvalidInput, code "embedding", naming what is wrong: the
// length, or the index of the first NaN or infinity.
Status CheckEmbedding(std::span<const float> embedding, size_t dimensions);

class Embedder {
 public:
  virtual ~Embedder() = default;

  virtual size_t Dimensions() const = 0;
  // What makes the vectors, for logs and status pages: "offline (...)",
  // "openai-compatible <url> model <model>". Never holds a secret.
  virtual std::string Describe() const = 0;

  // One embedding per text, in the order given, each passing CheckEmbedding
  // for Dimensions(). No texts, no embeddings. Errors are values: a text the
  // embedder refuses (kInvalidInput, naming its index), or an endpoint that
  // failed, timed out, refused the call or answered something unusable.
  // The embedder must outlive the call.
  virtual boost::asio::awaitable<Result<std::vector<Embedding>>> Embed(std::vector<std::string> texts) = 0;
};

}  // namespace agentbase::embed
