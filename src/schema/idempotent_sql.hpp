#pragma once
// Renders the ensure-mode schema as one SQL script that can be pasted into
// Supabase's SQL editor and run any number of times: every statement is
// written in a form that does nothing when its object exists.
// database/sql/add_missing_tables.sql is this rendering.

#include <string>
#include <vector>

#include "schema/sql_source.hpp"
#include "util/result.hpp"

namespace agentbase::schema {

Result<std::string> RenderIdempotentSql(const std::vector<SqlFile>& files, int embedding_dimensions = 1536);

}  // namespace agentbase::schema
