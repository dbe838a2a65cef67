#include "migrate/planner.hpp"

#include <set>

#include "migrate/preflight.hpp"
#include "util/text.hpp"

namespace agentbase::migrate {

using schema::Mode;
using schema::ObjectKind;
using schema::SchemaObject;

bool Plan::HasPendingComparisons() const {
  for (const auto& step : steps) {
    if (step.action == StepAction::Compare) return true;
  }
  return false;
}

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
    case ObjectKind::Function: return object.ReplaceFunctionSql();
    case ObjectKind::StorageParameter: return object.Sql();  // SET overwrites the old value
    case ObjectKind::Policy: return "DROP POLICY " + QuoteIdent(object.name) + " ON " + table + ";\n" + object.Sql();
    case ObjectKind::Trigger: return "DROP TRIGGER " + QuoteIdent(object.name) + " ON " + table + ";\n" + object.Sql();
    case ObjectKind::Index: return "DROP INDEX " + object.schema + "." + QuoteIdent(object.name) + ";\n" + object.Sql();
    case ObjectKind::Constraint:
      return "ALTER TABLE " + table + " DROP CONSTRAINT " + QuoteIdent(object.name) + ";\n" + object.Sql();
    default: return "";
  }
}

// The object's definition as the latest push recorded it ("" if none).
std::string RecordedFingerprint(const Catalog& catalog, const SchemaObject& object) {
  const auto* latest = catalog.LatestHistory();
  if (latest == nullptr) return "";
  auto it = latest->fingerprints.find(object.Key());
  return it == latest->fingerprints.end() ? "" : it->second;
}

class Planner {
 public:
  Planner(const schema::DesiredSchema& desired, const Catalog& catalog) : desired_(desired), catalog_(catalog) {
    for (const auto& entry : catalog.history) {
      ours_.insert(entry.created_tables.begin(), entry.created_tables.end());
    }
    const auto* latest = catalog.LatestHistory();
    same_schema_as_recorded_ = latest != nullptr && latest->checksum == desired.checksum;
  }

  Plan Build() {
    for (const auto& object : desired_.objects) Visit(object);
    plan_.preflight = CheckPreflight(desired_, catalog_, plan_);
    return std::move(plan_);
  }

 private:
  // Parts of tables agentbase created are compared like ensured objects even
  // in if-absent files, so that a newer schema's policies and triggers
  // replace the ones an older push created there.
  void Visit(const SchemaObject& object) {
    if (object.kind == ObjectKind::Table) return VisitTable(object);
    if (object.kind == ObjectKind::Backfill) return VisitBackfill(object);
    if (object.mode == Mode::IfAbsent && object.BelongsToTable() && !ours_.count(object.QualifiedTable())) {
      // Parts of the user's own tables are theirs: leave them as they are.
      plan_.left_alone.push_back(object.Key());
      return;
    }
    if (!catalog_.Has(object)) {
      plan_.steps.push_back({StepAction::Create, &object, object.Sql(), "missing"});
      created_.insert(object.Key());
      ++plan_.objects_missing;
      return;
    }
    ++plan_.objects_present;
    if (object.mode == Mode::IfAbsent && !object.BelongsToTable()) {
      ++plan_.satisfied;
    } else if (object.kind == ObjectKind::Column) {
      CompareColumn(object);
    } else {
      CompareLater(object);
    }
  }

  void VisitTable(const SchemaObject& table) {
    if (!catalog_.Has(table)) {
      plan_.steps.push_back({StepAction::Create, &table, table.Sql(), "missing"});
      plan_.objects_missing += 1 + static_cast<int>(table.parts.size());
      plan_.created_tables.push_back(table.QualifiedTable());
      ours_.insert(table.QualifiedTable());
      created_.insert(table.Key());
      for (const auto& part : table.parts) created_.insert(part.Key());
      return;
    }
    ++plan_.satisfied;
    ++plan_.objects_present;
    if (table.mode == Mode::IfAbsent && !ours_.count(table.QualifiedTable())) return;
    for (const auto& part : table.parts) Visit(part);
  }

  // A backfill runs only in the push that creates its anchor; it is not an
  // object of the database, so it is not counted.
  void VisitBackfill(const SchemaObject& backfill) {
    if (!created_.count(backfill.anchor)) return;
    plan_.steps.push_back({StepAction::Create, &backfill, backfill.Sql(), "rows from before " + backfill.anchor});
  }

  void CompareLater(const SchemaObject& object) {
    // Unchanged since a push of this very schema: nothing to compare.
    std::string recorded = RecordedFingerprint(catalog_, object);
    if (same_schema_as_recorded_ && !recorded.empty() && recorded == catalog_.Fingerprint(object)) {
      ++plan_.satisfied;
      return;
    }
    plan_.steps.push_back({StepAction::Compare, &object, "", "exists"});
  }

  void CompareColumn(const SchemaObject& column) {
    const auto& table = catalog_.tables.at(column.QualifiedTable());
    auto wanted = catalog_.type_oids.find(column.column_type);
    long long existing = table.column_type_oids.at(column.name);
    if (wanted != catalog_.type_oids.end() && wanted->second != 0 && wanted->second != existing) {
      plan_.conflicts.push_back(
          {column.Key(), "exists with another type",
           "existing: " + table.column_types.at(column.name) + "\nwanted:   " + column.column_type});
      return;
    }
    ++plan_.satisfied;
  }

  const schema::DesiredSchema& desired_;
  const Catalog& catalog_;
  Plan plan_;
  std::set<std::string> ours_;     // tables agentbase created (before or now)
  std::set<std::string> created_;  // keys of the objects this plan creates
  bool same_schema_as_recorded_ = false;
};

}  // namespace

Plan BuildPlan(const schema::DesiredSchema& desired, const Catalog& catalog) {
  return Planner(desired, catalog).Build();
}

namespace {

// Decides a Compare step now that everything before it exists.
Status ResolveComparison(Step& step, const Catalog& catalog, Prober& prober, Plan& plan) {
  const SchemaObject& object = *step.object;
  std::string current = catalog.Fingerprint(object);
  std::string recorded = RecordedFingerprint(catalog, object);
  auto wanted = prober.DesiredFingerprint(object);
  if (!wanted) {
    Error error = wanted.error();
    error.message = "cannot compare " + object.Key() + " with the schema: " + error.message;
    return error;
  }
  if (*wanted == current) {
    ++plan.satisfied;
    step.sql.clear();
    return Ok();
  }
  std::string replace = ReplaceSql(object);
  if (!recorded.empty() && recorded == current && !replace.empty()) {
    step = {StepAction::Replace, &object, replace, "definition changed in the schema"};
    return Ok();
  }
  std::string why = recorded.empty() ? "exists with a different definition" : "was changed after agentbase created it";
  plan.conflicts.push_back({object.Key(), why, "existing: " + current + "\nwanted:   " + *wanted});
  step.sql.clear();
  return Ok();
}

}  // namespace

Status ExecutePlan(db::Connection& connection, Plan& plan, Prober& prober, const Catalog& catalog) {
  for (auto& step : plan.steps) {
    if (step.action == StepAction::Compare) {
      if (auto resolved = ResolveComparison(step, catalog, prober, plan); !resolved) return resolved;
    }
    if (step.sql.empty()) continue;
    if (auto ran = connection.Exec(step.sql); !ran) {
      Error error = ran.error();
      error.detail = "while applying " + step.object->Key() + (error.detail.empty() ? "" : ": " + error.detail);
      return error;
    }
  }
  // What remains are the steps that changed something.
  std::erase_if(plan.steps, [](const Step& step) { return step.action == StepAction::Compare; });
  return Ok();
}

}  // namespace agentbase::migrate
