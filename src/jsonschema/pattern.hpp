#pragma once
// The regular expressions of "pattern" and "patternProperties", made safe to
// run on hostile strings.
//
// valijson hands them to std::regex as they are. libstdc++'s default matcher
// backtracks: it recurses once per character of the subject, so a long string
// overflows the stack (with an 8 MB stack, "^(a|b)*$" crashes at 11,200
// bytes, "^[a-z]*$" at 26,200), and it can take exponential time ("^(a+)+$"
// against 28 'a's and a 'b': 6.7 s). Here every pattern is compiled in
// libstdc++'s polynomial mode (an NFA simulation: no recursion per character,
// time proportional to subject length times pattern size; "^(a+)+$" against
// a million bytes takes 0.3 s) and searched as one anchored pass over
// "[\s\S]*?(?:pattern)" (libstdc++ restarts an unanchored search at every
// position, which is quadratic). What remains is bounded before matching: the
// size of the pattern (its weight, below) when it is compiled, and the work
// of each search (subject length times weight) when it runs.

#include <cstddef>
#include <cstdint>
#include <regex>
#include <string>
#include <string_view>

#include "util/result.hpp"

#if !defined(__GLIBCXX__)
#error "src/jsonschema/pattern.cpp relies on libstdc++'s polynomial regex mode (std::regex_constants::__polynomial)"
#endif

namespace agentbase::jsonschema::detail {

// An upper estimate of the NFA libstdc++ builds for a pattern: one state per
// character, class or assertion, two per group, one per alternative, and a
// repeated atom counted once per copy plus one per copy for the loop ("a{100}"
// is 200, "a+" is 3: libstdc++ builds it as "aa*"). Matching costs about
// weight units per subject byte; a lookahead ("(?=...)", "(?!...)") runs again
// from every position, so its weight costs per byte squared.
struct PatternWeight {
  std::uint64_t weight = 0;
  std::uint64_t lookahead_weight = 0;
};

// What a search costs per subject byte beyond the pattern's weight: the
// search prefix and libstdc++'s bookkeeping, which dominate small patterns
// (measured: "a" costs as much per byte as a pattern of weight 16 does).
inline constexpr std::uint64_t kPatternWorkPerByte = 16;

// The weight of `source`, or why it is refused: backreferences and lookbehind
// (which the polynomial mode cannot run), a lookahead inside a lookahead, and
// more nesting than kMaxPatternNesting. It does not check the syntax: std::regex does.
Result<PatternWeight> WeighPattern(std::string_view source);

// A compiled pattern. Copies share the compiled NFA; Search is const and may
// run on several threads at once.
class Pattern {
 public:
  // ECMAScript syntax as libstdc++ reads it (no lookbehind, no \p{...}); a
  // pattern over kMaxPatternWeight, or one WeighPattern refuses, is an error.
  static Result<Pattern> Compile(std::string_view source);

  const std::string& Source() const { return source_; }
  const PatternWeight& Weight() const { return weight_; }
  // The work units a search of a `subject_bytes` long subject may take:
  // (bytes + 1) * (weight + kPatternWorkPerByte) + (bytes + 1)^2 *
  // lookahead weight, saturating (see kMaxPatternWork in jsonschema/schema.hpp).
  std::uint64_t WorkFor(std::size_t subject_bytes) const;
  // Whether the pattern matches anywhere in `subject`, as ECMA-262's search
  // does (patterns are not anchored). Bytes, not code points: "." matches one
  // byte of a multi-byte UTF-8 character.
  bool Search(std::string_view subject) const;

 private:
  Pattern(std::string source, PatternWeight weight, std::regex search)
      : source_(std::move(source)), weight_(weight), search_(std::move(search)) {}

  std::string source_;
  PatternWeight weight_;
  std::regex search_;
};

}  // namespace agentbase::jsonschema::detail
