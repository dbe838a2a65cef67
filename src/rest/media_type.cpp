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

// The domain among `offered` that answers `type`: a "*/*" domain answers
// any, else the one named `type`.
const MediaTypeDomain* OfferedFor(std::span<const MediaTypeDomain> offered, std::string_view type) {
  for (const auto& domain : offered) {
    if (domain.media_type == "*/*") return &domain;
  }
  for (const auto& domain : offered) {
    if (domain.media_type == type) return &domain;
  }
  return nullptr;
}

BodyForm JsonForm(bool singular, bool strip_nulls) {
  BodyForm form;
  form.singular = singular;
  form.strip_nulls = strip_nulls;
  return form;
}

}  // namespace

std::optional<BodyForm> NegotiateBodyForm(std::optional<std::string_view> accept,
                                          std::span<const MediaTypeDomain> offered) {
  std::string_view ranges = accept && !TrimView(*accept).empty() ? *accept : "*/*";
  for (const auto& part : Split(ranges, ',')) {
    std::string_view range = part;
    size_t semicolon = range.find(';');
    std::string type = ToLower(Trim(range.substr(0, semicolon)));
    std::string_view parameters = semicolon == std::string_view::npos ? "" : range.substr(semicolon + 1);
    bool strip_nulls = HasNullsStripped(parameters);
    // PostgREST's own types, which no domain answers.
    if (type == kSingularMediaType || type == "application/vnd.pgrst.object") return JsonForm(true, strip_nulls);
    bool array = type == "application/vnd.pgrst.array+json" || type == "application/vnd.pgrst.array";
    if (array && strip_nulls) return JsonForm(false, true);
    if (type == "application/vnd.pgrst.plan" || type == "application/vnd.pgrst.plan+json" ||
        type == "application/vnd.pgrst.plan+text") {
      return PlanForm(type, parameters);
    }
    // Without nulls=stripped the array type is application/json, which a
    // domain of that name answers too.
    if (array) type = "application/json";
    if (const MediaTypeDomain* domain = OfferedFor(offered, type)) {
      BodyForm form;
      form.raw = *domain;
      return form;
    }
    if (type == "*/*" || type == "application/*" || type == "application/json") return BodyForm{};
    if (type == "text/csv") {
      BodyForm form;
      form.csv = true;
      return form;
    }
  }
  return std::nullopt;
}

}  // namespace agentbase::rest
