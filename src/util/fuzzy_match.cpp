#include "util/fuzzy_match.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <utility>

namespace agentbase {
namespace {

// Text as code points (UTF-8 decoded leniently: a stray byte stands for
// itself), ASCII letters lowercased. Names are what this compares.
std::u32string LowerCodePoints(std::string_view text) {
  std::u32string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size();) {
    unsigned char lead = static_cast<unsigned char>(text[i]);
    size_t length = lead < 0x80 ? 1 : lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
    if (i + length > text.size()) length = 1;
    char32_t point = length == 1 ? lead : lead & (0x7F >> length);
    for (size_t k = 1; k < length; ++k) point = (point << 6) | (static_cast<unsigned char>(text[i + k]) & 0x3F);
    if (point >= U'A' && point <= U'Z') point += U'a' - U'A';
    out.push_back(point);
    i += length;
  }
  return out;
}

bool IsKept(char32_t c) {
  bool ascii_word = (c >= U'a' && c <= U'z') || (c >= U'0' && c <= U'9');
  bool space = c == U' ' || (c >= U'\t' && c <= U'\r');
  // Beyond ASCII, letters are the common case in names; kept as words.
  return ascii_word || space || c == U',' || c >= 0x80;
}

std::map<std::u32string, int> GramCounts(const std::u32string& lowered, size_t size) {
  std::u32string padded = U"-";
  for (char32_t c : lowered) {
    if (IsKept(c)) padded.push_back(c);
  }
  padded.push_back(U'-');
  std::map<std::u32string, int> counts;
  for (size_t offset = 0; offset + size <= padded.size(); ++offset) ++counts[padded.substr(offset, size)];
  return counts;
}

double Magnitude(const std::map<std::u32string, int>& counts) {
  double sum = 0;
  for (const auto& [gram, count] : counts) sum += static_cast<double>(count) * count;
  return std::sqrt(sum);
}

double LevenshteinSimilarity(const std::u32string& a, const std::u32string& b) {
  if (a.empty() && b.empty()) return 1.0;
  std::vector<size_t> previous(b.size() + 1), current(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) previous[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    current[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
      current[j] = std::min({previous[j] + 1, current[j - 1] + 1, substitution});
    }
    std::swap(previous, current);
  }
  return 1.0 - static_cast<double>(previous[b.size()]) / static_cast<double>(std::max(a.size(), b.size()));
}

}  // namespace

std::optional<std::string> ClosestMatch(std::string_view query, const std::vector<std::string>& entries,
                                        double min_score) {
  if (query.size() > kMaxFuzzyQueryBytes) return std::nullopt;
  std::u32string key = LowerCodePoints(query);
  struct Entry {
    const std::string* original;
    std::u32string key;
  };
  std::vector<Entry> unique;
  std::set<std::u32string> seen;
  for (const auto& entry : entries) {
    std::u32string entry_key = LowerCodePoints(entry);
    if (entry_key == key) return entry;
    if (seen.insert(entry_key).second) unique.push_back({&entry, std::move(entry_key)});
  }
  constexpr size_t kRescored = 50;
  for (size_t size : {3, 2}) {
    auto query_grams = GramCounts(key, size);
    double query_magnitude = Magnitude(query_grams);
    std::vector<std::pair<double, const Entry*>> ranked;
    for (const auto& entry : unique) {
      auto grams = GramCounts(entry.key, size);
      long shared = 0;
      for (const auto& [gram, count] : query_grams) {
        if (auto found = grams.find(gram); found != grams.end()) shared += static_cast<long>(count) * found->second;
      }
      if (shared > 0) ranked.emplace_back(static_cast<double>(shared) / (query_magnitude * Magnitude(grams)), &entry);
    }
    auto by_score = [](const auto& a, const auto& b) { return a.first > b.first; };
    std::stable_sort(ranked.begin(), ranked.end(), by_score);
    if (ranked.size() > kRescored) ranked.resize(kRescored);
    for (auto& [score, entry] : ranked) score = LevenshteinSimilarity(key, entry->key);
    std::stable_sort(ranked.begin(), ranked.end(), by_score);
    if (!ranked.empty() && ranked.front().first >= min_score) return *ranked.front().second->original;
  }
  return std::nullopt;
}

}  // namespace agentbase
