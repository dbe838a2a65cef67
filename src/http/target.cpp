#include "http/target.hpp"

#include "util/percent_decode.hpp"
#include "util/utf8.hpp"

namespace agentbase::http {

Result<Target> ParseTarget(std::string_view target) {
  if (target.empty()) return Error::InvalidInput("empty request target", "target");
  if (target == "*") return Target{"*", {}};
  if (target.front() != '/') {
    // absolute-form, sent to proxies but valid for origin servers too (RFC 9112 3.2.2)
    size_t scheme_end = target.find("://");
    if (scheme_end == std::string_view::npos) return Error::InvalidInput("malformed request target", "target");
    size_t path_start = target.find_first_of("/?", scheme_end + 3);
    if (path_start == std::string_view::npos) return Target{"/", {}};
    if (target[path_start] == '?') return Target{"/", std::string(target.substr(path_start + 1))};
    target = target.substr(path_start);
  }
  size_t question = target.find('?');
  std::string_view raw_path = target.substr(0, question);
  auto path = PercentDecodeStrict(raw_path);
  if (!path) return Error::InvalidInput("malformed percent-escape in the request path", "target");
  if (HasNulByte(*path)) return Error::InvalidInput("NUL byte in the request path", "target");
  Target result;
  result.path = std::move(path.value());
  if (question != std::string_view::npos) result.query = std::string(target.substr(question + 1));
  return result;
}

}  // namespace agentbase::http
