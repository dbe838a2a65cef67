#include "realtime/filter.hpp"

#include <boost/json/parse.hpp>
#include <charconv>
#include <cmath>

#include "util/text.hpp"

namespace agentbase::realtime {

namespace json = boost::json;

namespace {

Error ParseError(std::string_view why) {
  return Error::InvalidInput("Error parsing `filter` params: " + std::string(why), "filter");
}

std::optional<FilterOp> OpNamed(std::string_view name) {
  if (name == "eq") return FilterOp::kEq;
  if (name == "neq") return FilterOp::kNeq;
  if (name == "lt") return FilterOp::kLt;
  if (name == "lte") return FilterOp::kLte;
  if (name == "gt") return FilterOp::kGt;
  if (name == "gte") return FilterOp::kGte;
  if (name == "in") return FilterOp::kIn;
  return std::nullopt;
}

// in's list: (a,b,"c,d"): values separated by commas, a value in double
// quotes may hold commas and parentheses, \" and \\ escape inside quotes.
Result<std::vector<std::string>> ParseList(std::string_view text) {
  if (text.size() < 2 || text.front() != '(' || text.back() != ')') {
    return ParseError("in takes a list in parentheses: in.(a,b)");
  }
  text = text.substr(1, text.size() - 2);
  std::vector<std::string> values;
  size_t at = 0;
  while (at <= text.size()) {
    std::string value;
    if (at < text.size() && text[at] == '"') {
      ++at;
      bool closed = false;
      while (at < text.size()) {
        char c = text[at++];
        if (c == '\\' && at < text.size()) {
          value.push_back(text[at++]);
        } else if (c == '"') {
          closed = true;
          break;
        } else {
          value.push_back(c);
        }
      }
      if (!closed) return ParseError("unterminated quoted value in in.(...)");
      if (at < text.size() && text[at] != ',') return ParseError("text after a quoted value in in.(...)");
    } else {
      size_t comma = text.find(',', at);
      if (comma == std::string_view::npos) comma = text.size();
      value = Trim(text.substr(at, comma - at));
      at = comma;
    }
    values.push_back(std::move(value));
    if (values.size() > kMaxInValues) return ParseError("in takes at most 100 values");
    if (at >= text.size()) break;
    ++at;  // the comma
  }
  return values;
}

std::optional<double> NumberOf(std::string_view text) {
  text = TrimView(text);
  if (text.empty()) return std::nullopt;
  double number = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), number);
  if (ec != std::errc() || end != text.data() + text.size() || !std::isfinite(number)) return std::nullopt;
  return number;
}

std::optional<bool> BoolOf(std::string_view text) {
  std::string lower = ToLower(TrimView(text));
  if (lower == "true" || lower == "t" || lower == "yes" || lower == "on" || lower == "1") return true;
  if (lower == "false" || lower == "f" || lower == "no" || lower == "off" || lower == "0") return false;
  return std::nullopt;
}

// -1, 0, 1 as PostgreSQL would order the record's value against the filter
// value; nullopt when the filter value does not cast to the column's type
// (then nothing matches, as the cast would have failed).
std::optional<int> Compare(const json::value& value, std::string_view filter_value, std::string_view column_type) {
  auto order = [](auto a, auto b) { return a < b ? -1 : (b < a ? 1 : 0); };
  if (value.is_number()) {
    auto wanted = NumberOf(filter_value);
    if (!wanted) return std::nullopt;
    return order(value.to_number<double>(), *wanted);
  }
  if (value.is_bool()) {
    auto wanted = BoolOf(filter_value);
    if (!wanted) return std::nullopt;
    return order(static_cast<int>(value.get_bool()), static_cast<int>(*wanted));
  }
  if (value.is_string()) {
    std::string_view text = value.get_string();
    if (column_type == "uuid") return order(ToLower(text), ToLower(filter_value));
    return order(text, filter_value);
  }
  // json/jsonb (objects, arrays): equality only, as JSON values.
  boost::system::error_code ec;
  json::value wanted = json::parse(filter_value, ec);
  if (ec) return std::nullopt;
  return value == wanted ? 0 : 1;
}

bool Holds(FilterOp op, int order) {
  switch (op) {
    case FilterOp::kEq:
    case FilterOp::kIn: return order == 0;
    case FilterOp::kNeq: return order != 0;
    case FilterOp::kLt: return order < 0;
    case FilterOp::kLte: return order <= 0;
    case FilterOp::kGt: return order > 0;
    case FilterOp::kGte: return order >= 0;
  }
  return false;
}

}  // namespace

Result<Filter> ParseFilter(std::string_view text) {
  size_t equals = text.find('=');
  if (equals == std::string_view::npos)
    return ParseError("expected column=operator.value, got '" + std::string(text) + "'");
  Filter filter;
  filter.column = Trim(text.substr(0, equals));
  if (filter.column.empty()) return ParseError("the column name is empty");
  std::string_view rest = text.substr(equals + 1);
  size_t dot = rest.find('.');
  if (dot == std::string_view::npos) return ParseError("expected operator.value after '" + filter.column + "='");
  std::string_view op_name = rest.substr(0, dot);
  auto op = OpNamed(op_name);
  if (!op) {
    return ParseError("operator '" + std::string(op_name) + "' is not supported; use eq, neq, lt, lte, gt, gte or in");
  }
  filter.op = *op;
  std::string_view value = rest.substr(dot + 1);
  if (filter.op == FilterOp::kIn) {
    auto values = ParseList(value);
    if (!values) return values.error();
    filter.values = std::move(*values);
  } else {
    filter.values.emplace_back(value);
  }
  return filter;
}

bool FilterMatches(const Filter& filter, const json::object& record, std::string_view column_type) {
  const json::value* value = record.if_contains(filter.column);
  if (value == nullptr || value->is_null()) return false;
  if (filter.op == FilterOp::kIn) {
    for (const auto& wanted : filter.values) {
      auto order = Compare(*value, wanted, column_type);
      if (order && *order == 0) return true;
    }
    return false;
  }
  auto order = Compare(*value, filter.values.front(), column_type);
  return order && Holds(filter.op, *order);
}

}  // namespace agentbase::realtime
