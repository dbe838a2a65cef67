#include "rest/schema_cache.hpp"

#include "util/text.hpp"

namespace agentbase::rest {

const Column* Table::FindColumn(const std::string& column) const {
  for (const auto& candidate : columns) {
    if (candidate.name == column) return &candidate;
  }
  return nullptr;
}

const Table* SchemaCache::FindTable(const std::string& name) const {
  auto it = tables_.find(name);
  return it == tables_.end() ? nullptr : &it->second;
}

std::vector<const Function*> SchemaCache::FindFunctions(const std::string& name) const {
  std::vector<const Function*> found;
  auto [first, last] = functions_.equal_range(name);
  for (auto it = first; it != last; ++it) found.push_back(&it->second);
  return found;
}

std::vector<const ForeignKey*> SchemaCache::ForeignKeysBetween(const std::string& a, const std::string& b) const {
  std::vector<const ForeignKey*> found;
  for (const auto& key : foreign_keys_) {
    if ((key.table == a && key.referenced_table == b) || (key.table == b && key.referenced_table == a)) {
      found.push_back(&key);
    }
  }
  return found;
}

std::vector<std::string> SchemaCache::Queries(const std::string& schema) {
  std::string nsp = QuoteLiteral(schema);
  return {
      // 0: relations and columns
      "SELECT c.relname, c.relkind, a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod), "
      "coalesce(et.typname, t.typname), NOT a.attnotnull, "
      "(a.atthasdef OR a.attidentity <> '' OR a.attgenerated <> ''), t.typcategory = 'A', "
      "coalesce(pg_catalog.obj_description(c.oid, 'pg_class'), '') "
      "FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
      "JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped "
      "JOIN pg_catalog.pg_type t ON t.oid = a.atttypid LEFT JOIN pg_catalog.pg_type et ON et.oid = t.typelem AND t.typcategory = 'A' "
      "WHERE n.nspname = " + nsp + " AND c.relkind IN ('r', 'p', 'v', 'm', 'f') ORDER BY c.relname, a.attnum",
      // 1: primary keys
      "SELECT c.relname, a.attname FROM pg_catalog.pg_constraint con "
      "JOIN pg_catalog.pg_class c ON c.oid = con.conrelid JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
      "CROSS JOIN LATERAL pg_catalog.unnest(con.conkey) WITH ORDINALITY k(attnum, ord) "
      "JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.attnum "
      "WHERE con.contype = 'p' AND n.nspname = " + nsp + " ORDER BY c.relname, k.ord",
      // 2: foreign keys within the schema, one row per column pair
      "SELECT con.conname, c.relname, a.attname, rc.relname, ra.attname FROM pg_catalog.pg_constraint con "
      "JOIN pg_catalog.pg_class c ON c.oid = con.conrelid JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
      "JOIN pg_catalog.pg_class rc ON rc.oid = con.confrelid JOIN pg_catalog.pg_namespace rn ON rn.oid = rc.relnamespace "
      "CROSS JOIN LATERAL unnest(con.conkey, con.confkey) WITH ORDINALITY k(attnum, refnum, ord) "
      "JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.attnum "
      "JOIN pg_catalog.pg_attribute ra ON ra.attrelid = rc.oid AND ra.attnum = k.refnum "
      "WHERE con.contype = 'f' AND n.nspname = " + nsp + " AND rn.nspname = " + nsp +
      " ORDER BY con.conname, c.relname, k.ord",
      // 3: functions: arguments as parallel arrays
      "SELECT p.proname, p.proretset, p.prorettype = 'void'::regtype, "
      "CASE WHEN rt.typrelid <> 0 AND rc.relnamespace = n.oid THEN rc.relname END, "
      "p.provolatile, p.pronargs, p.pronargdefaults, "
      "coalesce(pg_catalog.array_to_string(ARRAY(SELECT coalesce(nullif(x.name, ''), '') "
      "  FROM unnest(coalesce(p.proargnames, ARRAY[]::text[]), coalesce(p.proargmodes, ARRAY[]::\"char\"[])) x(name, mode) "
      "  WHERE x.mode IS NULL OR x.mode IN ('i', 'b', 'v')), ','), ''), "
      "pg_catalog.array_to_string(ARRAY(SELECT pg_catalog.format_type(t, NULL) FROM pg_catalog.unnest(p.proargtypes) t), ','), "
      "coalesce(pg_catalog.obj_description(p.oid, 'pg_proc'), '') "
      "FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace "
      "JOIN pg_catalog.pg_type rt ON rt.oid = p.prorettype LEFT JOIN pg_catalog.pg_class rc ON rc.oid = rt.typrelid "
      "WHERE n.nspname = " + nsp + " AND p.prokind = 'f' AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d "
      "WHERE d.objid = p.oid AND d.deptype = 'e') ORDER BY p.proname"};
}

Result<std::shared_ptr<const SchemaCache>> SchemaCache::BuildFrom(const std::string& schema,
                                                                  const std::vector<db::PgResult>& results) {
  if (results.size() != 4) return Error::Make("schema cache: expected 4 catalog results", "PGRST002");
  auto cache = std::make_shared<SchemaCache>();
  cache->schema_ = schema;
  const auto& relations = results[0];
  for (int row = 0; row < relations.Rows(); ++row) {
    auto& table = cache->tables_[relations.Text(row, 0)];
    if (table.name.empty()) {
      table.schema = schema;
      table.name = relations.Text(row, 0);
      char kind = relations.Get(row, 1).empty() ? 'r' : relations.Get(row, 1)[0];
      table.is_view = kind == 'v' || kind == 'm';
      table.insertable = kind == 'r' || kind == 'p';
      table.description = relations.Text(row, 8);
    }
    Column column;
    column.name = relations.Text(row, 2);
    column.type = relations.Text(row, 3);
    column.base_type = relations.Text(row, 4);
    column.nullable = relations.Bool(row, 5);
    column.has_default = relations.Bool(row, 6);
    column.is_array = relations.Bool(row, 7);
    table.columns.push_back(std::move(column));
  }
  const auto& keys = results[1];
  for (int row = 0; row < keys.Rows(); ++row) {
    auto it = cache->tables_.find(keys.Text(row, 0));
    if (it != cache->tables_.end()) it->second.primary_key.push_back(keys.Text(row, 1));
  }
  const auto& foreign = results[2];
  for (int row = 0; row < foreign.Rows(); ++row) {
    std::string name = foreign.Text(row, 0);
    std::string table = foreign.Text(row, 1);
    if (cache->foreign_keys_.empty() || cache->foreign_keys_.back().name != name ||
        cache->foreign_keys_.back().table != table) {
      cache->foreign_keys_.push_back({name, table, {}, foreign.Text(row, 3), {}});
    }
    cache->foreign_keys_.back().columns.push_back(foreign.Text(row, 2));
    cache->foreign_keys_.back().referenced_columns.push_back(foreign.Text(row, 4));
  }
  const auto& functions = results[3];
  for (int row = 0; row < functions.Rows(); ++row) {
    Function function;
    function.schema = schema;
    function.name = functions.Text(row, 0);
    function.returns_set = functions.Bool(row, 1);
    function.returns_void = functions.Bool(row, 2);
    if (!functions.IsNull(row, 3)) function.returns_table = functions.Text(row, 3);
    function.volatility = functions.Get(row, 4).empty() ? 'v' : functions.Get(row, 4)[0];
    auto argument_count = static_cast<size_t>(functions.Int(row, 5));
    auto defaults = static_cast<size_t>(functions.Int(row, 6));
    auto names = Split(functions.Get(row, 7), ',');
    auto types = Split(functions.Get(row, 8), ',');
    for (size_t i = 0; i < argument_count && i < types.size(); ++i) {
      FunctionArgument argument;
      argument.name = i < names.size() ? names[i] : "";
      argument.type = types[i];
      argument.has_default = i >= argument_count - defaults;
      function.arguments.push_back(std::move(argument));
    }
    function.description = functions.Text(row, 9);
    cache->functions_.emplace(function.name, std::move(function));
  }
  return std::shared_ptr<const SchemaCache>(std::move(cache));
}

Result<std::shared_ptr<const SchemaCache>> SchemaCache::Load(db::Connection& connection, const std::string& schema) {
  auto results = connection.ExecAll(Join(Queries(schema), ";\n"));
  if (!results) return results.error();
  return BuildFrom(schema, *results);
}

}  // namespace agentbase::rest
