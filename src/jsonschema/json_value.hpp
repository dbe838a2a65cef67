#pragma once
// JSON values as JSON Schema sees them: equality (enum, const, uniqueItems)
// compares numbers by value (1, 1.0 and 1 as uint64 are equal) and objects
// regardless of member order; a hash consistent with it; "integer" as any
// number without a fraction. The recursive functions here go as deep as the
// values do: the validator bounds that first (kMaxInstanceDepth,
// kMaxSchemaDepth).

#include <boost/json/value.hpp>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace agentbase::jsonschema::detail {

// The validation steps (kMaxValidationSteps) reading `bytes` bytes of a
// string costs: one per kBytesPerStep, at least one.
inline constexpr std::size_t kBytesPerStep = 64;
inline std::uint64_t StepsForBytes(std::size_t bytes) { return 1 + bytes / kBytesPerStep; }
// The steps reading one value costs, without its members or items.
std::uint64_t StepsFor(const boost::json::value& value);

// Whether `a` and `b` are equal as JSON Schema defines it. Adds the steps of
// the values it reads to `steps`.
bool JsonEqual(const boost::json::value& a, const boost::json::value& b, std::uint64_t& steps);

// Equal values hash alike. Adds the steps of the values it reads to `steps`.
std::uint64_t JsonHash(const boost::json::value& value, std::uint64_t& steps);

// An integer, or a double with no fraction (1.0).
bool IsIntegral(const boost::json::value& value);

// The number as a long double: exact for every int64 and uint64 on x86-64
// (64-bit mantissa) and arm64 (quad precision).
long double NumberValue(const boost::json::value& value);

// Unicode code points in UTF-8 `text` (bytes that do not continue a sequence).
std::size_t CodePoints(std::string_view text);

// Appends "/" and `token` escaped as RFC 6901 says ("~" as "~0", "/" as "~1").
void AppendPointerToken(std::string& pointer, std::string_view token);

// `text` cut to about `max_bytes` (at a UTF-8 character boundary), with
// "..." when longer.
std::string Shorten(std::string_view text, std::size_t max_bytes);

// `value` as JSON, cut to about `max_bytes` with "..." when longer.
std::string Abbreviate(const boost::json::value& value, std::size_t max_bytes);

// `text` as a JSON string literal, cut to about `max_bytes` with "..." when
// longer, and ill-formed UTF-8 replaced.
std::string QuoteAbbreviated(std::string_view text, std::size_t max_bytes);

}  // namespace agentbase::jsonschema::detail
