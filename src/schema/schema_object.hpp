#pragma once
// One object of the desired schema, as read from one SQL statement.

#include <string>
#include <vector>

#include "schema/sql_source.hpp"
#include "util/text.hpp"

namespace agentbase::schema {

enum class ObjectKind {
  Extension,
  Schema,
  Role,
  RoleMembership,
  SchemaGrant,
  TableGrant,
  Function,
  Table,
  Column,
  Constraint,
  Index,
  RowSecurity,
  Policy,
  Trigger,
  Publication,       // CREATE PUBLICATION name (created when absent; its tables come one by one)
  PublicationTable,  // ALTER PUBLICATION name ADD TABLE t: `name` the publication, schema/table the table
  StorageParameter,  // ALTER TABLE t SET (name = value): one parameter of a table (pg_class.reloptions)
  Backfill,          // SELECT ...: run once, right after `anchor` is created (not an object of the database)
};

const char* KindName(ObjectKind kind);

struct SchemaObject {
  ObjectKind kind = ObjectKind::Table;
  std::string schema;  // the object's schema, or its table's
  std::string table;   // the table it belongs to (table-level kinds)
  std::string name;    // its own name (role, column, constraint, index, policy, trigger, function...)

  // The statement that creates it, split around the name so it can be
  // re-created under another name (to compare definitions).
  std::string head;
  std::string tail;

  std::string column_type;                 // Column: the declared type
  std::string body;                        // Function: the body between the dollar quotes
  std::string member;                      // RoleMembership: the role granted the membership
  std::vector<std::string> privileges;     // grants
  std::vector<std::string> grantees;       // grants
  std::vector<std::string> grant_columns;  // TableGrant restricted to columns
  std::string policy_command = "ALL";      // Policy
  std::vector<std::string> policy_roles;   // Policy
  bool policy_permissive = true;           // Policy
  std::string policy_alter_tail;           // Policy: `tail` without AS ... and FOR ..., as ALTER POLICY takes it
  std::vector<SchemaObject> parts;         // Table: its columns and constraints
  std::string anchor;                      // Backfill: the Key() of the object it follows
  std::string parameter_value;             // StorageParameter: the value, as reloptions keeps it

  Mode mode = Mode::Ensure;
  Condition condition = Condition::Always;
  std::string source;  // file name

  // The name quoted again where it needs quotes ("Foo", "a b"): `name` holds
  // the identifier's value, `head` and `tail` leave out its token (and keep
  // apart from whatever stands in for it, see statement_parser.cpp).
  std::string Sql() const { return kind == ObjectKind::Backfill ? head : SqlWithName(QuoteIdent(name)); }
  std::string SqlWithName(const std::string& other_name) const { return head + other_name + tail; }
  // Function: the statement as CREATE OR REPLACE FUNCTION.
  std::string CreateOrReplaceSql() const;
  // Function: SQL that brings an existing function of this name to this
  // definition, also where CREATE OR REPLACE cannot (a new result type or
  // renamed arguments: 42P13), by dropping it first.
  std::string ReplaceFunctionSql() const;
  std::string QualifiedTable() const { return schema + "." + table; }
  // A stable identity such as "policy public.conversations.conversations_select_same_tenant".
  std::string Key() const;
  // Whether the object hangs off a table (and so follows it in if-absent mode).
  bool BelongsToTable() const { return !table.empty() && kind != ObjectKind::Table; }
};

}  // namespace agentbase::schema
