#include "migrate/planner.hpp"

#include <set>

#include "migrate/preflight.hpp"
#include "util/text.hpp"

namespace agentbase::migrate {

using schema::Mode;
using schema::ObjectKind;
using schema::SchemaObject;

std::string Plan::Script() const {
  std::string script;
  for (const auto& step : steps) script += step.sql + ";\n";
  return script;
}

namespace {

// The SQL that swaps an object agentbase created for its new definition.
std::string ReplaceSql(const SchemaObject& object) {
  std::string table = object.schema + "." + QuoteIdent(object.table);
  switch (object.kind) {
    case ObjectKind::Function:
      return ReplaceAll(object.head, "CREATE FUNCTION", "CREATE OR REPLACE FUNCTION") + object.name + object.tail;
    case ObjectKind::Policy: return "DROP POLICY " + QuoteIdent(object.name) + " ON " + table + ";\n" + object.Sql();
    case ObjectKind::Trigger: return "DROP TRIGGER " + QuoteIdent(object.name) + " ON " + table + ";\n" + object.Sql();
    case ObjectKind::Index: return "DROP INDEX " + object.schema + "." + QuoteIdent(object.name) + ";\n" + object.Sql();
    case ObjectKind::Constraint:
      return "ALTER TABLE " + table + " DROP CONSTRAINT " + QuoteIdent(object.name) + ";\n" + object.Sql();
    default: return "";
  }
}

class Planner {
 public:
  Planner(const schema::DesiredSchema& desired, const Catalog& catalog, Prober& prober)
      : desired_(desired), catalog_(catalog), prober_(prober) {
    for (const auto& entry : catalog.history) {
      ours_.insert(entry.created_tables.begin(), entry.created_tables.end());
    }
    if (const auto* latest = catalog.LatestHistory()) {
      recorded_ = &latest->fingerprints;
      same_schema_as_recorded_ = latest->checksum == desired.checksum;
    }
  }

  Result<Plan> Build() {
    for (const auto& object : desired_.objects) {
      if (auto visited = Visit(object); !visited) return visited.error();
    }
    plan_.preflight = CheckPreflight(desired_, catalog_, plan_);
    return std::move(plan_);
  }

 private:
  Status Visit(const SchemaObject& object) {
    if (object.kind == ObjectKind::Table) return VisitTable(object);
    if (object.mode == Mode::IfAbsent && object.BelongsToTable()) {
      // Parts of the user's own tables are theirs: leave them as they are.
      if (!ours_.count(object.QualifiedTable())) {
        plan_.left_alone.push_back(object.Key());
        return Ok();
      }
    }
    if (!catalog_.Has(object)) {
      plan_.steps.push_back({StepAction::Create, &object, object.Sql(), "missing"});
      return Ok();
    }
    if (object.mode == Mode::IfAbsent) {
      ++plan_.satisfied;
      return Ok();
    }
    return Compare(object);
  }

  Status VisitTable(const SchemaObject& table) {
    if (!catalog_.Has(table)) {
      plan_.steps.push_back({StepAction::Create, &table, table.Sql(), "missing"});
      plan_.created_tables.push_back(table.QualifiedTable());
      ours_.insert(table.QualifiedTable());
      return Ok();
    }
    ++plan_.satisfied;
    if (table.mode == Mode::IfAbsent && !ours_.count(table.QualifiedTable())) return Ok();
    for (const auto& part : table.parts) {
      if (auto visited = Visit(part); !visited) return visited;
    }
    return Ok();
  }

  // The object exists; is it what the schema wants?
  Status Compare(const SchemaObject& object) {
    if (object.kind == ObjectKind::Column) return CompareColumn(object);
    std::string current = catalog_.Fingerprint(object);
    std::string recorded;
    if (recorded_) {
      auto it = recorded_->find(object.Key());
      if (it != recorded_->end()) recorded = it->second;
    }
    // Unchanged since a push of this very schema: nothing to compare.
    if (same_schema_as_recorded_ && !recorded.empty() && recorded == current) {
      ++plan_.satisfied;
      return Ok();
    }
    auto wanted = prober_.DesiredFingerprint(object);
    if (!wanted) {
      return Error::Make("cannot compare " + object.Key() + " with the schema: " + wanted.error().message,
                         wanted.error().code);
    }
    if (*wanted == current) {
      ++plan_.satisfied;
      return Ok();
    }
    std::string replace = ReplaceSql(object);
    if (!recorded.empty() && recorded == current && !replace.empty()) {
      plan_.steps.push_back({StepAction::Replace, &object, replace, "definition changed in the schema"});
      return Ok();
    }
    std::string why = recorded.empty() ? "exists with a different definition"
                                       : "was changed after agentbase created it";
    plan_.conflicts.push_back({object.Key(), why, "existing: " + current + "\nwanted:   " + *wanted});
    return Ok();
  }

  Status CompareColumn(const SchemaObject& column) {
    const auto& table = catalog_.tables.at(column.QualifiedTable());
    auto wanted = catalog_.type_oids.find(column.column_type);
    long long existing = table.column_type_oids.at(column.name);
    if (wanted != catalog_.type_oids.end() && wanted->second != 0 && wanted->second != existing) {
      plan_.conflicts.push_back({column.Key(), "exists with another type",
                                 "existing: " + table.column_types.at(column.name) + "\nwanted:   " +
                                     column.column_type});
      return Ok();
    }
    ++plan_.satisfied;
    return Ok();
  }

  const schema::DesiredSchema& desired_;
  const Catalog& catalog_;
  Prober& prober_;
  Plan plan_;
  std::set<std::string> ours_;  // tables agentbase created (before or now)
  const std::map<std::string, std::string>* recorded_ = nullptr;
  bool same_schema_as_recorded_ = false;
};

}  // namespace

Result<Plan> BuildPlan(const schema::DesiredSchema& desired, const Catalog& catalog, Prober& prober) {
  return Planner(desired, catalog, prober).Build();
}

}  // namespace agentbase::migrate
