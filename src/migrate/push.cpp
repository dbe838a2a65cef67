#include "migrate/push.hpp"

#include "migrate/catalog.hpp"
#include "migrate/history.hpp"
#include "migrate/planner.hpp"
#include "migrate/probe.hpp"
#include "schema/sql_source.hpp"

namespace agentbase::migrate {

namespace {

// pg_advisory_xact_lock key shared by every agentbase push ("agentbas").
constexpr long long kMigrationLockKey = 0x6167656e74626173;

}  // namespace

Status PrepareSession(db::Connection& connection) {
  auto set = connection.Exec("SELECT pg_catalog.set_config('search_path', '', false)");
  if (!set) return set.error();
  // Notice a vanished client even while waiting for a lock (PostgreSQL 14+).
  (void)connection.Exec("SET client_connection_check_interval = '1s'");
  return Ok();
}

Result<schema::DesiredSchema> DesiredSchemaFor(db::Connection& connection, int embedding_dimensions) {
  auto vector = DetectVector(connection);
  if (!vector) return vector.error();
  schema::BuildOptions options;
  options.with_vector = vector->available;
  options.placeholders.vector_schema = vector->schema;
  options.placeholders.embedding_dimensions = embedding_dimensions;
  return schema::BuildDesiredSchema(schema::EmbeddedSchemaFiles(), options);
}

Result<PushOutcome> PlanAndPush(db::Connection& connection, const schema::DesiredSchema& desired,
                                const PushOptions& options) {
  auto started = std::chrono::steady_clock::now();
  if (auto prepared = PrepareSession(connection); !prepared) return prepared.error();
  db::Transaction transaction(connection);
  if (auto begun = transaction.Begin(); !begun) return begun.error();
  // Concurrent pushes queue here; each then sees what the previous committed.
  auto locked = connection.Exec("SELECT pg_catalog.pg_advisory_xact_lock(" + std::to_string(kMigrationLockKey) + ")");
  if (!locked) return locked.error();
  // Never queue behind application traffic for long while holding DDL locks.
  auto timeout = connection.Exec("SELECT pg_catalog.set_config('lock_timeout', '" +
                                 std::to_string(options.lock_timeout.count()) + "ms', true)");
  if (!timeout) return timeout.error();

  auto catalog = LoadCatalog(connection, desired);
  if (!catalog) return catalog.error();
  PushOutcome outcome{BuildPlan(desired, *catalog), false, 0};
  if (outcome.plan.Blocked()) return outcome;
  // Plan and push both run the steps; plan (and a push that meets a
  // conflict) then rolls them back. This is what makes the plan exact.
  SavepointProber prober(connection);
  if (auto executed = ExecutePlan(connection, outcome.plan, prober, *catalog); !executed) {
    Error error = executed.error();
    error.hint = (error.hint.empty() ? "" : error.hint + "; ") + "nothing was changed (rolled back)";
    return error;
  }
  if (!options.apply || outcome.plan.Blocked() || outcome.plan.steps.empty()) return outcome;

  outcome.duration_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started).count();
  if (auto recorded = RecordHistory(connection, desired, outcome.plan, outcome.duration_ms); !recorded) {
    return recorded.error();
  }
  if (auto committed = transaction.Commit(); !committed) return committed.error();
  outcome.applied = true;
  // Running API servers (ours and PostgREST) reload their schema cache.
  (void)connection.Exec("NOTIFY pgrst, 'reload schema'");
  return outcome;
}

}  // namespace agentbase::migrate
