#pragma once
// What `push` would do to one database: the steps, and what blocks them.

#include <string>
#include <vector>

#include "schema/schema_object.hpp"

namespace agentbase::migrate {

enum class StepAction {
  Create,   // the object is missing
  Compare,  // the object exists; compare it with the schema once the steps before it ran
  Replace,  // agentbase created it and its definition has since changed in the schema
};

struct Step {
  StepAction action = StepAction::Create;
  const schema::SchemaObject* object = nullptr;
  std::string sql;
  std::string reason;
};

struct Problem {
  std::string object;   // which object (or requirement) it is about
  std::string message;  // what is wrong, in one line
  std::string detail;   // e.g. the existing and the wanted definitions
};

struct Plan {
  std::vector<Step> steps;
  std::vector<Problem> preflight;       // what must be true before anything runs
  std::vector<Problem> conflicts;       // existing objects that differ from the schema
  std::vector<std::string> left_alone;  // parts of the user's own tables not touched
  std::vector<std::string> created_tables;
  int satisfied = 0;  // objects already present and as wanted

  // Every object of the schema that applies to this database, counted one by
  // one (a table's columns and constraints too), without the parts of the
  // user's own tables that agentbase leaves alone. plan, push and status all
  // report these two numbers, decided from the catalog before anything runs.
  int objects_present = 0;
  int objects_missing = 0;
  int ObjectsTotal() const { return objects_present + objects_missing; }

  bool Blocked() const { return !preflight.empty() || !conflicts.empty(); }
  bool UpToDate() const { return steps.empty() && !Blocked(); }
  bool HasPendingComparisons() const;
  // Every step's SQL, in order, as one script.
  std::string Script() const;
};

}  // namespace agentbase::migrate
