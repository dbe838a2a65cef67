#pragma once
// Content negotiation: which body form an Accept header asks for, among the
// media types PostgREST answers for tables and functions:
//   application/json, application/*, */* (or no Accept)  JSON array
//   application/vnd.pgrst.array+json[;nulls=stripped]      JSON array
//   application/vnd.pgrst.object+json[;nulls=stripped]     one JSON object
//   text/csv                                               CSV
//   application/vnd.pgrst.plan[+json|+text][;for=..][;options=a|b]  the EXPLAIN
// and, for a function that returns a media-type domain (`offered`,
// media_type_domain.hpp), that domain's type: its value as it is. As in
// PostgREST, a "*/*" domain answers any type but PostgREST's own
// (application/vnd.pgrst.*) and a domain named like a type answers that
// type, both before the built-in forms; a missing Accept is */*.
// The first listed type we can answer wins (quality values are not
// weighed); none at all is PostgREST's 406 PGRST107.

#include <optional>
#include <span>
#include <string_view>

#include "rest/response.hpp"

namespace agentbase::rest {

inline constexpr std::string_view kSingularMediaType = "application/vnd.pgrst.object+json";

std::optional<BodyForm> NegotiateBodyForm(std::optional<std::string_view> accept,
                                          std::span<const MediaTypeDomain> offered = {});

}  // namespace agentbase::rest
