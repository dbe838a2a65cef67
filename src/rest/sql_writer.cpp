#include "rest/sql_writer.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <map>
#include <set>

#include "db/connection.hpp"
#include "util/text.hpp"

namespace agentbase::rest {

std::string Ident(const std::string& name) { return "\"" + ReplaceAll(name, "\"", "\"\"") + "\""; }

std::string Qualified(const std::string& schema, const std::string& name) { return Ident(schema) + "." + Ident(name); }

std::string RowsBody(const BodyForm& form, std::string_view row_view) {
  std::string row(row_view);
  if (form.raw) {
    // One value (a function's, not SETOF) or none. Bytes go as hex text,
    // which the caller decodes (HexDecode).
    if (form.raw->bytes) {
      return "coalesce(pg_catalog.encode(pg_catalog.string_agg(" + row + "::bytea, ''::bytea), 'hex'), '')";
    }
    return "coalesce(pg_catalog.string_agg(" + row + "::text, ''), '')";
  }
  if (form.csv) {
    std::string header =
        "(SELECT pg_catalog.string_agg(_k, ',') FROM pg_catalog.json_object_keys(pg_catalog.json_agg(" + row +
        ")->0) AS _k)";
    std::string line = "pg_catalog.substr(" + row + "::text, 2, pg_catalog.length(" + row + "::text) - 2)";
    return "coalesce(" + header + ", '') || pg_catalog.chr(10) || coalesce(pg_catalog.string_agg(" + line +
           ", pg_catalog.chr(10)), '')";
  }
  if (form.singular) {
    // The first row's JSON, taken from an array of JSON values rather than
    // with ->0 from one JSON text, which parses the whole text again (for a
    // row with an embedding, 1,536 numbers) at each of the body's uses.
    std::string first = "(pg_catalog.array_agg(pg_catalog.to_json(" + row + ")))[1]";
    if (form.strip_nulls) first = "pg_catalog.json_strip_nulls(" + first + ")";
    return "coalesce(" + first + "::text, 'null')";
  }
  std::string agg = "pg_catalog.json_agg(" + row + ")";
  if (form.strip_nulls) agg = "pg_catalog.json_strip_nulls(" + agg + ")";
  return "coalesce(" + agg + ", '[]')::text";
}

std::string StatementRowColumns(const std::string& total, const std::string& page_total, const std::string& body,
                                const std::string& inserted, int64_t max_response_bytes, bool hex_body) {
  // Too large a body never leaves the database: the statement fails
  // instead, so a write rolls back (identical aggregates in it are computed
  // once). SQL has no RAISE, so the failure is a cast of a marked text
  // (ResponseTooLarge recognises it). The bound is a literal, as the
  // server's setting is fixed: no set_config and current_setting per
  // request. A constant body makes the condition constant too, and the
  // planner then keeps only the branch it takes.
  std::string limit = std::to_string(max_response_bytes);
  std::string length = "pg_catalog.octet_length(" + body + ")";
  if (hex_body) length = "(" + length + " / 2)";
  std::string capped = "CASE WHEN " + length + " <= " + limit + " THEN " + body + " ELSE ('" +
                       std::string(kResponseTooLargeMarker) + "' || " + length + " || ' > " + limit +
                       "')::integer::text END";
  return total + " AS total, " + page_total + " AS page_total, " + capped + " AS body, " + inserted +
         " AS inserted, nullif(pg_catalog.current_setting('response.headers', true), '') AS response_headers"
         ", nullif(pg_catalog.current_setting('response.status', true), '') AS response_status";
}

namespace {

// What one level's select list adds to its query besides the columns.
struct LevelExtras {
  std::vector<std::string> conditions;  // EXISTS (...) of !inner embeds, for the level's WHERE
  std::string joins;                    // LEFT JOIN LATERAL (...) of spread embeds, for its FROM
  std::string group_by;                 // GROUP BY of a level with aggregates
};

// An item of a to-one spread whose aggregates are computed by the level it
// spreads into (PostgREST hoists them there): the spread's join yields the
// value under `column`, the level aggregates it (or groups by it) as `key`.
struct HoistedItem {
  std::string key;
  std::string column;
  const SelectedField* aggregate = nullptr;  // none: a plain column the level groups by
};

bool IsToOneSpread(const ReadNode& child) {
  return child.spread && child.relationship != nullptr && child.relationship->to_one && !child.filter_only;
}

// Whether a level computes aggregates: of its own fields, or hoisted from a
// to-one spread (or one within it), whose aggregates the level it spreads
// into computes. Its other to-one spreads then yield their columns one by
// one, to be grouped by.
bool LevelAggregates(const ReadNode& node) {
  for (const auto& entry : node.select) {
    if (!entry.is_embed) {
      if (entry.field.aggregate || entry.field.kind == SelectedField::Kind::kRowCount) return true;
      continue;
    }
    const ReadNode& child = node.children[entry.embed];
    if (IsToOneSpread(child) && LevelAggregates(child)) return true;
  }
  return false;
}

// An embedded level's rows: " FROM target AS alias ..." and the conditions
// joining it to its parent.
struct EmbedSource {
  std::string from;
  std::vector<std::string> conditions;
};

class SqlWriter {
 public:
  // The bound of the body a statement answers; a count estimate (an
  // EXPLAIN, no body) takes none.
  explicit SqlWriter(int64_t max_response_bytes = kDefaultMaxResponseBytes) : max_response_bytes_(max_response_bytes) {}
  SqlQuery Read(const ReadPlan& plan);
  SqlQuery CountEstimate(const ReadPlan& plan);
  SqlQuery Mutation(const MutationPlan& plan);

 private:
  std::string Param(std::optional<std::string> value) {
    params_.push_back(std::move(value));
    return "$" + std::to_string(params_.size());
  }
  std::string BinaryParam(std::optional<std::string> value) {
    binary_params_.push_back(params_.size());
    return Param(std::move(value));
  }
  SqlQuery Query(std::string sql) { return SqlQuery{std::move(sql), std::move(params_), std::move(binary_params_)}; }
  std::string NewAlias() { return "_" + std::to_string(alias_counter_++); }

  std::string Call(const FunctionCall& call);
  std::string RootSource(const ReadPlan& plan);
  std::string Field(const FieldRef& field, const std::string& alias);
  std::vector<std::string> Keys(const ReadNode& node);
  // `hoisted`: this level is a to-one spread whose aggregates the level above
  // computes; its aggregated fields are selected raw and listed there.
  std::string Projection(const ReadNode& node, const std::string& alias, LevelExtras& extras,
                         std::vector<HoistedItem>* hoisted = nullptr);
  std::string Where(const ReadNode& node, const std::string& alias);
  std::string OrderBy(const ReadNode& node, const std::string& alias);
  std::string LimitOffset(const ReadNode& node);
  EmbedSource JoinParent(const ReadNode& child, const std::string& parent_alias, const std::string& alias);
  // `jsonb`: a non-spread embed's value as jsonb, which can be grouped by
  // (json cannot), for an embed whose level passes it up to be grouped.
  std::string Embed(const ReadNode& child, const std::string& parent_alias, LevelExtras& extras,
                    std::vector<HoistedItem>* hoisted = nullptr, bool jsonb = false);
  bool SpreadIntoAggregatingLevel(const ReadNode& child, const std::string& alias, LevelExtras& extras,
                                  std::vector<HoistedItem>* hoisted, std::vector<std::string>& columns,
                                  std::vector<std::string>& grouped);
  std::string Condition(const std::string& expr, const FieldRef& field, const rest::Condition& condition);
  std::string Filter(const ResolvedFilter& filter, const std::string& alias, const ReadNode& node);
  std::string EmbedExists(const ReadNode& child, const std::string& parent_alias);
  std::string Logic(const ResolvedLogic& tree, const std::string& alias, const ReadNode& node);
  std::string Insert(const MutationPlan& plan, const PayloadGroup& group, const std::string& target);

  db::Params params_;
  std::vector<size_t> binary_params_;
  int alias_counter_ = 0;
  int64_t max_response_bytes_;
  // The join alias of each to-one spread whose aggregates were hoisted, so
  // that an order by its columns reads the grouped join's column.
  struct HoistedJoin {
    std::string alias;
    std::set<std::string> columns;  // the plain columns it yields
  };
  std::map<const ReadNode*, HoistedJoin> hoisted_joins_;
};

std::string SqlWriter::Call(const FunctionCall& call) {
  std::vector<std::string> arguments;
  for (const auto& argument : call.arguments) {
    const FunctionArgument& declared = *argument.argument;
    bool binary = argument.form == CallArgument::Form::kBinaryRealArray;
    std::string value = binary ? BinaryParam(argument.value) : Param(argument.value);
    switch (argument.form) {
      case CallArgument::Form::kCast:
      case CallArgument::Form::kBinaryRealArray:
        arguments.push_back((declared.is_variadic ? "VARIADIC " : "") + Ident(declared.name) + " := " + value +
                            "::" + declared.type);
        break;
      case CallArgument::Form::kComposite:
        arguments.push_back(Ident(declared.name) + " := pg_catalog.json_populate_record(NULL::" + declared.type + ", " +
                            value + "::json)");
        break;
      case CallArgument::Form::kWholeBody: arguments.push_back(value + "::" + declared.type); break;
      case CallArgument::Form::kHexBody: arguments.push_back("pg_catalog.decode(" + value + ", 'hex')"); break;
    }
  }
  return Qualified(call.function->schema, call.function->name) + "(" + Join(arguments, ", ") + ")";
}

// What the root level reads: a table or view, or a function's rows. A
// scalar function is called in a select list, so a record or a domain over
// a composite type stays one value.
std::string SqlWriter::RootSource(const ReadPlan& plan) {
  const ReadNode& root = plan.root;
  std::string source = plan.call ? Call(*plan.call) : Qualified(root.table->schema, root.table->name);
  if (plan.scalar_table) source = "(SELECT " + source + " AS " + Ident(plan.scalar_table->columns.front().name) + ")";
  return source;
}

std::string SqlWriter::Field(const FieldRef& field, const std::string& alias) {
  std::string expr = field.column != nullptr
                         ? Ident(alias) + "." + Ident(field.column->name)
                         : Qualified(field.computed->schema, field.computed->name) + "(" + Ident(alias) + ")";
  for (const auto& step : field.json_path) {
    expr += step.arrow == JsonArrow::kArrow ? "->" : "->>";
    expr += step.is_index ? step.key : QuoteLiteral(step.key);
  }
  return expr;
}

// The output names of a level's select list (for spreads of to-many embeds):
// a spread inside it contributes its own names, which its join adds to the
// level's rows.
std::vector<std::string> SqlWriter::Keys(const ReadNode& node) {
  std::vector<std::string> keys;
  for (const auto& entry : node.select) {
    if (entry.is_embed) {
      const ReadNode& child = node.children[entry.embed];
      if (child.filter_only) continue;
      if (child.spread) {
        auto lifted = Keys(child);
        keys.insert(keys.end(), lifted.begin(), lifted.end());
      } else {
        keys.push_back(child.key);
      }
      continue;
    }
    if (entry.field.kind != SelectedField::Kind::kAllColumns) {
      keys.push_back(entry.field.key);
      continue;
    }
    for (const auto& column : node.table->columns) keys.push_back(column.name);
  }
  return keys;
}

std::string SqlWriter::Projection(const ReadNode& node, const std::string& alias, LevelExtras& extras,
                                  std::vector<HoistedItem>* hoisted) {
  std::vector<std::string> columns;
  std::vector<std::string> grouped;  // with aggregates: the other fields' expressions
  bool aggregating = false;
  bool level_aggregates = hoisted != nullptr || LevelAggregates(node);
  for (const auto& entry : node.select) {
    if (entry.is_embed) {
      const ReadNode& child = node.children[entry.embed];
      if (level_aggregates && IsToOneSpread(child)) {
        aggregating = SpreadIntoAggregatingLevel(child, alias, extras, hoisted, columns, grouped) || aggregating;
        continue;
      }
      if (hoisted != nullptr && !child.spread) {
        // Passed up with the spread's other columns, to be grouped by.
        std::string embedded = Embed(child, alias, extras, nullptr, true);
        if (embedded.empty()) continue;
        columns.push_back(std::move(embedded));
        hoisted->push_back({child.key, child.key, nullptr});
        continue;
      }
      std::string embedded = Embed(child, alias, extras);
      if (!embedded.empty()) columns.push_back(std::move(embedded));
      continue;
    }
    const SelectedField& field = entry.field;
    if (field.kind == SelectedField::Kind::kAllColumns) {
      for (const auto& column : node.table->columns) {
        columns.push_back(Ident(alias) + "." + Ident(column.name));
        grouped.push_back(columns.back());
        if (hoisted != nullptr) hoisted->push_back({column.name, column.name, nullptr});
      }
      continue;
    }
    bool is_aggregate = field.aggregate.has_value() || field.kind == SelectedField::Kind::kRowCount;
    if (hoisted != nullptr) {
      // Raw values under a name of their own; the level above aggregates them.
      std::string column = is_aggregate ? "_h" + std::to_string(alias_counter_++) : field.key;
      std::string sql = field.kind == SelectedField::Kind::kRowCount ? "NULL" : Field(field.field, alias);
      if (field.cast) sql = "CAST(" + sql + " AS " + *field.cast + ")";
      columns.push_back(sql + " AS " + Ident(column));
      hoisted->push_back({field.key, column, is_aggregate ? &field : nullptr});
      continue;
    }
    std::string sql = field.kind == SelectedField::Kind::kRowCount ? "pg_catalog.count(*)" : Field(field.field, alias);
    if (field.cast) sql = "CAST(" + sql + " AS " + *field.cast + ")";
    if (field.aggregate && field.kind == SelectedField::Kind::kField) {
      sql = std::string("pg_catalog.") + AggregateName(*field.aggregate) + "(" + sql + ")";
    }
    if (field.aggregate_cast) sql = "CAST(" + sql + " AS " + *field.aggregate_cast + ")";
    aggregating = aggregating || is_aggregate;
    if (!is_aggregate) grouped.push_back(sql);
    columns.push_back(sql + " AS " + Ident(field.key));
  }
  if (columns.empty()) return "NULL AS \"\"";  // select= (nothing): rows of empty objects
  if (aggregating && !grouped.empty()) extras.group_by = " GROUP BY " + Join(grouped, ", ");
  return Join(columns, ", ");
}

// A to-one spread at a level that aggregates: its join yields its columns
// and the raw values of its aggregates; within a spread that passes its
// aggregates up they pass up too, otherwise this level aggregates them and
// groups by the rest. True when it added an aggregate.
bool SqlWriter::SpreadIntoAggregatingLevel(const ReadNode& child, const std::string& alias, LevelExtras& extras,
                                           std::vector<HoistedItem>* hoisted, std::vector<std::string>& columns,
                                           std::vector<std::string>& grouped) {
  std::vector<HoistedItem> items;
  std::string joined = Embed(child, alias, extras, &items);
  HoistedJoin& join = hoisted_joins_[&child];
  join.alias = joined;
  bool aggregating = false;
  for (auto& item : items) {
    if (item.aggregate == nullptr) join.columns.insert(item.column);
    std::string value = Ident(joined) + "." + Ident(item.column);
    if (hoisted != nullptr) {
      columns.push_back(value + " AS " + Ident(item.column));
      hoisted->push_back(std::move(item));
      continue;
    }
    if (item.aggregate == nullptr) {
      columns.push_back(value + " AS " + Ident(item.key));
      grouped.push_back(value);
      continue;
    }
    const SelectedField& field = *item.aggregate;
    std::string sql = field.kind == SelectedField::Kind::kRowCount
                          ? "pg_catalog.count(*)"
                          : std::string("pg_catalog.") + AggregateName(*field.aggregate) + "(" + value + ")";
    if (field.aggregate_cast) sql = "CAST(" + sql + " AS " + *field.aggregate_cast + ")";
    columns.push_back(sql + " AS " + Ident(item.key));
    aggregating = true;
  }
  return aggregating;
}

EmbedSource SqlWriter::JoinParent(const ReadNode& child, const std::string& parent_alias, const std::string& alias) {
  const Relationship& relationship = *child.relationship;
  const Table& target = *child.table;
  EmbedSource source;
  if (relationship.cardinality == Cardinality::kComputed) {
    source.from = " FROM " + Qualified(target.schema, relationship.constraint) + "(" + Ident(parent_alias) + ") AS " +
                  Ident(alias);
    return source;
  }
  source.from = " FROM " + Qualified(target.schema, target.name) + " AS " + Ident(alias);
  if (relationship.junction) {
    const Junction& junction = *relationship.junction;
    std::string through = NewAlias();
    source.from += ", " + Qualified(target.schema, junction.table) + " AS " + Ident(through);
    for (const auto& pair : junction.target_columns) {
      source.conditions.push_back(Ident(through) + "." + Ident(pair.source) + " = " + Ident(alias) + "." +
                                  Ident(pair.target));
    }
    for (const auto& pair : junction.source_columns) {
      source.conditions.push_back(Ident(through) + "." + Ident(pair.target) + " = " + Ident(parent_alias) + "." +
                                  Ident(pair.source));
    }
    return source;
  }
  for (const auto& pair : relationship.columns) {
    source.conditions.push_back(Ident(alias) + "." + Ident(pair.target) + " = " + Ident(parent_alias) + "." +
                                Ident(pair.source));
  }
  return source;
}

// An embedded level as a correlated subquery in its parent's select list:
// one JSON object (to-one) or an array; a spread's columns come from a
// LEFT JOIN LATERAL in the parent's FROM instead.
std::string SqlWriter::Embed(const ReadNode& child, const std::string& parent_alias, LevelExtras& extras,
                             std::vector<HoistedItem>* hoisted, bool jsonb) {
  // `rel()` only matters as a join (!inner) or to null filters, which write
  // their own EXISTS; nothing written here may go unused (a parameter of
  // unknown type that no statement text names fails the statement).
  if (child.filter_only && !child.inner) return {};
  std::string alias = NewAlias();
  EmbedSource source = JoinParent(child, parent_alias, alias);
  LevelExtras nested;
  std::string projection = Projection(child, alias, nested, hoisted);
  std::string where = Where(child, alias);
  if (!where.empty()) source.conditions.push_back(where);
  source.conditions.insert(source.conditions.end(), nested.conditions.begin(), nested.conditions.end());
  std::string from =
      source.from + nested.joins + (source.conditions.empty() ? "" : " WHERE " + Join(source.conditions, " AND "));
  if (child.inner) extras.conditions.push_back("EXISTS (SELECT 1" + from + ")");
  if (child.filter_only) return {};
  bool to_one = child.relationship->to_one;
  std::string rows = "SELECT " + projection + from + nested.group_by +
                     (to_one ? " LIMIT 1" : OrderBy(child, alias) + LimitOffset(child));
  if (child.spread) {
    std::string joined = NewAlias();
    std::string lifted = rows;
    if (!to_one) {
      // Spreading a to-many embed lifts each column as an array of its values.
      std::vector<std::string> arrays;
      for (const auto& key : Keys(child)) {
        arrays.push_back("coalesce(pg_catalog.json_agg(_s." + Ident(key) + "), '[]') AS " + Ident(key));
      }
      lifted = "SELECT " + Join(arrays, ", ") + " FROM (" + rows + ") _s";
    }
    extras.joins += " LEFT JOIN LATERAL (" + lifted + ") AS " + Ident(joined) + " ON true";
    if (hoisted != nullptr) return joined;  // the caller selects the hoisted items from it
    return Ident(joined) + ".*";
  }
  if (jsonb) {
    if (to_one) return "(SELECT pg_catalog.to_jsonb(_e) FROM (" + rows + ") _e) AS " + Ident(child.key);
    return "coalesce((SELECT pg_catalog.jsonb_agg(_e) FROM (" + rows + ") _e), '[]') AS " + Ident(child.key);
  }
  if (to_one) return "(SELECT pg_catalog.row_to_json(_e) FROM (" + rows + ") _e) AS " + Ident(child.key);
  return "coalesce((SELECT pg_catalog.json_agg(_e) FROM (" + rows + ") _e), '[]') AS " + Ident(child.key);
}

std::string SqlWriter::Where(const ReadNode& node, const std::string& alias) {
  std::vector<std::string> conditions;
  for (const auto& filter : node.filters) conditions.push_back(Filter(filter, alias, node));
  for (const auto& tree : node.logic) conditions.push_back(Logic(tree, alias, node));
  return Join(conditions, " AND ");
}

std::string SqlWriter::OrderBy(const ReadNode& node, const std::string& alias) {
  std::vector<std::string> terms;
  for (const auto& term : node.order) {
    std::string sql;
    if (term.embed) {
      // `order=rel(col)`: the column of a to-one embed, as a correlated subquery.
      const ReadNode& child = node.children[*term.embed];
      auto hoisted = hoisted_joins_.find(&child);
      if (hoisted != hoisted_joins_.end() && term.field.column != nullptr && term.field.json_path.empty() &&
          hoisted->second.columns.contains(term.field.column->name)) {
        // The spread's join is grouped: its column, not a subquery of the
        // parent's ungrouped columns.
        sql = Ident(hoisted->second.alias) + "." + Ident(term.field.column->name);
        if (term.direction) sql += *term.direction == OrderDirection::kDesc ? " DESC" : " ASC";
        if (term.nulls) sql += *term.nulls == NullsOrder::kFirst ? " NULLS FIRST" : " NULLS LAST";
        terms.push_back(std::move(sql));
        continue;
      }
      std::string child_alias = NewAlias();
      EmbedSource source = JoinParent(child, alias, child_alias);
      sql = "(SELECT " + Field(term.field, child_alias) + source.from +
            (source.conditions.empty() ? "" : " WHERE " + Join(source.conditions, " AND ")) + " LIMIT 1)";
    } else {
      sql = Field(term.field, alias);
    }
    if (term.direction) sql += *term.direction == OrderDirection::kDesc ? " DESC" : " ASC";
    if (term.nulls) sql += *term.nulls == NullsOrder::kFirst ? " NULLS FIRST" : " NULLS LAST";
    terms.push_back(std::move(sql));
  }
  return terms.empty() ? std::string() : " ORDER BY " + Join(terms, ", ");
}

// Literals, not parameters (as PostgREST writes them): with LIMIT $n the
// planner cannot know the page is small, prices the generic plan with a
// full sort and so plans every execution anew; with the number in the text
// the prepared statement's generic plan is used, and a page of 20 costs
// PostgreSQL 28 % fewer instructions (docs/benchmarks.md). A few distinct
// page sizes per connection are a few more prepared statements (bounded).
std::string SqlWriter::LimitOffset(const ReadNode& node) {
  std::string sql;
  if (node.limit) sql += " LIMIT " + std::to_string(*node.limit);
  if (node.offset > 0) sql += " OFFSET " + std::to_string(node.offset);
  return sql;
}

std::string SqlWriter::EmbedExists(const ReadNode& child, const std::string& parent_alias) {
  std::string alias = NewAlias();
  EmbedSource source = JoinParent(child, parent_alias, alias);
  if (std::string where = Where(child, alias); !where.empty()) source.conditions.push_back(std::move(where));
  for (const auto& grandchild : child.children) {
    if (grandchild.inner) source.conditions.push_back(EmbedExists(grandchild, alias));
  }
  return "EXISTS (SELECT 1" + source.from +
         (source.conditions.empty() ? "" : " WHERE " + Join(source.conditions, " AND ")) + ")";
}

std::string SqlWriter::Filter(const ResolvedFilter& filter, const std::string& alias, const ReadNode& node) {
  std::string condition;
  if (filter.embed) {
    bool has_rows = filter.condition.is_value == IsValue::kNotNull;
    condition = (has_rows ? "" : "NOT ") + EmbedExists(node.children[*filter.embed], alias);
  } else {
    condition = Condition(Field(filter.field, alias), filter.field, filter.condition);
  }
  return filter.condition.negated ? "NOT (" + condition + ")" : condition;
}

std::string SqlWriter::Logic(const ResolvedLogic& tree, const std::string& alias, const ReadNode& node) {
  if (tree.kind == LogicTree::Kind::kFilter) return Filter(tree.filter, alias, node);
  std::vector<std::string> parts;
  for (const auto& child : tree.children) parts.push_back(Logic(child, alias, node));
  std::string joined = "(" + Join(parts, tree.op == LogicOperator::kAnd ? " AND " : " OR ") + ")";
  return tree.negated ? "NOT " + joined : joined;
}

const char* BinaryOperator(FilterOperator op) {
  switch (op) {
    case FilterOperator::kEq: return "=";
    case FilterOperator::kNeq: return "<>";
    case FilterOperator::kGt: return ">";
    case FilterOperator::kGte: return ">=";
    case FilterOperator::kLt: return "<";
    case FilterOperator::kLte: return "<=";
    case FilterOperator::kLike: return "LIKE";
    case FilterOperator::kIlike: return "ILIKE";
    case FilterOperator::kMatch: return "~";
    case FilterOperator::kImatch: return "~*";
    case FilterOperator::kContains: return "@>";
    case FilterOperator::kContainedIn: return "<@";
    case FilterOperator::kOverlaps: return "&&";
    case FilterOperator::kStrictlyLeft: return "<<";
    case FilterOperator::kStrictlyRight: return ">>";
    case FilterOperator::kNotExtendsRight: return "&<";
    case FilterOperator::kNotExtendsLeft: return "&>";
    case FilterOperator::kAdjacent: return "-|-";
    default: return nullptr;
  }
}

const char* IsSql(IsValue value) {
  switch (value) {
    case IsValue::kNull: return " IS NULL";
    case IsValue::kNotNull: return " IS NOT NULL";
    case IsValue::kTrue: return " IS TRUE";
    case IsValue::kFalse: return " IS FALSE";
    case IsValue::kUnknown: return " IS UNKNOWN";
  }
  return " IS NULL";
}

std::string SqlWriter::Condition(const std::string& expr, const FieldRef& field, const rest::Condition& condition) {
  if (const char* op = BinaryOperator(condition.op)) {
    if (condition.quantifier != Quantifier::kNone) {
      return expr + " " + op + (condition.quantifier == Quantifier::kAny ? " ANY(" : " ALL(") + Param(condition.value) +
             ")";
    }
    return expr + " " + op + " " + Param(condition.value);
  }
  switch (condition.op) {
    case FilterOperator::kIsDistinct: return expr + " IS DISTINCT FROM " + Param(condition.value);
    case FilterOperator::kIn: return expr + " = ANY(" + Param(db::TextArrayLiteral(condition.list)) + ")";
    case FilterOperator::kIs: return expr + IsSql(condition.is_value);
    default: break;
  }
  // The full-text family: a tsvector column is searched as it is, anything
  // else through to_tsvector.
  const char* function = condition.op == FilterOperator::kFts         ? "to_tsquery"
                         : condition.op == FilterOperator::kPlainFts  ? "plainto_tsquery"
                         : condition.op == FilterOperator::kPhraseFts ? "phraseto_tsquery"
                                                                      : "websearch_to_tsquery";
  std::string config = condition.fts_config ? Param(*condition.fts_config) + "::regconfig, " : "";
  bool is_vector = field.json_path.empty() && field.column != nullptr && field.column->base_type == "tsvector";
  std::string document = is_vector ? expr : "pg_catalog.to_tsvector(" + config + expr + ")";
  return document + " @@ pg_catalog." + function + "(" + config + Param(condition.value) + ")";
}

SqlQuery SqlWriter::Read(const ReadPlan& plan) {
  if (plan.call && plan.call->function->returns_void) {
    std::string call = Call(*plan.call);
    return Query("SELECT " +
                 StatementRowColumns("NULL::bigint", "1::bigint", "''", "NULL::bigint", max_response_bytes_) +
                 " FROM (SELECT " + call + ") _r");
  }
  const ReadNode& root = plan.root;
  std::string alias = NewAlias();
  std::string from = " FROM " + RootSource(plan) + " AS " + Ident(alias);
  LevelExtras extras;
  std::string projection = Projection(root, alias, extras);
  std::vector<std::string> conditions;
  if (std::string where = Where(root, alias); !where.empty()) conditions.push_back(std::move(where));
  conditions.insert(conditions.end(), extras.conditions.begin(), extras.conditions.end());
  std::string where_sql = conditions.empty() ? "" : " WHERE " + Join(conditions, " AND ");
  // Spread joins add columns, never rows, so the count leaves them out.
  std::string page = "(SELECT " + projection + from + extras.joins + where_sql + extras.group_by +
                     OrderBy(root, alias) + LimitOffset(root) + ")";
  std::string total = "NULL::bigint";
  if (plan.count_exact) {
    total = "(SELECT pg_catalog.count(*)" + from + where_sql + ")";
  } else if (plan.estimated_count == PreferCount::kEstimated && plan.exact_count_limit) {
    // Exact up to the limit; one row more tells the caller to use the estimate.
    total = "(SELECT pg_catalog.count(*) FROM (SELECT 1" + from + where_sql + " LIMIT " +
            std::to_string(*plan.exact_count_limit + 1) + ") _c)";
  } else if (plan.estimated_count == PreferCount::kEstimated) {
    total = "(SELECT pg_catalog.count(*)" + from + where_sql + ")";
  }
  // A scalar function's answer is its values, not rows of them; one row
  // (not SETOF) is answered as an object, one scalar as itself.
  std::string row = plan.scalar_table ? "_r." + Ident(plan.scalar_table->columns.front().name) : "_r";
  BodyForm form = plan.form;
  if (plan.call && !plan.call->function->returns_set) form.singular = true;
  bool hex_body = form.raw && form.raw->bytes;
  std::string sql = "SELECT " +
                    StatementRowColumns(total, "pg_catalog.count(_r)", RowsBody(form, row), "NULL::bigint",
                                        max_response_bytes_, hex_body) +
                    " FROM " + page + " _r";
  return Query(std::move(sql));
}

SqlQuery SqlWriter::CountEstimate(const ReadPlan& plan) {
  const ReadNode& root = plan.root;
  std::string alias = NewAlias();
  std::string source = RootSource(plan);
  std::vector<std::string> conditions;
  if (std::string where = Where(root, alias); !where.empty()) conditions.push_back(std::move(where));
  for (const auto& child : root.children) {
    if (child.inner) conditions.push_back(EmbedExists(child, alias));
  }
  std::string sql = "EXPLAIN (FORMAT JSON) SELECT 1 FROM " + source + " AS " + Ident(alias) +
                    (conditions.empty() ? "" : " WHERE " + Join(conditions, " AND "));
  return Query(std::move(sql));
}

// An upsert tells inserted rows from updated ones by xmax, which only a
// table's rows have.
bool TellsInsertedRows(const MutationPlan& plan) { return plan.upsert && !plan.table->is_view; }

std::string SqlWriter::Insert(const MutationPlan& plan, const PayloadGroup& group, const std::string& target) {
  std::vector<std::string> names;
  for (const auto& column : group.columns) names.push_back(Ident(column));
  std::string insert;
  if (names.empty()) {
    // {} or [{}, ...]: rows of defaults, one per object.
    insert =
        "INSERT INTO " + target + " SELECT FROM pg_catalog.generate_series(1, " + std::to_string(group.row_count) + ")";
  } else {
    insert = "INSERT INTO " + target + " (" + Join(names, ", ") + ") SELECT " + Join(names, ", ") +
             " FROM pg_catalog.json_populate_recordset(NULL::" + target + ", " + Param(group.rows_json) +
             "::json) AS \"_p\"";
    // PUT: only a payload row with the URL's key is written.
    if (plan.kind == MutationKind::kPut) insert += " WHERE " + Where(plan.rows, "_p");
  }
  if (plan.upsert) {
    std::vector<std::string> conflict, sets;
    for (const auto& column : plan.conflict_columns) conflict.push_back(Ident(column));
    for (const auto& name : names) sets.push_back(name + " = EXCLUDED." + name);
    bool ignore = plan.ignore_duplicates || sets.empty();
    insert +=
        " ON CONFLICT (" + Join(conflict, ", ") + ")" + (ignore ? " DO NOTHING" : " DO UPDATE SET " + Join(sets, ", "));
  }
  insert += " RETURNING " + target + ".*";
  if (TellsInsertedRows(plan)) insert += ", (xmax = 0) AS pgrst_inserted";
  return insert;
}

SqlQuery SqlWriter::Mutation(const MutationPlan& plan) {
  const Table& table = *plan.table;
  std::string target = Qualified(table.schema, table.name);
  std::string with_list;  // the CTEs, the last of them named pgrst_source
  if (plan.kind == MutationKind::kInsert || plan.kind == MutationKind::kPut) {
    std::vector<std::string> unions;
    for (size_t i = 0; i < plan.inserts.size(); ++i) {
      std::string name = plan.inserts.size() == 1 ? "pgrst_source" : "pgrst_insert_" + std::to_string(i);
      with_list += (i ? ", " : "") + name + " AS (" + Insert(plan, plan.inserts[i], target) + ")";
      // Each INSERT returns its rows in its payload's order (as the single
      // one does): numbered so, they are put back in the request's order.
      std::vector<std::string> positions;
      for (size_t position : plan.inserts[i].positions) positions.push_back(std::to_string(position));
      unions.push_back("SELECT _g.*, ('{" + Join(positions, ",") +
                       "}'::integer[])[(pg_catalog.row_number() OVER ())::integer] " + "AS pgrst_position FROM " +
                       name + " _g");
    }
    if (plan.inserts.size() > 1) {
      with_list += ", pgrst_source AS (" + Join(unions, " UNION ALL ") + " ORDER BY pgrst_position)";
    }
  } else {
    std::string alias = "_t";
    std::string where = Where(plan.rows, alias);
    std::string statement;
    if (plan.kind == MutationKind::kDelete) {
      statement = "DELETE FROM " + target + " AS " + Ident(alias) + " WHERE " + where;
    } else if (plan.update_columns.empty()) {
      // Nothing to set: no row changes, but the filters' values are still
      // named, as every bound parameter must be.
      statement = "SELECT " + Ident(alias) + ".* FROM " + target + " AS " + Ident(alias) + " WHERE false AND " + where;
    } else {
      std::vector<std::string> sets;
      for (const auto& column : plan.update_columns) {
        bool to_default =
            std::find(plan.default_columns.begin(), plan.default_columns.end(), column) != plan.default_columns.end();
        sets.push_back(Ident(column) + (to_default ? " = DEFAULT" : " = _b." + Ident(column)));
      }
      statement = "UPDATE " + target + " AS " + Ident(alias) + " SET " + Join(sets, ", ") +
                  " FROM (SELECT * FROM pg_catalog.json_populate_record(NULL::" + target + ", " +
                  Param(plan.update_json) + "::json)) _b WHERE " + where;
    }
    if (plan.kind == MutationKind::kDelete || !plan.update_columns.empty())
      statement += " RETURNING " + Ident(alias) + ".*";
    with_list = "pgrst_source AS (" + statement + ")";
  }
  std::string total = plan.count_exact ? "(SELECT pg_catalog.count(*) FROM pgrst_source)" : "NULL::bigint";
  std::string inserted =
      TellsInsertedRows(plan) ? "(SELECT pg_catalog.count(*) FROM pgrst_source WHERE pgrst_inserted)" : "NULL::bigint";
  // page_total counts the affected rows, with or without a representation.
  std::string affected = "(SELECT pg_catalog.count(*) FROM pgrst_source)";
  std::string sql = "WITH " + with_list + " SELECT ";
  if (plan.representation) {
    std::string alias = NewAlias();
    LevelExtras extras;
    std::string projection = Projection(plan.rows, alias, extras);
    std::string inner = extras.conditions.empty() ? "" : " WHERE " + Join(extras.conditions, " AND ");
    sql += StatementRowColumns(total, affected, RowsBody(plan.form, "_r"), inserted, max_response_bytes_) +
           " FROM (SELECT " + projection + " FROM pgrst_source AS " + Ident(alias) + extras.joins + inner + ") _r";
  } else {
    sql += StatementRowColumns(total, affected, "''", inserted, max_response_bytes_);
  }
  return Query(std::move(sql));
}

}  // namespace

SqlQuery WriteRead(const ReadPlan& plan, int64_t max_response_bytes) {
  return SqlWriter(max_response_bytes).Read(plan);
}

SqlQuery WriteMutation(const MutationPlan& plan, int64_t max_response_bytes) {
  return SqlWriter(max_response_bytes).Mutation(plan);
}

std::optional<SqlQuery> WriteCountEstimate(const ReadPlan& plan) {
  if (!plan.estimated_count || (plan.call && plan.call->function->returns_void)) return std::nullopt;
  return SqlWriter().CountEstimate(plan);
}

std::optional<int64_t> PlannedRows(std::string_view explain_json) {
  boost::system::error_code ec;
  auto value = boost::json::parse(explain_json, ec);
  if (ec || !value.is_array() || value.as_array().empty()) return std::nullopt;
  const auto* top = value.as_array()[0].if_object();
  const auto* plan = top != nullptr ? top->if_contains("Plan") : nullptr;
  const auto* rows = plan != nullptr && plan->is_object() ? plan->as_object().if_contains("Plan Rows") : nullptr;
  if (rows == nullptr || !rows->is_number()) return std::nullopt;
  return static_cast<int64_t>(rows->to_number<double>());
}

}  // namespace agentbase::rest
