#include "rest/url_decode.hpp"

#include "util/percent_decode.hpp"

namespace agentbase::rest {

std::vector<RawParam> SplitQueryString(std::string_view query) {
  std::vector<RawParam> params;
  if (!query.empty() && query.front() == '?') query.remove_prefix(1);
  while (!query.empty()) {
    std::size_t end = query.find_first_of("&;");
    std::string_view piece = query.substr(0, end);
    query = end == std::string_view::npos ? std::string_view{} : query.substr(end + 1);
    RawParam param;
    std::size_t eq = piece.find('=');
    param.key = PercentDecodeLenient(piece.substr(0, eq), true);
    if (eq != std::string_view::npos) param.value = PercentDecodeLenient(piece.substr(eq + 1), true);
    params.push_back(std::move(param));
  }
  return params;
}

}  // namespace agentbase::rest
