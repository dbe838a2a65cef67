// Writes: insert and upsert (POST), update (PATCH), delete (DELETE), and the
// single-row upsert (PUT).

#include <boost/json.hpp>
#include <map>
#include <set>

#include "rest/api_error.hpp"
#include "rest/query_builder.hpp"
#include "rest/query_writer.hpp"
#include "util/text.hpp"

namespace agentbase::rest {

namespace json = boost::json;

namespace {

Error PayloadColumnNotFound(const Table& table, const std::string& column) {
  return ApiError("PGRST204", "Could not find the '" + column + "' column of '" + table.name + "' in the schema cache");
}

// The payload's columns: `columns=` when given, else the keys of the object
// (or of every object in the array, which must all have the same keys).
Result<std::vector<std::string>> PayloadColumns(const Table& table, const json::value& payload,
                                                const QueryParams& query) {
  std::vector<std::string> columns;
  if (query.columns) {
    columns = *query.columns;
  } else {
    const json::object* first = nullptr;
    if (payload.is_object()) first = &payload.as_object();
    if (payload.is_array() && !payload.as_array().empty() && payload.as_array()[0].is_object()) {
      first = &payload.as_array()[0].as_object();
    }
    if (first != nullptr) {
      for (const auto& [key, value] : *first) columns.emplace_back(key);
    }
    if (payload.is_array()) {
      std::set<std::string> expected(columns.begin(), columns.end());
      for (const auto& item : payload.as_array()) {
        if (!item.is_object()) return ApiError("PGRST102", "All object keys must match");
        std::set<std::string> keys;
        for (const auto& [key, value] : item.as_object()) keys.emplace(key);
        if (keys != expected) return ApiError("PGRST102", "All object keys must match");
      }
    }
  }
  for (const auto& column : columns) {
    if (table.FindColumn(column) == nullptr) return PayloadColumnNotFound(table, column);
  }
  return columns;
}

// PUT's filters: every primary key column once, each a plain `eq`, nothing else.
Status CheckPutFilters(const Table& table, const QueryParams& query) {
  Error refusal = ApiError("PGRST105", "Filters must include all and only primary key columns with 'eq' operators");
  if (table.primary_key.empty() || !query.logic.empty() || query.filters.size() != table.primary_key.size()) {
    return refusal;
  }
  std::set<std::string> named;
  for (const auto& filter : query.filters) {
    const Condition& condition = filter.condition;
    bool plain_eq = filter.embed_path.empty() && filter.field.json_path.empty() && !condition.negated &&
                    condition.op == FilterOperator::kEq && condition.quantifier == Quantifier::kNone;
    if (!plain_eq) return refusal;
    named.insert(filter.field.name);
  }
  if (named != std::set<std::string>(table.primary_key.begin(), table.primary_key.end())) return refusal;
  return Ok();  // limit/offset were refused already (PGRST114, ParseApiRequest)
}

Result<json::value> ParsePayload(std::string_view body, bool allow_array) {
  boost::system::error_code ec;
  json::value payload = json::parse(body.empty() ? std::string_view("{}") : body, ec);
  if (ec) return ApiError("PGRST102", "Empty or invalid json", ec.message());
  if (!payload.is_object() && !(allow_array && payload.is_array())) {
    return ApiError("PGRST102", "Empty or invalid json",
                    "expected a JSON object" + std::string(allow_array ? " or array" : ""));
  }
  return payload;
}

}  // namespace

Result<SqlQuery> BuildMutation(const SchemaCache& cache, const Table& table, const QueryParams& query,
                               const MutationOptions& options) {
  if (!table.insertable) return ApiError("PGRST205", "Cannot write to view '" + table.name + "'");
  QueryWriter builder(cache, query, options.max_rows);
  std::string target = Qualified(table.schema, table.name);
  std::string cte;
  bool put = options.kind == MutationKind::kPut;
  bool upsert = (options.kind == MutationKind::kInsert && options.resolution.has_value()) || put;
  if (put) {
    if (auto filters = CheckPutFilters(table, query); !filters) return filters.error();
  }

  std::string with_list;  // the CTEs, the last of them named pgrst_source
  if (options.kind == MutationKind::kInsert || put) {
    auto payload = ParsePayload(options.body, true);
    if (!payload) return payload.error();
    // Two rows for one URL key would make the upsert touch its row twice.
    if (put && payload->is_array() && payload->as_array().size() != 1) {
      return ApiError("PGRST102", "PUT payload must contain a single row");
    }
    auto columns = PayloadColumns(table, *payload, query);
    if (!columns) return columns.error();
    if (put && columns->empty()) return ApiError("PGRST115", "Payload values do not match URL in primary key column(s)");
    std::string conflict;
    if (upsert) {
      std::vector<std::string> conflict_columns =
          query.on_conflict && !put ? *query.on_conflict : table.primary_key;
      if (conflict_columns.empty())
        return ApiError("PGRST100", "on_conflict is required: the table has no primary key");
      std::vector<std::string> conflict_names;
      for (const auto& column : conflict_columns) {
        if (table.FindColumn(column) == nullptr) return ColumnNotFound(table, column);
        conflict_names.push_back(Ident(column));
      }
      conflict = " ON CONFLICT (" + Join(conflict_names, ", ") + ")";
    }
    // Rows that share their set of columns go in one INSERT. Only with
    // missing=default do rows differ: a key a row lacks takes the column's
    // default instead of NULL.
    std::vector<std::pair<std::vector<std::string>, json::array>> groups;
    if (options.missing_default && payload->is_array()) {
      std::map<std::vector<std::string>, json::array> by_columns;
      for (const auto& item : payload->as_array()) {
        std::vector<std::string> present;
        for (const auto& column : *columns) {
          if (item.is_object() && item.as_object().contains(column)) present.push_back(column);
        }
        by_columns[present].push_back(item);
      }
      for (auto& [present, items] : by_columns) groups.emplace_back(present, std::move(items));
    } else {
      groups.emplace_back(*columns, payload->is_array() ? payload->as_array() : json::array{*payload});
    }
    std::vector<std::string> inserts;
    for (const auto& [group_columns, items] : groups) {
      std::vector<std::string> names;
      for (const auto& column : group_columns) names.push_back(Ident(column));
      std::string insert;
      if (names.empty()) {
        // {} or [{}, ...]: rows of defaults, one per object.
        insert = "INSERT INTO " + target + " SELECT FROM pg_catalog.generate_series(1, " +
                 std::to_string(items.size()) + ")";
      } else {
        insert = "INSERT INTO " + target + " (" + Join(names, ", ") + ") SELECT " + Join(names, ", ") +
                 " FROM pg_catalog.json_populate_recordset(NULL::" + target + ", " +
                 builder.params().Add(json::serialize(items)) + "::json) AS \"_p\"";
        if (put) {
          // Only a payload row with the URL's key is written.
          auto key_matches = builder.Where(table, "_p", {});
          if (!key_matches) return key_matches.error();
          insert += " WHERE " + *key_matches;
        }
      }
      if (upsert) {
        std::vector<std::string> sets;
        for (const auto& name : names) sets.push_back(name + " = EXCLUDED." + name);
        bool ignore = (!put && *options.resolution == PreferResolution::kIgnoreDuplicates) || sets.empty();
        insert += conflict + (ignore ? " DO NOTHING" : " DO UPDATE SET " + Join(sets, ", "));
      }
      insert += " RETURNING " + target + ".*";
      if (upsert) insert += ", (xmax = 0) AS pgrst_inserted";
      inserts.push_back(std::move(insert));
    }
    if (inserts.size() == 1) {
      with_list = "pgrst_source AS (" + inserts[0] + ")";
    } else {
      std::vector<std::string> unions;
      for (size_t i = 0; i < inserts.size(); ++i) {
        with_list += "pgrst_insert_" + std::to_string(i) + " AS (" + inserts[i] + "), ";
        unions.push_back("SELECT * FROM pgrst_insert_" + std::to_string(i));
      }
      with_list += "pgrst_source AS (" + Join(unions, " UNION ALL ") + ")";
    }
  } else {
    std::string alias = "_t";
    auto where = builder.Where(table, alias, {});
    if (!where) return where.error();
    // As Supabase (pg-safeupdate): no filter, no mass update or delete.
    const char* verb = options.kind == MutationKind::kUpdate ? "UPDATE" : "DELETE";
    if (where->empty()) return ApiError("21000", std::string(verb) + " requires a WHERE clause");
    if (options.kind == MutationKind::kUpdate) {
      auto payload = ParsePayload(options.body, false);
      if (!payload) return payload.error();
      auto columns = PayloadColumns(table, *payload, query);
      if (!columns) return columns.error();
      if (columns->empty()) {
        cte = "SELECT " + Ident(alias) + ".* FROM " + target + " AS " + Ident(alias) + " WHERE false";
      } else {
        std::vector<std::string> sets;
        for (const auto& column : *columns) sets.push_back(Ident(column) + " = _b." + Ident(column));
        cte = "UPDATE " + target + " AS " + Ident(alias) + " SET " + Join(sets, ", ") +
              " FROM (SELECT * FROM pg_catalog.json_populate_record(NULL::" + target + ", " +
              builder.params().Add(std::string(options.body)) + "::json)) _b WHERE " + *where + " RETURNING " + Ident(alias) + ".*";
      }
    } else {
      cte = "DELETE FROM " + target + " AS " + Ident(alias) + " WHERE " + *where + " RETURNING " + Ident(alias) + ".*";
    }
    with_list = "pgrst_source AS (" + cte + ")";
  }

  std::string total = options.count_exact ? "(SELECT pg_catalog.count(*) FROM pgrst_source)" : "NULL::bigint";
  std::string inserted =
      upsert ? "(SELECT pg_catalog.count(*) FROM pgrst_source WHERE pgrst_inserted)" : "NULL::bigint";
  // page_total counts the affected rows, with or without a representation.
  std::string affected = "(SELECT pg_catalog.count(*) FROM pgrst_source)";
  std::string sql = "WITH " + with_list + " SELECT ";
  if (options.representation) {
    std::string alias = builder.NewAlias();
    LevelExtras extras;
    auto projection = builder.Projection(table, alias, query.select, {}, extras);
    if (!projection) return projection.error();
    sql += StatementRowColumns(total, affected, RowsBody(options.form, "_r"), inserted) + " FROM (SELECT " +
           *projection + " FROM pgrst_source AS " + Ident(alias) + extras.joins + ") _r";
  } else {
    sql += StatementRowColumns(total, affected, "''", inserted);
  }
  return SqlQuery{std::move(sql), builder.params().Take()};
}

}  // namespace agentbase::rest
