// The exact in-memory vector index of user memory (src/memory/vector_index.hpp)
// against the machine's memory bandwidth, in one program (issue 11: "scan
// within 2x of memory bandwidth", "index size <= 1.25x raw vector bytes"):
//
//   build/bench/memory_bench                          (bench/memory/run.sh runs it)
//
//  - BM_MemoryRead/threads:T  T threads each sum their share of one 512 MiB
//    float array (AVX2 loads and adds, eight accumulators): the read
//    bandwidth a scan can hope for. `bytes_per_second` is it.
//  - BM_Scan       VectorIndex::Search over 10,000 x 1536 random unit vectors
//                  (61.4 MB of float32), one thread, match_count 10, the same
//                  index every time (part of it may stay in the L3 cache).
//  - BM_ScanParallel/threads:T  the same search cut in T parts, scanned on an
//                  asio::thread_pool of T and merged, as MemorySearch does.
//  - BM_ScanCold and BM_ScanColdParallel/threads:T  the same, each search on
//                  the next of 8 slices of 10,000 of one index of 80,000
//                  (491 MB): the slice was last read seven searches ago, so
//                  it comes from memory, as the 512 MiB read does.
//
// Counters: index_bytes (VectorIndex::Bytes()), vector_bytes (VectorBytes())
// and their ratio; each memory carries a row of JSON of the size the server
// keeps (about 330 bytes: a 100-character value).
// Settings (environment): MEMBENCH_MEMORIES (10000), MEMBENCH_DIMENSIONS
// (1536), MEMBENCH_READ_MB (512).

#include <benchmark/benchmark.h>
#include <immintrin.h>

#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <latch>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "memory/vector_index.hpp"

namespace {

using agentbase::memory::Hit;
using agentbase::memory::IndexedMemory;
using agentbase::memory::SearchOptions;
using agentbase::memory::VectorIndex;

size_t Setting(const char* name, size_t fallback) {
  const char* value = std::getenv(name);
  return value != nullptr && *value != '\0' ? std::strtoull(value, nullptr, 10) : fallback;
}

const size_t kMemories = Setting("MEMBENCH_MEMORIES", 10000);
const size_t kDimensions = Setting("MEMBENCH_DIMENSIONS", 1536);
const size_t kReadBytes = Setting("MEMBENCH_READ_MB", 512) << 20;
constexpr size_t kQueries = 64;

std::vector<float> UnitVector(std::mt19937_64& random) {
  std::uniform_real_distribution<double> uniform(-1, 1);
  std::vector<double> x(kDimensions);
  double norm = 0;
  for (double& v : x) {
    v = uniform(random);
    norm += v * v;
  }
  norm = std::sqrt(norm);
  std::vector<float> out(kDimensions);
  for (size_t i = 0; i < kDimensions; ++i) out[i] = static_cast<float>(x[i] / norm);
  return out;
}

// A row of JSON as the server keeps it (src/memory/memory_search.cpp, kSyncSql).
std::string RowJson(const std::string& id, size_t i) {
  char value[128];
  std::snprintf(value, sizeof value,
                "memory %zu of the bench user: prefers short answers, is learning Portuguese, asked about rate limits",
                i);
  return "{\"id\" : \"" + id + "\", \"memory_type\" : \"fact\", \"key\" : \"k" + std::to_string(i) +
         "\", \"value\" : \"" + value +
         "\", \"confidence_score\" : 1, \"source\" : null, \"source_conversation_id\" : null, \"metadata\" : {}, "
         "\"expires_at\" : null, \"created_at\" : \"2026-12-07T03:00:00.123456+00:00\", \"updated_at\" : "
         "\"2026-12-07T03:00:00.123456+00:00\"}";
}

constexpr size_t kColdSlices = 8;

struct Fixture {
  VectorIndex index{kDimensions};
  std::vector<std::vector<double>> queries;

  explicit Fixture(size_t memories) {
    std::mt19937_64 random(42);
    for (size_t i = 0; i < memories; ++i) {
      char id[48];
      std::snprintf(id, sizeof id, "00000000-0000-4000-8000-%012zx", i);
      IndexedMemory memory;
      memory.id = id;
      memory.type_bit = agentbase::memory::MemoryTypeBit("fact");
      memory.row_json = RowJson(memory.id, i);
      index.Upsert(std::move(memory), UnitVector(random));
    }
    for (size_t q = 0; q < kQueries; ++q) {
      auto v = UnitVector(random);
      queries.emplace_back(v.begin(), v.end());
    }
  }
};

Fixture& Shared() {
  static Fixture fixture(kMemories);
  return fixture;
}

Fixture& Cold() {
  static Fixture fixture(kMemories * kColdSlices);
  return fixture;
}

// What one search reads (a slice: the whole index when there is one), and
// the index's size against its vectors.
void SizeOf(benchmark::State& state, const VectorIndex& index, size_t slices) {
  const auto per = [slices](size_t total) { return static_cast<double>(total) / static_cast<double>(slices); };
  state.counters["memories"] = per(index.Size());
  state.counters["vector_bytes"] = per(index.VectorBytes());
  state.counters["index_bytes"] = per(index.Bytes());
  state.counters["index_ratio"] = static_cast<double>(index.Bytes()) / static_cast<double>(index.VectorBytes());
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * (index.VectorBytes() / slices)));
}

void Scan(benchmark::State& state, Fixture& fixture, size_t slices) {
  SearchOptions options;
  options.match_count = 10;
  const size_t per_slice = fixture.index.Size() / slices;
  size_t q = 0;
  for (auto _ : state) {
    size_t slice = q % slices;
    auto hits =
        fixture.index.Search(fixture.queries[q++ % kQueries], options, slice * per_slice, (slice + 1) * per_slice);
    benchmark::DoNotOptimize(hits);
  }
  SizeOf(state, fixture.index, slices);
}

// As MemorySearch::Search: parts on a thread pool, then Merge.
void ScanParallel(benchmark::State& state, Fixture& fixture, size_t slices) {
  const auto threads = static_cast<size_t>(state.range(0));
  boost::asio::thread_pool pool(threads);
  SearchOptions options;
  options.match_count = 10;
  const VectorIndex& index = fixture.index;
  const size_t per_slice = index.Size() / slices;
  size_t q = 0;
  for (auto _ : state) {
    const size_t first = (q % slices) * per_slice;
    const auto& query = fixture.queries[q++ % kQueries];
    std::vector<std::vector<Hit>> found(threads);
    std::latch done(static_cast<std::ptrdiff_t>(threads));
    for (size_t part = 0; part < threads; ++part) {
      size_t begin = first + per_slice * part / threads;
      size_t end = first + per_slice * (part + 1) / threads;
      boost::asio::post(pool, [&, part, begin, end] {
        found[part] = index.Search(query, options, begin, end);
        done.count_down();
      });
    }
    done.wait();
    auto hits = index.Merge(std::move(found), options.match_count);
    benchmark::DoNotOptimize(hits);
  }
  pool.join();
  SizeOf(state, index, slices);
}

void BM_Scan(benchmark::State& state) { Scan(state, Shared(), 1); }
void BM_ScanParallel(benchmark::State& state) { ScanParallel(state, Shared(), 1); }
void BM_ScanCold(benchmark::State& state) { Scan(state, Cold(), kColdSlices); }
void BM_ScanColdParallel(benchmark::State& state) { ScanParallel(state, Cold(), kColdSlices); }
BENCHMARK(BM_Scan)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_ScanParallel)->ArgName("threads")->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_ScanCold)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_ScanColdParallel)->ArgName("threads")->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();

__attribute__((target("avx2"))) float SumAvx2(const float* a, size_t n) {
  __m256 s[8];
  for (auto& v : s) v = _mm256_setzero_ps();
  for (size_t i = 0; i + 64 <= n; i += 64) {
    for (size_t k = 0; k < 8; ++k) s[k] = _mm256_add_ps(s[k], _mm256_loadu_ps(a + i + 8 * k));
  }
  __m256 total = _mm256_setzero_ps();
  for (auto& v : s) total = _mm256_add_ps(total, v);
  alignas(32) float lanes[8];
  _mm256_store_ps(lanes, total);
  float sum = 0;
  for (float x : lanes) sum += x;
  return sum;
}

// Plain reads of a 512 MiB array (sixteen times the 32 MB L3 of an EPYC's
// core complex), split between
// threads that start together and each read its half: the wall time of the
// slowest is the time.
void BM_MemoryRead(benchmark::State& state) {
  const auto threads = static_cast<size_t>(state.range(0));
  const size_t floats = kReadBytes / sizeof(float);
  std::unique_ptr<float[]> array(new float[floats]);
  for (size_t i = 0; i < floats; ++i) array[i] = static_cast<float>(i & 1023);  // touched: resident
  boost::asio::thread_pool pool(threads);
  std::vector<float> sums(threads);
  for (auto _ : state) {
    std::latch done(static_cast<std::ptrdiff_t>(threads));
    for (size_t t = 0; t < threads; ++t) {
      boost::asio::post(pool, [&, t] {
        size_t begin = floats * t / threads;
        size_t end = floats * (t + 1) / threads;
        sums[t] = SumAvx2(array.get() + begin, end - begin);
        done.count_down();
      });
    }
    done.wait();
    benchmark::DoNotOptimize(sums.data());
  }
  pool.join();
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * kReadBytes));
}
BENCHMARK(BM_MemoryRead)->ArgName("threads")->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
