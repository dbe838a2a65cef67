#include "rest/media_type.hpp"

#include <string>

#include "util/text.hpp"

namespace agentbase::rest {

namespace {

// `nulls=stripped` among a media type's parameters (after its first ';').
bool HasNullsStripped(std::string_view parameters) {
  for (const auto& parameter : Split(parameters, ';')) {
    if (ToLower(Trim(parameter)) == "nulls=stripped") return true;
  }
  return false;
}

}  // namespace

std::optional<BodyForm> NegotiateBodyForm(std::optional<std::string_view> accept) {
  if (!accept || TrimView(*accept).empty()) return BodyForm{};
  for (const auto& part : Split(*accept, ',')) {
    std::string_view range = part;
    size_t semicolon = range.find(';');
    std::string type = ToLower(Trim(range.substr(0, semicolon)));
    std::string_view parameters = semicolon == std::string_view::npos ? "" : range.substr(semicolon + 1);
    if (type == "*/*" || type == "application/*" || type == "application/json") return BodyForm{};
    if (type == "application/vnd.pgrst.array+json") return BodyForm{false, HasNullsStripped(parameters)};
    if (type == kSingularMediaType) return BodyForm{true, HasNullsStripped(parameters)};
    if (type == "text/csv") return BodyForm{false, false, true};
  }
  return std::nullopt;
}

}  // namespace agentbase::rest
