#include "rest/query_builder.hpp"

#include <boost/json.hpp>
#include <regex>
#include <set>

#include "rest/api_error.hpp"
#include "util/text.hpp"

namespace agentbase::rest {

namespace json = boost::json;

namespace {

std::string Ident(const std::string& name) { return "\"" + ReplaceAll(name, "\"", "\"\"") + "\""; }

std::string Qualified(const std::string& schema, const std::string& name) { return Ident(schema) + "." + Ident(name); }

// A PostgreSQL array literal of text elements: {"a","b\"c"}.
std::string ArrayLiteral(const std::vector<std::string>& items) {
  std::string out = "{";
  for (size_t i = 0; i < items.size(); ++i) {
    if (i) out += ",";
    out += "\"" + ReplaceAll(ReplaceAll(items[i], "\\", "\\\\"), "\"", "\\\"") + "\"";
  }
  return out + "}";
}

Error ColumnNotFound(const Table& table, const std::string& column) {
  return ApiError("42703", "column " + table.name + "." + column + " does not exist");
}

Error PayloadColumnNotFound(const Table& table, const std::string& column) {
  return ApiError("PGRST204", "Could not find the '" + column + "' column of '" + table.name + "' in the schema cache");
}

bool IsValidCast(const std::string& type) {
  static const std::regex shape(R"(^[A-Za-z_][A-Za-z0-9_ ]*(\(\d+(,\s*\d+)?\))?(\[\])?$)");
  return type.size() < 64 && std::regex_match(type, shape);
}

// How an embedded resource joins its parent.
struct Relationship {
  const ForeignKey* key = nullptr;
  const Table* target = nullptr;
  bool to_one = false;  // the parent holds the foreign key
};

// Collects $n parameters while the SQL is written.
class Params {
 public:
  std::string Add(std::optional<std::string> value) {
    values_.push_back(std::move(value));
    return "$" + std::to_string(values_.size());
  }
  db::Params Take() { return std::move(values_); }

 private:
  db::Params values_;
};

class Builder {
 public:
  Builder(const SchemaCache& cache, const QueryParams& query) : cache_(cache), query_(query) {}

  Params& params() { return params_; }
  std::string NewAlias() { return "_" + std::to_string(alias_counter_++); }

  // The select list of one level, as "expr AS "key"" items.
  Result<std::string> Projection(const Table& table, const std::string& alias, const std::vector<SelectItem>& items,
                                 const EmbedPath& path, std::vector<std::string>& inner_joins) {
    std::vector<std::string> columns;
    for (const auto& item : items) {
      if (item.kind == SelectItem::Kind::kField) {
        auto field = FieldItem(table, alias, item);
        if (!field) return field.error();
        columns.push_back(*field);
        continue;
      }
      if (item.kind == SelectItem::Kind::kSpread) {
        return ApiError("PGRST100", "failed to parse select parameter (spread embedding is not supported)");
      }
      auto embed = Embed(table, alias, item, path, inner_joins);
      if (!embed) return embed.error();
      if (!embed->empty()) columns.push_back(*embed);
    }
    if (columns.empty()) return std::string("NULL AS \"\"");  // select= (nothing): rows of empty objects
    return Join(columns, ", ");
  }

  Result<std::string> Where(const Table& table, const std::string& alias, const EmbedPath& path) {
    std::vector<std::string> conditions;
    for (const auto& filter : query_.filters) {
      if (filter.embed_path != path) continue;
      auto sql = FilterSql(table, alias, filter);
      if (!sql) return sql.error();
      conditions.push_back(*sql);
    }
    for (const auto& logic : query_.logic) {
      if (logic.embed_path != path) continue;
      auto sql = LogicSql(table, alias, logic.tree);
      if (!sql) return sql.error();
      conditions.push_back(*sql);
    }
    return Join(conditions, " AND ");
  }

  Result<std::string> OrderBy(const Table& table, const std::string& alias, const EmbedPath& path) {
    std::vector<std::string> terms;
    for (const auto& order : query_.order) {
      if (order.embed_path != path) continue;
      for (const auto& term : order.terms) {
        if (term.relation) return ApiError("PGRST100", "failed to parse order (ordering by an embedded resource is not supported)");
        auto expr = FieldExpr(table, alias, term.field);
        if (!expr) return expr.error();
        std::string sql = *expr;
        if (term.direction) sql += *term.direction == OrderDirection::kDesc ? " DESC" : " ASC";
        if (term.nulls) sql += *term.nulls == NullsOrder::kFirst ? " NULLS FIRST" : " NULLS LAST";
        terms.push_back(sql);
      }
    }
    return terms.empty() ? std::string() : " ORDER BY " + Join(terms, ", ");
  }

  std::string LimitOffset(const EmbedPath& path, std::optional<int64_t> max_rows) {
    const RangeParam* range = query_.RangeFor(path);
    std::optional<int64_t> limit = range ? range->limit : std::nullopt;
    if (max_rows && (!limit || *limit > *max_rows)) limit = max_rows;
    std::string sql;
    if (limit) sql += " LIMIT " + params_.Add(std::to_string(*limit)) + "::bigint";
    if (range && range->offset && *range->offset > 0) sql += " OFFSET " + params_.Add(std::to_string(*range->offset)) + "::bigint";
    return sql;
  }

  Result<std::string> FieldExpr(const Table& table, const std::string& alias, const Field& field) {
    const Column* column = table.FindColumn(field.name);
    if (column == nullptr) return ColumnNotFound(table, field.name);
    std::string expr = Ident(alias) + "." + Ident(column->name);
    for (const auto& step : field.json_path) {
      expr += step.arrow == JsonArrow::kArrow ? "->" : "->>";
      expr += step.is_index ? step.key : QuoteLiteral(step.key);
    }
    return expr;
  }

 private:
  Result<std::string> FieldItem(const Table& table, const std::string& alias, const SelectItem& item) {
    if (item.aggregate) return ApiError("PGRST123", "Use of aggregate functions is not allowed");
    if (item.field.name == "*") {
      std::vector<std::string> all;
      for (const auto& column : table.columns) all.push_back(Ident(alias) + "." + Ident(column.name));
      return Join(all, ", ");
    }
    auto expr = FieldExpr(table, alias, item.field);
    if (!expr) return expr.error();
    std::string sql = *expr;
    if (item.cast) {
      if (!IsValidCast(*item.cast)) return ApiError("PGRST100", "failed to parse select parameter (invalid cast)");
      sql = "CAST(" + sql + " AS " + *item.cast + ")";
    }
    std::string key = item.alias ? *item.alias
                                 : (item.field.json_path.empty() ? item.field.name : item.field.json_path.back().key);
    return sql + " AS " + Ident(key);
  }

  Result<Relationship> Resolve(const Table& parent, const SelectItem& item) {
    const Table* target = cache_.FindTable(item.relation);
    if (target == nullptr) {
      return ApiError("PGRST200", "Could not find a relationship between '" + parent.name + "' and '" + item.relation +
                                      "' in the schema cache",
                      "Searched for a foreign key relationship between '" + parent.name + "' and '" + item.relation +
                          "' in the schema '" + cache_.Schema() + "', but no matches were found.");
    }
    std::vector<Relationship> found;
    for (const auto* key : cache_.ForeignKeysBetween(parent.name, target->name)) {
      if (item.hint) {
        bool matches = key->name == *item.hint;
        for (const auto& column : key->columns) matches = matches || column == *item.hint;
        if (!matches) continue;
      }
      found.push_back({key, target, key->table == parent.name});
    }
    if (found.empty()) {
      return ApiError("PGRST200", "Could not find a relationship between '" + parent.name + "' and '" + target->name +
                                      "' in the schema cache",
                      "Searched for a foreign key relationship between '" + parent.name + "' and '" + target->name +
                          "' in the schema '" + cache_.Schema() + "', but no matches were found.");
    }
    if (found.size() > 1) {
      std::vector<std::string> names;
      for (const auto& relationship : found) names.push_back("'" + target->name + "!" + relationship.key->name + "'");
      return ApiError("PGRST201",
                      "Could not embed because more than one relationship was found for '" + parent.name + "' and '" +
                          target->name + "'",
                      "", "Try changing '" + target->name + "' to one of the following: " + Join(names, ", ") +
                              ". Find the desired relationship in the 'details' key.");
    }
    return found.front();
  }

  std::string JoinCondition(const Relationship& relationship, const std::string& parent_alias,
                            const std::string& target_alias) {
    std::vector<std::string> pairs;
    const auto& key = *relationship.key;
    for (size_t i = 0; i < key.columns.size(); ++i) {
      if (relationship.to_one) {
        pairs.push_back(Ident(target_alias) + "." + Ident(key.referenced_columns[i]) + " = " + Ident(parent_alias) +
                        "." + Ident(key.columns[i]));
      } else {
        pairs.push_back(Ident(target_alias) + "." + Ident(key.columns[i]) + " = " + Ident(parent_alias) + "." +
                        Ident(key.referenced_columns[i]));
      }
    }
    return Join(pairs, " AND ");
  }

  // An embedded resource as a correlated subquery in the select list.
  Result<std::string> Embed(const Table& parent, const std::string& parent_alias, const SelectItem& item,
                            const EmbedPath& parent_path, std::vector<std::string>& inner_joins) {
    auto relationship = Resolve(parent, item);
    if (!relationship) return relationship.error();
    EmbedPath path = parent_path;
    path.push_back(item.alias ? *item.alias : item.relation);
    const Table& target = *relationship->target;
    std::string alias = NewAlias();
    std::vector<std::string> nested_inner;
    auto projection = Projection(target, alias, item.children, path, nested_inner);
    if (!projection) return projection.error();
    // Filters may name the embed by its alias or by its relation name.
    auto where = Where(target, alias, path);
    if (!where) return where.error();
    if (where->empty() && item.alias) {
      EmbedPath by_name = parent_path;
      by_name.push_back(item.relation);
      where = Where(target, alias, by_name);
      if (!where) return where.error();
    }
    std::string conditions = JoinCondition(*relationship, parent_alias, alias);
    if (!where->empty()) conditions += " AND " + *where;
    for (const auto& inner : nested_inner) conditions += " AND " + inner;
    std::string from = " FROM " + Qualified(target.schema, target.name) + " AS " + Ident(alias) + " WHERE " + conditions;
    if (item.join_type == JoinType::kInner) inner_joins.push_back("EXISTS (SELECT 1" + from + ")");
    if (item.children.empty()) return std::string();  // embedded for filtering only
    std::string key = Ident(item.alias ? *item.alias : item.relation);
    if (relationship->to_one) {
      return "(SELECT pg_catalog.row_to_json(_e) FROM (SELECT " + *projection + from + " LIMIT 1) _e) AS " + key;
    }
    auto order = OrderBy(target, alias, path);
    if (!order) return order.error();
    std::string limit = LimitOffset(path, std::nullopt);
    return "coalesce((SELECT pg_catalog.json_agg(_e) FROM (SELECT " + *projection + from + *order + limit +
           ") _e), '[]') AS " + key;
  }

  Result<std::string> FilterSql(const Table& table, const std::string& alias, const Filter& filter) {
    auto expr = FieldExpr(table, alias, filter.field);
    if (!expr) return expr.error();
    const Column* column = table.FindColumn(filter.field.name);
    auto condition = ConditionSql(*expr, column, filter.field.json_path.empty(), filter.condition);
    if (!condition) return condition.error();
    return filter.condition.negated ? "NOT (" + *condition + ")" : *condition;
  }

  Result<std::string> LogicSql(const Table& table, const std::string& alias, const LogicTree& tree) {
    if (tree.kind == LogicTree::Kind::kFilter) return FilterSql(table, alias, tree.filter);
    std::vector<std::string> parts;
    for (const auto& child : tree.children) {
      auto sql = LogicSql(table, alias, child);
      if (!sql) return sql.error();
      parts.push_back(*sql);
    }
    std::string joined = "(" + Join(parts, tree.op == LogicOperator::kAnd ? " AND " : " OR ") + ")";
    return tree.negated ? "NOT " + joined : joined;
  }

  Result<std::string> ConditionSql(const std::string& expr, const Column* column, bool plain_column,
                                   const Condition& condition) {
    auto binary = [&](const char* op) -> std::string {
      if (condition.quantifier != Quantifier::kNone) {
        return expr + " " + op + (condition.quantifier == Quantifier::kAny ? " ANY(" : " ALL(") +
               params_.Add(condition.value) + ")";
      }
      return expr + " " + op + " " + params_.Add(condition.value);
    };
    switch (condition.op) {
      case FilterOperator::kEq: return binary("=");
      case FilterOperator::kNeq: return binary("<>");
      case FilterOperator::kGt: return binary(">");
      case FilterOperator::kGte: return binary(">=");
      case FilterOperator::kLt: return binary("<");
      case FilterOperator::kLte: return binary("<=");
      case FilterOperator::kLike: return binary("LIKE");
      case FilterOperator::kIlike: return binary("ILIKE");
      case FilterOperator::kMatch: return binary("~");
      case FilterOperator::kImatch: return binary("~*");
      case FilterOperator::kIsDistinct: return expr + " IS DISTINCT FROM " + params_.Add(condition.value);
      case FilterOperator::kIn: return expr + " = ANY(" + params_.Add(ArrayLiteral(condition.list)) + ")";
      case FilterOperator::kContains: return binary("@>");
      case FilterOperator::kContainedIn: return binary("<@");
      case FilterOperator::kOverlaps: return binary("&&");
      case FilterOperator::kStrictlyLeft: return binary("<<");
      case FilterOperator::kStrictlyRight: return binary(">>");
      case FilterOperator::kNotExtendsRight: return binary("&<");
      case FilterOperator::kNotExtendsLeft: return binary("&>");
      case FilterOperator::kAdjacent: return binary("-|-");
      case FilterOperator::kIs:
        switch (condition.is_value) {
          case IsValue::kNull: return expr + " IS NULL";
          case IsValue::kNotNull: return expr + " IS NOT NULL";
          case IsValue::kTrue: return expr + " IS TRUE";
          case IsValue::kFalse: return expr + " IS FALSE";
          case IsValue::kUnknown: return expr + " IS UNKNOWN";
        }
        break;
      case FilterOperator::kFts:
      case FilterOperator::kPlainFts:
      case FilterOperator::kPhraseFts:
      case FilterOperator::kWebsearchFts: {
        const char* function = condition.op == FilterOperator::kFts         ? "to_tsquery"
                               : condition.op == FilterOperator::kPlainFts  ? "plainto_tsquery"
                               : condition.op == FilterOperator::kPhraseFts ? "phraseto_tsquery"
                                                                            : "websearch_to_tsquery";
        std::string config = condition.fts_config ? params_.Add(*condition.fts_config) + "::regconfig, " : "";
        bool is_vector = plain_column && column != nullptr && column->base_type == "tsvector";
        std::string document = is_vector ? expr : "pg_catalog.to_tsvector(" + config + expr + ")";
        return document + " @@ pg_catalog." + function + "(" + config + params_.Add(condition.value) + ")";
      }
    }
    return ApiError("PGRST100", "failed to parse filter (unsupported operator)");
  }

  const SchemaCache& cache_;
  const QueryParams& query_;
  Params params_;
  int alias_counter_ = 0;
};

// The statement's final SELECT over the rows of `source` (a subquery or CTE name).
std::string Envelope(const std::string& source, const std::string& total, bool singular, const std::string& inserted) {
  std::string body = singular ? "coalesce((pg_catalog.json_agg(_r)->0)::text, 'null')"
                              : "coalesce(pg_catalog.json_agg(_r), '[]')::text";
  return "SELECT " + total + " AS total, pg_catalog.count(_r) AS page_total, " + body + " AS body, " + inserted +
         " AS inserted FROM " + source + " _r";
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

Result<json::value> ParsePayload(const std::string& body, bool allow_array) {
  boost::system::error_code ec;
  json::value payload = json::parse(body.empty() ? std::string("{}") : body, ec);
  if (ec) return ApiError("PGRST102", "Empty or invalid json", ec.message());
  if (!payload.is_object() && !(allow_array && payload.is_array())) {
    return ApiError("PGRST102", "Empty or invalid json", "expected a JSON object" + std::string(allow_array ? " or array" : ""));
  }
  return payload;
}

}  // namespace

Result<SqlQuery> BuildRead(const SchemaCache& cache, const Table& table, const QueryParams& query,
                           const ReadOptions& options) {
  Builder builder(cache, query);
  std::string alias = builder.NewAlias();
  std::vector<std::string> inner;
  auto projection = builder.Projection(table, alias, query.select, {}, inner);
  if (!projection) return projection.error();
  auto where = builder.Where(table, alias, {});
  if (!where) return where.error();
  std::vector<std::string> conditions;
  if (!where->empty()) conditions.push_back(*where);
  conditions.insert(conditions.end(), inner.begin(), inner.end());
  std::string where_sql = conditions.empty() ? "" : " WHERE " + Join(conditions, " AND ");
  auto order = builder.OrderBy(table, alias, {});
  if (!order) return order.error();
  std::string from = " FROM " + Qualified(table.schema, table.name) + " AS " + Ident(alias);
  std::string page = "(SELECT " + *projection + from + where_sql + *order + builder.LimitOffset({}, options.max_rows) + ")";
  std::string total = options.count_exact ? "(SELECT pg_catalog.count(*)" + from + where_sql + ")" : "NULL::bigint";
  return SqlQuery{Envelope(page, total, options.singular, "NULL::bigint"), builder.params().Take()};
}

Result<SqlQuery> BuildMutation(const SchemaCache& cache, const Table& table, const QueryParams& query,
                               const MutationOptions& options) {
  if (!table.insertable) return ApiError("PGRST205", "Cannot write to view '" + table.name + "'");
  Builder builder(cache, query);
  std::string target = Qualified(table.schema, table.name);
  std::string cte;
  bool upsert = options.kind == MutationKind::kInsert && options.resolution.has_value();

  std::string with_list;  // the CTEs, the last of them named pgrst_source
  if (options.kind == MutationKind::kInsert) {
    auto payload = ParsePayload(options.body, true);
    if (!payload) return payload.error();
    auto columns = PayloadColumns(table, *payload, query);
    if (!columns) return columns.error();
    std::string conflict;
    if (upsert) {
      std::vector<std::string> conflict_columns = query.on_conflict ? *query.on_conflict : table.primary_key;
      if (conflict_columns.empty()) return ApiError("PGRST100", "on_conflict is required: the table has no primary key");
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
        insert = "INSERT INTO " + target + " SELECT FROM pg_catalog.generate_series(1, " + std::to_string(items.size()) + ")";
      } else {
        insert = "INSERT INTO " + target + " (" + Join(names, ", ") + ") SELECT " + Join(names, ", ") +
                 " FROM pg_catalog.json_populate_recordset(NULL::" + target + ", " +
                 builder.params().Add(json::serialize(items)) + "::json)";
      }
      if (upsert) {
        std::vector<std::string> sets;
        for (const auto& name : names) sets.push_back(name + " = EXCLUDED." + name);
        bool ignore = *options.resolution == PreferResolution::kIgnoreDuplicates || sets.empty();
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
              builder.params().Add(options.body) + "::json)) _b WHERE " + *where + " RETURNING " + Ident(alias) + ".*";
      }
    } else {
      cte = "DELETE FROM " + target + " AS " + Ident(alias) + " WHERE " + *where + " RETURNING " + Ident(alias) + ".*";
    }
    with_list = "pgrst_source AS (" + cte + ")";
  }

  std::string total = options.count_exact ? "(SELECT pg_catalog.count(*) FROM pgrst_source)" : "NULL::bigint";
  std::string inserted = upsert ? "(SELECT pg_catalog.count(*) FROM pgrst_source WHERE pgrst_inserted)" : "NULL::bigint";
  // page_total counts the affected rows, with or without a representation.
  std::string head = "WITH " + with_list + " SELECT " + total +
                     " AS total, (SELECT pg_catalog.count(*) FROM pgrst_source) AS page_total, ";
  std::string sql;
  if (options.representation) {
    std::string alias = builder.NewAlias();
    std::vector<std::string> inner;
    auto projection = builder.Projection(table, alias, query.select, {}, inner);
    if (!projection) return projection.error();
    std::string body = options.singular ? "coalesce((pg_catalog.json_agg(_r)->0)::text, 'null')"
                                        : "coalesce(pg_catalog.json_agg(_r), '[]')::text";
    sql = head + body + " AS body, " + inserted + " AS inserted FROM (SELECT " + *projection +
          " FROM pgrst_source AS " + Ident(alias) + ") _r";
  } else {
    sql = head + "'' AS body, " + inserted + " AS inserted";
  }
  return SqlQuery{std::move(sql), builder.params().Take()};
}

namespace {

// A JSON argument as the text PostgreSQL parses for the argument's type.
std::optional<std::string> ArgumentText(const json::value& value) {
  if (value.is_null()) return std::nullopt;
  if (value.is_string()) return std::string(value.as_string());
  return json::serialize(value);
}

// JSON arrays for array-typed arguments become PostgreSQL array literals.
std::optional<std::string> ArgumentFor(const FunctionArgument& argument, const json::value& value) {
  bool array_type = argument.type.size() > 2 && argument.type.ends_with("[]");
  if (array_type && value.is_array()) {
    std::vector<std::string> items;
    for (const auto& item : value.as_array()) {
      items.push_back(item.is_string() ? std::string(item.as_string()) : json::serialize(item));
    }
    return ArrayLiteral(items);
  }
  return ArgumentText(value);
}

}  // namespace

Result<CallPlan> BuildCall(const SchemaCache& cache, const std::string& function_name, const QueryParams& query,
                           const CallOptions& options) {
  // The arguments given, by name.
  std::map<std::string, json::value> given;
  if (options.arguments_from_query) {
    for (const auto& argument : query.rpc_args) given[argument.name] = json::value(argument.value);
  } else if (!Trim(options.body).empty()) {
    boost::system::error_code ec;
    json::value payload = json::parse(options.body, ec);
    if (ec || !payload.is_object()) return ApiError("PGRST102", "Empty or invalid json");
    for (const auto& [key, value] : payload.as_object()) given[std::string(key)] = value;
  }
  const Function* chosen = nullptr;
  for (const Function* candidate : cache.FindFunctions(function_name)) {
    bool fits = true;
    std::set<std::string> names;
    for (const auto& argument : candidate->arguments) {
      names.insert(argument.name);
      if (!argument.has_default && !given.count(argument.name)) fits = false;
    }
    for (const auto& [name, value] : given) fits = fits && names.count(name);
    if (fits) {
      if (chosen != nullptr) {
        return ApiError("PGRST203", "Could not choose the best candidate function between: " + cache.Schema() + "." +
                                        function_name);
      }
      chosen = candidate;
    }
  }
  if (chosen == nullptr) {
    std::vector<std::string> names;
    for (const auto& [name, value] : given) names.push_back(name);
    return ApiError("PGRST202",
                    "Could not find the function " + cache.Schema() + "." + function_name + "(" + Join(names, ", ") +
                        ") in the schema cache",
                    "Searched for the function " + cache.Schema() + "." + function_name +
                        (names.empty() ? " without parameters" : " with parameters " + Join(names, ", ")) +
                        ", but no matches were found in the schema cache.");
  }
  Builder builder(cache, query);
  std::vector<std::string> call_arguments;
  for (const auto& argument : chosen->arguments) {
    auto it = given.find(argument.name);
    if (it == given.end()) continue;
    call_arguments.push_back(Ident(argument.name) + " := " + builder.params().Add(ArgumentFor(argument, it->second)) +
                             "::" + argument.type);
  }
  std::string call = Qualified(chosen->schema, chosen->name) + "(" + Join(call_arguments, ", ") + ")";
  CallPlan plan;
  plan.function = chosen;
  if (chosen->returns_table) {
    const Table* table = cache.FindTable(*chosen->returns_table);
    if (table == nullptr) return ApiError("PGRST202", "function result type is not exposed");
    std::string alias = builder.NewAlias();
    std::vector<std::string> inner;
    auto projection = builder.Projection(*table, alias, query.select, {}, inner);
    if (!projection) return projection.error();
    auto where = builder.Where(*table, alias, {});
    if (!where) return where.error();
    std::vector<std::string> conditions;
    if (!where->empty()) conditions.push_back(*where);
    conditions.insert(conditions.end(), inner.begin(), inner.end());
    std::string where_sql = conditions.empty() ? "" : " WHERE " + Join(conditions, " AND ");
    auto order = builder.OrderBy(*table, alias, {});
    if (!order) return order.error();
    std::string from = " FROM " + call + " AS " + Ident(alias);
    std::string page = "(SELECT " + *projection + from + where_sql + *order +
                       builder.LimitOffset({}, options.max_rows) + ")";
    // A function returning one row (not SETOF) answers with an object.
    bool singular = options.singular || !chosen->returns_set;
    // Counting would call the function twice; count the page instead.
    std::string total = options.count_exact ? "(SELECT pg_catalog.count(*)" + from + where_sql + ")" : "NULL::bigint";
    plan.query = SqlQuery{Envelope(page, total, singular, "NULL::bigint"), builder.params().Take()};
    return plan;
  }
  if (chosen->returns_void) {
    plan.query = SqlQuery{"SELECT NULL::bigint AS total, 1::bigint AS page_total, '' AS body, NULL::bigint AS inserted "
                          "FROM (SELECT " + call + ") _r",
                          builder.params().Take()};
    return plan;
  }
  std::string body = chosen->returns_set ? "coalesce(pg_catalog.json_agg(_r.v), '[]')::text"
                                         : "coalesce((pg_catalog.json_agg(_r.v)->0)::text, 'null')";
  plan.query = SqlQuery{"SELECT NULL::bigint AS total, pg_catalog.count(*) AS page_total, " + body +
                            " AS body, NULL::bigint AS inserted FROM (SELECT pg_catalog.to_json(" +
                            (chosen->returns_set ? "_c" : call) + ") AS v" +
                            (chosen->returns_set ? " FROM " + call + " AS _c" : "") + ") _r",
                        builder.params().Take()};
  return plan;
}

}  // namespace agentbase::rest
