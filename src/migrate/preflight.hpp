#pragma once
// What must hold before push changes anything: the tables the new ones
// reference exist with compatible key types, and the connecting role may do
// every step of the plan.

#include <vector>

#include "migrate/catalog.hpp"
#include "migrate/plan.hpp"
#include "schema/desired_schema.hpp"

namespace agentbase::migrate {

std::vector<Problem> CheckPreflight(const schema::DesiredSchema& desired, const Catalog& catalog, const Plan& plan);

}  // namespace agentbase::migrate
