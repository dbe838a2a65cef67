#include "migrate/probe.hpp"

#include "migrate/catalog.hpp"
#include "util/text.hpp"

namespace agentbase::migrate {

using schema::ObjectKind;
using schema::SchemaObject;

namespace {

constexpr const char* kProbeName = "agentbase_probe";

bool IsKeyConstraint(const SchemaObject& object) {
  std::string tail = ToUpper(Trim(object.tail));
  return StartsWith(tail, "PRIMARY KEY") || StartsWith(tail, "UNIQUE");
}

std::string ProbeQuery(const SchemaObject& object) {
  std::string table = QuoteLiteral(object.schema + "." + QuoteIdent(object.table)) + "::regclass";
  std::string probe = QuoteLiteral(kProbeName);
  switch (object.kind) {
    case ObjectKind::Policy:
      return std::string("SELECT ") + kPolicyFactsColumns + " FROM pg_catalog.pg_policy p WHERE p.polname = " + probe +
             " AND p.polrelid = " + table;
    case ObjectKind::Trigger:
      return "SELECT pg_catalog.pg_get_triggerdef(oid) FROM pg_catalog.pg_trigger WHERE tgname = " + probe +
             " AND tgrelid = " + table;
    case ObjectKind::Index:
      return "SELECT pg_catalog.pg_get_indexdef(i.indexrelid) FROM pg_catalog.pg_index i "
             "JOIN pg_catalog.pg_class c ON c.oid = i.indexrelid WHERE c.relname = " +
             probe + " AND i.indrelid = " + table;
    case ObjectKind::Constraint:
      return "SELECT pg_catalog.pg_get_constraintdef(oid) FROM pg_catalog.pg_constraint WHERE conname = " + probe +
             " AND conrelid = " + table;
    default: return "";
  }
}

}  // namespace

Result<std::string> SavepointProber::DesiredFingerprint(const SchemaObject& object) {
  switch (object.kind) {
    case ObjectKind::Function: return Trim(object.body);
    case ObjectKind::StorageParameter: return object.name + "=" + object.parameter_value;
    case ObjectKind::Constraint:
      if (IsKeyConstraint(object)) return CollapseWhitespace(object.tail);
      return ProbeInSavepoint(object);
    case ObjectKind::Policy:
    case ObjectKind::Trigger:
    case ObjectKind::Index: return ProbeInSavepoint(object);
    default: return std::string("present");
  }
}

Result<std::string> SavepointProber::ProbeInSavepoint(const SchemaObject& object) {
  std::string create = object.SqlWithName(kProbeName);
  // Only the definition matters: skip validating existing rows.
  if (object.kind == ObjectKind::Constraint) create += " NOT VALID";
  if (auto begun = connection_.Exec("SAVEPOINT agentbase_probe"); !begun) return begun.error();
  auto created = connection_.Exec(create);
  Result<db::PgResult> read = created ? connection_.Exec(ProbeQuery(object)) : created.error();
  if (auto undone = connection_.Exec("ROLLBACK TO SAVEPOINT agentbase_probe"); !undone) return undone.error();
  if (!read) return read.error();
  if (read->Rows() != 1) return Error::Make("probe of " + object.Key() + " found nothing", "internal");
  std::string fingerprint;
  if (object.kind == ObjectKind::Policy) {
    PolicyFacts policy{read->Text(0, 0), read->Bool(0, 1), Split(read->Get(0, 2), ','), read->Text(0, 3),
                       read->Text(0, 4)};
    fingerprint = PolicyFingerprint(policy);
  } else {
    fingerprint = ReplaceAll(read->Text(0, 0), " NOT VALID", "");
    fingerprint = ReplaceAll(fingerprint, kProbeName, QuoteIdent(object.name));
  }
  return fingerprint;
}

}  // namespace agentbase::migrate
