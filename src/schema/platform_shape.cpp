#include "schema/platform_shape.hpp"

#include <fmt/format.h>

namespace agentbase::schema {

namespace {

std::string Unqualified(const std::string& qualified) {
  auto dot = qualified.find('.');
  return dot == std::string::npos ? qualified : qualified.substr(dot + 1);
}

// What goes wrong for existing users when one platform table is created
// empty beside the others.
std::string ConsequenceOfEmpty(const std::string& existing, const std::string& missing) {
  if (missing == "public.tenants") {
    return fmt::format(
        "{}.tenant_id would reference an empty tenants table, so no existing user could create a "
        "conversation or a memory",
        existing);
  }
  if (missing == "public.profiles") {
    return "no existing user would have a profile, and the new tables find a user's tenant through profiles, so no "
           "existing user could create a conversation or a memory";
  }
  return "conversations and agent_tools would refer to an empty agents table, so no existing agent could be given "
         "tools or conversations";
}

}  // namespace

const std::vector<std::string>& PlatformTables() {
  static const std::vector<std::string> tables = {"public.tenants", "public.profiles", "public.agents"};
  return tables;
}

ShapeProblem PartialPlatform(const std::string& existing, const std::string& missing) {
  return {missing, fmt::format("{} exists but {} does not: {}; agentbase creates tenants, profiles and agents only "
                               "together, on a database that has none of them",
                               existing, missing, ConsequenceOfEmpty(existing, missing))};
}

ShapeProblem DanglingReference(const std::string& column, const std::string& missing) {
  return {missing, fmt::format("{} exists but {} does not: an empty {} table would leave the values of {} pointing "
                               "at rows that do not exist; create {} with its rows first",
                               column, missing, Unqualified(missing), column, missing)};
}

std::string ReferenceColumnFor(const std::string& qualified_table) {
  std::string name = Unqualified(qualified_table);
  if (!name.empty() && name.back() == 's') name.pop_back();
  return name + "_id";
}

ShapeProblem MissingRequiredTable(const std::string& table) {
  return {table,
          "required table is missing: the new tables refer to it (`agentbase db push` creates it where an "
          "empty one cannot break existing rows)"};
}

ShapeProblem MissingRequiredColumn(const std::string& table, const std::string& column, const std::string& type) {
  return {table + "." + column,
          fmt::format("required column is missing: the new tables need {}.{} of type {}", table, column, type)};
}

ShapeProblem IncompatibleColumn(const std::string& table, const std::string& column, const std::string& existing_type,
                                const std::string& wanted_type) {
  return {table + "." + column,
          fmt::format("is {}, but the new tables need {}: their foreign keys and policies compare it with {} values",
                      existing_type, wanted_type, wanted_type)};
}

}  // namespace agentbase::schema
