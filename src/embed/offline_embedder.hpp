#pragma once
// The offline embedder: search by text on a machine with no network and no
// model. It is lexical, not a neural model: texts that share words (or parts
// of words) come out close, but synonyms and paraphrases do not ("car" and
// "automobile" are unrelated to it), and it knows no language but a short
// list of English function words.
//
// How a text becomes a vector (feature hashing):
//  - Words are runs of letters and digits (any character outside ASCII
//    counts as a letter unless it is Unicode punctuation, a symbol block or
//    white space), lower-cased: ASCII, Latin-1, Latin Extended-A, Greek and
//    Cyrillic; other scripts stay as written.
//  - Each word is a feature, and so is each character 3-gram of the word
//    with boundary marks ("^ca", "cat", "at$"), so "cats" is near "cat".
//    Common English function words ("the", "of", ...) count as words with a
//    small weight and give no 3-grams.
//  - A feature's weight is 1 + ln(count) times that of its kind (words 1,
//    3-grams 0.5): repeating a word helps less each time.
//  - Each feature is hashed (64-bit FNV-1a over its code points, then
//    SplitMix64's finaliser to spread FNV's weak low bits) to one of the
//    dimensions, with a sign from the hash so that collisions cancel out on
//    average instead of piling up.
//  - The vector is scaled to length 1, so a dot product is the cosine.
// The scheme is fixed: the same text always gives the same vector, on any
// machine. Changing any of it (tokens, weights, the hash) changes every
// vector, so it carries a version in its description ("v1"), and vectors
// stored by one version are not comparable with another's.
//
// A text with no letters or digits ("", "?!") has nothing to embed and is
// refused (ErrorKind::kInvalidInput): a zero vector has no direction, so no
// cosine with anything. So is text that is not valid UTF-8.

#include <cstddef>
#include <memory>
#include <string_view>

#include "embed/embedder.hpp"

namespace agentbase::embed {

// The description MakeOfflineEmbedder's Describe gives.
inline constexpr std::string_view kOfflineEmbedderDescription =
    "offline (lexical feature hashing v1: words and character 3-grams, not a neural model)";

// One text's vector of `dimensions` (at least 1), as described above.
Result<Embedding> EmbedOffline(std::string_view text, size_t dimensions);

// `dimensions` must be at least 1 (std::invalid_argument otherwise: a
// caller's bug, as the dimension comes from the schema). Embed works on the
// caller's thread without pausing: about 35 µs for a text of 1,000
// characters at 1536 dimensions (bench/embed), so a batch of a thousand
// such texts holds an event loop for some 35 ms.
std::unique_ptr<Embedder> MakeOfflineEmbedder(size_t dimensions);

}  // namespace agentbase::embed
