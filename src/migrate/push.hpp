#pragma once
// Planning and applying: everything happens in one transaction, under an
// advisory lock, so concurrent pushes apply the schema once and an
// interrupted push leaves nothing half-done.

#include <chrono>

#include "db/connection.hpp"
#include "migrate/plan.hpp"
#include "schema/desired_schema.hpp"

namespace agentbase::migrate {

struct PushOptions {
  bool apply = true;  // false: plan only, and roll back whatever probing did
  std::chrono::milliseconds lock_timeout{10000};
};

struct PushOutcome {
  Plan plan;
  bool applied = false;
  long long duration_ms = 0;
};

// Returns the plan; applies it when options.apply and nothing blocks it. A
// failing statement rolls everything back and is returned as the error.
Result<PushOutcome> PlanAndPush(db::Connection& connection, const schema::DesiredSchema& desired,
                                const PushOptions& options);

// Reads whether pgvector is there and builds the desired schema for this
// database.
Result<schema::DesiredSchema> DesiredSchemaFor(db::Connection& connection, int embedding_dimensions);

// Sets the session up for catalog work: empty search_path, so that every
// definition PostgreSQL prints is schema-qualified and comparable.
Status PrepareSession(db::Connection& connection);

}  // namespace agentbase::migrate
