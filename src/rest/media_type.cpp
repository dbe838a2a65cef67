#include "rest/media_type.hpp"

#include <algorithm>
#include <string>
#include <vector>

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

// The plan media type's parameters: for="<media type>", options=a|b|c.
std::optional<BodyForm> PlanForm(std::string_view type, std::string_view parameters) {
  static const std::vector<std::string> kOptions = {"analyze", "verbose", "settings", "buffers", "wal"};
  BodyForm form;
  form.plan = BodyForm::Plan{type != "application/vnd.pgrst.plan+json", {}};
  for (const auto& parameter : Split(parameters, ';')) {
    std::string text = Trim(parameter);
    size_t equals = text.find('=');
    std::string name = ToLower(Trim(text.substr(0, equals)));
    std::string value = equals == std::string::npos ? "" : Trim(text.substr(equals + 1));
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"') value = value.substr(1, value.size() - 2);
    if (name == "for") {
      auto target = NegotiateBodyForm(value);
      if (!target || target->plan || target->csv) return std::nullopt;
      form.singular = target->singular;
    } else if (name == "options") {
      for (const auto& option : Split(value, '|')) {
        std::string lower = ToLower(Trim(option));
        if (std::find(kOptions.begin(), kOptions.end(), lower) == kOptions.end()) return std::nullopt;
        form.plan->options.push_back(lower);
      }
    }
  }
  return form;
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
    if (type == "application/vnd.pgrst.array+json")
      return BodyForm{false, HasNullsStripped(parameters), false, std::nullopt};
    if (type == kSingularMediaType) return BodyForm{true, HasNullsStripped(parameters), false, std::nullopt};
    if (type == "text/csv") return BodyForm{false, false, true, std::nullopt};
    if (type == "application/vnd.pgrst.object")
      return BodyForm{true, HasNullsStripped(parameters), false, std::nullopt};
    if (type == "application/vnd.pgrst.plan" || type == "application/vnd.pgrst.plan+json" ||
        type == "application/vnd.pgrst.plan+text") {
      return PlanForm(type, parameters);
    }
  }
  return std::nullopt;
}

}  // namespace agentbase::rest
