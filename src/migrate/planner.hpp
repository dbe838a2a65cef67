#pragma once
// Compares the desired schema with the live catalog and decides, object by
// object, what push must do.

#include "migrate/catalog.hpp"
#include "migrate/plan.hpp"
#include "migrate/probe.hpp"
#include "schema/desired_schema.hpp"

namespace agentbase::migrate {

Result<Plan> BuildPlan(const schema::DesiredSchema& desired, const Catalog& catalog, Prober& prober);

}  // namespace agentbase::migrate
