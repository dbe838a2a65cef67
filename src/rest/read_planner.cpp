#include "rest/read_planner.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <optional>
#include <regex>
#include <tuple>

#include "rest/api_error.hpp"
#include "rest/postgrest_errors.hpp"
#include "util/fuzzy_match.hpp"
#include "util/text.hpp"

namespace agentbase::rest {

namespace {

const char* CardinalityName(Cardinality cardinality) {
  switch (cardinality) {
    case Cardinality::kManyToOne: return "many-to-one";
    case Cardinality::kOneToMany: return "one-to-many";
    case Cardinality::kOneToOne: return "one-to-one";
    case Cardinality::kManyToMany: return "many-to-many";
    case Cardinality::kComputed: return "computed";
  }
  return "";
}

bool IsKeyRelationship(const Relationship& relationship) {
  return relationship.cardinality == Cardinality::kManyToOne || relationship.cardinality == Cardinality::kOneToMany ||
         relationship.cardinality == Cardinality::kOneToOne;
}

// PostgREST's rules for what `name!hint` may mean.
bool Matches(const Relationship& relationship, const std::string& name, const std::optional<std::string>& hint) {
  if (relationship.cardinality == Cardinality::kComputed) return name == relationship.constraint && !hint;
  bool key = IsKeyRelationship(relationship);
  auto source_column = key ? relationship.SingleSourceColumn() : std::nullopt;
  auto target_column = key ? relationship.SingleTargetColumn() : std::nullopt;
  if (relationship.is_self && key) {
    // One foreign key, two directions: the children by the table's name,
    // the parent by the key's column.
    bool to_many = relationship.cardinality == Cardinality::kOneToMany;
    if (!hint) return (name == relationship.target && to_many) || (!to_many && source_column == name);
    return name == relationship.target && to_many && target_column == *hint;
  }
  if (!hint) {
    return name == relationship.target ||
           (key && !relationship.target_is_view && (name == relationship.constraint || source_column == name));
  }
  if (name != relationship.target) return false;
  return (key && (*hint == relationship.constraint || source_column == *hint || target_column == *hint)) ||
         (relationship.junction && relationship.junction->table == *hint);
}

std::string Columns(const std::string& table, const std::vector<std::string>& columns) {
  return table + "(" + Join(columns, ", ") + ")";
}

// How PostgREST describes a candidate in PGRST201's details.
boost::json::object Describe(const Relationship& relationship) {
  std::vector<std::string> source, target;
  for (const auto& pair : relationship.columns) {
    source.push_back(pair.source);
    target.push_back(pair.target);
  }
  std::string using_text;
  if (const auto& junction = relationship.junction) {
    // The junction, then each of its keys with the junction's columns.
    std::vector<std::string> to_source, to_target;
    for (const auto& pair : junction->source_columns) to_source.push_back(pair.target);
    for (const auto& pair : junction->target_columns) to_target.push_back(pair.source);
    using_text = junction->table + " using " + Columns(junction->source_constraint, to_source) + " and " +
                 Columns(junction->target_constraint, to_target);
  } else {
    using_text = relationship.constraint + " using " + Columns(relationship.source, source) + " and " +
                 Columns(relationship.target, target);
  }
  return {{"cardinality", CardinalityName(relationship.cardinality)},
          {"embedding", relationship.source + " with " + relationship.target},
          {"relationship", using_text}};
}

int CardinalityRank(Cardinality cardinality) {
  switch (cardinality) {
    case Cardinality::kOneToMany: return 0;
    case Cardinality::kManyToOne: return 1;
    case Cardinality::kOneToOne: return 2;
    case Cardinality::kManyToMany: return 3;
    case Cardinality::kComputed: return 4;
  }
  return 4;
}

using ColumnList = std::vector<std::pair<std::string, std::string>>;

ColumnList Pairs(const std::vector<ColumnPair>& columns, bool swapped = false) {
  ColumnList pairs;
  for (const auto& pair : columns) {
    pairs.emplace_back(swapped ? pair.target : pair.source, swapped ? pair.source : pair.target);
  }
  return pairs;
}

// A relationship's place among PostgREST's candidates (its derived order of
// relationship values). A junction compares by its table, its two keys, then
// their columns as PostgREST holds them (each pair with the junction's
// column second).
std::tuple<std::string, std::string, bool, int, std::string, std::string, std::string, ColumnList, ColumnList>
PostgrestOrderKey(const Relationship& relationship) {
  if (const auto& junction = relationship.junction) {
    return {relationship.source,
            relationship.target,
            relationship.is_self,
            CardinalityRank(relationship.cardinality),
            junction->table,
            junction->source_constraint,
            junction->target_constraint,
            Pairs(junction->source_columns),
            Pairs(junction->target_columns, true)};
  }
  return {relationship.source,
          relationship.target,
          relationship.is_self,
          CardinalityRank(relationship.cardinality),
          relationship.constraint,
          {},
          {},
          Pairs(relationship.columns),
          {}};
}

bool IsValidCast(const std::string& type) {
  static const std::regex shape(R"(^[A-Za-z_][A-Za-z0-9_ ]*(\(\d+(,\s*\d+)?\))?(\[\])?$)");
  return type.size() < 64 && std::regex_match(type, shape);
}

EmbedPath Extended(const EmbedPath& path, const std::string& name) {
  EmbedPath extended = path;
  extended.push_back(name);
  return extended;
}

// PostgREST's hint for a relationship not found: when the parent has
// relationships, the related relation closest to the child's name (none
// when the child is one of them: then the fault is in the embed's hint,
// and fuzzyset answers an exact match alone); when it has none,
// the relation with relationships closest to the parent's name. The child's
// candidates are scored as PostgREST scores them (fuzzyset's 0.33); a parent
// needs 0.75, as a table's name does (SchemaCache::ClosestTableName), so
// that the hint reveals no unrelated name.
std::string RelationshipHint(const SchemaCache& cache, const std::string& parent, const std::string& child) {
  const auto& related = cache.RelationshipsFrom(parent);
  if (!related.empty()) {
    std::vector<std::string> targets;
    for (const auto& relationship : related) {
      if (ToLower(relationship.target) == ToLower(child)) return {};
      targets.push_back(relationship.target);
    }
    auto closest = ClosestMatch(child, targets, 0.33);
    return closest ? "Perhaps you meant '" + *closest + "' instead of '" + child + "'." : std::string();
  }
  std::vector<std::string> sources;
  for (const auto& [source, relationships] : cache.Relationships()) sources.push_back(source);
  auto closest = ClosestMatch(parent, sources, 0.75);
  return closest ? "Perhaps you meant '" + *closest + "' instead of '" + parent + "'." : std::string();
}

}  // namespace

Result<const Relationship*> FindRelationship(const SchemaCache& cache, const Table& parent, const std::string& name,
                                             const std::optional<std::string>& hint) {
  std::vector<const Relationship*> found;
  for (const auto& relationship : cache.RelationshipsFrom(parent.name)) {
    if (Matches(relationship, name, hint)) found.push_back(&relationship);
  }
  // A computed relationship named like a table overrides the foreign keys'
  // relationships to it (PostgREST's way to disambiguate by function).
  auto computed = std::find_if(found.begin(), found.end(), [](const Relationship* relationship) {
    return relationship->cardinality == Cardinality::kComputed;
  });
  if (computed != found.end()) return *computed;
  if (found.size() == 1) return found.front();
  if (found.empty()) {
    return pgrst::RelationshipNotFound(parent.name, name, cache.Schema(),
                                       hint ? std::optional<std::string_view>(*hint) : std::nullopt,
                                       RelationshipHint(cache, parent.name, name));
  }
  // Listed in the order PostgREST lists them: it sorts its candidates as
  // values, by source, target, self-reference, then cardinality in the order
  // one-to-many, many-to-one, one-to-one, many-to-many, then the key's name
  // and columns.
  std::stable_sort(found.begin(), found.end(), [](const Relationship* a, const Relationship* b) {
    return PostgrestOrderKey(*a) < PostgrestOrderKey(*b);
  });
  std::vector<std::string> candidates;
  boost::json::array details;
  for (const auto* relationship : found) {
    std::string named = relationship->junction ? relationship->junction->table : relationship->constraint;
    candidates.push_back(relationship->target + "!" + named);
    details.push_back(Describe(*relationship));
  }
  return pgrst::AmbiguousRelationship(parent.name, name, candidates, boost::json::serialize(details));
}

Result<FieldRef> ResolveField(const Table& table, const Field& field) {
  FieldRef ref;
  ref.json_path = field.json_path;
  ref.column = table.FindColumn(field.name);
  if (ref.column == nullptr) ref.computed = table.FindComputedField(field.name);
  if (ref.column == nullptr && ref.computed == nullptr) return pgrst::UndefinedColumn(table.name, field.name);
  return ref;
}

Result<ReadNode> ReadPlanner::PlanRoot(const Table& table, bool capped) {
  LevelPaths root;
  auto node = PlanLevel(table, query_.select, root, true);
  if (!node) return node.error();
  PlanRange(root, capped, *node);
  return node;
}

Status ReadPlanner::CheckEmbedPaths() const {
  auto check = [&](const EmbedPath& path) -> Status {
    if (path.empty()) return Ok();
    bool aliased = false;
    for (const auto& level : planned_) {
      if (level.Matches(path)) return Ok();
      aliased = aliased || level.by_name == path;
    }
    return pgrst::NotEmbedded(path.back(), aliased);
  };
  std::vector<const EmbedPath*> paths;
  for (const auto& filter : query_.filters) paths.push_back(&filter.embed_path);
  for (const auto& logic : query_.logic) paths.push_back(&logic.embed_path);
  for (const auto& order : query_.order) paths.push_back(&order.embed_path);
  for (const auto& range : query_.ranges) paths.push_back(&range.embed_path);
  for (const auto* path : paths) {
    if (auto checked = check(*path); !checked) return checked;
  }
  return Ok();
}

Result<ReadNode> ReadPlanner::PlanLevel(const Table& table, const std::vector<SelectItem>& items,
                                        const LevelPaths& paths, bool root) {
  planned_.push_back(paths);
  ReadNode node;
  node.table = &table;
  if (auto selected = PlanSelect(table, items, paths, node); !selected) return selected.error();
  if (auto filtered = PlanFilters(table, paths, node); !filtered) return filtered.error();
  if (auto ordered = PlanOrder(table, paths, node); !ordered) return ordered.error();
  if (!root) PlanRange(paths, true, node);
  return node;
}

Status ReadPlanner::PlanSelect(const Table& table, const std::vector<SelectItem>& items, const LevelPaths& paths,
                               ReadNode& node) {
  // PostgREST finds every embed's relationship before PostgreSQL reports an
  // unknown column, so a missing relationship is told first.
  std::optional<Error> unknown_column;
  for (const auto& item : items) {
    ReadNode::Entry entry;
    if (item.kind == SelectItem::Kind::kField) {
      auto field = PlanField(table, item);
      if (!field && field.error().code == "42703") {
        if (!unknown_column) unknown_column = field.error();
        continue;
      }
      if (!field) return field.error();
      entry.field = std::move(*field);
    } else {
      auto child = PlanEmbed(table, item, paths);
      if (!child) return child.error();
      // Two embeds answering under one key would make one of them vanish.
      for (const auto& sibling : node.children) {
        if (sibling.key == child->key && !sibling.spread && !child->spread) {
          return ApiError("42712", "table name \"" + child->key + "\" specified more than once", "",
                          "Give one of the embeds an alias: alias:" + item.relation + "(...)");
        }
      }
      entry.is_embed = true;
      entry.embed = node.children.size();
      node.children.push_back(std::move(*child));
    }
    node.select.push_back(std::move(entry));
  }
  if (unknown_column) return *unknown_column;
  return Ok();
}

Result<SelectedField> ReadPlanner::PlanField(const Table& table, const SelectItem& item) {
  if (item.aggregate && !context_.aggregates_enabled) {
    return pgrst::AggregatesNotAllowed();
  }
  SelectedField selected;
  if (item.field.name == "*" && !item.aggregate) {
    selected.kind = SelectedField::Kind::kAllColumns;
    return selected;
  }
  for (const auto* cast : {&item.cast, &item.aggregate_cast}) {
    if (*cast && !IsValidCast(**cast)) return pgrst::QueryParam("failed to parse select parameter (invalid cast)");
  }
  selected.cast = item.cast;
  selected.aggregate = item.aggregate;
  selected.aggregate_cast = item.aggregate_cast;
  selected.key = item.alias       ? *item.alias
                 : item.aggregate ? std::string(AggregateName(*item.aggregate))
                                  : (item.field.json_path.empty() ? item.field.name : item.field.json_path.back().key);
  // `count()`; and PostgREST's legacy count, `count` that is no column
  // (`select=count`, `select=id,messages(count)`), which counts its level's rows.
  bool legacy_count = !item.aggregate && item.field.name == "count" && item.field.json_path.empty() &&
                      table.FindColumn("count") == nullptr && table.FindComputedField("count") == nullptr;
  if (item.field.name == "*" || legacy_count) {
    selected.kind = SelectedField::Kind::kRowCount;
    return selected;
  }
  auto field = ResolveField(table, item.field);
  if (!field) return field.error();
  selected.field = std::move(*field);
  return selected;
}

Result<ReadNode> ReadPlanner::PlanEmbed(const Table& parent, const SelectItem& item, const LevelPaths& parent_paths) {
  auto relationship = FindRelationship(context_.cache, parent, item.relation, item.hint);
  if (!relationship) return relationship.error();
  const Table* target = context_.cache.FindTable((*relationship)->target);
  if (target == nullptr) return pgrst::EmbedNotExposed(item.relation);
  LevelPaths paths{Extended(parent_paths.by_alias, item.alias ? *item.alias : item.relation),
                   Extended(parent_paths.by_name, item.relation)};
  auto node = PlanLevel(*target, item.children, paths, false);
  if (!node) return node.error();
  node->relationship = *relationship;
  node->key = item.alias ? *item.alias : item.relation;
  node->inner = item.join_type == JoinType::kInner;
  node->spread = item.kind == SelectItem::Kind::kSpread;
  node->filter_only = item.children.empty();
  if ((*relationship)->to_one) node->limit.reset();
  return node;
}

Status ReadPlanner::PlanFilters(const Table& table, const LevelPaths& paths, ReadNode& node) {
  for (const auto& filter : query_.filters) {
    if (!paths.Matches(filter.embed_path)) continue;
    auto resolved = PlanFilter(table, filter, node);
    if (!resolved) return resolved.error();
    node.filters.push_back(std::move(*resolved));
  }
  for (const auto& logic : query_.logic) {
    if (!paths.Matches(logic.embed_path)) continue;
    auto tree = PlanLogic(table, logic.tree, node);
    if (!tree) return tree.error();
    node.logic.push_back(std::move(*tree));
  }
  return Ok();
}

Result<ResolvedFilter> ReadPlanner::PlanFilter(const Table& table, const Filter& filter, const ReadNode& node) {
  const Condition& condition = filter.condition;
  bool null_test = condition.op == FilterOperator::kIs &&
                   (condition.is_value == IsValue::kNull || condition.is_value == IsValue::kNotNull);
  if (null_test && filter.field.json_path.empty() && table.FindColumn(filter.field.name) == nullptr) {
    for (size_t i = 0; i < node.children.size(); ++i) {
      if (node.children[i].key == filter.field.name) return ResolvedFilter{{}, condition, i};
    }
  }
  auto field = ResolveField(table, filter.field);
  if (!field) return field.error();
  return ResolvedFilter{std::move(*field), condition, std::nullopt};
}

Result<ResolvedLogic> ReadPlanner::PlanLogic(const Table& table, const LogicTree& tree, const ReadNode& node) {
  ResolvedLogic resolved;
  resolved.kind = tree.kind;
  resolved.negated = tree.negated;
  resolved.op = tree.op;
  if (tree.kind == LogicTree::Kind::kFilter) {
    auto filter = PlanFilter(table, tree.filter, node);
    if (!filter) return filter.error();
    resolved.filter = std::move(*filter);
    return resolved;
  }
  for (const auto& child : tree.children) {
    auto planned = PlanLogic(table, child, node);
    if (!planned) return planned.error();
    resolved.children.push_back(std::move(*planned));
  }
  return resolved;
}

Status ReadPlanner::PlanOrder(const Table& table, const LevelPaths& paths, ReadNode& node) {
  for (const auto& order : query_.order) {
    if (!paths.Matches(order.embed_path)) continue;
    for (const auto& term : order.terms) {
      ResolvedOrder resolved{std::nullopt, {}, term.direction, term.nulls};
      const Table* owner = &table;
      if (term.relation) {
        auto child = std::find_if(node.children.begin(), node.children.end(),
                                  [&](const ReadNode& candidate) { return candidate.key == *term.relation; });
        if (child == node.children.end()) return pgrst::NotEmbedded(*term.relation);
        if (!child->relationship->to_one) {
          return pgrst::RelatedOrderNotToOne(table.name, *term.relation);
        }
        resolved.embed = static_cast<size_t>(child - node.children.begin());
        owner = child->table;
      }
      auto field = ResolveField(*owner, term.field);
      if (!field) return field.error();
      resolved.field = std::move(*field);
      node.order.push_back(std::move(resolved));
    }
  }
  return Ok();
}

void ReadPlanner::PlanRange(const LevelPaths& paths, bool capped, ReadNode& node) {
  const RangeParam* range = query_.RangeFor(paths.by_alias);
  node.limit = range ? range->limit : std::nullopt;
  if (capped && context_.max_rows && (!node.limit || *node.limit > *context_.max_rows)) node.limit = context_.max_rows;
  node.offset = range && range->offset ? *range->offset : 0;
}

}  // namespace agentbase::rest
