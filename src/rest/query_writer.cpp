#include "rest/query_writer.hpp"

#include <regex>

#include "rest/api_error.hpp"
#include "util/text.hpp"

namespace agentbase::rest {

std::string Ident(const std::string& name) { return "\"" + ReplaceAll(name, "\"", "\"\"") + "\""; }

std::string Qualified(const std::string& schema, const std::string& name) { return Ident(schema) + "." + Ident(name); }

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

std::string RowsBody(BodyForm form, std::string_view row_view) {
  std::string row(row_view);
  if (form.csv) {
    std::string header = "(SELECT pg_catalog.string_agg(_k, ',') FROM pg_catalog.json_object_keys(pg_catalog.json_agg(" +
                         row + ")->0) AS _k)";
    std::string line = "pg_catalog.substr(" + row + "::text, 2, pg_catalog.length(" + row + "::text) - 2)";
    return "coalesce(" + header + ", '') || pg_catalog.chr(10) || coalesce(pg_catalog.string_agg(" + line +
           ", pg_catalog.chr(10)), '')";
  }
  std::string agg = "pg_catalog.json_agg(" + row + ")";
  if (form.strip_nulls) agg = "pg_catalog.json_strip_nulls(" + agg + ")";
  return form.singular ? "coalesce((" + agg + "->0)::text, 'null')" : "coalesce(" + agg + ", '[]')::text";
}

std::string StatementRowColumns(const std::string& total, const std::string& page_total, const std::string& body,
                                const std::string& inserted) {
  // Too large a body never leaves the database: the statement fails
  // instead, so a write rolls back (identical aggregates in it are computed
  // once). SQL has no RAISE, so the failure is a cast of a marked text
  // (ResponseTooLarge recognises it); the setting in it keeps the planner
  // from folding it into an error at plan time when the body is constant.
  std::string limit = "pg_catalog.current_setting('agentbase.max_response_bytes', true)";
  std::string capped = "CASE WHEN pg_catalog.octet_length(" + body + ") <= nullif(" + limit + ", '')::bigint THEN " +
                       body + " ELSE ('" + std::string(kResponseTooLargeMarker) + "' || pg_catalog.octet_length(" +
                       body + ") || ' > ' || " + limit + ")::integer::text END";
  return total + " AS total, " + page_total + " AS page_total, " + capped + " AS body, " + inserted +
         " AS inserted, nullif(pg_catalog.current_setting('response.headers', true), '') AS response_headers"
         ", nullif(pg_catalog.current_setting('response.status', true), '') AS response_status";
}

std::string Envelope(const std::string& source, const std::string& total, BodyForm form, const std::string& inserted) {
  return "SELECT " + StatementRowColumns(total, "pg_catalog.count(_r)", RowsBody(form, "_r"), inserted) + " FROM " +
         source + " _r";
}

namespace {

bool IsValidCast(const std::string& type) {
  static const std::regex shape(R"(^[A-Za-z_][A-Za-z0-9_ ]*(\(\d+(,\s*\d+)?\))?(\[\])?$)");
  return type.size() < 64 && std::regex_match(type, shape);
}

}  // namespace

// The select list of one level, as "expr AS "key"" items.
Result<std::string> QueryWriter::Projection(const Table& table, const std::string& alias,
                                            const std::vector<SelectItem>& items, const EmbedPath& path,
                                            LevelExtras& extras) {
  std::vector<std::string> columns;
  for (const auto& item : items) {
    if (item.kind == SelectItem::Kind::kField) {
      auto field = FieldItem(table, alias, item);
      if (!field) return field.error();
      columns.push_back(*field);
      continue;
    }
    auto embed = item.kind == SelectItem::Kind::kSpread ? Spread(table, alias, item, path, extras)
                                                        : Embed(table, alias, item, path, extras);
    if (!embed) return embed.error();
    if (!embed->empty()) columns.push_back(*embed);
  }
  if (columns.empty()) return std::string("NULL AS \"\"");  // select= (nothing): rows of empty objects
  return Join(columns, ", ");
}

Result<std::string> QueryWriter::Where(const Table& table, const std::string& alias, const EmbedPath& path) {
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

Result<std::string> QueryWriter::OrderBy(const Table& table, const std::string& alias, const EmbedPath& path,
                                         const std::vector<SelectItem>& items) {
  std::vector<std::string> terms;
  for (const auto& order : query_.order) {
    if (order.embed_path != path) continue;
    for (const auto& term : order.terms) {
      auto expr = term.relation ? RelatedOrderExpr(table, alias, term, items) : FieldExpr(table, alias, term.field);
      if (!expr) return expr.error();
      std::string sql = *expr;
      if (term.direction) sql += *term.direction == OrderDirection::kDesc ? " DESC" : " ASC";
      if (term.nulls) sql += *term.nulls == NullsOrder::kFirst ? " NULLS FIRST" : " NULLS LAST";
      terms.push_back(sql);
    }
  }
  return terms.empty() ? std::string() : " ORDER BY " + Join(terms, ", ");
}

std::string QueryWriter::LimitOffset(const EmbedPath& path, std::optional<int64_t> max_rows) {
  const RangeParam* range = query_.RangeFor(path);
  std::optional<int64_t> limit = range ? range->limit : std::nullopt;
  if (max_rows && (!limit || *limit > *max_rows)) limit = max_rows;
  std::string sql;
  if (limit) sql += " LIMIT " + params_.Add(std::to_string(*limit)) + "::bigint";
  if (range && range->offset && *range->offset > 0)
    sql += " OFFSET " + params_.Add(std::to_string(*range->offset)) + "::bigint";
  return sql;
}

namespace {

// The column (found already), followed along the field's JSON path.
std::string ColumnExpr(const std::string& alias, const Column& column, const Field& field) {
  std::string expr = Ident(alias) + "." + Ident(column.name);
  for (const auto& step : field.json_path) {
    expr += step.arrow == JsonArrow::kArrow ? "->" : "->>";
    expr += step.is_index ? step.key : QuoteLiteral(step.key);
  }
  return expr;
}

}  // namespace

Result<std::string> QueryWriter::FieldExpr(const Table& table, const std::string& alias, const Field& field) {
  const Column* column = table.FindColumn(field.name);
  if (column == nullptr) return ColumnNotFound(table, field.name);
  return ColumnExpr(alias, *column, field);
}

Result<std::string> QueryWriter::ReadFrom(const Table& table, const std::string& source, bool count_exact,
                                          BodyForm form, std::optional<int64_t> max_rows) {
  std::string alias = NewAlias();
  LevelExtras extras;
  auto projection = Projection(table, alias, query_.select, {}, extras);
  if (!projection) return projection.error();
  auto where = Where(table, alias, {});
  if (!where) return where.error();
  std::vector<std::string> conditions;
  if (!where->empty()) conditions.push_back(*where);
  conditions.insert(conditions.end(), extras.conditions.begin(), extras.conditions.end());
  std::string where_sql = conditions.empty() ? "" : " WHERE " + Join(conditions, " AND ");
  auto order = OrderBy(table, alias, {}, query_.select);
  if (!order) return order.error();
  // Spread joins add columns, never rows (one LEFT JOIN LATERAL ... LIMIT 1
  // each), so the count leaves them out.
  std::string from = " FROM " + source + " AS " + Ident(alias);
  std::string page =
      "(SELECT " + *projection + from + extras.joins + where_sql + *order + LimitOffset({}, max_rows) + ")";
  std::string total = count_exact ? "(SELECT pg_catalog.count(*)" + from + where_sql + ")" : "NULL::bigint";
  return Envelope(page, total, form, "NULL::bigint");
}

Result<std::string> QueryWriter::FieldItem(const Table& table, const std::string& alias, const SelectItem& item) {
  if (item.aggregate) return ApiError("PGRST123", "Use of aggregate functions is not allowed");
  if (item.field.name == "*") {
    std::vector<std::string> all;
    for (const auto& column : table.columns) all.push_back(Ident(alias) + "." + Ident(column.name));
    return Join(all, ", ");
  }
  // PostgREST's legacy count: `count` that is no column counts the rows of its
  // level (`select=count`, `select=id,messages(count)`), allowed even though
  // aggregate functions are not.
  bool legacy_count =
      item.field.name == "count" && item.field.json_path.empty() && table.FindColumn("count") == nullptr;
  auto expr = legacy_count ? Result<std::string>(std::string("pg_catalog.count(*)")) : FieldExpr(table, alias, item.field);
  if (!expr) return expr.error();
  std::string sql = *expr;
  if (item.cast) {
    if (!IsValidCast(*item.cast)) return ApiError("PGRST100", "failed to parse select parameter (invalid cast)");
    sql = "CAST(" + sql + " AS " + *item.cast + ")";
  }
  std::string key =
      item.alias ? *item.alias : (item.field.json_path.empty() ? item.field.name : item.field.json_path.back().key);
  return sql + " AS " + Ident(key);
}

Result<Relationship> QueryWriter::Resolve(const Table& parent, const SelectItem& item) {
  auto not_found = [&] {
    return ApiError(
        "PGRST200",
        "Could not find a relationship between '" + parent.name + "' and '" + item.relation + "' in the schema cache",
        "Searched for a foreign key relationship between '" + parent.name + "' and '" + item.relation +
            "' in the schema '" + cache_.Schema() + "', but no matches were found.");
  };
  const Table* target = cache_.FindTable(item.relation);
  if (target == nullptr) return not_found();
  std::vector<Relationship> found;
  for (const auto* key : cache_.ForeignKeysBetween(parent.name, target->name)) {
    if (item.hint) {
      bool matches = key->name == *item.hint;
      for (const auto& column : key->columns) matches = matches || column == *item.hint;
      if (!matches) continue;
    }
    found.push_back({key, target, key->table == parent.name});
  }
  if (found.empty()) return not_found();  // target->name is item.relation
  if (found.size() > 1) {
    std::vector<std::string> names;
    for (const auto& relationship : found) names.push_back("'" + target->name + "!" + relationship.key->name + "'");
    return ApiError("PGRST201",
                    "Could not embed because more than one relationship was found for '" + parent.name + "' and '" +
                        target->name + "'",
                    "",
                    "Try changing '" + target->name + "' to one of the following: " + Join(names, ", ") +
                        ". Find the desired relationship in the 'details' key.");
  }
  return found.front();
}

std::string QueryWriter::JoinCondition(const Relationship& relationship, const std::string& parent_alias,
                                       const std::string& target_alias) {
  std::vector<std::string> pairs;
  const auto& key = *relationship.key;
  // To-one: the parent holds the key; to-many: the target does.
  const auto& target_columns = relationship.to_one ? key.referenced_columns : key.columns;
  const auto& parent_columns = relationship.to_one ? key.columns : key.referenced_columns;
  for (size_t i = 0; i < key.columns.size(); ++i) {
    pairs.push_back(Ident(target_alias) + "." + Ident(target_columns[i]) + " = " + Ident(parent_alias) + "." +
                    Ident(parent_columns[i]));
  }
  return Join(pairs, " AND ");
}

Result<QueryWriter::EmbedSource> QueryWriter::Source(const Table& parent, const std::string& parent_alias,
                                                    const SelectItem& item, const EmbedPath& parent_path,
                                                    LevelExtras& extras) {
  auto relationship = Resolve(parent, item);
  if (!relationship) return relationship.error();
  EmbedSource source;
  source.relationship = *relationship;
  source.path = parent_path;
  source.path.push_back(item.alias ? *item.alias : item.relation);
  const Table& target = *relationship->target;
  source.alias = NewAlias();
  LevelExtras nested;
  auto projection = Projection(target, source.alias, item.children, source.path, nested);
  if (!projection) return projection.error();
  source.projection = std::move(*projection);
  // Filters may name the embed by its alias or by its relation name.
  auto where = Where(target, source.alias, source.path);
  if (!where) return where.error();
  if (where->empty() && item.alias) {
    EmbedPath by_name = parent_path;
    by_name.push_back(item.relation);
    where = Where(target, source.alias, by_name);
    if (!where) return where.error();
  }
  std::string conditions = JoinCondition(*relationship, parent_alias, source.alias);
  if (!where->empty()) conditions += " AND " + *where;
  for (const auto& inner : nested.conditions) conditions += " AND " + inner;
  source.from = " FROM " + Qualified(target.schema, target.name) + " AS " + Ident(source.alias) + nested.joins +
                " WHERE " + conditions;
  if (item.join_type == JoinType::kInner) extras.conditions.push_back("EXISTS (SELECT 1" + source.from + ")");
  return source;
}

// An embedded resource as a correlated subquery in the select list: one
// JSON object (to-one) or an array.
Result<std::string> QueryWriter::Embed(const Table& parent, const std::string& parent_alias, const SelectItem& item,
                                       const EmbedPath& parent_path, LevelExtras& extras) {
  auto source = Source(parent, parent_alias, item, parent_path, extras);
  if (!source) return source.error();
  if (item.children.empty()) return std::string();  // embedded for filtering only
  std::string key = Ident(item.alias ? *item.alias : item.relation);
  if (source->relationship.to_one) {
    return "(SELECT pg_catalog.row_to_json(_e) FROM (SELECT " + source->projection + source->from +
           " LIMIT 1) _e) AS " + key;
  }
  const Table& target = *source->relationship.target;
  auto order = OrderBy(target, source->alias, source->path, item.children);
  if (!order) return order.error();
  std::string limit = LimitOffset(source->path, max_rows_);
  return "coalesce((SELECT pg_catalog.json_agg(_e) FROM (SELECT " + source->projection + source->from + *order +
         limit + ") _e), '[]') AS " + key;
}

// `...rel(cols)`: the columns of a to-one embed lifted into the parent's row,
// through a LEFT JOIN LATERAL (all null when there is no related row).
Result<std::string> QueryWriter::Spread(const Table& parent, const std::string& parent_alias, const SelectItem& item,
                                        const EmbedPath& parent_path, LevelExtras& extras) {
  auto source = Source(parent, parent_alias, item, parent_path, extras);
  if (!source) return source.error();
  if (!source->relationship.to_one) {
    return ApiError("PGRST119", "A spread operation on '" + item.relation + "' is not possible",
                    "'" + parent.name + "' and '" + item.relation +
                        "' do not form a many-to-one or one-to-one relationship");
  }
  if (item.children.empty()) return std::string();
  std::string joined = NewAlias();
  extras.joins += " LEFT JOIN LATERAL (SELECT " + source->projection + source->from + " LIMIT 1) AS " +
                  Ident(joined) + " ON true";
  return Ident(joined) + ".*";
}

// `order=rel(col)`: the column of the parent's to-one embed `rel` (its
// alias or relation name), as a correlated subquery.
Result<std::string> QueryWriter::RelatedOrderExpr(const Table& parent, const std::string& parent_alias,
                                                  const OrderTerm& term, const std::vector<SelectItem>& items) {
  const SelectItem* embedded = nullptr;
  for (const auto& item : items) {
    if (item.kind == SelectItem::Kind::kField) continue;
    if (item.alias ? *item.alias == *term.relation : item.relation == *term.relation) embedded = &item;
  }
  if (embedded == nullptr) {
    return ApiError("PGRST108", "'" + *term.relation + "' is not an embedded resource in this request", "",
                    "Verify that '" + *term.relation + "' is included in the 'select' query parameter.");
  }
  auto relationship = Resolve(parent, *embedded);
  if (!relationship) return relationship.error();
  if (!relationship->to_one) {
    return ApiError("PGRST118", "A related order on '" + *term.relation + "' is not possible",
                    "'" + parent.name + "' and '" + embedded->relation +
                        "' do not form a many-to-one or one-to-one relationship");
  }
  const Table& target = *relationship->target;
  std::string alias = NewAlias();
  auto column = FieldExpr(target, alias, term.field);
  if (!column) return column.error();
  return "(SELECT " + *column + " FROM " + Qualified(target.schema, target.name) + " AS " + Ident(alias) +
         " WHERE " + JoinCondition(*relationship, parent_alias, alias) + " LIMIT 1)";
}

Result<std::string> QueryWriter::FilterSql(const Table& table, const std::string& alias, const Filter& filter) {
  const Column* column = table.FindColumn(filter.field.name);
  if (column == nullptr) return ColumnNotFound(table, filter.field.name);
  auto condition = ConditionSql(ColumnExpr(alias, *column, filter.field), column, filter.field.json_path.empty(),
                                filter.condition);
  if (!condition) return condition.error();
  return filter.condition.negated ? "NOT (" + *condition + ")" : *condition;
}

Result<std::string> QueryWriter::LogicSql(const Table& table, const std::string& alias, const LogicTree& tree) {
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

Result<std::string> QueryWriter::ConditionSql(const std::string& expr, const Column* column, bool plain_column,
                                              const Condition& condition) {
  auto binary = [&](const char* op) -> std::string {
    if (condition.quantifier != Quantifier::kNone) {
      return expr + " " + op + (condition.quantifier == Quantifier::kAny ? " ANY(" : " ALL(") +
             params_.Add(condition.value) + ")";
    }
    return expr + " " + op + " " + params_.Add(condition.value);
  };
  switch (condition.op) {
    case FilterOperator::kEq:
      return binary("=");
    case FilterOperator::kNeq:
      return binary("<>");
    case FilterOperator::kGt:
      return binary(">");
    case FilterOperator::kGte:
      return binary(">=");
    case FilterOperator::kLt:
      return binary("<");
    case FilterOperator::kLte:
      return binary("<=");
    case FilterOperator::kLike:
      return binary("LIKE");
    case FilterOperator::kIlike:
      return binary("ILIKE");
    case FilterOperator::kMatch:
      return binary("~");
    case FilterOperator::kImatch:
      return binary("~*");
    case FilterOperator::kIsDistinct:
      return expr + " IS DISTINCT FROM " + params_.Add(condition.value);
    case FilterOperator::kIn:
      return expr + " = ANY(" + params_.Add(ArrayLiteral(condition.list)) + ")";
    case FilterOperator::kContains:
      return binary("@>");
    case FilterOperator::kContainedIn:
      return binary("<@");
    case FilterOperator::kOverlaps:
      return binary("&&");
    case FilterOperator::kStrictlyLeft:
      return binary("<<");
    case FilterOperator::kStrictlyRight:
      return binary(">>");
    case FilterOperator::kNotExtendsRight:
      return binary("&<");
    case FilterOperator::kNotExtendsLeft:
      return binary("&>");
    case FilterOperator::kAdjacent:
      return binary("-|-");
    case FilterOperator::kIs:
      switch (condition.is_value) {
        case IsValue::kNull:
          return expr + " IS NULL";
        case IsValue::kNotNull:
          return expr + " IS NOT NULL";
        case IsValue::kTrue:
          return expr + " IS TRUE";
        case IsValue::kFalse:
          return expr + " IS FALSE";
        case IsValue::kUnknown:
          return expr + " IS UNKNOWN";
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

}  // namespace agentbase::rest
