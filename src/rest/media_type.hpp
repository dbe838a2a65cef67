#pragma once
// Content negotiation: which body form an Accept header asks for, among the
// media types PostgREST answers for tables and functions:
//   application/json, application/*, */* (or no Accept)  JSON array
//   application/vnd.pgrst.array+json[;nulls=stripped]      JSON array
//   application/vnd.pgrst.object+json[;nulls=stripped]     one JSON object
//   text/csv                                               CSV
//   application/vnd.pgrst.plan[+json|+text][;for=..][;options=a|b]  the EXPLAIN
// The first listed type we can answer wins (quality values are not
// weighed); none at all is PostgREST's 406 PGRST107.

#include <optional>
#include <string_view>

#include "rest/response.hpp"

namespace agentbase::rest {

inline constexpr std::string_view kSingularMediaType = "application/vnd.pgrst.object+json";

std::optional<BodyForm> NegotiateBodyForm(std::optional<std::string_view> accept);

}  // namespace agentbase::rest
