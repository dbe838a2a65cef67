#include "jsonschema/pattern.hpp"

#include <fmt/format.h>

#include <limits>
#include <vector>

#include "jsonschema/schema.hpp"

namespace agentbase::jsonschema::detail {
namespace {

constexpr std::uint64_t kSaturated = std::numeric_limits<std::uint64_t>::max() / 4;

std::uint64_t Add(std::uint64_t a, std::uint64_t b) { return a >= kSaturated - b ? kSaturated : a + b; }

std::uint64_t Multiply(std::uint64_t a, std::uint64_t b) {
  if (a == 0 || b == 0) return 0;
  return a >= kSaturated / b ? kSaturated : a * b;
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// One group being read: its weight so far, and the last atom in it, which a
// quantifier that follows repeats.
struct Group {
  PatternWeight total;
  PatternWeight last;
  bool has_last = false;
  bool is_lookahead = false;
};

// Reads "{n}", "{n,}" or "{n,m}" at `position` (the '{'); sets `copies` to the
// number of copies libstdc++ makes of the repeated atom (m, or n + 1 for the
// loop of "{n,}") and `end` past the '}'. False when it is no such quantifier.
bool ReadBraces(std::string_view source, std::size_t position, std::uint64_t& copies, std::size_t& end) {
  std::size_t at = position + 1;
  auto read_number = [&](std::uint64_t& number) {
    std::size_t start = at;
    number = 0;
    while (at < source.size() && IsDigit(source[at])) {
      number = Add(Multiply(number, 10), static_cast<std::uint64_t>(source[at] - '0'));
      ++at;
    }
    return at > start;
  };
  std::uint64_t low = 0;
  if (!read_number(low)) return false;
  std::uint64_t high = low;
  if (at < source.size() && source[at] == ',') {
    ++at;
    if (!read_number(high)) high = Add(low, 1);
  }
  if (at >= source.size() || source[at] != '}') return false;
  copies = high;
  end = at + 1;
  return true;
}

}  // namespace

Result<PatternWeight> WeighPattern(std::string_view source) {
  std::vector<Group> groups(1);
  auto add_atom = [&](PatternWeight atom) {
    Group& group = groups.back();
    group.total.weight = Add(group.total.weight, atom.weight);
    group.total.lookahead_weight = Add(group.total.lookahead_weight, atom.lookahead_weight);
    group.last = atom;
    group.has_last = true;
  };
  // The last atom, already counted once, becomes `copies` copies, each with
  // a state for the repetition.
  auto repeat_last = [&](std::uint64_t copies) {
    Group& group = groups.back();
    if (!group.has_last) return;  // nothing to repeat: std::regex refuses it
    std::uint64_t extra = copies == 0 ? 0 : copies - 1;
    group.total.weight = Add(group.total.weight, Add(Multiply(group.last.weight, extra), copies));
    group.total.lookahead_weight = Add(group.total.lookahead_weight, Multiply(group.last.lookahead_weight, extra));
    group.has_last = false;
  };

  bool after_quantifier = false;
  for (std::size_t at = 0; at < source.size(); ++at) {
    char c = source[at];
    bool quantifier = false;
    switch (c) {
      case '\\': {
        if (at + 1 >= source.size()) break;  // a trailing backslash: std::regex refuses it
        char escaped = source[at + 1];
        if (escaped >= '1' && escaped <= '9') {
          return Error::InvalidInput(fmt::format("backreferences (\\{}) are not supported", escaped), "json-schema");
        }
        // \xHH, \uHHHH and \cX are one character each.
        std::size_t length = escaped == 'x' ? 3 : escaped == 'u' ? 5 : escaped == 'c' ? 2 : 1;
        at = std::min(at + length, source.size() - 1);
        add_atom({1, 0});
        break;
      }
      case '[': {
        // One state for the whole class, whatever it holds.
        std::size_t end = at + 1;
        if (end < source.size() && source[end] == '^') ++end;
        while (end < source.size() && source[end] != ']') end += source[end] == '\\' ? 2 : 1;
        at = std::min(end, source.size() - 1);
        add_atom({1, 0});
        break;
      }
      case '(': {
        if (groups.size() > kMaxPatternNesting) {
          return Error::InvalidInput(fmt::format("groups nest deeper than {} levels", kMaxPatternNesting),
                                     "json-schema");
        }
        Group group;
        std::string_view rest = source.substr(at + 1);
        if (rest.starts_with("?=") || rest.starts_with("?!")) {
          for (const Group& outer : groups) {
            if (outer.is_lookahead) {
              return Error::InvalidInput("a lookahead inside a lookahead is not supported", "json-schema");
            }
          }
          group.is_lookahead = true;
          at += 2;
        } else if (rest.starts_with("?<")) {
          return Error::InvalidInput("lookbehind ((?<=...), (?<!...)) and named groups are not supported",
                                     "json-schema");
        } else if (rest.starts_with("?:")) {
          at += 2;
        }
        groups.push_back(group);
        break;
      }
      case ')': {
        if (groups.size() == 1) break;  // unbalanced: std::regex refuses it
        Group group = groups.back();
        groups.pop_back();
        if (group.is_lookahead) {
          add_atom({2, Add(group.total.weight, 2)});
        } else {
          add_atom({Add(group.total.weight, 2), group.total.lookahead_weight});
        }
        break;
      }
      case '*':
      case '?':
        if (c == '?' && after_quantifier) break;  // lazy: "*?", "+?", "??", "{n}?"
        repeat_last(1);
        quantifier = true;
        break;
      case '+':
        repeat_last(2);  // libstdc++ builds "x+" as "xx*"
        quantifier = true;
        break;
      case '{': {
        std::uint64_t copies = 0;
        std::size_t end = 0;
        if (ReadBraces(source, at, copies, end)) {
          repeat_last(copies);
          at = end - 1;
          quantifier = true;
        } else {
          add_atom({1, 0});
        }
        break;
      }
      case '|': {
        Group& group = groups.back();
        group.total.weight = Add(group.total.weight, 1);
        group.has_last = false;
        break;
      }
      default: add_atom({1, 0}); break;
    }
    after_quantifier = quantifier;
  }
  // Groups left open are refused by std::regex; their weight still counts.
  while (groups.size() > 1) {
    Group group = groups.back();
    groups.pop_back();
    add_atom({Add(group.total.weight, group.total.lookahead_weight), 0});
  }
  return groups.front().total;
}

namespace {

// libstdc++ reads the number after a '{' into a long before it checks that
// the brace is a quantifier at all (e.g. "??{2,18446744073709551616}"): 19
// digits or more overflow, which is undefined behaviour. No count that long
// could pass the weight bound anyway.
bool HasOverlongBraceNumber(std::string_view source) {
  constexpr std::size_t kMaxDigits = 9;
  std::size_t digits = 0;
  bool counting = false;
  for (std::size_t at = 0; at < source.size(); ++at) {
    char c = source[at];
    if (IsDigit(c)) {
      if (counting && ++digits > kMaxDigits) return true;
      continue;
    }
    counting = c == '{' || (c == ',' && counting);
    digits = 0;
  }
  return false;
}

}  // namespace

Result<Pattern> Pattern::Compile(std::string_view source) {
  if (HasOverlongBraceNumber(source)) {
    return Error::InvalidInput("it has a number of more than 9 digits after a '{'", "json-schema");
  }
  Result<PatternWeight> weight = WeighPattern(source);
  if (!weight) return weight.error();
  std::uint64_t total = Add(weight->weight, weight->lookahead_weight);
  if (total > kMaxPatternWeight) {
    return Error::InvalidInput(
        fmt::format("it is too large: it weighs about {} (the most is {}; \"x{{n}}\" counts n times)", total,
                    kMaxPatternWeight),
        "json-schema");
  }
  // Polynomial mode: no recursion per subject character, no exponential
  // backtracking. nosubs: nothing here reads the submatches, and tracking
  // them costs a copy per NFA state per character.
  constexpr auto kFlags = std::regex::ECMAScript | std::regex::nosubs | std::regex_constants::__polynomial;
  try {
    // Compiled alone first: wrapped in the search prefix, a pattern such as
    // "a)(b" would read as valid.
    std::regex alone(source.begin(), source.end(), kFlags);
    std::string wrapped = "[\\s\\S]*?(?:";
    wrapped.append(source);
    wrapped += ')';
    return Pattern(std::string(source), *weight, std::regex(wrapped, kFlags));
  } catch (const std::regex_error& error) {
    return Error::InvalidInput(fmt::format("it is not a valid regular expression: {}", error.what()), "json-schema");
  }
}

std::uint64_t Pattern::WorkFor(std::size_t subject_bytes) const {
  std::uint64_t positions = Add(subject_bytes, 1);
  return Add(Multiply(positions, Add(weight_.weight, kPatternWorkPerByte)),
             Multiply(Multiply(positions, positions), weight_.lookahead_weight));
}

bool Pattern::Search(std::string_view subject) const {
  return std::regex_search(subject.begin(), subject.end(), search_, std::regex_constants::match_continuous);
}

}  // namespace agentbase::jsonschema::detail
