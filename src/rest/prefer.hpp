#pragma once
// The Prefer request header (RFC 7240) as PostgREST reads it.
//
// Values arrive joined by ", " (supabase-js uses Headers.append) and may also
// be split over several header lines; every token is trimmed and matched
// exactly (case-sensitive). If a preference repeats, the first one wins.
// Unrecognised tokens are ignored, unless handling=strict, which turns them
// into a PGRST122 error.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/result.hpp"

namespace agentbase::rest {

enum class PreferReturn { kMinimal, kRepresentation, kHeadersOnly };  // return=
enum class PreferCount { kExact, kPlanned, kEstimated };              // count=
enum class PreferResolution { kMergeDuplicates, kIgnoreDuplicates };  // resolution=
enum class PreferMissing { kDefault, kNull };                         // missing=
enum class PreferHandling { kStrict, kLenient };                      // handling=
enum class PreferTransaction { kCommit, kRollback };                  // tx=

struct Preferences {
  std::optional<PreferReturn> representation;
  std::optional<PreferCount> count;
  std::optional<PreferResolution> resolution;
  std::optional<PreferMissing> missing;
  std::optional<PreferHandling> handling;
  // Parsed whatever the configuration says; when transaction ends may not be
  // overridden (PostgREST's db-tx-end without "-allow-override"), the caller
  // resets this before acting on it or echoing it.
  std::optional<PreferTransaction> transaction;
  // timezone=<name>: taken as sent; Postgres validates it in set_config.
  std::optional<std::string> timezone;
  // max-affected=<n>; a value that is not an integer leaves this empty.
  std::optional<std::int64_t> max_affected;
  // Unrecognised tokens as sent (trimmed), e.g. "count=exact2" or "".
  std::vector<std::string> invalid;
};

// Never fails: unknown tokens go to `invalid`.
Preferences ParsePreferences(const std::vector<std::string_view>& header_values);

// PGRST122 "Invalid preferences given with handling=strict" when
// handling=strict and some token was not recognised.
Status CheckStrictPreferences(const Preferences& preferences);

// ParsePreferences followed by CheckStrictPreferences.
Result<Preferences> ParsePreferHeaders(const std::vector<std::string_view>& header_values);

// The recognised preferences as Prefer tokens, in the order PostgREST lists
// them in Preference-Applied: resolution, missing, return, count, tx,
// handling, timezone, and max-affected only under handling=strict. The
// response stage drops those it did not honour before joining them.
std::vector<std::string> AppliedPreferenceTokens(const Preferences& preferences);

// AppliedPreferenceTokens joined by ", "; empty when there are none (then no
// Preference-Applied header is sent).
std::string PreferenceAppliedValue(const Preferences& preferences);

}  // namespace agentbase::rest
