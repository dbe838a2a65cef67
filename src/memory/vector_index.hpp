#pragma once
// One user's memories in memory, for exact cosine search: every vector is
// compared, so results equal a brute-force search (the SQL function's order
// and similarity, to 1e-6; both compute in double precision).
//
// Layout: the vectors as float32, one contiguous block (the raw bytes a
// scan must read), each memory's norm precomputed in double, and the row a
// result shows pre-serialized as JSON. Nothing else is kept per memory, so
// the index is barely larger than its vectors.

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace agentbase::memory {

// The memory types of user_memory (its check constraint), as bits.
uint8_t MemoryTypeBit(std::string_view type);  // 0 for an unknown type
constexpr uint8_t kAllMemoryTypes = 0xff;

struct IndexedMemory {
  std::string id;                     // uuid text; ties are broken by it, as the SQL does
  uint8_t type_bit = 0;               // MemoryTypeBit
  int64_t expires_at_us = INT64_MAX;  // microseconds since the epoch; INT64_MAX: never
  std::string row_json;               // {"id":...,"memory_type":...,...} without similarity
};

struct SearchOptions {
  size_t match_count = 10;
  double min_similarity = -2;  // below any cosine: no minimum
  uint8_t types = kAllMemoryTypes;
  int64_t now_us = 0;  // memories expired at this time are skipped
};

struct Hit {
  uint32_t slot;
  double similarity;
};

class VectorIndex {
 public:
  explicit VectorIndex(size_t dimensions) : dimensions_(dimensions) {}

  size_t Dimensions() const { return dimensions_; }
  size_t Size() const { return memories_.size(); }
  // What the index holds, in bytes (vectors, norms, rows, ids).
  size_t Bytes() const { return bytes_; }
  size_t VectorBytes() const { return vectors_.size() * sizeof(float); }

  // Adds or replaces the memory with this id. `vector` has Dimensions() values.
  void Upsert(IndexedMemory memory, std::span<const float> vector);
  void Remove(std::string_view id);
  void Clear();

  const IndexedMemory& At(uint32_t slot) const { return memories_[slot]; }

  // The best `match_count` memories by cosine similarity to `query` (best
  // first, ties by id), of at least min_similarity, of the given types, not
  // expired. Scans slots [begin, end) only (a part, for parallel scans).
  std::vector<Hit> Search(std::span<const double> query, const SearchOptions& options, size_t begin = 0,
                          size_t end = SIZE_MAX) const;

  // Merges the best of several parts' hits, best first, ties by id.
  std::vector<Hit> Merge(std::vector<std::vector<Hit>> parts, size_t match_count) const;

 private:
  bool Better(const Hit& a, const Hit& b) const;

  size_t dimensions_;
  std::vector<float> vectors_;  // slot-major
  std::vector<double> norms_;
  std::vector<IndexedMemory> memories_;
  std::unordered_map<std::string, uint32_t> slots_;  // by id
  size_t bytes_ = 0;
};

// sum(a[i] * b[i]) in double precision, with AVX2 and FMA where the CPU has them.
double Dot(const float* a, const double* b, size_t n);

}  // namespace agentbase::memory
