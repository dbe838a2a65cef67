#pragma once
// agentbase.schema_history: one row per push that changed something, with
// the fingerprint of every object as it stood afterwards, so later runs can
// tell drift (someone changed it) from an update (the schema changed it).

#include <map>
#include <string>
#include <vector>

#include "db/connection.hpp"
#include "migrate/catalog.hpp"
#include "migrate/plan.hpp"
#include "schema/desired_schema.hpp"

namespace agentbase::migrate {

// Fingerprints of every desired object the catalog holds.
std::map<std::string, std::string> FingerprintsOf(const schema::DesiredSchema& desired, const Catalog& catalog);

struct Drift {
  std::vector<std::string> changed;
  std::vector<std::string> missing;
  bool None() const { return changed.empty() && missing.empty(); }
};

// Objects whose live definition differs from what the latest push recorded.
Drift DetectDrift(const schema::DesiredSchema& desired, const Catalog& catalog);

// Creates the history table if needed and appends a row (inside the caller's
// transaction).
Status RecordHistory(db::Connection& connection, const schema::DesiredSchema& desired, const Plan& plan,
                     long long duration_ms);

}  // namespace agentbase::migrate
