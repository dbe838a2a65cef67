#pragma once
// What the live database holds, read from the system catalogs in one round
// trip: the facts the planner compares the desired schema with.

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "db/connection.hpp"
#include "schema/desired_schema.hpp"
#include "util/result.hpp"

namespace agentbase::migrate {

struct TableFacts {
  bool row_security = false;
  bool owned = false;  // the connecting role owns it (directly or by membership)
  bool can_reference = false;
  std::map<std::string, std::string> column_types;  // name -> format_type
  std::map<std::string, long long> column_type_oids;
  std::map<std::string, std::string> storage_parameters;  // reloptions: name -> value
};

struct PolicyFacts {
  std::string command;  // ALL, SELECT, INSERT, UPDATE, DELETE
  bool permissive = true;
  std::vector<std::string> roles;
  std::string using_expression;
  std::string check_expression;
};

struct HistoryEntry {
  long long id = 0;
  std::string version;
  std::string checksum;
  std::string applied_at;
  long long duration_ms = 0;
  long long statements = 0;
  std::string applied_by;
  std::vector<std::string> created_tables;
  std::map<std::string, std::string> fingerprints;  // object key -> definition
};

struct Catalog {
  std::string current_user;
  std::string server_version;
  bool superuser = false;
  bool can_create_role = false;
  bool can_create_schema = false;  // CREATE on the database

  std::set<std::string> roles;
  std::set<std::pair<std::string, std::string>> memberships;  // (role, member)
  std::map<std::string, bool> schemas;                        // name -> CREATE privilege
  std::map<std::string, std::string> extensions;              // name -> schema
  bool vector_available = false;

  std::map<std::string, TableFacts> tables;                            // "schema.table"
  std::map<std::string, std::string> constraints;                      // "schema.table.name" -> definition
  std::map<std::string, std::pair<std::string, std::string>> indexes;  // "schema.name" -> (table, definition)
  std::map<std::string, PolicyFacts> policies;                         // "schema.table.name"
  std::map<std::string, std::string> triggers;                         // "schema.table.name" -> definition
  std::map<std::string, std::string> functions;                        // "schema.name" -> body
  std::set<std::string> granted;                                       // keys of grants fully held
  std::map<std::string, long long> type_oids;                          // declared type -> oid (0 when unknown)
  std::set<std::string> publications;
  std::set<std::string> publication_tables;  // "publication schema.table" (FOR ALL TABLES: every table)

  std::vector<HistoryEntry> history;  // oldest first

  bool HasTable(const std::string& qualified) const { return tables.count(qualified) > 0; }
  const HistoryEntry* LatestHistory() const { return history.empty() ? nullptr : &history.back(); }

  // Whether the object exists (for grants: whether every privilege is held).
  bool Has(const schema::SchemaObject& object) const;
  // The object's live definition in a canonical text form ("" when absent).
  std::string Fingerprint(const schema::SchemaObject& object) const;
};

// Reads the catalog. `desired` names the grants and types to check.
Result<Catalog> LoadCatalog(db::Connection& connection, const schema::DesiredSchema& desired);

// Reads only what is needed to resolve the desired schema (is pgvector
// there, and in which schema).
struct VectorSupport {
  bool available = false;
  std::string schema = "extensions";
};
Result<VectorSupport> DetectVector(db::Connection& connection);

// The history table, when it exists.
Result<std::vector<HistoryEntry>> LoadHistory(db::Connection& connection);

// Fingerprint of one policy's facts (shared by the catalog and probes).
std::string PolicyFingerprint(const PolicyFacts& policy);

// The select list that reads a policy (alias p for pg_policy) into
// PolicyFacts' order: command, permissive, roles (comma-separated), USING,
// WITH CHECK.
extern const char* const kPolicyFactsColumns;

}  // namespace agentbase::migrate
