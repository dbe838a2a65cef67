#include "migrate/catalog.hpp"

#include <boost/json.hpp>

#include "util/text.hpp"

namespace agentbase::migrate {

using schema::ObjectKind;
using schema::SchemaObject;

namespace {

std::string SchemasOfInterest(const schema::DesiredSchema& desired) {
  std::set<std::string> names{"public", "auth", "agentbase", "extensions"};
  for (const auto& object : desired.objects) {
    if (!object.schema.empty()) names.insert(object.schema);
  }
  std::vector<std::string> quoted;
  for (const auto& name : names) quoted.push_back(QuoteLiteral(name));
  return "ARRAY[" + Join(quoted, ",") + "]::name[]";
}

// One row per (grant key, role, privilege[, column]) to test; a grant is held
// when every row of its key is.
std::string GrantChecks(const schema::DesiredSchema& desired) {
  std::vector<std::string> table_rows;
  std::vector<std::string> column_rows;
  std::vector<std::string> schema_rows;
  std::vector<std::string> expected;  // one "SELECT key" per row to test
  auto visit = [&](const SchemaObject& object) {
    for (const auto& role : object.grantees) {
      for (const auto& privilege : object.privileges) {
        std::string common = QuoteLiteral(object.Key()) + "," + QuoteLiteral(role) + "," + QuoteLiteral(object.schema) +
                             "," + QuoteLiteral(privilege);
        std::string key = "SELECT " + QuoteLiteral(object.Key());
        if (object.kind == ObjectKind::SchemaGrant) {
          schema_rows.push_back("(" + common + ")");
          expected.push_back(key);
        } else if (object.grant_columns.empty()) {
          table_rows.push_back("(" + common + "," + QuoteLiteral(object.table) + ")");
          expected.push_back(key);
        } else {
          for (const auto& column : object.grant_columns) {
            column_rows.push_back("(" + common + "," + QuoteLiteral(object.table) + "," + QuoteLiteral(column) + ")");
            expected.push_back(key);
          }
        }
      }
    }
  };
  for (const auto& object : desired.objects) {
    if (object.kind == ObjectKind::SchemaGrant || object.kind == ObjectKind::TableGrant) visit(object);
  }
  // Each check yields (key, expected rows, held rows); missing roles or
  // relations join to nothing and so count as not held.
  std::string sql = "SELECT g.key, g.expected, coalesce(h.held, 0) FROM (SELECT key, count(*) AS expected FROM (";
  if (expected.empty()) return "SELECT NULL::text, 0::bigint, 0::bigint WHERE false";
  sql += Join(expected, " UNION ALL ") + ") k(key) GROUP BY key) g LEFT JOIN (SELECT key, count(*) AS held FROM (";
  std::vector<std::string> held;
  if (!table_rows.empty()) {
    held.push_back("SELECT v.key FROM (VALUES " + Join(table_rows, ",") +
                   ") v(key, role, nsp, priv, rel) JOIN pg_catalog.pg_roles r ON r.rolname = v.role "
                   "JOIN pg_catalog.pg_namespace n ON n.nspname = v.nsp "
                   "JOIN pg_catalog.pg_class c ON c.relnamespace = n.oid AND c.relname = v.rel "
                   "WHERE pg_catalog.has_table_privilege(r.oid, c.oid, v.priv)");
  }
  if (!column_rows.empty()) {
    held.push_back("SELECT v.key FROM (VALUES " + Join(column_rows, ",") +
                   ") v(key, role, nsp, priv, rel, col) JOIN pg_catalog.pg_roles r ON r.rolname = v.role "
                   "JOIN pg_catalog.pg_namespace n ON n.nspname = v.nsp "
                   "JOIN pg_catalog.pg_class c ON c.relnamespace = n.oid AND c.relname = v.rel "
                   "JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attname = v.col AND NOT a.attisdropped "
                   "WHERE pg_catalog.has_column_privilege(r.oid, c.oid, a.attnum, v.priv)");
  }
  if (!schema_rows.empty()) {
    held.push_back("SELECT v.key FROM (VALUES " + Join(schema_rows, ",") +
                   ") v(key, role, nsp, priv) JOIN pg_catalog.pg_roles r ON r.rolname = v.role "
                   "JOIN pg_catalog.pg_namespace n ON n.nspname = v.nsp "
                   "WHERE pg_catalog.has_schema_privilege(r.oid, n.oid, v.priv)");
  }
  return sql + Join(held, " UNION ALL ") + ") h0 GROUP BY key) h ON h.key = g.key";
}

std::string TypeChecks(const schema::DesiredSchema& desired) {
  std::set<std::string> types;
  auto add = [&](const SchemaObject& object) {
    if (object.kind == ObjectKind::Column) types.insert(object.column_type);
  };
  for (const auto& object : desired.objects) {
    add(object);
    for (const auto& part : object.parts) add(part);
  }
  for (const auto& requirement : desired.requirements) {
    for (const auto& column : requirement.columns) types.insert(column.type);
  }
  std::vector<std::string> literals;
  for (const auto& type : types) literals.push_back(QuoteLiteral(type));
  if (literals.empty()) return "SELECT NULL::text, 0::oid WHERE false";
  return "SELECT t, coalesce(pg_catalog.to_regtype(t)::oid, 0) FROM pg_catalog.unnest(ARRAY[" + Join(literals, ",") +
         "]) t";
}

}  // namespace

const char* const kPolicyFactsColumns =
    "CASE p.polcmd WHEN 'r' THEN 'SELECT' WHEN 'a' THEN 'INSERT' WHEN 'w' THEN 'UPDATE' WHEN 'd' THEN 'DELETE' "
    "ELSE 'ALL' END, p.polpermissive, "
    "pg_catalog.array_to_string(ARRAY(SELECT CASE WHEN r = 0 THEN 'public' ELSE pg_catalog.pg_get_userbyid(r) END "
    "FROM pg_catalog.unnest(p.polroles) r ORDER BY 1), ','), "
    "coalesce(pg_catalog.pg_get_expr(p.polqual, p.polrelid), ''), "
    "coalesce(pg_catalog.pg_get_expr(p.polwithcheck, p.polrelid), '')";

std::string PolicyFingerprint(const PolicyFacts& policy) {
  return "FOR " + policy.command + (policy.permissive ? "" : " RESTRICTIVE") + " TO " + Join(policy.roles, ",") +
         " USING (" + policy.using_expression + ") WITH CHECK (" + policy.check_expression + ")";
}

bool Catalog::Has(const SchemaObject& object) const {
  switch (object.kind) {
    case ObjectKind::Extension: return extensions.count(object.name) > 0;
    case ObjectKind::Schema: return schemas.count(object.name) > 0;
    case ObjectKind::Role: return roles.count(object.name) > 0;
    case ObjectKind::RoleMembership: return memberships.count({object.name, object.member}) > 0;
    case ObjectKind::SchemaGrant:
    case ObjectKind::TableGrant: return granted.count(object.Key()) > 0;
    case ObjectKind::Function: return functions.count(object.schema + "." + object.name) > 0;
    case ObjectKind::Table: return HasTable(object.QualifiedTable());
    case ObjectKind::Column: {
      auto table = tables.find(object.QualifiedTable());
      return table != tables.end() && table->second.column_types.count(object.name) > 0;
    }
    case ObjectKind::Constraint: return constraints.count(object.QualifiedTable() + "." + object.name) > 0;
    case ObjectKind::Index: return indexes.count(object.schema + "." + object.name) > 0;
    case ObjectKind::RowSecurity: {
      auto table = tables.find(object.QualifiedTable());
      return table != tables.end() && table->second.row_security;
    }
    case ObjectKind::Policy: return policies.count(object.QualifiedTable() + "." + object.name) > 0;
    case ObjectKind::Trigger: return triggers.count(object.QualifiedTable() + "." + object.name) > 0;
    case ObjectKind::Publication: return publications.count(object.name) > 0;
    case ObjectKind::PublicationTable: return publication_tables.count(object.name + " " + object.QualifiedTable()) > 0;
    case ObjectKind::StorageParameter: {
      auto table = tables.find(object.QualifiedTable());
      return table != tables.end() && table->second.storage_parameters.count(object.name) > 0;
    }
    case ObjectKind::Backfill: return false;  // a statement, not an object
  }
  return false;
}

std::string Catalog::Fingerprint(const SchemaObject& object) const {
  if (!Has(object)) return "";
  auto find = [](const auto& map, const std::string& key) -> std::string {
    auto it = map.find(key);
    return it == map.end() ? "" : it->second;
  };
  switch (object.kind) {
    case ObjectKind::Column: return tables.at(object.QualifiedTable()).column_types.at(object.name);
    case ObjectKind::Constraint: return find(constraints, object.QualifiedTable() + "." + object.name);
    case ObjectKind::Index: {
      const auto& [table, definition] = indexes.at(object.schema + "." + object.name);
      return definition;
    }
    case ObjectKind::Policy: return PolicyFingerprint(policies.at(object.QualifiedTable() + "." + object.name));
    case ObjectKind::Trigger: return find(triggers, object.QualifiedTable() + "." + object.name);
    case ObjectKind::Function: return Trim(find(functions, object.schema + "." + object.name));
    case ObjectKind::StorageParameter:
      return object.name + "=" + tables.at(object.QualifiedTable()).storage_parameters.at(object.name);
    default: return "present";
  }
}

Result<VectorSupport> DetectVector(db::Connection& connection) {
  auto result = connection.Exec(
      "SELECT (SELECT n.nspname FROM pg_catalog.pg_extension e JOIN pg_catalog.pg_namespace n "
      "ON n.oid = e.extnamespace WHERE e.extname = 'vector'), "
      "EXISTS (SELECT 1 FROM pg_catalog.pg_available_extensions WHERE name = 'vector')");
  if (!result) return result.error();
  VectorSupport support;
  if (!result->IsNull(0, 0)) {
    support.available = true;
    support.schema = result->Text(0, 0);
  } else {
    support.available = result->Bool(0, 1);
  }
  return support;
}

Result<std::vector<HistoryEntry>> LoadHistory(db::Connection& connection) {
  auto result = connection.Exec(
      "SELECT id, version, checksum, to_char(applied_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') || ' UTC', "
      "duration_ms, statements, applied_by, array_to_string(created_tables, ','), fingerprints::text "
      "FROM agentbase.schema_history ORDER BY id");
  if (!result) return result.error();
  std::vector<HistoryEntry> history;
  for (int row = 0; row < result->Rows(); ++row) {
    HistoryEntry entry;
    entry.id = result->Int(row, 0);
    entry.version = result->Text(row, 1);
    entry.checksum = result->Text(row, 2);
    entry.applied_at = result->Text(row, 3);
    entry.duration_ms = result->Int(row, 4);
    entry.statements = result->Int(row, 5);
    entry.applied_by = result->Text(row, 6);
    entry.created_tables = Split(result->Get(row, 7), ',');
    auto fingerprints = boost::json::parse(result->Get(row, 8));
    for (const auto& [key, value] : fingerprints.as_object()) {
      entry.fingerprints[std::string(key)] = std::string(value.as_string());
    }
    history.push_back(std::move(entry));
  }
  return history;
}

Result<Catalog> LoadCatalog(db::Connection& connection, const schema::DesiredSchema& desired) {
  const std::string schemas = SchemasOfInterest(desired);
  const std::string queries[] = {
      // 0: who we are
      "SELECT current_user, r.rolsuper, r.rolcreaterole, "
      "pg_catalog.has_database_privilege(current_database(), 'CREATE'), pg_catalog.current_setting('server_version') "
      "FROM pg_catalog.pg_roles r WHERE r.rolname = current_user",
      // 1: roles
      "SELECT rolname FROM pg_catalog.pg_roles",
      // 2: memberships
      "SELECT r.rolname, m.rolname FROM pg_catalog.pg_auth_members am "
      "JOIN pg_catalog.pg_roles r ON r.oid = am.roleid JOIN pg_catalog.pg_roles m ON m.oid = am.member",
      // 3: schemas
      "SELECT nspname, pg_catalog.has_schema_privilege(oid, 'CREATE') FROM pg_catalog.pg_namespace",
      // 4: extensions
      "SELECT e.extname, n.nspname FROM pg_catalog.pg_extension e "
      "JOIN pg_catalog.pg_namespace n ON n.oid = e.extnamespace "
      "UNION ALL SELECT '', 'vector-available' FROM pg_catalog.pg_available_extensions WHERE name = 'vector'",
      // 5: tables
      "SELECT n.nspname, c.relname, c.relrowsecurity, pg_catalog.pg_has_role(c.relowner, 'USAGE'), "
      "pg_catalog.has_table_privilege(c.oid, 'REFERENCES') "
      "FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
      "WHERE c.relkind IN ('r', 'p') AND n.nspname = ANY(" +
          schemas + ")",
      // 6: columns
      "SELECT n.nspname, c.relname, a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod), a.atttypid "
      "FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_class c ON c.oid = a.attrelid "
      "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
      "WHERE c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped AND n.nspname = ANY(" +
          schemas + ")",
      // 7: constraints
      "SELECT n.nspname, c.relname, con.conname, pg_catalog.pg_get_constraintdef(con.oid) "
      "FROM pg_catalog.pg_constraint con JOIN pg_catalog.pg_class c ON c.oid = con.conrelid "
      "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = ANY(" +
          schemas + ")",
      // 8: indexes
      "SELECT n.nspname, ic.relname, tc.relname, pg_catalog.pg_get_indexdef(i.indexrelid) "
      "FROM pg_catalog.pg_index i JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid "
      "JOIN pg_catalog.pg_class tc ON tc.oid = i.indrelid JOIN pg_catalog.pg_namespace n ON n.oid = ic.relnamespace "
      "WHERE n.nspname = ANY(" +
          schemas + ")",
      // 9: policies
      std::string("SELECT n.nspname, c.relname, p.polname, ") + kPolicyFactsColumns +
          " FROM pg_catalog.pg_policy p JOIN pg_catalog.pg_class c ON c.oid = p.polrelid "
          "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = ANY(" +
          schemas + ")",
      // 10: triggers
      "SELECT n.nspname, c.relname, t.tgname, pg_catalog.pg_get_triggerdef(t.oid) "
      "FROM pg_catalog.pg_trigger t JOIN pg_catalog.pg_class c ON c.oid = t.tgrelid "
      "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
      "WHERE NOT t.tgisinternal AND n.nspname = ANY(" +
          schemas + ")",
      // 11: functions
      "SELECT n.nspname, p.proname, p.prosrc FROM pg_catalog.pg_proc p "
      "JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = ANY(" +
          schemas + ")",
      // 12: grants
      GrantChecks(desired),
      // 13: declared types
      TypeChecks(desired),
      // 14: publications ('') and their tables
      "SELECT pubname, '' FROM pg_catalog.pg_publication "
      "UNION ALL SELECT pubname, schemaname || '.' || tablename FROM pg_catalog.pg_publication_tables",
      // 15: tables' storage parameters
      "SELECT n.nspname, c.relname, o.option_name, o.option_value "
      "FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace, "
      "pg_catalog.pg_options_to_table(c.reloptions) o "
      "WHERE c.relkind IN ('r', 'p') AND n.nspname = ANY(" +
          schemas + ")",
  };
  std::string batch;
  for (const auto& query : queries) batch += query + ";\n";
  auto results = connection.ExecAll(batch);
  if (!results) return results.error();
  if (results->size() != std::size(queries)) {
    throw std::runtime_error("catalog batch returned " + std::to_string(results->size()) + " results");
  }
  const auto& r = *results;
  Catalog catalog;
  if (r[0].Rows() == 1) {
    catalog.current_user = r[0].Text(0, 0);
    catalog.superuser = r[0].Bool(0, 1);
    catalog.can_create_role = r[0].Bool(0, 2);
    catalog.can_create_schema = r[0].Bool(0, 3);
    catalog.server_version = r[0].Text(0, 4);
  }
  for (int i = 0; i < r[1].Rows(); ++i) catalog.roles.insert(r[1].Text(i, 0));
  for (int i = 0; i < r[2].Rows(); ++i) catalog.memberships.insert({r[2].Text(i, 0), r[2].Text(i, 1)});
  for (int i = 0; i < r[3].Rows(); ++i) catalog.schemas[r[3].Text(i, 0)] = r[3].Bool(i, 1);
  for (int i = 0; i < r[4].Rows(); ++i) {
    if (r[4].Get(i, 0).empty())
      catalog.vector_available = true;
    else
      catalog.extensions[r[4].Text(i, 0)] = r[4].Text(i, 1);
  }
  if (catalog.extensions.count("vector")) catalog.vector_available = true;
  for (int i = 0; i < r[5].Rows(); ++i) {
    auto& table = catalog.tables[r[5].Text(i, 0) + "." + r[5].Text(i, 1)];
    table.row_security = r[5].Bool(i, 2);
    table.owned = r[5].Bool(i, 3);
    table.can_reference = r[5].Bool(i, 4);
  }
  for (int i = 0; i < r[6].Rows(); ++i) {
    auto& table = catalog.tables[r[6].Text(i, 0) + "." + r[6].Text(i, 1)];
    table.column_types[r[6].Text(i, 2)] = r[6].Text(i, 3);
    table.column_type_oids[r[6].Text(i, 2)] = r[6].Int(i, 4);
  }
  for (int i = 0; i < r[7].Rows(); ++i) {
    catalog.constraints[r[7].Text(i, 0) + "." + r[7].Text(i, 1) + "." + r[7].Text(i, 2)] = r[7].Text(i, 3);
  }
  for (int i = 0; i < r[8].Rows(); ++i) {
    catalog.indexes[r[8].Text(i, 0) + "." + r[8].Text(i, 1)] = {r[8].Text(i, 2), r[8].Text(i, 3)};
  }
  for (int i = 0; i < r[9].Rows(); ++i) {
    PolicyFacts policy{r[9].Text(i, 3), r[9].Bool(i, 4), Split(r[9].Get(i, 5), ','), r[9].Text(i, 6), r[9].Text(i, 7)};
    catalog.policies[r[9].Text(i, 0) + "." + r[9].Text(i, 1) + "." + r[9].Text(i, 2)] = std::move(policy);
  }
  for (int i = 0; i < r[10].Rows(); ++i) {
    catalog.triggers[r[10].Text(i, 0) + "." + r[10].Text(i, 1) + "." + r[10].Text(i, 2)] = r[10].Text(i, 3);
  }
  for (int i = 0; i < r[11].Rows(); ++i)
    catalog.functions[r[11].Text(i, 0) + "." + r[11].Text(i, 1)] = r[11].Text(i, 2);
  for (int i = 0; i < r[12].Rows(); ++i) {
    if (r[12].Int(i, 1) == r[12].Int(i, 2)) catalog.granted.insert(r[12].Text(i, 0));
  }
  for (int i = 0; i < r[13].Rows(); ++i) catalog.type_oids[r[13].Text(i, 0)] = r[13].Int(i, 1);
  for (int i = 0; i < r[14].Rows(); ++i) {
    if (r[14].Get(i, 1).empty()) {
      catalog.publications.insert(r[14].Text(i, 0));
    } else {
      catalog.publication_tables.insert(r[14].Text(i, 0) + " " + r[14].Text(i, 1));
    }
  }
  for (int i = 0; i < r[15].Rows(); ++i) {
    catalog.tables[r[15].Text(i, 0) + "." + r[15].Text(i, 1)].storage_parameters[r[15].Text(i, 2)] = r[15].Text(i, 3);
  }

  if (catalog.HasTable("agentbase.schema_history")) {
    auto history = LoadHistory(connection);
    if (!history) return history.error();
    catalog.history = std::move(*history);
  }
  return catalog;
}

}  // namespace agentbase::migrate
