#include "rest/headers_json.hpp"

#include <string_view>
#include <unordered_map>

#include "util/text.hpp"
#include "util/utf8.hpp"

namespace agentbase::rest {

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
    // PostgreSQL refuses a setting that is not valid UTF-8 (22021) and the
    // request with it, so a stray byte is replaced, never passed on.
    if (IsValidUtf8(value)) {
      AppendJsonString(out, value);
    } else {
      AppendJsonString(out, ReplaceInvalidUtf8(value));
    }
  }
  out += '}';
  return out;
}

}  // namespace agentbase::rest
