// The plan of a write: insert and upsert (POST), update (PATCH), delete
// (DELETE), and the single-row upsert (PUT).

#include <boost/json.hpp>
#include <map>
#include <set>

#include "rest/api_error.hpp"
#include "rest/plan.hpp"
#include "rest/postgrest_errors.hpp"
#include "rest/read_planner.hpp"
#include "util/text.hpp"

namespace agentbase::rest {

namespace json = boost::json;

namespace {

Error KeysMustMatch() { return pgrst::InvalidBody("All object keys must match"); }

// The keys of an array's objects, which must all be the same.
Result<std::vector<std::string>> ArrayKeys(const json::array& rows) {
  std::vector<std::string> columns;
  if (!rows.empty() && rows[0].is_object()) {
    for (const auto& [key, value] : rows[0].as_object()) columns.emplace_back(key);
  }
  std::set<std::string> expected(columns.begin(), columns.end());
  for (const auto& item : rows) {
    if (!item.is_object()) return KeysMustMatch();
    std::set<std::string> keys;
    for (const auto& [key, value] : item.as_object()) keys.emplace(key);
    if (keys != expected) return KeysMustMatch();
  }
  return columns;
}

// The payload's columns: `columns=` when given, else the keys of the object
// (or of every object in the array, which must all have the same keys).
Result<std::vector<std::string>> PayloadColumns(const Table& table, const json::value& payload,
                                                const QueryParams& query) {
  std::vector<std::string> columns;
  if (query.columns) {
    columns = *query.columns;
  } else if (payload.is_array()) {
    auto keys = ArrayKeys(payload.as_array());
    if (!keys) return keys.error();
    columns = std::move(*keys);
  } else if (payload.is_object()) {
    for (const auto& [key, value] : payload.as_object()) columns.emplace_back(key);
  }
  for (const auto& column : columns) {
    if (table.FindColumn(column) == nullptr) return pgrst::ColumnNotFound(table.name, column);
  }
  return columns;
}

// PUT's filters: every primary key column once, each a plain `eq`, nothing else.
Status CheckPutFilters(const Table& table, const QueryParams& query) {
  Error refusal = pgrst::InvalidFilters();
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
  if (ec) return pgrst::InvalidBody("Empty or invalid json", ec.message());
  if (!payload.is_object() && !(allow_array && payload.is_array())) {
    return pgrst::InvalidBody("Empty or invalid json",
                              "expected a JSON object" + std::string(allow_array ? " or array" : ""));
  }
  return payload;
}

// Rows that share their set of columns go in one INSERT (so there are no
// more statements than key sets). Only with missing=default do rows differ:
// a key a row lacks takes the column's default instead of NULL.
std::vector<PayloadGroup> GroupRows(const json::value& payload, const std::vector<std::string>& columns,
                                    bool missing_default) {
  if (!missing_default) {
    if (payload.is_array()) return {{columns, json::serialize(payload), payload.as_array().size(), {}}};
    return {{columns, "[" + json::serialize(payload) + "]", 1, {}}};
  }
  std::vector<PayloadGroup> groups;
  const json::array single{payload};
  const json::array& rows = payload.is_array() ? payload.as_array() : single;
  std::map<std::vector<std::string>, std::pair<json::array, std::vector<size_t>>> by_columns;
  for (size_t position = 0; position < rows.size(); ++position) {
    const auto& item = rows[position];
    std::vector<std::string> present;
    for (const auto& column : columns) {
      if (item.is_object() && item.as_object().contains(column)) present.push_back(column);
    }
    auto& [items, positions] = by_columns[present];
    items.push_back(item);
    positions.push_back(position);
  }
  for (auto& [present, group] : by_columns) {
    groups.push_back({present, json::serialize(group.first), group.first.size(), std::move(group.second)});
  }
  return groups;
}

Status PlanInsert(const Table& table, const QueryParams& query, const MutationRequest& request, MutationPlan& plan) {
  bool put = request.kind == MutationKind::kPut;
  if (put) {
    if (auto filters = CheckPutFilters(table, query); !filters) return filters.error();
  }
  auto payload = ParsePayload(request.body, true);
  if (!payload) return payload.error();
  // Two rows for one URL key would make the upsert touch its row twice.
  if (put && payload->is_array() && payload->as_array().size() != 1) {
    return pgrst::InvalidBody("PUT payload must contain a single row");
  }
  auto columns = PayloadColumns(table, *payload, query);
  if (!columns) return columns.error();
  if (put && columns->empty()) return pgrst::PutMatchingPk();
  plan.upsert = request.resolution.has_value() || put;
  plan.ignore_duplicates = !put && request.resolution == PreferResolution::kIgnoreDuplicates;
  if (plan.upsert) {
    plan.conflict_columns = query.on_conflict && !put ? *query.on_conflict : table.primary_key;
    if (plan.conflict_columns.empty()) {
      return pgrst::QueryParam("on_conflict is required: the table has no primary key");
    }
    for (const auto& column : plan.conflict_columns) {
      if (table.FindColumn(column) == nullptr) return pgrst::UndefinedColumn(table.name, column);
    }
  }
  plan.inserts = GroupRows(*payload, *columns, request.missing_default && !put);
  return Ok();
}

Status PlanUpdate(const Table& table, const QueryParams& query, const MutationRequest& request, MutationPlan& plan) {
  auto payload = ParsePayload(request.body, false);
  if (!payload) return payload.error();
  auto columns = PayloadColumns(table, *payload, query);
  if (!columns) return columns.error();
  plan.update_columns = std::move(*columns);
  plan.update_json = request.body.empty() ? "{}" : std::string(request.body);
  if (request.missing_default && payload->is_object()) {
    for (const auto& column : plan.update_columns) {
      if (!payload->as_object().contains(column)) plan.default_columns.push_back(column);
    }
  }
  return Ok();
}

bool Accepts(const Table& table, MutationKind kind) {
  switch (kind) {
    case MutationKind::kInsert: return table.insertable;
    case MutationKind::kUpdate: return table.updatable;
    case MutationKind::kDelete: return table.deletable;
    case MutationKind::kPut: return table.insertable && table.updatable;  // an upsert
  }
  return false;
}

}  // namespace

Result<MutationPlan> PlanMutation(const PlanContext& context, const std::string& relation, const QueryParams& query,
                                  const MutationRequest& request) {
  const Table* table = context.cache.FindTable(relation);
  if (table == nullptr)
    return pgrst::TableNotFound(context.cache.Schema(), relation, context.cache.ClosestTableName(relation));
  // Views are written as PostgREST writes them: PostgreSQL decides what it
  // can make of the write, and says why when it cannot.
  MutationPlan plan;
  plan.kind = request.kind;
  plan.table = table;
  plan.target_refuses = !Accepts(*table, request.kind);
  plan.representation = request.representation;
  plan.count_exact = request.count_exact;
  plan.form = request.form;
  // The rows written, as return=representation shows them, and the root's
  // filters: the rows to update or delete, PUT's key.
  ReadPlanner planner(context, query);
  auto rows = planner.PlanRoot(*table, false);
  if (!rows) return rows.error();
  plan.rows = std::move(*rows);
  if (auto paths = planner.CheckEmbedPaths(); !paths) return paths.error();

  Status planned = Ok();
  if (request.kind == MutationKind::kInsert || request.kind == MutationKind::kPut) {
    planned = PlanInsert(*table, query, request, plan);
  } else {
    // As Supabase (pg-safeupdate): no filter, no mass update or delete.
    if (plan.rows.filters.empty() && plan.rows.logic.empty()) {
      return ApiError("21000", std::string(request.kind == MutationKind::kUpdate ? "UPDATE" : "DELETE") +
                                   " requires a WHERE clause");
    }
    if (request.kind == MutationKind::kUpdate) planned = PlanUpdate(*table, query, request, plan);
  }
  if (!planned) return planned.error();
  return plan;
}

}  // namespace agentbase::rest
