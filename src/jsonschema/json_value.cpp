#include "jsonschema/json_value.hpp"

#include <algorithm>
#include <bit>
#include <boost/json/serialize.hpp>
#include <cmath>
#include <cstring>
#include <functional>

#include "util/utf8.hpp"

namespace agentbase::jsonschema::detail {
namespace {

namespace json = boost::json;

// 2^64: the double just past UINT64_MAX.
constexpr double kTwoTo64 = 18446744073709551616.0;

std::uint64_t Mix(std::uint64_t hash, std::uint64_t value) {
  // The combining step of boost::hash_combine, widened to 64 bits.
  return hash ^ (value + 0x9e3779b97f4a7c15ULL + (hash << 12) + (hash >> 4));
}

// Seeds that keep values of different kinds apart.
enum Kind : std::uint64_t { kNull = 1, kFalse, kTrue, kInteger, kNonInteger, kString, kArray, kObject };

std::uint64_t HashNumber(const json::value& value) {
  // Every integral number hashes by sign and magnitude, whatever it is
  // stored as, so 1, 1.0 and uint64 1 agree.
  if (value.is_int64()) {
    std::int64_t number = value.get_int64();
    std::uint64_t magnitude = number < 0 ? 0 - static_cast<std::uint64_t>(number) : static_cast<std::uint64_t>(number);
    return Mix(Mix(kInteger, number < 0 ? 1 : 0), magnitude);
  }
  if (value.is_uint64()) return Mix(Mix(kInteger, 0), value.get_uint64());
  double number = value.get_double();
  if (number == 0) return Mix(Mix(kInteger, 0), 0);  // -0.0 too
  if (number == std::trunc(number) && number > -kTwoTo64 && number < kTwoTo64) {
    double magnitude = std::fabs(number);
    return Mix(Mix(kInteger, number < 0 ? 1 : 0), static_cast<std::uint64_t>(magnitude));
  }
  std::uint64_t bits = 0;
  std::memcpy(&bits, &number, sizeof bits);
  return Mix(kNonInteger, bits);
}

bool NumbersEqual(const json::value& a, const json::value& b) {
  if (a.is_double() || b.is_double()) return NumberValue(a) == NumberValue(b);
  if (a.is_int64() && b.is_int64()) return a.get_int64() == b.get_int64();
  if (a.is_uint64() && b.is_uint64()) return a.get_uint64() == b.get_uint64();
  // One int64, one uint64.
  const json::value& signed_one = a.is_int64() ? a : b;
  const json::value& unsigned_one = a.is_int64() ? b : a;
  return signed_one.get_int64() >= 0 && static_cast<std::uint64_t>(signed_one.get_int64()) == unsigned_one.get_uint64();
}

}  // namespace

std::uint64_t StepsFor(const json::value& value) {
  return value.is_string() ? StepsForBytes(value.get_string().size()) : 1;
}

bool JsonEqual(const json::value& a, const json::value& b, std::uint64_t& steps) {
  steps += StepsFor(a);
  if (a.is_number() && b.is_number()) return NumbersEqual(a, b);
  if (a.kind() != b.kind()) return false;
  switch (a.kind()) {
    case json::kind::null: return true;
    case json::kind::bool_: return a.get_bool() == b.get_bool();
    case json::kind::string: return a.get_string() == b.get_string();
    case json::kind::array: {
      const json::array& left = a.get_array();
      const json::array& right = b.get_array();
      if (left.size() != right.size()) return false;
      for (std::size_t i = 0; i < left.size(); ++i) {
        if (!JsonEqual(left[i], right[i], steps)) return false;
      }
      return true;
    }
    case json::kind::object: {
      const json::object& left = a.get_object();
      const json::object& right = b.get_object();
      if (left.size() != right.size()) return false;
      for (const json::key_value_pair& member : left) {
        steps += StepsForBytes(member.key().size());
        const json::value* other = right.if_contains(member.key());
        if (other == nullptr || !JsonEqual(member.value(), *other, steps)) return false;
      }
      return true;
    }
    default: return false;  // numbers were compared above
  }
}

std::uint64_t JsonHash(const json::value& value, std::uint64_t& steps) {
  steps += StepsFor(value);
  switch (value.kind()) {
    case json::kind::null: return kNull;
    case json::kind::bool_: return value.get_bool() ? kTrue : kFalse;
    case json::kind::int64:
    case json::kind::uint64:
    case json::kind::double_: return HashNumber(value);
    case json::kind::string: return Mix(kString, std::hash<std::string_view>{}(value.get_string()));
    case json::kind::array: {
      std::uint64_t hash = kArray;
      for (const json::value& item : value.get_array()) hash = Mix(hash, JsonHash(item, steps));
      return hash;
    }
    case json::kind::object: {
      // A sum, so that member order does not matter.
      std::uint64_t sum = 0;
      for (const json::key_value_pair& member : value.get_object()) {
        steps += StepsForBytes(member.key().size());
        sum += Mix(std::hash<std::string_view>{}(member.key()), JsonHash(member.value(), steps));
      }
      return Mix(kObject, sum);
    }
  }
  return 0;  // every kind is handled above
}

bool IsIntegral(const json::value& value) {
  if (value.is_int64() || value.is_uint64()) return true;
  if (!value.is_double()) return false;
  double number = value.get_double();
  return std::isfinite(number) && number == std::trunc(number);
}

long double NumberValue(const json::value& value) {
  if (value.is_int64()) return static_cast<long double>(value.get_int64());
  if (value.is_uint64()) return static_cast<long double>(value.get_uint64());
  return static_cast<long double>(value.get_double());
}

std::size_t CodePoints(std::string_view text) {
  // Counts the continuation bytes (10xxxxxx) eight at a time: a byte's bit 7
  // set and bit 6 clear; `word << 1` brings each byte's bit 6 to its bit 7.
  std::size_t continuations = 0;
  std::size_t at = 0;
  for (; at + 8 <= text.size(); at += 8) {
    std::uint64_t word = 0;
    std::memcpy(&word, text.data() + at, sizeof word);
    continuations += static_cast<std::size_t>(std::popcount(word & ~(word << 1) & 0x8080808080808080ULL));
  }
  for (; at < text.size(); ++at) {
    if ((static_cast<unsigned char>(text[at]) & 0xC0) == 0x80) ++continuations;
  }
  return text.size() - continuations;
}

void AppendPointerToken(std::string& pointer, std::string_view token) {
  pointer += '/';
  // Copied in runs between the characters to escape, found with memchr:
  // names may be long (a violation's path, and FindTooDeep's walk of the
  // whole instance, write every name they pass).
  const char* at = token.data();
  const char* const end = at + token.size();
  auto next = [&](char c) {
    const void* found = std::memchr(at, c, static_cast<std::size_t>(end - at));
    return found == nullptr ? end : static_cast<const char*>(found);
  };
  const char* tilde = next('~');
  const char* slash = next('/');
  while (true) {
    const char* special = std::min(tilde, slash);
    pointer.append(at, static_cast<std::size_t>(special - at));
    if (special == end) break;
    pointer += *special == '~' ? "~0" : "~1";
    at = special + 1;
    if (special == tilde) tilde = next('~');
    if (special == slash) slash = next('/');
  }
}

namespace {

// `text` cut to at most `max_bytes`, at a UTF-8 character boundary.
std::string_view CutAtCharacter(std::string_view text, std::size_t max_bytes) {
  if (text.size() <= max_bytes) return text;
  std::size_t end = max_bytes;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  return text.substr(0, end);
}

}  // namespace

std::string Shorten(std::string_view text, std::size_t max_bytes) {
  std::string_view cut = CutAtCharacter(text, max_bytes);
  return cut.size() < text.size() ? std::string(cut) + "..." : std::string(text);
}

std::string Abbreviate(const json::value& value, std::size_t max_bytes) {
  std::string text = json::serialize(value);
  if (text.size() <= max_bytes) return text;
  return std::string(CutAtCharacter(text, max_bytes)) + "...";
}

std::string QuoteAbbreviated(std::string_view text, std::size_t max_bytes) {
  std::string_view cut = CutAtCharacter(text, max_bytes);
  // Messages end up in JSON error bodies: a name that is not UTF-8 (only
  // possible in a value built in memory, never in parsed JSON) is repaired.
  const std::string repaired = ReplaceInvalidUtf8(cut);
  std::string quoted = json::serialize(json::string_view(repaired));
  if (cut.size() < text.size()) quoted.insert(quoted.size() - 1, "...");
  return quoted;
}

}  // namespace agentbase::jsonschema::detail
