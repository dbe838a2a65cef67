#pragma once
// The filter of a postgres_changes binding, `column=op.value`, with the
// operators Supabase documents: eq, neq, lt, lte, gt, gte, and in
// (`column=in.(a,b,"c,d")`, at most 100 values). Others (like, ilike, is,
// not., several conditions) are refused with a message for the client.
//
// Evaluated on a change's typed JSON record, as PostgreSQL would compare the
// value cast to the column's type: numbers as numbers, booleans as booleans,
// json/jsonb as JSON values, anything else as text (uuid case-insensitively).
// A NULL or missing column matches nothing, as SQL comparisons with NULL
// are never true.

#include <boost/json/object.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "util/result.hpp"

namespace agentbase::realtime {

enum class FilterOp { kEq, kNeq, kLt, kLte, kGt, kGte, kIn };

struct Filter {
  std::string column;
  FilterOp op = FilterOp::kEq;
  std::vector<std::string> values;  // one, or in's list
};

inline constexpr size_t kMaxInValues = 100;

// Errors carry Supabase's wording: "Error parsing `filter` params: ...".
Result<Filter> ParseFilter(std::string_view text);

// Whether `record` passes. `column_type` is the column's pg_type.typname
// ("int4", "uuid", "jsonb", ...; empty when unknown).
bool FilterMatches(const Filter& filter, const boost::json::object& record, std::string_view column_type);

}  // namespace agentbase::realtime
