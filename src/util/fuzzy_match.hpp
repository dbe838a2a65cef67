#pragma once
// The closest of a set of names to a misspelt one, scored as PostgREST's
// hints score them ("Perhaps you meant to call the function ..."), so that
// our hints suggest what PostgREST's suggest. The method is fuzzyset's:
// both strings lowercased; for n-grams of 3 characters, then of 2 (the
// first size that finds anything wins), the text keeps only letters,
// digits, spaces and commas and is enclosed in '-'; entries sharing an
// n-gram with the query are ranked by the cosine of their n-gram counts;
// the best 50 are ranked again by Levenshtein similarity (1 - distance /
// the longer length, in characters), and the best of those scoring at least
// `min_score` is the answer. A case-insensitive equal entry wins outright.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace agentbase {

// The longest query looked at: names are at most 63 bytes in PostgreSQL
// and parameter lists a few of them, while a hostile body of 100,000 keys
// would otherwise cost a map of as many n-grams per entry. Longer: no match.
inline constexpr size_t kMaxFuzzyQueryBytes = 1024;

// The entry closest to `query` with a score of at least `min_score` (0 to
// 1), or nothing. Among entries equal but for case, the first counts.
std::optional<std::string> ClosestMatch(std::string_view query, const std::vector<std::string>& entries,
                                        double min_score);

}  // namespace agentbase
