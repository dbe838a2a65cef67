// The offline embedder at the schema's default 1536 dimensions, on texts of
// a memory's usual size (200 characters) and of a long one (2,000):
//
//   build/bench/embed_bench

#include <benchmark/benchmark.h>

#include <string>

#include "embed/offline_embedder.hpp"

namespace {

// English-like text of `size` bytes, words repeating as in real prose.
std::string TextOf(size_t size) {
  const std::string prose =
      "The user mentioned that they prefer short answers in the morning, are learning Portuguese before a trip to "
      "Lisbon in May, keep their project notes in a shared folder, and asked twice about rate limits on the billing "
      "API. ";
  std::string text;
  while (text.size() < size) text += prose;
  text.resize(size);
  return text;
}

void BM_EmbedOffline(benchmark::State& state) {
  const std::string text = TextOf(static_cast<size_t>(state.range(0)));
  for (auto _ : state) {
    auto embedding = agentbase::embed::EmbedOffline(text, 1536);
    benchmark::DoNotOptimize(embedding);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * state.range(0));
}
BENCHMARK(BM_EmbedOffline)->Arg(200)->Arg(1000)->Arg(2000)->Unit(benchmark::kMicrosecond);

}  // namespace
