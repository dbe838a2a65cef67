#include "embed/offline_embedder.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "util/utf8.hpp"

namespace agentbase::embed {

namespace {

constexpr float kWordWeight = 1.0F;
constexpr float kGramWeight = 0.5F;
constexpr float kFunctionWordWeight = 0.1F;
// Boundary marks around a word for its 3-grams: control characters, which
// never occur inside a word.
constexpr char32_t kWordStart = 0x02;
constexpr char32_t kWordEnd = 0x03;
// Told apart in the hash, so the word "cat" and the 3-gram "cat" differ.
constexpr uint8_t kWordFeature = 1;
constexpr uint8_t kGramFeature = 2;

// English function words: frequent in every text, so they say little about
// what a text is about. Sorted, for binary search.
constexpr std::array<std::string_view, 105> kFunctionWords = {
    "a",    "about", "after", "again",  "all",   "also",  "am",      "an",    "and",  "any",   "are",   "as",
    "at",   "be",    "been",  "before", "being", "both",  "but",     "by",    "can",  "could", "d",     "did",
    "do",   "does",  "down",  "each",   "for",   "from",  "further", "had",   "has",  "have",  "he",    "her",
    "here", "him",   "his",   "how",    "i",     "if",    "in",      "into",  "is",   "it",    "its",   "just",
    "ll",   "m",     "me",    "more",   "most",  "my",    "no",      "not",   "of",   "off",   "on",    "once",
    "only", "or",    "other", "our",    "out",   "over",  "own",     "re",    "s",    "same",  "she",   "should",
    "so",   "some",  "such",  "t",      "than",  "that",  "the",     "their", "them", "then",  "there", "these",
    "they", "this",  "those", "to",     "too",   "until", "up",      "ve",    "very", "was",   "we",    "were",
    "what", "when",  "where", "which",  "while", "who",   "why",     "will",  "with",
};
static_assert(std::is_sorted(kFunctionWords.begin(), kFunctionWords.end()));

// The next code point of valid UTF-8 at `at`, advancing it.
char32_t NextCodePoint(std::string_view text, size_t& at) {
  auto byte = [&](size_t i) { return static_cast<unsigned char>(text[i]); };
  unsigned char lead = byte(at);
  if (lead < 0x80) {
    at += 1;
    return lead;
  }
  if (lead < 0xE0) {
    char32_t cp = ((lead & 0x1FU) << 6) | (byte(at + 1) & 0x3FU);
    at += 2;
    return cp;
  }
  if (lead < 0xF0) {
    char32_t cp = ((lead & 0x0FU) << 12) | ((byte(at + 1) & 0x3FU) << 6) | (byte(at + 2) & 0x3FU);
    at += 3;
    return cp;
  }
  char32_t cp =
      ((lead & 0x07U) << 18) | ((byte(at + 1) & 0x3FU) << 12) | ((byte(at + 2) & 0x3FU) << 6) | (byte(at + 3) & 0x3FU);
  at += 4;
  return cp;
}

// Lower case for the scripts whose case is a fixed offset or an even/odd
// pair: ASCII, Latin-1, Latin Extended-A, Greek, Cyrillic. Others unchanged.
char32_t LowerCase(char32_t cp) {
  if (cp < 0x80) return (cp >= 'A' && cp <= 'Z') ? cp + 32 : cp;
  if (cp >= 0xC0 && cp <= 0xDE && cp != 0xD7) return cp + 32;
  if (cp >= 0x100 && cp <= 0x17F) {
    if (cp == 0x130) return 'i';                                              // İ
    if (cp == 0x178) return 0xFF;                                             // Ÿ
    if (cp == 0x131 || cp == 0x138 || cp == 0x149 || cp == 0x17F) return cp;  // ı, ĸ, ŉ, ſ: no pair
    bool odd_upper = (cp >= 0x139 && cp <= 0x148) || (cp >= 0x179 && cp <= 0x17E);
    bool upper = odd_upper ? (cp % 2 == 1) : (cp % 2 == 0);
    return upper ? cp + 1 : cp;
  }
  if (cp >= 0x391 && cp <= 0x3A9 && cp != 0x3A2) return cp + 32;  // Greek capitals
  if (cp == 0x3C2) return 0x3C3;                                  // final sigma is sigma
  if (cp == 0x386) return 0x3AC;
  if (cp >= 0x388 && cp <= 0x38A) return cp + 37;
  if (cp == 0x38C) return 0x3CC;
  if (cp == 0x38E || cp == 0x38F) return cp + 63;
  if (cp >= 0x400 && cp <= 0x40F) return cp + 80;  // Cyrillic Ѐ-Џ
  if (cp >= 0x410 && cp <= 0x42F) return cp + 32;  // Cyrillic А-Я
  return cp;
}

// Letters and digits: ASCII's, and everything beyond ASCII but Latin-1's
// punctuation and symbols, the general punctuation to symbol blocks
// (U+2000-U+2BFF: spaces, dashes, quotes, arrows, maths, box drawing), CJK
// punctuation and full-width ASCII punctuation.
bool IsWordCharacter(char32_t cp) {
  if (cp < 0x80) return (cp >= '0' && cp <= '9') || (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z');
  if (cp <= 0xBF || cp == 0xD7 || cp == 0xF7) return false;
  if (cp >= 0x2000 && cp <= 0x2BFF) return false;
  if (cp >= 0x3000 && cp <= 0x303F) return false;
  if (cp >= 0xFE30 && cp <= 0xFE4F) return false;
  if ((cp >= 0xFF01 && cp <= 0xFF0F) || (cp >= 0xFF1A && cp <= 0xFF20) || (cp >= 0xFF3B && cp <= 0xFF40) ||
      (cp >= 0xFF5B && cp <= 0xFF65)) {
    return false;
  }
  return cp != 0xFEFF;  // a byte order mark
}

bool IsFunctionWord(const std::u32string& word) {
  if (word.size() > 7) return false;
  char ascii[8];
  for (size_t i = 0; i < word.size(); ++i) {
    if (word[i] >= 0x80) return false;
    ascii[i] = static_cast<char>(word[i]);
  }
  return std::binary_search(kFunctionWords.begin(), kFunctionWords.end(), std::string_view(ascii, word.size()));
}

// 64-bit FNV-1a over the feature's kind and code points (each as four bytes,
// least significant first, so the hash is the same on any machine), then
// SplitMix64's finaliser.
uint64_t HashFeature(uint8_t kind, const char32_t* begin, const char32_t* end) {
  uint64_t hash = 14695981039346656037ULL;
  auto mix_byte = [&hash](uint64_t byte) {
    hash ^= byte;
    hash *= 1099511628211ULL;
  };
  mix_byte(kind);
  for (const char32_t* cp = begin; cp != end; ++cp) {
    for (int shift = 0; shift < 32; shift += 8) mix_byte((static_cast<uint32_t>(*cp) >> shift) & 0xFFU);
  }
  hash ^= hash >> 30;
  hash *= 0xBF58476D1CE4E5B9ULL;
  hash ^= hash >> 27;
  hash *= 0x94D049BB133111EBULL;
  hash ^= hash >> 31;
  return hash;
}

struct Feature {
  uint64_t hash;
  float weight;  // of its kind; the count decides the rest
};

void AddWordFeatures(const std::u32string& word, std::u32string& marked, std::vector<Feature>& features) {
  if (IsFunctionWord(word)) {
    features.push_back({HashFeature(kWordFeature, word.data(), word.data() + word.size()), kFunctionWordWeight});
    return;
  }
  features.push_back({HashFeature(kWordFeature, word.data(), word.data() + word.size()), kWordWeight});
  marked.clear();
  marked.push_back(kWordStart);
  marked += word;
  marked.push_back(kWordEnd);
  for (size_t i = 0; i + 3 <= marked.size(); ++i) {
    features.push_back({HashFeature(kGramFeature, marked.data() + i, marked.data() + i + 3), kGramWeight});
  }
}

}  // namespace

Result<Embedding> EmbedOffline(std::string_view text, size_t dimensions) {
  if (dimensions == 0) throw std::invalid_argument("EmbedOffline: dimensions must be at least 1");
  if (!IsValidUtf8(text)) return Error::InvalidInput("the text is not valid UTF-8", "embed");

  std::vector<Feature> features;
  features.reserve(text.size() + 16);
  std::u32string word;
  std::u32string marked;
  for (size_t at = 0; at < text.size();) {
    char32_t cp = NextCodePoint(text, at);
    if (IsWordCharacter(cp)) {
      word.push_back(LowerCase(cp));
    } else if (!word.empty()) {
      AddWordFeatures(word, marked, features);
      word.clear();
    }
  }
  if (!word.empty()) AddWordFeatures(word, marked, features);
  if (features.empty()) return Error::InvalidInput("the text has nothing to embed: no letters or digits", "embed");

  // Equal features side by side, to count them.
  std::sort(features.begin(), features.end(), [](const Feature& a, const Feature& b) { return a.hash < b.hash; });
  Embedding embedding(dimensions, 0.0F);
  for (size_t first = 0; first < features.size();) {
    size_t end = first + 1;
    while (end < features.size() && features[end].hash == features[first].hash) ++end;
    uint64_t hash = features[first].hash;
    float weight = features[first].weight * (1.0F + std::log(static_cast<float>(end - first)));
    embedding[hash % dimensions] += (hash >> 63) != 0 ? -weight : weight;
    first = end;
  }
  double squares = 0;
  for (float value : embedding) squares += static_cast<double>(value) * value;
  // Features that cancelled each other out exactly (possible only with very
  // few dimensions) leave no direction either.
  if (squares == 0) return Error::InvalidInput("the text has nothing to embed: its features cancel out", "embed");
  auto scale = static_cast<float>(1.0 / std::sqrt(squares));
  for (float& value : embedding) value *= scale;
  return embedding;
}

namespace {

class OfflineEmbedder final : public Embedder {
 public:
  explicit OfflineEmbedder(size_t dimensions) : dimensions_(dimensions) {}

  size_t Dimensions() const override { return dimensions_; }
  std::string Describe() const override { return std::string(kOfflineEmbedderDescription); }

  boost::asio::awaitable<Result<std::vector<Embedding>>> Embed(std::vector<std::string> texts) override {
    std::vector<Embedding> embeddings;
    embeddings.reserve(texts.size());
    for (size_t i = 0; i < texts.size(); ++i) {
      auto embedding = EmbedOffline(texts[i], dimensions_);
      if (!embedding) {
        Error error = embedding.error();
        error.message = "text " + std::to_string(i) + ": " + error.message;
        co_return error;
      }
      if (auto checked = CheckEmbedding(*embedding, dimensions_); !checked) co_return checked.error();
      embeddings.push_back(std::move(*embedding));
    }
    co_return embeddings;
  }

 private:
  size_t dimensions_;
};

}  // namespace

std::unique_ptr<Embedder> MakeOfflineEmbedder(size_t dimensions) {
  if (dimensions == 0) throw std::invalid_argument("MakeOfflineEmbedder: dimensions must be at least 1");
  return std::make_unique<OfflineEmbedder>(dimensions);
}

}  // namespace agentbase::embed
