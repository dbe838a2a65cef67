#pragma once
// The canonical definition an object of the desired schema would have in
// this database. PostgreSQL rewrites expressions when it stores them, so the
// only faithful way to compare is to create the object under a scratch name
// inside a savepoint, read the catalog, and roll the savepoint back.

#include "db/connection.hpp"
#include "schema/schema_object.hpp"
#include "util/result.hpp"

namespace agentbase::migrate {

class Prober {
 public:
  virtual ~Prober() = default;
  // The fingerprint (as Catalog::Fingerprint would report it) of `object`.
  virtual Result<std::string> DesiredFingerprint(const schema::SchemaObject& object) = 0;
};

// Probes on a connection that is inside a transaction.
class SavepointProber final : public Prober {
 public:
  explicit SavepointProber(db::Connection& connection) : connection_(connection) {}
  Result<std::string> DesiredFingerprint(const schema::SchemaObject& object) override;

 private:
  Result<std::string> ProbeInSavepoint(const schema::SchemaObject& object);
  db::Connection& connection_;
};

}  // namespace agentbase::migrate
