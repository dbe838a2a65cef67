#pragma once
// Compares the desired schema with the live catalog and decides, object by
// object, what push must do.

#include "migrate/catalog.hpp"
#include "migrate/plan.hpp"
#include "migrate/probe.hpp"
#include "schema/desired_schema.hpp"

namespace agentbase::migrate {

// Decides from the catalog alone: Create steps for what is missing, Compare
// steps for what exists and must be compared, and the preflight problems.
Plan BuildPlan(const schema::DesiredSchema& desired, const Catalog& catalog);

// Runs the plan's steps in order on a connection inside a transaction,
// resolving each Compare step when it is reached (so the objects it depends
// on exist by then): as satisfied, as a Replace step (run at once), or as a
// conflict. A failing statement is returned as the error.
Status ExecutePlan(db::Connection& connection, Plan& plan, Prober& prober, const Catalog& catalog);

}  // namespace agentbase::migrate
