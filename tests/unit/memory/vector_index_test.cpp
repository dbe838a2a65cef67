// The in-memory index answers exactly what a brute-force search over the same
// memories answers: same order (similarity, then id), same similarity.

#include "memory/vector_index.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>

#include "memory/memory_search.hpp"

namespace agentbase::memory {
namespace {

constexpr size_t kDimensions = 64;

std::vector<float> RandomVector(std::mt19937& random) {
  std::normal_distribution<float> normal;
  std::vector<float> vector(kDimensions);
  for (auto& x : vector) x = normal(random);
  return vector;
}

std::string IdOf(int n) {
  char text[37];
  std::snprintf(text, sizeof text, "00000000-0000-0000-0000-%012d", n);
  return text;
}

IndexedMemory Memory(int n, std::string_view type = "fact", int64_t expires_at_us = INT64_MAX) {
  IndexedMemory memory;
  memory.id = IdOf(n);
  memory.type_bit = MemoryTypeBit(type);
  memory.expires_at_us = expires_at_us;
  memory.row_json = "{\"id\":\"" + memory.id + "\"}";
  return memory;
}

// The SQL function's arithmetic, plainly.
double Cosine(const std::vector<float>& a, const std::vector<double>& b) {
  double dot = 0, aa = 0, bb = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    dot += static_cast<double>(a[i]) * b[i];
    aa += static_cast<double>(a[i]) * a[i];
    bb += b[i] * b[i];
  }
  return dot / (std::sqrt(aa) * std::sqrt(bb));
}

TEST(Dot, EqualsThePlainSumToRounding) {
  std::mt19937 random(7);
  for (size_t n : {0, 1, 15, 16, 17, 1536, 1537}) {
    std::vector<float> a(n);
    std::vector<double> b(n);
    std::normal_distribution<float> normal;
    for (size_t i = 0; i < n; ++i) {
      a[i] = normal(random);
      b[i] = normal(random);
    }
    double plain = 0;
    for (size_t i = 0; i < n; ++i) plain += static_cast<double>(a[i]) * b[i];
    EXPECT_NEAR(Dot(a.data(), b.data(), n), plain, 1e-9 * (1 + std::abs(plain))) << n;
  }
}

TEST(VectorIndex, SearchEqualsBruteForce) {
  std::mt19937 random(42);
  VectorIndex index(kDimensions);
  std::vector<std::vector<float>> vectors;
  for (int n = 0; n < 500; ++n) {
    vectors.push_back(RandomVector(random));
    index.Upsert(Memory(n), vectors.back());
  }
  for (int query_number = 0; query_number < 20; ++query_number) {
    auto drawn = RandomVector(random);
    std::vector<double> query(drawn.begin(), drawn.end());
    SearchOptions options;
    options.match_count = 10;
    auto hits = index.Search(query, options);
    std::vector<std::pair<double, std::string>> expected;
    for (int n = 0; n < 500; ++n) expected.emplace_back(-Cosine(vectors[n], query), IdOf(n));
    std::sort(expected.begin(), expected.end());
    ASSERT_EQ(hits.size(), 10u);
    for (size_t k = 0; k < hits.size(); ++k) {
      EXPECT_EQ(index.At(hits[k].slot).id, expected[k].second);
      EXPECT_NEAR(hits[k].similarity, -expected[k].first, 1e-12);
    }
    // In parts (as the scanner threads run it), merged: the same.
    std::vector<std::vector<Hit>> parts;
    for (size_t begin = 0; begin < 500; begin += 128) parts.push_back(index.Search(query, options, begin, begin + 128));
    auto merged = index.Merge(std::move(parts), 10);
    ASSERT_EQ(merged.size(), hits.size());
    for (size_t k = 0; k < hits.size(); ++k) EXPECT_EQ(merged[k].slot, hits[k].slot);
  }
}

TEST(VectorIndex, TiesGoByIdAndFiltersApply) {
  VectorIndex index(kDimensions);
  std::vector<float> same(kDimensions, 1.0f);
  // Inserted out of order; all equally similar.
  for (int n : {5, 3, 9, 1}) index.Upsert(Memory(n, n == 9 ? "goal" : "fact", n == 1 ? 1000 : INT64_MAX), same);
  std::vector<double> query(kDimensions, 2.0);
  SearchOptions options;
  options.now_us = 500;
  auto hits = index.Search(query, options);
  ASSERT_EQ(hits.size(), 4u);
  std::vector<std::string> ids;
  for (const auto& hit : hits) ids.push_back(index.At(hit.slot).id);
  EXPECT_EQ(ids, (std::vector<std::string>{IdOf(1), IdOf(3), IdOf(5), IdOf(9)}));
  EXPECT_NEAR(hits[0].similarity, 1.0, 1e-12);
  // Expired at 1000: gone at 1000.
  options.now_us = 1000;
  EXPECT_EQ(index.Search(query, options).size(), 3u);
  options.types = MemoryTypeBit("goal");
  hits = index.Search(query, options);
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(index.At(hits[0].slot).id, IdOf(9));
  options.types = 0;  // types that match nothing
  EXPECT_TRUE(index.Search(query, options).empty());
  options.types = kAllMemoryTypes;
  options.min_similarity = 1.0 + 1e-9;
  EXPECT_TRUE(index.Search(query, options).empty());
  // A zero query has no cosine.
  EXPECT_TRUE(index.Search(std::vector<double>(kDimensions, 0.0), SearchOptions{}).empty());
}

TEST(VectorIndex, UpsertReplacesAndRemoveKeepsTheRestFindable) {
  std::mt19937 random(3);
  VectorIndex index(kDimensions);
  std::vector<std::vector<float>> vectors;
  for (int n = 0; n < 50; ++n) {
    vectors.push_back(RandomVector(random));
    index.Upsert(Memory(n), vectors[n]);
  }
  size_t bytes = index.Bytes();
  EXPECT_GE(bytes, index.VectorBytes());
  // Replaced: memory 7 now points where memory 20 points.
  index.Upsert(Memory(7), vectors[20]);
  EXPECT_EQ(index.Size(), 50u);
  EXPECT_EQ(index.Bytes(), bytes);
  for (int n : {0, 20, 49, 13}) index.Remove(IdOf(n));
  index.Remove(IdOf(1000));  // unknown: nothing happens
  EXPECT_EQ(index.Size(), 46u);
  std::vector<double> query(vectors[20].begin(), vectors[20].end());
  SearchOptions options;
  options.match_count = 46;
  auto hits = index.Search(query, options);
  ASSERT_EQ(hits.size(), 46u);
  EXPECT_EQ(index.At(hits[0].slot).id, IdOf(7));
  EXPECT_NEAR(hits[0].similarity, 1.0, 1e-12);
  for (const auto& hit : hits) {
    const std::string& id = index.At(hit.slot).id;
    EXPECT_TRUE(id != IdOf(0) && id != IdOf(20) && id != IdOf(49) && id != IdOf(13)) << id;
  }
  // The last one moved into a freed slot is still itself.
  std::vector<double> last(vectors[48].begin(), vectors[48].end());
  options.match_count = 1;
  EXPECT_EQ(index.At(index.Search(last, options).at(0).slot).id, IdOf(48));
  index.Clear();
  EXPECT_EQ(index.Size(), 0u);
  EXPECT_EQ(index.Bytes(), 0u);
}

// What the sync reads: encode(array_send(embedding), 'hex').
TEST(ParseHexRealArray, ReadsArraySendInHexAndRefusesAnythingElse) {
  std::vector<float> out(3);
  // PostgreSQL 15's encode(array_send('{1,-2.5,3e-05}'::real[]), 'hex')
  EXPECT_TRUE(ParseHexRealArray(
      "0000000100000000000002bc0000000300000001000000043f80000000000004c02000000000000437fba882", out));
  EXPECT_EQ(out, (std::vector<float>{1.0f, -2.5f, 3e-05f}));
  for (std::string_view bad :
       {"{1,-2.5,3e-05}", "0000000100000000000002bc0000000300000001000000043f80000000000004c02000000000000437fba88",
        "0000000100000000000002bc0000000300000001000000043f80000000000004c02000000000000437fba88z", ""}) {
    EXPECT_FALSE(ParseHexRealArray(bad, out)) << bad;
  }
}

TEST(EmbedderFailure, TheTextsFaultIs400AndTheEmbeddersAre5xx) {
  EXPECT_EQ(EmbedderFailure(Error::InvalidInput("text 0 has no words")).code, "AB400");
  EXPECT_EQ(EmbedderFailure(Error::Unavailable("connection refused")).code, "AB503");
  EXPECT_EQ(EmbedderFailure(Error::Busy("429")).code, "AB503");
  EXPECT_EQ(EmbedderFailure(Error::Timeout("no answer in 500 ms")).code, "AB504");
  Error wrong = EmbedderFailure(Error::Internal("1535 numbers"));
  EXPECT_EQ(wrong.code, "AB502");
  EXPECT_NE(wrong.message.find("1535 numbers"), std::string::npos);
  EXPECT_FALSE(wrong.hint.empty());
}

}  // namespace
}  // namespace agentbase::memory
