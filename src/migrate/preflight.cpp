#include "migrate/preflight.hpp"

#include <regex>
#include <set>

#include "schema/platform_shape.hpp"
#include "util/text.hpp"

namespace agentbase::migrate {

using schema::ObjectKind;

namespace {

Problem ToProblem(const schema::ShapeProblem& shape) { return {shape.object, shape.message, ""}; }

void CheckRequirements(const schema::DesiredSchema& desired, const Catalog& catalog,
                       const std::set<std::string>& created, std::vector<Problem>& problems) {
  for (const auto& requirement : desired.requirements) {
    std::string table = requirement.schema + "." + requirement.table;
    if (created.count(table)) continue;  // agentbase creates it, as required
    auto found = catalog.tables.find(table);
    if (found == catalog.tables.end()) {
      problems.push_back(ToProblem(schema::MissingRequiredTable(table)));
      continue;
    }
    for (const auto& column : requirement.columns) {
      auto existing = found->second.column_type_oids.find(column.name);
      if (existing == found->second.column_type_oids.end()) {
        problems.push_back(ToProblem(schema::MissingRequiredColumn(table, column.name, column.type)));
        continue;
      }
      auto wanted = catalog.type_oids.find(column.type);
      if (wanted != catalog.type_oids.end() && wanted->second != existing->second) {
        problems.push_back(ToProblem(
            schema::IncompatibleColumn(table, column.name, found->second.column_types.at(column.name), column.type)));
      }
    }
  }
}

// The existing platform's tables (if-absent files) are created only where an
// empty one cannot break what is there: tenants, profiles and agents only all
// together, and each of them (tools, departments and messages too) only when
// no existing column in public refers to its rows by name. (The seed's five
// tables have their own rule: an existing one is completed, never replaced.)
void CheckPlatformShape(const schema::DesiredSchema& desired, const Catalog& catalog,
                        const std::set<std::string>& created, std::vector<Problem>& problems) {
  std::set<std::string> reported;
  const auto& platform = schema::PlatformTables();
  for (const auto& missing : platform) {
    if (!created.count(missing)) continue;
    for (const auto& existing : platform) {
      if (catalog.HasTable(existing)) {
        problems.push_back(ToProblem(schema::PartialPlatform(existing, missing)));
        reported.insert(missing);
      }
    }
  }
  for (const auto& object : desired.objects) {
    if (object.kind != ObjectKind::Table || object.mode != schema::Mode::IfAbsent) continue;
    std::string missing = object.QualifiedTable();
    if (!created.count(missing) || reported.count(missing) || !StartsWith(missing, "public.")) continue;
    std::string column = schema::ReferenceColumnFor(missing);
    for (const auto& [table, facts] : catalog.tables) {
      if (!StartsWith(table, "public.") || !facts.column_types.count(column)) continue;
      problems.push_back(ToProblem(schema::DanglingReference(table + "." + column, missing)));
    }
  }
}

// Tables a step references through FOREIGN KEY ... REFERENCES schema.table.
std::vector<std::string> ReferencedTables(const std::string& sql) {
  static const std::regex references(R"(REFERENCES\s+([a-z_][a-z0-9_]*)\.([a-z_][a-z0-9_]*))", std::regex::icase);
  std::vector<std::string> tables;
  for (std::sregex_iterator it(sql.begin(), sql.end(), references), end; it != end; ++it) {
    tables.push_back((*it)[1].str() + "." + (*it)[2].str());
  }
  return tables;
}

void CheckPrivileges(const Catalog& catalog, const Plan& plan, const std::set<std::string>& created_tables,
                     std::vector<Problem>& problems) {
  if (catalog.superuser) return;
  std::set<std::string> created_schemas;
  std::set<std::string> reported;
  auto report = [&](const std::string& object, const std::string& message) {
    if (reported.insert(object + message).second) {
      problems.push_back({object, message, "connected as " + catalog.current_user});
    }
  };
  for (const auto& step : plan.steps) {
    if (step.action != StepAction::Create) continue;
    const auto& object = *step.object;
    switch (object.kind) {
      case ObjectKind::Role:
        if (!catalog.can_create_role) report("role " + object.name, "the connecting role may not create roles");
        break;
      case ObjectKind::Schema:
      case ObjectKind::Extension:
        if (object.kind == ObjectKind::Schema) created_schemas.insert(object.name);
        if (object.kind == ObjectKind::Schema && !catalog.can_create_schema) {
          report("schema " + object.name, "the connecting role may not create schemas in this database");
        }
        break;
      case ObjectKind::Publication:
        if (!catalog.can_create_schema) {
          report("publication " + object.name, "the connecting role may not create publications in this database");
        }
        break;
      case ObjectKind::Table:
      case ObjectKind::Function: {
        auto schema = catalog.schemas.find(object.schema);
        bool can_create = created_schemas.count(object.schema) || (schema != catalog.schemas.end() && schema->second);
        if (!can_create) report("schema " + object.schema, "the connecting role may not create objects here");
        break;
      }
      default:
        if (object.BelongsToTable() && !created_tables.count(object.QualifiedTable())) {
          auto table = catalog.tables.find(object.QualifiedTable());
          if (table != catalog.tables.end() && !table->second.owned) {
            report("table " + object.QualifiedTable(),
                   "the connecting role does not own this table, so it cannot add to it");
          }
        }
        break;
    }
    for (const auto& referenced : ReferencedTables(step.sql)) {
      if (created_tables.count(referenced)) continue;
      auto table = catalog.tables.find(referenced);
      if (table != catalog.tables.end() && !table->second.can_reference) {
        report("table " + referenced, "the connecting role may not reference this table (REFERENCES privilege)");
      }
    }
  }
}

}  // namespace

std::vector<Problem> CheckPreflight(const schema::DesiredSchema& desired, const Catalog& catalog, const Plan& plan) {
  std::vector<Problem> problems;
  std::set<std::string> created(plan.created_tables.begin(), plan.created_tables.end());
  CheckPlatformShape(desired, catalog, created, problems);
  CheckRequirements(desired, catalog, created, problems);
  CheckPrivileges(catalog, plan, created, problems);
  return problems;
}

}  // namespace agentbase::migrate
