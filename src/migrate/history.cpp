#include "migrate/history.hpp"

#include <boost/json.hpp>

#include "util/text.hpp"

namespace agentbase::migrate {

namespace {

constexpr const char* kCreateHistoryTable = R"sql(
CREATE TABLE IF NOT EXISTS agentbase.schema_history (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  version text NOT NULL,
  checksum text NOT NULL,
  applied_at timestamptz NOT NULL DEFAULT now(),
  duration_ms integer NOT NULL,
  statements integer NOT NULL,
  applied_by text NOT NULL DEFAULT current_user,
  sql text NOT NULL,
  created_tables text[] NOT NULL DEFAULT '{}',
  fingerprints jsonb NOT NULL
);
REVOKE ALL ON agentbase.schema_history FROM PUBLIC;
)sql";

template <class Visitor>
void ForEachObject(const schema::DesiredSchema& desired, Visitor&& visit) {
  for (const auto& object : desired.objects) {
    visit(object);
    for (const auto& part : object.parts) visit(part);
  }
}

}  // namespace

std::map<std::string, std::string> FingerprintsOf(const schema::DesiredSchema& desired, const Catalog& catalog) {
  std::map<std::string, std::string> fingerprints;
  ForEachObject(desired, [&](const schema::SchemaObject& object) {
    std::string fingerprint = catalog.Fingerprint(object);
    if (!fingerprint.empty()) fingerprints[object.Key()] = fingerprint;
  });
  return fingerprints;
}

Drift DetectDrift(const schema::DesiredSchema& desired, const Catalog& catalog) {
  Drift drift;
  const auto* latest = catalog.LatestHistory();
  if (!latest) return drift;
  ForEachObject(desired, [&](const schema::SchemaObject& object) {
    auto recorded = latest->fingerprints.find(object.Key());
    if (recorded == latest->fingerprints.end()) return;
    std::string current = catalog.Fingerprint(object);
    if (current.empty())
      drift.missing.push_back(object.Key());
    else if (current != recorded->second)
      drift.changed.push_back(object.Key());
  });
  return drift;
}

Status RecordHistory(db::Connection& connection, const schema::DesiredSchema& desired, const Plan& plan,
                     long long duration_ms) {
  if (auto created = connection.Exec(kCreateHistoryTable); !created) return created.error();
  auto catalog = LoadCatalog(connection, desired);
  if (!catalog) return catalog.error();
  boost::json::object fingerprints;
  for (const auto& [key, value] : FingerprintsOf(desired, *catalog)) fingerprints[key] = value;
  std::vector<std::string> quoted_tables;
  for (const auto& table : plan.created_tables) quoted_tables.push_back("\"" + table + "\"");
  auto inserted = connection.ExecParams(
      "INSERT INTO agentbase.schema_history (version, checksum, duration_ms, statements, sql, created_tables, "
      "fingerprints) VALUES ($1, $2, $3::integer, $4::integer, $5, $6::text[], $7::jsonb)",
      {schema::kSchemaVersion, desired.checksum, std::to_string(duration_ms), std::to_string(plan.steps.size()),
       plan.Script(), "{" + Join(quoted_tables, ",") + "}", boost::json::serialize(fingerprints)});
  if (!inserted) return inserted.error();
  return Ok();
}

}  // namespace agentbase::migrate
