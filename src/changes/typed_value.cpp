#include "changes/typed_value.hpp"

#include <boost/json/array.hpp>
#include <boost/json/parse.hpp>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <optional>
#include <string>

namespace agentbase::changes {

namespace json = boost::json;

namespace {

// Nesting deeper than PostgreSQL allows (MAXDIM is 6) is not an array
// PostgreSQL wrote: it stays text.
constexpr int kMaxArrayDepth = 6;

std::optional<int64_t> ParseInteger(std::string_view text) {
  int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

std::optional<double> ParseDouble(std::string_view text) {
  double value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || !std::isfinite(value)) return std::nullopt;
  return value;
}

json::value Integer(std::string_view text) {
  if (auto value = ParseInteger(text)) return *value;
  return json::string(text);
}

json::value Float(std::string_view text) {
  if (auto value = ParseDouble(text)) return *value;
  return json::string(text);  // NaN, Infinity, -Infinity
}

// Exact as a number: an int64, or a plain decimal of at most 15 significant
// digits (which a double reproduces digit for digit).
json::value Numeric(std::string_view text) {
  if (auto value = ParseInteger(text)) return *value;
  size_t significant = 0;
  bool leading = true;
  bool seen_point = false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (i == 0 && (c == '-' || c == '+')) continue;
    if (c == '.' && !seen_point) {
      seen_point = true;
      continue;
    }
    if (c < '0' || c > '9') return json::string(text);  // NaN, Infinity, anything unexpected
    if (leading && c == '0') continue;
    leading = false;
    ++significant;
  }
  if (significant > 15) return json::string(text);
  if (auto value = ParseDouble(text)) return *value;
  return json::string(text);
}

json::value Bool(std::string_view text) {
  if (text == "t") return true;
  if (text == "f") return false;
  return json::string(text);
}

json::value Json(std::string_view text) {
  boost::system::error_code ec;
  json::value parsed = json::parse(text, ec);
  if (ec) return json::string(text);
  return parsed;
}

// "2026-05-01 10:20:30.123+00" -> "2026-05-01T10:20:30.123+00:00".
json::value Timestamp(std::string_view text, bool with_zone) {
  std::string out(text);
  if (out.size() < 19 || out[10] != ' ' || out.find(" BC") != std::string::npos) return json::string(text);
  out[10] = 'T';
  if (with_zone) {
    size_t sign = out.find_last_of("+-");
    if (sign != std::string::npos && sign > 18 && out.size() - sign == 3) out += ":00";
  }
  return json::string(out);
}

// Reads one level of an array literal starting at text[pos] == '{'.
class ArrayLiteral {
 public:
  ArrayLiteral(std::string_view text, std::string_view element_type) : text_(text), element_type_(element_type) {}

  std::optional<json::array> Parse() {
    size_t pos = 0;
    auto array = Level(pos, 1);
    if (!array || pos != text_.size()) return std::nullopt;
    return array;
  }

 private:
  std::optional<json::array> Level(size_t& pos, int depth) {
    if (depth > kMaxArrayDepth || pos >= text_.size() || text_[pos] != '{') return std::nullopt;
    ++pos;
    json::array out;
    if (pos < text_.size() && text_[pos] == '}') return ++pos, out;
    while (true) {
      if (pos >= text_.size()) return std::nullopt;
      if (text_[pos] == '{') {
        auto inner = Level(pos, depth + 1);
        if (!inner) return std::nullopt;
        out.emplace_back(std::move(*inner));
      } else if (text_[pos] == '"') {
        std::string element;
        ++pos;
        while (pos < text_.size() && text_[pos] != '"') {
          if (text_[pos] == '\\') ++pos;
          if (pos >= text_.size()) return std::nullopt;
          element.push_back(text_[pos++]);
        }
        if (pos >= text_.size()) return std::nullopt;
        ++pos;  // the closing quote
        out.emplace_back(TypedValue(element_type_, element));
      } else {
        size_t end = text_.find_first_of(",}", pos);
        if (end == std::string_view::npos) return std::nullopt;
        std::string_view element = text_.substr(pos, end - pos);
        if (element.empty() || element.find_first_of("{\"") != std::string_view::npos) return std::nullopt;
        if (element == "NULL") {
          out.emplace_back(nullptr);
        } else {
          out.emplace_back(TypedValue(element_type_, element));
        }
        pos = end;
      }
      if (pos >= text_.size()) return std::nullopt;
      if (text_[pos] == '}') return ++pos, out;
      if (text_[pos] != ',') return std::nullopt;
      ++pos;
    }
  }

  std::string_view text_;
  std::string_view element_type_;
};

}  // namespace

json::value TypedValue(std::string_view type_name, std::string_view text) {
  if (type_name.size() > 1 && type_name[0] == '_') {
    std::string_view element_type = type_name.substr(1);
    if (element_type == "box") return json::string(text);  // its elements are separated by ';'
    if (auto array = ArrayLiteral(text, element_type).Parse()) return std::move(*array);
    return json::string(text);
  }
  if (type_name == "int2" || type_name == "int4" || type_name == "int8" || type_name == "oid") return Integer(text);
  if (type_name == "float4" || type_name == "float8") return Float(text);
  if (type_name == "numeric") return Numeric(text);
  if (type_name == "bool") return Bool(text);
  if (type_name == "json" || type_name == "jsonb") return Json(text);
  if (type_name == "timestamp") return Timestamp(text, false);
  if (type_name == "timestamptz") return Timestamp(text, true);
  return json::string(text);
}

std::string FormatCommitTimestamp(int64_t pg_micros) {
  constexpr int64_t kEpochShiftSeconds = 946684800;  // 1970-01-01 to 2000-01-01
  int64_t millis = pg_micros >= 0 ? pg_micros / 1000 : -((-pg_micros + 999) / 1000);
  int64_t seconds = millis >= 0 ? millis / 1000 : -((-millis + 999) / 1000);
  int64_t milli_part = millis - seconds * 1000;
  std::time_t unix_seconds = static_cast<std::time_t>(seconds + kEpochShiftSeconds);
  std::tm utc{};
  gmtime_r(&unix_seconds, &utc);
  char text[48];
  std::snprintf(text, sizeof text, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", utc.tm_year + 1900, utc.tm_mon + 1,
                utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec, static_cast<int>(milli_part));
  return text;
}

}  // namespace agentbase::changes
