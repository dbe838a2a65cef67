#include "rest/prefer.hpp"

#include <array>
#include <utility>

#include "rest/postgrest_errors.hpp"
#include "util/text.hpp"

namespace agentbase::rest {

namespace {

template <class T, std::size_t N>
using TokenTable = std::array<std::pair<std::string_view, T>, N>;

constexpr TokenTable<PreferReturn, 3> kReturnTokens{{{"return=minimal", PreferReturn::kMinimal},
                                                     {"return=representation", PreferReturn::kRepresentation},
                                                     {"return=headers-only", PreferReturn::kHeadersOnly}}};
constexpr TokenTable<PreferCount, 3> kCountTokens{{{"count=exact", PreferCount::kExact},
                                                   {"count=planned", PreferCount::kPlanned},
                                                   {"count=estimated", PreferCount::kEstimated}}};
constexpr TokenTable<PreferResolution, 2> kResolutionTokens{
    {{"resolution=merge-duplicates", PreferResolution::kMergeDuplicates},
     {"resolution=ignore-duplicates", PreferResolution::kIgnoreDuplicates}}};
constexpr TokenTable<PreferMissing, 2> kMissingTokens{
    {{"missing=default", PreferMissing::kDefault}, {"missing=null", PreferMissing::kNull}}};
constexpr TokenTable<PreferHandling, 2> kHandlingTokens{
    {{"handling=strict", PreferHandling::kStrict}, {"handling=lenient", PreferHandling::kLenient}}};
constexpr TokenTable<PreferTransaction, 2> kTransactionTokens{
    {{"tx=commit", PreferTransaction::kCommit}, {"tx=rollback", PreferTransaction::kRollback}}};

constexpr std::string_view kTimezonePrefix = "timezone=";
constexpr std::string_view kMaxAffectedPrefix = "max-affected=";

// Sets `slot` from the table if the token is one of its entries and the slot
// is still empty (first one wins); true when the token belongs to the table.
template <class T, std::size_t N>
bool Match(std::string_view token, const TokenTable<T, N>& table, std::optional<T>& slot) {
  for (const auto& [text, value] : table) {
    if (token == text) {
      if (!slot) slot = value;
      return true;
    }
  }
  return false;
}

template <class T, std::size_t N>
void AppendToken(std::vector<std::string>& out, const TokenTable<T, N>& table, const std::optional<T>& slot) {
  if (!slot) return;
  for (const auto& [text, value] : table) {
    if (value == *slot) out.emplace_back(text);
  }
}

}  // namespace

Preferences ParsePreferences(const std::vector<std::string_view>& header_values) {
  Preferences prefs;
  bool seen_max_affected = false;
  for (std::string_view header : header_values) {
    // An empty header line contributes nothing; "a," contributes "a" and "".
    if (header.empty()) continue;
    std::size_t start = 0;
    for (;;) {
      std::size_t comma = header.find(',', start);
      std::string_view token =
          TrimView(header.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start));
      bool known = Match(token, kReturnTokens, prefs.representation) || Match(token, kCountTokens, prefs.count) ||
                   Match(token, kResolutionTokens, prefs.resolution) || Match(token, kMissingTokens, prefs.missing) ||
                   Match(token, kHandlingTokens, prefs.handling) || Match(token, kTransactionTokens, prefs.transaction);
      if (!known && StartsWith(token, kTimezonePrefix)) {
        known = true;
        if (!prefs.timezone) prefs.timezone = std::string(token.substr(kTimezonePrefix.size()));
      }
      if (!known && StartsWith(token, kMaxAffectedPrefix)) {
        known = true;
        // Only the first max-affected counts, even when it is not a number.
        if (!seen_max_affected) prefs.max_affected = ParseInt64(token.substr(kMaxAffectedPrefix.size()));
        seen_max_affected = true;
      }
      if (!known) prefs.invalid.emplace_back(token);
      if (comma == std::string_view::npos) break;
      start = comma + 1;
    }
  }
  return prefs;
}

Status CheckStrictPreferences(const Preferences& preferences) {
  if (preferences.handling != PreferHandling::kStrict || preferences.invalid.empty()) return Ok();
  return pgrst::InvalidPreferences(preferences.invalid);
}

Result<Preferences> ParsePreferHeaders(const std::vector<std::string_view>& header_values) {
  Preferences prefs = ParsePreferences(header_values);
  if (auto status = CheckStrictPreferences(prefs); !status) return status.error();
  return prefs;
}

std::vector<std::string> AppliedPreferenceTokens(const Preferences& preferences) {
  std::vector<std::string> out;
  AppendToken(out, kResolutionTokens, preferences.resolution);
  AppendToken(out, kMissingTokens, preferences.missing);
  AppendToken(out, kReturnTokens, preferences.representation);
  AppendToken(out, kCountTokens, preferences.count);
  AppendToken(out, kTransactionTokens, preferences.transaction);
  AppendToken(out, kHandlingTokens, preferences.handling);
  if (preferences.timezone) out.push_back(std::string(kTimezonePrefix) + *preferences.timezone);
  if (preferences.handling == PreferHandling::kStrict && preferences.max_affected) {
    out.push_back(std::string(kMaxAffectedPrefix) + std::to_string(*preferences.max_affected));
  }
  return out;
}

std::string PreferenceAppliedValue(const Preferences& preferences) {
  return Join(AppliedPreferenceTokens(preferences), ", ");
}

}  // namespace agentbase::rest
