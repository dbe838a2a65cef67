#include "rest/schema_cache.hpp"

#include <algorithm>
#include <boost/json.hpp>

#include "util/fuzzy_match.hpp"
#include "util/text.hpp"

namespace agentbase::rest {

namespace json = boost::json;

const Column* Table::FindColumn(const std::string& column) const {
  for (const auto& candidate : columns) {
    if (candidate.name == column) return &candidate;
  }
  return nullptr;
}

const Function* Table::FindComputedField(const std::string& name) const {
  for (const auto* function : computed_fields) {
    if (function->name == name) return function;
  }
  return nullptr;
}

const Table* SchemaCache::FindTable(const std::string& name) const {
  auto it = tables_.find(name);
  return it == tables_.end() ? nullptr : &it->second;
}

std::string SchemaCache::ClosestTableName(const std::string& name) const {
  std::vector<std::string> names;
  names.reserve(tables_.size());
  for (const auto& [table_name, table] : tables_) names.push_back(table_name);
  return ClosestMatch(name, names, 0.75).value_or("");
}

std::vector<const Function*> SchemaCache::FindFunctions(const std::string& name) const {
  std::vector<const Function*> found;
  auto [first, last] = functions_.equal_range(name);
  for (auto it = first; it != last; ++it) found.push_back(&it->second);
  return found;
}

const std::vector<Relationship>& SchemaCache::RelationshipsFrom(const std::string& table) const {
  static const std::vector<Relationship> kNone;
  auto it = relationships_.find(table);
  return it == relationships_.end() ? kNone : it->second;
}

namespace {

enum CatalogResult : size_t { kRelations, kKeys, kForeignKeys, kFunctions, kViewColumns, kResultCount };

std::string RelationsQuery(const std::string& nsp) {
  return "SELECT c.relname, c.relkind, a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod), "
         "coalesce(et.typname, t.typname), NOT a.attnotnull, "
         "(a.atthasdef OR a.attidentity <> '' OR a.attgenerated <> ''), t.typcategory = 'A', "
         "coalesce(pg_catalog.obj_description(c.oid, 'pg_class'), ''), c.relrowsecurity, "
         // Which of UPDATE (4), INSERT (8) and DELETE (16) PostgreSQL accepts,
         // INSTEAD OF triggers and DO INSTEAD rules counted.
         "pg_catalog.pg_relation_is_updatable(c.oid::pg_catalog.regclass, true) "
         "FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
         "JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped "
         "JOIN pg_catalog.pg_type t ON t.oid = a.atttypid LEFT JOIN pg_catalog.pg_type et ON et.oid = t.typelem AND "
         "t.typcategory = 'A' "
         "WHERE n.nspname = " +
         nsp +
         " AND c.relkind IN ('r', 'p', 'v', 'm', 'f') AND NOT c.relispartition "
         "ORDER BY c.relname, a.attnum";
}

// Primary ('p') and unique ('u') keys, a row per column.
std::string KeysQuery(const std::string& nsp) {
  return "SELECT c.relname, con.conname, con.contype, a.attname FROM pg_catalog.pg_constraint con "
         "JOIN pg_catalog.pg_class c ON c.oid = con.conrelid JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
         "CROSS JOIN LATERAL pg_catalog.unnest(con.conkey) WITH ORDINALITY k(attnum, ord) "
         "JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.attnum "
         "WHERE con.contype IN ('p', 'u') AND n.nspname = " +
         nsp + " ORDER BY c.relname, con.conname, k.ord";
}

// The foreign keys embedding can follow from this schema, a row per column
// pair, one-to-one when their columns are a key: those of its tables, to
// them, and of or to the tables its views show (a view over a hidden table
// embeds like the table). Each exposed schema reads only its own.
std::string ForeignKeysQuery(const std::string& nsp) {
  return "WITH shown AS (SELECT DISTINCT d.refobjid AS relid FROM pg_catalog.pg_depend d "
         "  JOIN pg_catalog.pg_rewrite r ON r.oid = d.objid JOIN pg_catalog.pg_class v ON v.oid = r.ev_class "
         "  JOIN pg_catalog.pg_namespace vn ON vn.oid = v.relnamespace "
         "  WHERE d.classid = 'pg_catalog.pg_rewrite'::pg_catalog.regclass "
         "    AND d.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass AND vn.nspname = " +
         nsp +
         ") "
         "SELECT con.conname, n.nspname, c.relname, a.attname, rn.nspname, rc.relname, ra.attname, "
         "EXISTS (SELECT 1 FROM pg_catalog.pg_constraint u WHERE u.conrelid = con.conrelid AND u.contype IN ('p', 'u') "
         "  AND (SELECT pg_catalog.array_agg(x ORDER BY x) FROM pg_catalog.unnest(u.conkey) x) = "
         "      (SELECT pg_catalog.array_agg(x ORDER BY x) FROM pg_catalog.unnest(con.conkey) x)), con.oid "
         "FROM pg_catalog.pg_constraint con "
         "JOIN pg_catalog.pg_class c ON c.oid = con.conrelid JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
         "JOIN pg_catalog.pg_class rc ON rc.oid = con.confrelid "
         "JOIN pg_catalog.pg_namespace rn ON rn.oid = rc.relnamespace "
         "CROSS JOIN LATERAL unnest(con.conkey, con.confkey) WITH ORDINALITY k(attnum, refnum, ord) "
         "JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.attnum "
         "JOIN pg_catalog.pg_attribute ra ON ra.attrelid = rc.oid AND ra.attnum = k.refnum "
         "WHERE con.contype = 'f' AND con.conparentid = 0 AND (n.nspname = " +
         nsp + " OR rn.nspname = " + nsp +
         " OR con.conrelid IN (SELECT relid FROM shown) OR con.confrelid IN (SELECT relid FROM shown)) "
         "ORDER BY con.oid, k.ord";
}

// Functions: arguments and result columns as JSON arrays of [name, type, composite].
std::string FunctionsQuery(const std::string& nsp) {
  return "SELECT p.proname, p.proretset, p.prorettype = 'void'::regtype, "
         "CASE WHEN rc.relnamespace = n.oid AND rc.relkind IN ('r', 'p', 'v', 'm', 'f') THEN rc.relname END, "
         "p.provolatile, p.pronargs, p.pronargdefaults, "
         "coalesce((SELECT pg_catalog.json_agg(pg_catalog.json_build_array(coalesce(names.list[x.ord], ''), "
         "    pg_catalog.format_type(x.type, NULL), at.typtype = 'c') ORDER BY x.ord) "
         "  FROM pg_catalog.unnest(p.proargtypes) WITH ORDINALITY x(type, ord) "
         "  JOIN pg_catalog.pg_type at ON at.oid = x.type), '[]'), "
         "coalesce(pg_catalog.obj_description(p.oid, 'pg_proc'), ''), "
         "(SELECT ac.relname FROM pg_catalog.pg_type ft JOIN pg_catalog.pg_class ac ON ac.oid = ft.typrelid "
         "  WHERE p.pronargs > 0 AND ft.oid = p.proargtypes[0] AND ac.relnamespace = n.oid), "
         "NOT p.proretset OR p.prorows = 1, "
         // OUT, INOUT and TABLE arguments make a row, even when there is one of them.
         "CASE WHEN p.proargmodes IS NOT NULL AND p.proargmodes && ARRAY['o', 't', 'b']::\"char\"[] THEN "
         "  (SELECT pg_catalog.json_agg(pg_catalog.json_build_array(coalesce(nullif(z.name, ''), 'column' || z.ord), "
         "      pg_catalog.format_type(z.type, NULL)) ORDER BY z.ord) "
         "   FROM unnest(p.proargnames, p.proallargtypes, p.proargmodes) WITH ORDINALITY z(name, type, mode, ord) "
         "   WHERE z.mode IN ('o', 't', 'b')) "
         "WHEN rc.oid IS NOT NULL AND (rc.relnamespace IS DISTINCT FROM n.oid OR rc.relkind = 'c') THEN "
         "  (SELECT pg_catalog.json_agg(pg_catalog.json_build_array(ra.attname, pg_catalog.format_type(ra.atttypid, "
         "ra.atttypmod)) "
         "      ORDER BY ra.attnum) FROM pg_catalog.pg_attribute ra WHERE ra.attrelid = rc.oid AND ra.attnum > 0 "
         "      AND NOT ra.attisdropped) END, "
         "pg_catalog.format_type(p.prorettype, NULL), p.provariadic <> 0, "
         // A media-type domain returned once (media_type_domain.hpp), and
         // whether bytea is under it, through domains over domains.
         "CASE WHEN rt.typtype = 'd' AND NOT p.proretset AND "
         "  (rt.typname ~ '^[A-Za-z0-9.-]+/[A-Za-z0-9.+-]+$' OR rt.typname = '*/*') THEN pg_catalog.lower(rt.typname) "
         "END, "
         "rt.typtype = 'd' AND (WITH RECURSIVE base(oid) AS (SELECT rt.typbasetype UNION ALL "
         "  SELECT bt.typbasetype FROM pg_catalog.pg_type bt JOIN base ON bt.oid = base.oid WHERE bt.typtype = 'd') "
         "  SELECT pg_catalog.bool_or(base.oid = 'pg_catalog.bytea'::pg_catalog.regtype) FROM base) "
         "FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace "
         "JOIN pg_catalog.pg_type rt ON rt.oid = p.prorettype "
         // The row type returned: the type's own, or the one under a domain
         // (a domain over a table type returns the table's rows, as in PostgREST).
         "LEFT JOIN pg_catalog.pg_class rc ON rc.oid = CASE WHEN rt.typtype = 'd' THEN "
         "  (SELECT dt.typrelid FROM pg_catalog.pg_type dt WHERE dt.oid = rt.typbasetype) ELSE rt.typrelid END "
         // The names of the IN, INOUT and VARIADIC arguments, in order.
         "CROSS JOIN LATERAL (SELECT ARRAY(SELECT coalesce(y.name, '') FROM unnest(p.proargnames, p.proargmodes) "
         "  WITH ORDINALITY y(name, mode, pos) WHERE y.mode IS NULL OR y.mode IN ('i', 'b', 'v') ORDER BY y.pos) AS "
         "list) names "
         "WHERE n.nspname = " +
         nsp +
         " AND p.prokind = 'f' AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d "
         "WHERE d.objid = p.oid AND d.deptype = 'e') ORDER BY p.proname, p.oid";
}

// Which table column each view column is, read from the view's rule (its
// pg_node_tree text): the entries of the top-level query's target list.
// Their fields (:resno ... :resorigtbl ... :resorigcol) follow each entry's
// expression, so the text is cut at every ":resno" and the braces still
// open before each cut tell its depth: 2 (the query, the entry) for the
// view's own columns; deeper for the target lists of subqueries in them,
// in its FROM or in its WHERE, which would otherwise pass for the view's.
// Escaped braces (in names) are dropped before counting; names may hold
// escaped spaces. With the base's primary key (JSON, in key order), from
// which the view takes its own.
std::string ViewColumnsQuery(const std::string& nsp) {
  return "SELECT c.relname, va.attname, bn.nspname, bc.relname, ba.attname, "
         "(SELECT pg_catalog.json_agg(ka.attname ORDER BY k.ord) FROM pg_catalog.pg_constraint pk "
         "  CROSS JOIN LATERAL pg_catalog.unnest(pk.conkey) WITH ORDINALITY k(attnum, ord) "
         "  JOIN pg_catalog.pg_attribute ka ON ka.attrelid = pk.conrelid AND ka.attnum = k.attnum "
         "  WHERE pk.conrelid = bc.oid AND pk.contype = 'p') "
         "FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
         "JOIN pg_catalog.pg_rewrite r ON r.ev_class = c.oid AND r.rulename = '_RETURN' "
         "CROSS JOIN LATERAL (SELECT cut.piece, cut.ord, "
         "    coalesce(pg_catalog.sum(pg_catalog.length(cut.piece) - pg_catalog.length(pg_catalog.replace(cut.piece, "
         "'{', '')) "
         "      - pg_catalog.length(cut.piece) + pg_catalog.length(pg_catalog.replace(cut.piece, '}', ''))) "
         "      OVER (ORDER BY cut.ord ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS depth "
         "  FROM pg_catalog.regexp_split_to_table(pg_catalog.replace(pg_catalog.replace(r.ev_action::text, "
         "E'\\\\{', ''), E'\\\\}', ''), ' :resno ') WITH ORDINALITY cut(piece, ord)) e "
         "CROSS JOIN LATERAL pg_catalog.regexp_match(e.piece, "
         "  '^(\\d+) :resname (?:\\\\.|\\S)+ :ressortgroupref \\d+ :resorigtbl (\\d+) :resorigcol (\\d+)') m(parts) "
         "JOIN pg_catalog.pg_attribute va ON va.attrelid = c.oid AND va.attnum = m.parts[1]::int2 "
         "JOIN pg_catalog.pg_class bc ON bc.oid = m.parts[2]::oid JOIN pg_catalog.pg_namespace bn ON bn.oid = "
         "bc.relnamespace "
         "JOIN pg_catalog.pg_attribute ba ON ba.attrelid = bc.oid AND ba.attnum = m.parts[3]::int2 "
         "WHERE n.nspname = " +
         nsp +
         " AND c.relkind IN ('v', 'm') AND e.ord > 1 AND e.depth = 2 AND m.parts[2] <> '0' "
         "ORDER BY c.oid, va.attnum";
}

// The catalog queries of one schema, in CatalogResult order.
std::vector<std::string> SchemaQueries(const std::string& schema) {
  std::string nsp = QuoteLiteral(schema);
  return {RelationsQuery(nsp), KeysQuery(nsp), ForeignKeysQuery(nsp), FunctionsQuery(nsp), ViewColumnsQuery(nsp)};
}

std::vector<std::string> SplitSchemas(const std::string& schemas) {
  std::vector<std::string> names;
  for (const auto& name : Split(schemas, ',')) {
    std::string trimmed = Trim(name);
    if (!trimmed.empty() && std::find(names.begin(), names.end(), trimmed) == names.end()) names.push_back(trimmed);
  }
  return names;
}

}  // namespace

std::vector<std::string> SchemaCache::Queries(const std::string& schemas) {
  std::vector<std::string> queries;
  for (const auto& schema : SplitSchemas(schemas)) {
    auto one = SchemaQueries(schema);
    queries.insert(queries.end(), one.begin(), one.end());
  }
  return queries;
}

std::vector<std::string> SchemaCache::ExposedSchemas() const { return SplitSchemas(exposed_); }

const SchemaCache* SchemaCache::Profile(const std::string& schema) const {
  if (schema == schema_) return this;
  auto it = others_.find(schema);
  return it == others_.end() ? nullptr : it->second.get();
}

namespace {

json::array JsonArrayCell(const db::PgResult& result, int row, int column) {
  if (result.IsNull(row, column)) return {};
  boost::system::error_code ec;
  json::value value = json::parse(result.Get(row, column), ec);
  return !ec && value.is_array() ? value.as_array() : json::array{};
}

std::string JsonText(const json::value& value) {
  return value.is_string() ? std::string(value.as_string()) : std::string();
}

// pg_relation_is_updatable's bits: 1 << CMD_UPDATE, CMD_INSERT, CMD_DELETE.
constexpr int kUpdateBit = 4;
constexpr int kInsertBit = 8;
constexpr int kDeleteBit = 16;
constexpr int kAllWrites = kUpdateBit | kInsertBit | kDeleteBit;

void ReadRelations(const db::PgResult& relations, const std::string& schema, std::map<std::string, Table>& tables) {
  for (int row = 0; row < relations.Rows(); ++row) {
    auto& table = tables[relations.Text(row, 0)];
    if (table.name.empty()) {
      table.schema = schema;
      table.name = relations.Text(row, 0);
      char kind = relations.Get(row, 1).empty() ? 'r' : relations.Get(row, 1)[0];
      table.is_view = kind == 'v' || kind == 'm';
      // Hand-made catalogs may leave the bits out: tables take every write.
      int writes = relations.IsNull(row, 10) ? (kind == 'r' || kind == 'p' ? kAllWrites : 0)
                                             : static_cast<int>(relations.Int(row, 10));
      table.insertable = (writes & kInsertBit) != 0;
      table.updatable = (writes & kUpdateBit) != 0;
      table.deletable = (writes & kDeleteBit) != 0;
      table.description = relations.Text(row, 8);
      table.row_security = relations.Bool(row, 9);
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
}

void ReadKeys(const db::PgResult& keys, std::map<std::string, Table>& tables) {
  std::string last_constraint;
  for (int row = 0; row < keys.Rows(); ++row) {
    auto it = tables.find(keys.Text(row, 0));
    if (it == tables.end()) continue;
    Table& table = it->second;
    std::string constraint = keys.Text(row, 0) + "." + keys.Text(row, 1);
    if (constraint != last_constraint) table.unique_keys.emplace_back();
    last_constraint = constraint;
    table.unique_keys.back().push_back(keys.Text(row, 3));
    if (keys.Text(row, 2) == "p") table.primary_key.push_back(keys.Text(row, 3));
  }
  for (auto& [name, table] : tables) {
    for (auto& key : table.unique_keys) std::sort(key.begin(), key.end());
  }
}

std::vector<ForeignKeyDefinition> ReadForeignKeys(const db::PgResult& foreign) {
  std::vector<ForeignKeyDefinition> keys;
  std::string last_oid;
  for (int row = 0; row < foreign.Rows(); ++row) {
    if (foreign.Text(row, 8) != last_oid) {
      ForeignKeyDefinition key;
      key.name = foreign.Text(row, 0);
      key.table = {foreign.Text(row, 1), foreign.Text(row, 2)};
      key.referenced = {foreign.Text(row, 4), foreign.Text(row, 5)};
      key.one_to_one = foreign.Bool(row, 7);
      keys.push_back(std::move(key));
      last_oid = foreign.Text(row, 8);
    }
    keys.back().columns.push_back(foreign.Text(row, 3));
    keys.back().referenced_columns.push_back(foreign.Text(row, 6));
  }
  return keys;
}

Function ReadFunction(const db::PgResult& functions, int row, const std::string& schema) {
  Function function;
  function.schema = schema;
  function.name = functions.Text(row, 0);
  function.returns_set = functions.Bool(row, 1);
  function.returns_void = functions.Bool(row, 2);
  if (!functions.IsNull(row, 3)) function.returns_table = functions.Text(row, 3);
  function.volatility = functions.Get(row, 4).empty() ? 'v' : functions.Get(row, 4)[0];
  auto argument_count = static_cast<size_t>(functions.Int(row, 5));
  auto defaults = static_cast<size_t>(functions.Int(row, 6));
  json::array arguments = JsonArrayCell(functions, row, 7);
  for (size_t i = 0; i < argument_count && i < arguments.size(); ++i) {
    const auto* entry = arguments[i].if_array();
    if (entry == nullptr || entry->size() != 3) continue;
    FunctionArgument argument;
    argument.name = JsonText((*entry)[0]);
    argument.type = JsonText((*entry)[1]);
    argument.is_composite = (*entry)[2].is_bool() && (*entry)[2].get_bool();
    argument.has_default = i >= argument_count - defaults;
    function.arguments.push_back(std::move(argument));
  }
  function.description = functions.Text(row, 8);
  if (!functions.IsNull(row, 9)) function.row_argument_of = functions.Text(row, 9);
  function.single_row = functions.Bool(row, 10);
  if (!functions.IsNull(row, 11) && !function.returns_table) {
    Table result;
    result.schema = schema;
    result.name = function.name;
    result.insertable = false;
    for (const auto& entry : JsonArrayCell(functions, row, 11)) {
      const auto* pair = entry.if_array();
      if (pair == nullptr || pair->size() != 2) continue;
      Column column;
      column.name = JsonText((*pair)[0]);
      column.type = JsonText((*pair)[1]);
      column.base_type = column.type;
      column.is_array = column.type.ends_with("[]");
      result.columns.push_back(std::move(column));
    }
    function.returns_row = std::move(result);
  }
  if (!function.returns_void && !function.ReturnsRows()) function.scalar_type = functions.Text(row, 12);
  if (functions.Bool(row, 13) && !function.arguments.empty()) function.arguments.back().is_variadic = true;
  if (!functions.IsNull(row, 14)) {
    function.media_domain = MediaTypeDomain{functions.Text(row, 14), functions.Bool(row, 15)};
  }
  return function;
}

void ReadViewColumns(const db::PgResult& views, RelationshipCatalog& catalog) {
  for (int row = 0; row < views.Rows(); ++row) {
    QualifiedName base{views.Text(row, 2), views.Text(row, 3)};
    catalog.view_columns.push_back({views.Text(row, 0), views.Text(row, 1), base, views.Text(row, 4)});
    json::array key = JsonArrayCell(views, row, 5);
    if (key.empty() || catalog.base_primary_keys.contains(base)) continue;
    auto& columns = catalog.base_primary_keys[base];
    for (const auto& column : key) columns.push_back(JsonText(column));
  }
}

}  // namespace

Result<std::shared_ptr<SchemaCache>> SchemaCache::BuildOne(const std::string& schema,
                                                           const std::vector<db::PgResult>& all, size_t first) {
  auto results = [&](CatalogResult which) -> const db::PgResult& { return all[first + which]; };
  auto cache = std::make_shared<SchemaCache>();
  cache->schema_ = schema;
  ReadRelations(results(kRelations), schema, cache->tables_);
  ReadKeys(results(kKeys), cache->tables_);
  const auto& functions = results(kFunctions);
  for (int row = 0; row < functions.Rows(); ++row) {
    Function function = ReadFunction(functions, row, schema);
    cache->functions_.emplace(function.name, std::move(function));
  }

  RelationshipCatalog catalog;
  catalog.schema = schema;
  for (const auto& [name, table] : cache->tables_) {
    catalog.relations[name] = table.is_view;
    if (!table.is_view && !table.primary_key.empty()) catalog.primary_keys[name] = table.primary_key;
  }
  catalog.foreign_keys = ReadForeignKeys(results(kForeignKeys));
  ReadViewColumns(results(kViewColumns), catalog);
  for (const auto& [name, function] : cache->functions_) {
    bool takes_only_a_row =
        std::all_of(function.arguments.begin() + (function.arguments.empty() ? 0 : 1), function.arguments.end(),
                    [](const auto& argument) { return argument.has_default; });
    if (!function.row_argument_of || !takes_only_a_row) continue;
    auto source = cache->tables_.find(*function.row_argument_of);
    if (source == cache->tables_.end()) continue;
    if (function.returns_table && cache->tables_.contains(*function.returns_table)) {
      catalog.computed.push_back({name, *function.row_argument_of, *function.returns_table, function.single_row});
    } else if (function.ReturnsScalar() && !function.returns_set) {
      source->second.computed_fields.push_back(&function);
    }
  }
  auto model = BuildRelationshipModel(catalog);
  for (auto& [view, key] : model.view_primary_keys) cache->tables_[view].primary_key = std::move(key);
  cache->relationships_ = std::move(model.relationships);
  return cache;
}

Result<std::shared_ptr<const SchemaCache>> SchemaCache::BuildFrom(const std::string& schemas,
                                                                  const std::vector<db::PgResult>& results) {
  auto names = SplitSchemas(schemas);
  if (names.empty() || results.size() != kResultCount * names.size()) {
    return Error::Make("schema cache: expected " + std::to_string(kResultCount * names.size()) + " catalog results",
                       "PGRST002");
  }
  std::shared_ptr<SchemaCache> exposed;
  for (size_t i = 0; i < names.size(); ++i) {
    auto cache = BuildOne(names[i], results, i * kResultCount);
    if (!cache) return cache.error();
    (*cache)->exposed_ = Join(names, ",");
    if (i == 0)
      exposed = *cache;
    else
      exposed->others_.emplace(names[i], *cache);
  }
  return std::shared_ptr<const SchemaCache>(std::move(exposed));
}

Result<std::shared_ptr<const SchemaCache>> SchemaCache::Load(db::Connection& connection, const std::string& schema) {
  auto results = connection.ExecAll(Join(Queries(schema), ";\n"));
  if (!results) return results.error();
  return BuildFrom(schema, *results);
}

}  // namespace agentbase::rest
