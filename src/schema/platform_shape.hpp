#pragma once
// What an existing database must look like before agentbase adds to it, and
// how a refusal is worded. `agentbase db push` (src/migrate/preflight.cpp) and
// the SQL-editor script (idempotent_sql.cpp) refuse the same shapes with the
// same words, so both build their messages here.

#include <string>
#include <vector>

namespace agentbase::schema {

// One refusal: what it is about, and why, in one line ("object: message").
struct ShapeProblem {
  std::string object;
  std::string message;
};

// The platform's own tables, created only together and only where none of
// them exists: alone, any one of them would leave the others' rows pointing
// at nothing (profiles.tenant_id into an empty tenants table).
const std::vector<std::string>& PlatformTables();

// `existing` is there but `missing` is not, so push will not create it.
ShapeProblem PartialPlatform(const std::string& existing, const std::string& missing);

// An existing column that by its name refers to rows of `missing`
// (public.agents.department_id while public.departments is absent): an empty
// new table would leave its values pointing nowhere.
ShapeProblem DanglingReference(const std::string& column, const std::string& missing);

// The column by which other tables refer to `qualified_table`'s rows, by the
// platform's naming: public.tenants -> tenant_id, public.agents -> agent_id.
std::string ReferenceColumnFor(const std::string& qualified_table);

// A table the five new tables refer to is absent (only the SQL-editor script
// meets this: push creates such tables where that is safe).
ShapeProblem MissingRequiredTable(const std::string& table);
ShapeProblem MissingRequiredColumn(const std::string& table, const std::string& column, const std::string& type);
ShapeProblem IncompatibleColumn(const std::string& table, const std::string& column, const std::string& existing_type,
                                const std::string& wanted_type);

}  // namespace agentbase::schema
