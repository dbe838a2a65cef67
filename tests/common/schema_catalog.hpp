#pragma once
// A SchemaCache without a database: the five catalog results of each exposed
// schema (SchemaCache::Queries) made by hand, in the exact column layout
// schema_cache.cpp reads them (ReadRelations, ReadKeys, ReadForeignKeys,
// ReadFunction, ReadViewColumns). For the unit tests' fixture
// (tests/unit/rest/schema_fixture.hpp) and the planner's fuzz target.

#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "make_pg_result.hpp"
#include "rest/schema_cache.hpp"

namespace agentbase::testing {

// One schema's catalog rows, column for column as SchemaCache::Queries
// selects them. A row may leave out trailing columns: they are null.
struct Catalog {
  // relname, relkind, attname, type, base type, nullable, has default, is array, description, row security,
  // writes accepted (pg_relation_is_updatable's bits; null: all for tables, none for views)
  std::vector<std::vector<const char*>> relations;
  // relname, conname, contype ('p' / 'u'), column: a row per column, ordered by relname, conname
  std::vector<std::vector<const char*>> keys;
  // conname, schema, table, column, referenced schema, table, column, one-to-one, oid: a row per column pair
  std::vector<std::vector<const char*>> foreign_keys;
  // proname, proretset, returns void, returned table, volatility, nargs, ndefaults,
  // arguments (JSON [[name, type, composite]]), description, row argument of, single row,
  // result columns (JSON [[name, type]]), scalar type, variadic, media-type domain
  // returned (lower case), that domain over bytea
  std::vector<std::vector<const char*>> functions;
  // view, column, base schema, base table, base column, base primary key (JSON [names])
  std::vector<std::vector<const char*>> view_columns;

  void AppendResults(std::vector<db::PgResult>& results) const {
    results.push_back(MakePgResult(11, relations));
    results.push_back(MakePgResult(4, keys));
    results.push_back(MakePgResult(9, foreign_keys));
    results.push_back(MakePgResult(16, functions));
    results.push_back(MakePgResult(6, view_columns));
  }
};

// The cache of `schemas` (comma-separated), one catalog per schema in order;
// throws if SchemaCache::BuildFrom refuses them.
inline std::shared_ptr<const rest::SchemaCache> BuildSchemaCache(const std::string& schemas,
                                                                 const std::vector<Catalog>& catalogs) {
  std::vector<db::PgResult> results;
  for (const auto& catalog : catalogs) catalog.AppendResults(results);
  auto cache = rest::SchemaCache::BuildFrom(schemas, results);
  if (!cache) throw std::runtime_error("hand-made schema cache does not build: " + cache.error().message);
  return *cache;
}

}  // namespace agentbase::testing
