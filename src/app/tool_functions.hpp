#pragma once
// Agents' tools on /rest/v1 (database/schema/90_tools.sql): every write of an
// agent's tool config, or of a tool's schemas, is validated against the
// tool's JSON Schema before COMMIT; test_tool_call's arguments are
// validated against the tool's input schema here, and the database records
// the outcome.

#include "rest/rest_api.hpp"
#include "tools/tool_config.hpp"

namespace agentbase::app {

// `schemas` must outlive `rest`'s requests.
void InstallToolFunctions(rest::RestApi& rest, tools::SchemaCache& schemas);

}  // namespace agentbase::app
