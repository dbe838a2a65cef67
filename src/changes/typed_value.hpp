#pragma once
// A column's value, from PostgreSQL's text output to JSON typed as Supabase
// Realtime types it (its server applies to_jsonb to each value):
//  - int2, int4, int8, oid: numbers;
//  - float4, float8: numbers (NaN and the infinities stay strings, as to_jsonb
//    writes them);
//  - numeric: a number when a double holds it exactly (an integer within
//    int64, or at most 15 significant digits), otherwise the exact text as a
//    string, so no digit is ever lost;
//  - bool: true/false; json, jsonb: the parsed document;
//  - timestamp, timestamptz: ISO 8601 as to_jsonb writes it
//    ("2026-05-01T10:20:30.123+00:00");
//  - arrays (a type name starting with '_'): JSON arrays (nested for several
//    dimensions) of their elements, each typed by these rules; an array
//    literal we cannot read (explicit bounds, the box type's ';') stays text;
//  - everything else (text, uuid, date, bytea's hex form, ranges...): the text.
// Never throws on odd input: whatever cannot be typed stays a string.

#include <boost/json/value.hpp>
#include <cstdint>
#include <string_view>

namespace agentbase::changes {

boost::json::value TypedValue(std::string_view type_name, std::string_view text);

// Microseconds since 2000-01-01 UTC (a pgoutput timestamp) as Supabase's
// commit_timestamp: "2026-05-01T10:20:30.123Z".
std::string FormatCommitTimestamp(int64_t pg_micros);

}  // namespace agentbase::changes
