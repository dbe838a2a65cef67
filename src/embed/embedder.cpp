#include "embed/embedder.hpp"

#include <cmath>

namespace agentbase::embed {

Status CheckEmbedding(std::span<const float> embedding, size_t dimensions) {
  if (embedding.size() != dimensions) {
    return Error::InvalidInput("an embedding of " + std::to_string(embedding.size()) + " numbers where " +
                                   std::to_string(dimensions) + " are expected",
                               "embedding");
  }
  for (size_t i = 0; i < embedding.size(); ++i) {
    if (std::isfinite(embedding[i])) continue;
    std::string what = std::isnan(embedding[i]) ? "NaN" : "infinite";
    return Error::InvalidInput("element " + std::to_string(i) + " of an embedding is " + what, "embedding");
  }
  return Ok();
}

}  // namespace agentbase::embed
