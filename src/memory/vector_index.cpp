#include "memory/vector_index.hpp"

#include <immintrin.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace agentbase::memory {

uint8_t MemoryTypeBit(std::string_view type) {
  static constexpr std::string_view kTypes[] = {"preference", "context", "fact", "goal", "history"};
  for (size_t i = 0; i < std::size(kTypes); ++i) {
    if (kTypes[i] == type) return static_cast<uint8_t>(1u << i);
  }
  return 0;
}

namespace {

double DotPortable(const float* a, const double* b, size_t n) {
  // Four partial sums: the compiler vectorises this with SSE2.
  double sums[4] = {0, 0, 0, 0};
  size_t i = 0;
  for (; i + 4 <= n; i += 4) {
    for (size_t k = 0; k < 4; ++k) sums[k] += static_cast<double>(a[i + k]) * b[i + k];
  }
  for (; i < n; ++i) sums[0] += static_cast<double>(a[i]) * b[i];
  return (sums[0] + sums[1]) + (sums[2] + sums[3]);
}

__attribute__((target("avx2,fma"))) double DotAvx2(const float* a, const double* b, size_t n) {
  __m256d sum0 = _mm256_setzero_pd();
  __m256d sum1 = _mm256_setzero_pd();
  __m256d sum2 = _mm256_setzero_pd();
  __m256d sum3 = _mm256_setzero_pd();
  size_t i = 0;
  for (; i + 16 <= n; i += 16) {
    __m256 low = _mm256_loadu_ps(a + i);
    __m256 high = _mm256_loadu_ps(a + i + 8);
    sum0 = _mm256_fmadd_pd(_mm256_cvtps_pd(_mm256_castps256_ps128(low)), _mm256_loadu_pd(b + i), sum0);
    sum1 = _mm256_fmadd_pd(_mm256_cvtps_pd(_mm256_extractf128_ps(low, 1)), _mm256_loadu_pd(b + i + 4), sum1);
    sum2 = _mm256_fmadd_pd(_mm256_cvtps_pd(_mm256_castps256_ps128(high)), _mm256_loadu_pd(b + i + 8), sum2);
    sum3 = _mm256_fmadd_pd(_mm256_cvtps_pd(_mm256_extractf128_ps(high, 1)), _mm256_loadu_pd(b + i + 12), sum3);
  }
  __m256d sum = _mm256_add_pd(_mm256_add_pd(sum0, sum1), _mm256_add_pd(sum2, sum3));
  alignas(32) double lanes[4];
  _mm256_store_pd(lanes, sum);
  double total = (lanes[0] + lanes[1]) + (lanes[2] + lanes[3]);
  for (; i < n; ++i) total += static_cast<double>(a[i]) * b[i];
  return total;
}

bool HasAvx2() {
  static const bool has = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  return has;
}

}  // namespace

double Dot(const float* a, const double* b, size_t n) { return HasAvx2() ? DotAvx2(a, b, n) : DotPortable(a, b, n); }

void VectorIndex::Upsert(IndexedMemory memory, std::span<const float> vector) {
  if (vector.size() != dimensions_) throw std::invalid_argument("VectorIndex::Upsert: a vector of the wrong length");
  double norm = 0;
  for (float x : vector) norm += static_cast<double>(x) * x;
  norm = std::sqrt(norm);
  if (auto found = slots_.find(memory.id); found != slots_.end()) {
    uint32_t slot = found->second;
    bytes_ = bytes_ - memories_[slot].row_json.size() + memory.row_json.size();
    std::copy(vector.begin(), vector.end(), vectors_.begin() + static_cast<ptrdiff_t>(slot * dimensions_));
    norms_[slot] = norm;
    memories_[slot] = std::move(memory);
    return;
  }
  auto slot = static_cast<uint32_t>(memories_.size());
  vectors_.insert(vectors_.end(), vector.begin(), vector.end());
  norms_.push_back(norm);
  bytes_ += dimensions_ * sizeof(float) + sizeof(double) + sizeof(IndexedMemory) + memory.row_json.size() +
            2 * memory.id.size() + 32;  // the id twice: in the memory and as the slot map's key
  slots_.emplace(memory.id, slot);
  memories_.push_back(std::move(memory));
}

void VectorIndex::Remove(std::string_view id) {
  auto found = slots_.find(std::string(id));
  if (found == slots_.end()) return;
  uint32_t slot = found->second;
  uint32_t last = static_cast<uint32_t>(memories_.size() - 1);
  bytes_ -= dimensions_ * sizeof(float) + sizeof(double) + sizeof(IndexedMemory) + memories_[slot].row_json.size() +
            2 * memories_[slot].id.size() + 32;
  slots_.erase(found);
  // The last memory fills the gap: slots stay dense.
  if (slot != last) {
    std::copy_n(vectors_.begin() + static_cast<ptrdiff_t>(last * dimensions_), dimensions_,
                vectors_.begin() + static_cast<ptrdiff_t>(slot * dimensions_));
    norms_[slot] = norms_[last];
    memories_[slot] = std::move(memories_[last]);
    slots_[memories_[slot].id] = slot;
  }
  vectors_.resize(last * dimensions_);
  norms_.pop_back();
  memories_.pop_back();
}

void VectorIndex::Clear() {
  vectors_.clear();
  vectors_.shrink_to_fit();
  norms_.clear();
  memories_.clear();
  slots_.clear();
  bytes_ = 0;
}

bool VectorIndex::Better(const Hit& a, const Hit& b) const {
  if (a.similarity != b.similarity) return a.similarity > b.similarity;
  return memories_[a.slot].id < memories_[b.slot].id;
}

std::vector<Hit> VectorIndex::Search(std::span<const double> query, const SearchOptions& options, size_t begin,
                                     size_t end) const {
  std::vector<Hit> best;  // a heap whose top is the worst kept
  if (query.size() != dimensions_ || options.match_count == 0) return best;
  double query_norm = 0;
  for (double x : query) query_norm += x * x;
  query_norm = std::sqrt(query_norm);
  if (query_norm == 0) return best;  // no cosine with a zero vector
  end = std::min(end, memories_.size());
  auto worse_on_top = [this](const Hit& a, const Hit& b) { return Better(a, b); };
  for (size_t slot = begin; slot < end; ++slot) {
    const IndexedMemory& memory = memories_[slot];
    if ((memory.type_bit & options.types) == 0 || memory.expires_at_us <= options.now_us || norms_[slot] == 0) {
      continue;
    }
    double similarity =
        Dot(vectors_.data() + slot * dimensions_, query.data(), dimensions_) / (norms_[slot] * query_norm);
    if (similarity < options.min_similarity) continue;
    Hit hit{static_cast<uint32_t>(slot), similarity};
    if (best.size() < options.match_count) {
      best.push_back(hit);
      std::push_heap(best.begin(), best.end(), worse_on_top);
    } else if (Better(hit, best.front())) {
      std::pop_heap(best.begin(), best.end(), worse_on_top);
      best.back() = hit;
      std::push_heap(best.begin(), best.end(), worse_on_top);
    }
  }
  std::sort_heap(best.begin(), best.end(), worse_on_top);
  return best;
}

std::vector<Hit> VectorIndex::Merge(std::vector<std::vector<Hit>> parts, size_t match_count) const {
  std::vector<Hit> all;
  for (auto& part : parts) all.insert(all.end(), part.begin(), part.end());
  std::sort(all.begin(), all.end(), [this](const Hit& a, const Hit& b) { return Better(a, b); });
  if (all.size() > match_count) all.resize(match_count);
  return all;
}

}  // namespace agentbase::memory
