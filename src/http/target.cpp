#include "http/target.hpp"

namespace agentbase::http {

namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

Result<std::string> PercentDecode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out.push_back(text[i]);
      continue;
    }
    int high = i + 2 < text.size() ? HexValue(text[i + 1]) : -1;
    int low = i + 2 < text.size() ? HexValue(text[i + 2]) : -1;
    if (high < 0 || low < 0) return Error::Make("malformed percent-escape in the request path", "target");
    out.push_back(static_cast<char>(high * 16 + low));
    i += 2;
  }
  return out;
}

Result<Target> ParseTarget(std::string_view target) {
  if (target.empty()) return Error::Make("empty request target", "target");
  if (target == "*") return Target{"*", {}};
  if (target.front() != '/') {
    // absolute-form, sent to proxies but valid for origin servers too (RFC 9112 3.2.2)
    size_t scheme_end = target.find("://");
    if (scheme_end == std::string_view::npos) return Error::Make("malformed request target", "target");
    size_t path_start = target.find_first_of("/?", scheme_end + 3);
    if (path_start == std::string_view::npos) return Target{"/", {}};
    if (target[path_start] == '?') return Target{"/", std::string(target.substr(path_start + 1))};
    target = target.substr(path_start);
  }
  size_t question = target.find('?');
  std::string_view raw_path = target.substr(0, question);
  auto path = PercentDecode(raw_path);
  if (!path) return path.error();
  if (path->find('\0') != std::string::npos) return Error::Make("NUL byte in the request path", "target");
  Target result;
  result.path = std::move(path.value());
  if (question != std::string_view::npos) result.query = std::string(target.substr(question + 1));
  return result;
}

}  // namespace agentbase::http
