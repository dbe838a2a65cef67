#pragma once
// Reads one DDL statement into a SchemaObject: which object it creates, its
// identity, and the facts needed to compare it with the live catalog.

#include <string>

#include "schema/schema_object.hpp"
#include "util/result.hpp"

namespace agentbase::schema {

Result<SchemaObject> ParseStatement(const std::string& statement);

}  // namespace agentbase::schema
