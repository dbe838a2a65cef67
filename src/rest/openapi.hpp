#pragma once
// GET /rest/v1/: an OpenAPI (Swagger 2.0, as PostgREST serves) description
// of the exposed tables, views and functions, built from the schema cache.

#include <string>

#include "http/message.hpp"
#include "rest/schema_cache.hpp"

namespace agentbase::rest {

std::string OpenApiDocument(const SchemaCache& cache, const http::Request& request);

}  // namespace agentbase::rest
