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

std::string PlanText(const Plan& plan, bool with_sql);
boost::json::object PlanJson(const Plan& plan);

std::string VerifyText(const VerifyReport& report);
boost::json::object VerifyJson(const VerifyReport& report);

std::string DriftLine(const Drift& drift, bool pushed);
std::string StatusText(const Catalog& catalog, const Drift& drift, const std::string& schema_checksum);
boost::json::object StatusJson(const Catalog& catalog, const Drift& drift, const std::string& schema_checksum);

// A result table aligned like psql's output.
std::string AlignedTable(const std::vector<std::string>& header, const std::vector<std::vector<std::string>>& rows);

}  // namespace agentbase::migrate
