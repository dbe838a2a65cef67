#pragma once
// What must hold before push changes anything: the tables the new ones
// reference exist with compatible key types; the existing platform's tables
// are created only where an empty one cannot break what is there (tenants,
// profiles and agents only all together; any of them only when no existing
// column refers to its rows by name); and the connecting role may do every
// step of the plan. The messages come from schema/platform_shape.hpp,
// which the SQL-editor script's preflight shares.

#include <vector>

#include "migrate/catalog.hpp"
#include "migrate/plan.hpp"
#include "schema/desired_schema.hpp"

namespace agentbase::migrate {

std::vector<Problem> CheckPreflight(const schema::DesiredSchema& desired, const Catalog& catalog, const Plan& plan);

}  // namespace agentbase::migrate
