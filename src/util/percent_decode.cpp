#include "util/percent_decode.hpp"

#include "util/checksum.hpp"

namespace agentbase {

namespace {

// The byte the escape at `i` stands for (i + 2 < size), or -1 when malformed.
int EscapedByte(std::string_view text, size_t i) {
  int high = HexDigitValue(text[i + 1]);
  int low = HexDigitValue(text[i + 2]);
  return high < 0 || low < 0 ? -1 : high * 16 + low;
}

template <class OnMalformed>
bool Decode(std::string_view text, bool plus_as_space, std::string& out, OnMalformed on_malformed) {
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '+' && plus_as_space) {
      out += ' ';
    } else if (c == '%') {
      int byte = i + 2 < text.size() ? EscapedByte(text, i) : -1;
      if (byte < 0) {
        if (!on_malformed(out, c)) return false;
        continue;
      }
      out += static_cast<char>(byte);
      i += 2;
    } else {
      out += c;
    }
  }
  return true;
}

}  // namespace

std::optional<std::string> PercentDecodeStrict(std::string_view text) {
  std::string out;
  if (!Decode(text, false, out, [](std::string&, char) { return false; })) return std::nullopt;
  return out;
}

std::string PercentDecodeLenient(std::string_view text, bool plus_as_space) {
  std::string out;
  Decode(text, plus_as_space, out, [](std::string& kept, char c) {
    kept += c;
    return true;
  });
  return out;
}

std::vector<QueryPair> SplitQuery(std::string_view query) {
  std::vector<QueryPair> pairs;
  if (!query.empty() && query.front() == '?') query.remove_prefix(1);
  while (!query.empty()) {
    std::size_t end = query.find_first_of("&;");
    std::string_view piece = query.substr(0, end);
    query = end == std::string_view::npos ? std::string_view{} : query.substr(end + 1);
    QueryPair pair;
    std::size_t eq = piece.find('=');
    pair.key = PercentDecodeLenient(piece.substr(0, eq), true);
    if (eq != std::string_view::npos) pair.value = PercentDecodeLenient(piece.substr(eq + 1), true);
    pairs.push_back(std::move(pair));
  }
  return pairs;
}

std::optional<std::string> QueryValue(std::string_view query, std::string_view name) {
  for (auto& pair : SplitQuery(query)) {
    if (pair.key == name) return pair.value ? std::move(*pair.value) : std::string();
  }
  return std::nullopt;
}

}  // namespace agentbase
