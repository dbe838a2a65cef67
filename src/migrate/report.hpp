#pragma once
// How plans, verification and history are shown: text for people, JSON for
// machines.

#include <boost/json/object.hpp>
#include <string>

#include "migrate/catalog.hpp"
#include "migrate/history.hpp"
#include "migrate/plan.hpp"
#include "migrate/verify.hpp"

namespace agentbase::migrate {

// "Objects: N in the schema, P present, M missing." — the one count plan,
// push and status print (Plan::objects_present/objects_missing).
std::string ObjectsLine(const Plan& plan);
boost::json::object ObjectsJson(const Plan& plan);
// What stops a push (preflight problems, conflicts), for stderr; "" when
// nothing does.
std::string BlockedText(const Plan& plan);
// The counts and the statements a push runs (or ran), for stdout.
std::string PlanText(const Plan& plan, bool with_sql);
boost::json::object PlanJson(const Plan& plan);

std::string VerifyText(const VerifyReport& report);
boost::json::object VerifyJson(const VerifyReport& report);

std::string DriftLine(const Drift& drift, bool pushed);
// `plan` is BuildPlan's (from the catalog alone) for the object counts.
std::string StatusText(const Catalog& catalog, const Plan& plan, const Drift& drift,
                       const std::string& schema_checksum);
boost::json::object StatusJson(const Catalog& catalog, const Plan& plan, const Drift& drift,
                               const std::string& schema_checksum);

// A result table aligned like psql's output.
std::string AlignedTable(const std::vector<std::string>& header, const std::vector<std::vector<std::string>>& rows);

}  // namespace agentbase::migrate
