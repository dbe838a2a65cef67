#include "rest/headers_json.hpp"

#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "util/text.hpp"
#include "util/utf8.hpp"

namespace agentbase::rest {

namespace {

// PostgreSQL refuses a setting that is not valid UTF-8 (22021) and the
// request with it, so a stray byte is replaced, never passed on.
void AppendJsonText(std::string& out, std::string_view text) {
  if (IsValidUtf8(text)) {
    AppendJsonString(out, text);
  } else {
    AppendJsonString(out, ReplaceInvalidUtf8(text));
  }
}

std::string_view TrimSpaces(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

}  // namespace

std::string HeadersJson(const http::HeaderList& headers) {
  // Where each name occurs last: only that occurrence is written.
  std::unordered_map<std::string_view, size_t> last;
  last.reserve(headers.size());
  for (size_t i = 0; i < headers.size(); ++i) last[headers[i].first] = i;

  std::string out = "{";
  out.reserve(64 + headers.size() * 32);
  for (size_t i = 0; i < headers.size(); ++i) {
    const auto& [name, value] = headers[i];
    if (name == "cookie" || last[name] != i) continue;
    if (out.size() > 1) out += ',';
    AppendJsonString(out, name);
    out += ':';
    AppendJsonText(out, value);
  }
  out += '}';
  return out;
}

std::string CookiesJson(const http::HeaderList& headers) {
  // name=value pairs of every Cookie header, in order; a repeated name
  // keeps its last value, as request.headers does for headers.
  std::vector<std::pair<std::string_view, std::string_view>> pairs;
  for (const auto& [name, value] : headers) {
    if (name != "cookie") continue;
    std::string_view rest = value;
    while (!rest.empty()) {
      size_t end = rest.find(';');
      std::string_view pair = TrimSpaces(rest.substr(0, end));
      rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
      size_t equals = pair.find('=');
      if (equals == std::string_view::npos || equals == 0) continue;  // not a cookie
      pairs.emplace_back(TrimSpaces(pair.substr(0, equals)), TrimSpaces(pair.substr(equals + 1)));
    }
  }
  std::unordered_map<std::string_view, size_t> last;
  for (size_t i = 0; i < pairs.size(); ++i) last[pairs[i].first] = i;
  std::string out = "{";
  for (size_t i = 0; i < pairs.size(); ++i) {
    if (last[pairs[i].first] != i) continue;
    if (out.size() > 1) out += ',';
    AppendJsonText(out, pairs[i].first);
    out += ':';
    AppendJsonText(out, pairs[i].second);
  }
  out += '}';
  return out;
}

}  // namespace agentbase::rest
