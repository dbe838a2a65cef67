#include "rest/url_decode.hpp"

namespace agentbase::rest {

namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::string PercentDecode(std::string_view text, bool plus_as_space) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '+' && plus_as_space) {
      out += ' ';
    } else if (c == '%' && i + 2 < text.size() && HexValue(text[i + 1]) >= 0 && HexValue(text[i + 2]) >= 0) {
      out += static_cast<char>(HexValue(text[i + 1]) * 16 + HexValue(text[i + 2]));
      i += 2;
    } else {
      out += c;
    }
  }
  return out;
}

std::vector<RawParam> SplitQueryString(std::string_view query) {
  std::vector<RawParam> params;
  if (!query.empty() && query.front() == '?') query.remove_prefix(1);
  while (!query.empty()) {
    std::size_t end = query.find_first_of("&;");
    std::string_view piece = query.substr(0, end);
    query = end == std::string_view::npos ? std::string_view{} : query.substr(end + 1);
    RawParam param;
    std::size_t eq = piece.find('=');
    param.key = PercentDecode(piece.substr(0, eq), true);
    if (eq != std::string_view::npos) param.value = PercentDecode(piece.substr(eq + 1), true);
    params.push_back(std::move(param));
  }
  return params;
}

}  // namespace agentbase::rest
