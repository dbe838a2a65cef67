#include "rest/relationships.hpp"

#include <algorithm>
#include <set>

namespace agentbase::rest {

std::optional<std::string> Relationship::SingleSourceColumn() const {
  if (columns.size() != 1) return std::nullopt;
  return columns.front().source;
}

std::optional<std::string> Relationship::SingleTargetColumn() const {
  if (columns.size() != 1) return std::nullopt;
  return columns.front().target;
}

namespace {

// Views nest: a view of a view of a table traces to the table.
constexpr int kMaxViewDepth = 16;

struct Origin {
  QualifiedName base;
  std::string column;
  bool operator==(const Origin&) const = default;
};

// Each exposed view's columns, in order, with the table column each one is.
using TracedViews = std::map<std::string, std::vector<std::pair<std::string, Origin>>>;

TracedViews TraceViews(const RelationshipCatalog& catalog) {
  std::map<std::string, std::map<std::string, Origin>> direct;
  for (const auto& column : catalog.view_columns) {
    direct[column.view].emplace(column.column, Origin{column.base, column.base_column});
  }
  TracedViews traced;
  for (const auto& column : catalog.view_columns) {
    Origin origin{column.base, column.base_column};
    for (int depth = 0; depth < kMaxViewDepth && origin.base.schema == catalog.schema; ++depth) {
      auto view = direct.find(origin.base.name);
      if (view == direct.end()) break;
      auto next = view->second.find(origin.column);
      if (next == view->second.end()) break;
      origin = next->second;
    }
    traced[column.view].emplace_back(column.column, std::move(origin));
  }
  return traced;
}

// At most this many ways for one view to show one key's columns: a view
// that repeats the columns of a wide key would otherwise multiply its
// relationships without bound.
constexpr size_t kMaxViewKeyCombinations = 64;

// Where a key's columns can be seen in the exposed schema: the table itself
// when it is exposed, and every view that shows all of them.
struct Endpoint {
  std::string relation;
  std::vector<std::string> columns;
  bool is_view = false;
};

std::vector<Endpoint> EndpointsOf(const QualifiedName& table, const std::vector<std::string>& columns,
                                  const RelationshipCatalog& catalog, const TracedViews& views) {
  std::vector<Endpoint> endpoints;
  if (table.schema == catalog.schema) {
    auto exposed = catalog.relations.find(table.name);
    if (exposed != catalog.relations.end() && !exposed->second) endpoints.push_back({table.name, columns, false});
  }
  for (const auto& [view, view_columns] : views) {
    // Every view column that shows each key column: a view may show one
    // column twice (t1_id AS a, t1_id AS b), and each combination is an
    // endpoint of its own, in PostgREST's order (the first column's
    // choices outermost).
    std::vector<std::vector<std::string>> choices;
    for (const auto& column : columns) {
      std::vector<std::string> shown;
      for (const auto& entry : view_columns) {
        if (entry.second == Origin{table, column}) shown.push_back(entry.first);
      }
      if (shown.empty()) break;
      choices.push_back(std::move(shown));
    }
    if (choices.size() != columns.size()) continue;
    std::vector<std::vector<std::string>> combinations{{}};
    for (const auto& shown : choices) {
      std::vector<std::vector<std::string>> longer;
      for (const auto& prefix : combinations) {
        for (const auto& name : shown) {
          if (longer.size() == kMaxViewKeyCombinations) break;
          longer.push_back(prefix);
          longer.back().push_back(name);
        }
      }
      combinations = std::move(longer);
    }
    for (auto& combination : combinations) endpoints.push_back({view, std::move(combination), true});
  }
  return endpoints;
}

std::vector<ColumnPair> Pairs(const std::vector<std::string>& source, const std::vector<std::string>& target) {
  std::vector<ColumnPair> pairs;
  for (size_t i = 0; i < source.size() && i < target.size(); ++i) pairs.push_back({source[i], target[i]});
  return pairs;
}

std::vector<ColumnPair> Swapped(const std::vector<ColumnPair>& pairs) {
  std::vector<ColumnPair> swapped;
  for (const auto& pair : pairs) swapped.push_back({pair.target, pair.source});
  return swapped;
}

// The foreign keys' relationships, both directions, through views too.
void AddKeyRelationships(const RelationshipCatalog& catalog, const TracedViews& views,
                         std::map<std::string, std::vector<Relationship>>& out) {
  for (const auto& key : catalog.foreign_keys) {
    auto holders = EndpointsOf(key.table, key.columns, catalog, views);
    if (holders.empty()) continue;
    auto referenced = EndpointsOf(key.referenced, key.referenced_columns, catalog, views);
    for (const auto& holder : holders) {
      for (const auto& target : referenced) {
        // Self as PostgREST counts it: the same relation at both ends. A
        // table's own key seen through a view joins two relations.
        bool is_self = holder.relation == target.relation;
        Relationship forward;
        forward.source = holder.relation;
        forward.target = target.relation;
        forward.cardinality = key.one_to_one ? Cardinality::kOneToOne : Cardinality::kManyToOne;
        forward.constraint = key.name;
        forward.columns = Pairs(holder.columns, target.columns);
        forward.is_self = is_self;
        forward.target_is_view = target.is_view;
        forward.to_one = true;
        Relationship backward = forward;
        backward.source = target.relation;
        backward.target = holder.relation;
        backward.cardinality = key.one_to_one ? Cardinality::kOneToOne : Cardinality::kOneToMany;
        backward.columns = Swapped(forward.columns);
        backward.target_is_view = holder.is_view;
        backward.to_one = key.one_to_one;
        out[forward.source].push_back(std::move(forward));
        out[backward.source].push_back(std::move(backward));
      }
    }
  }
}

// A table or view whose primary key holds the columns of two of its
// many-to-one keys relates their targets many-to-many.
void AddJunctions(const std::map<std::string, std::vector<std::string>>& primary_keys,
                  std::map<std::string, std::vector<Relationship>>& out) {
  std::vector<Relationship> junctions;
  for (const auto& [table, key_columns] : primary_keys) {
    auto from = out.find(table);
    if (from == out.end()) continue;
    std::set<std::string> key(key_columns.begin(), key_columns.end());
    auto within_key = [&](const Relationship& leg) {
      return leg.cardinality == Cardinality::kManyToOne &&
             std::all_of(leg.columns.begin(), leg.columns.end(),
                         [&](const auto& pair) { return key.contains(pair.source); });
    };
    for (const auto& first : from->second) {
      if (!within_key(first)) continue;
      for (const auto& second : from->second) {
        if (!within_key(second) || first.constraint == second.constraint) continue;
        Relationship many;
        many.source = first.target;
        many.target = second.target;
        many.cardinality = Cardinality::kManyToMany;
        many.constraint = second.constraint;
        many.junction = Junction{table, first.constraint, second.constraint, Swapped(first.columns), second.columns};
        many.is_self = first.target == second.target;
        many.target_is_view = second.target_is_view;
        junctions.push_back(std::move(many));
      }
    }
  }
  for (auto& relationship : junctions) out[relationship.source].push_back(std::move(relationship));
}

std::map<std::string, std::vector<std::string>> ViewKeys(const RelationshipCatalog& catalog, const TracedViews& views) {
  auto key_of = [&](const QualifiedName& base) -> const std::vector<std::string>* {
    if (base.schema == catalog.schema) {
      auto exposed = catalog.primary_keys.find(base.name);
      if (exposed != catalog.primary_keys.end()) return &exposed->second;
    }
    auto hidden = catalog.base_primary_keys.find(base);
    return hidden == catalog.base_primary_keys.end() ? nullptr : &hidden->second;
  };
  std::map<std::string, std::vector<std::string>> keys;
  for (const auto& [view, columns] : views) {
    std::vector<QualifiedName> bases;  // in the order the view first shows them
    for (const auto& entry : columns) {
      if (std::find(bases.begin(), bases.end(), entry.second.base) == bases.end()) bases.push_back(entry.second.base);
    }
    for (const auto& base : bases) {
      const auto* key = key_of(base);
      if (key == nullptr || key->empty()) continue;
      std::vector<std::string> shown;
      for (const auto& key_column : *key) {
        auto column = std::find_if(columns.begin(), columns.end(), [&](const auto& entry) {
          return entry.second == Origin{base, key_column};
        });
        if (column == columns.end()) break;
        shown.push_back(column->first);
      }
      if (shown.size() == key->size()) {
        keys[view] = std::move(shown);
        break;
      }
    }
  }
  return keys;
}

}  // namespace

std::map<std::string, std::vector<std::string>> ViewPrimaryKeys(const RelationshipCatalog& catalog) {
  return ViewKeys(catalog, TraceViews(catalog));
}

std::map<std::string, std::vector<Relationship>> BuildRelationships(const RelationshipCatalog& catalog) {
  return BuildRelationshipModel(catalog).relationships;
}

RelationshipModel BuildRelationshipModel(const RelationshipCatalog& catalog) {
  RelationshipModel model;
  auto& out = model.relationships;
  TracedViews views = TraceViews(catalog);
  AddKeyRelationships(catalog, views, out);
  model.view_primary_keys = ViewKeys(catalog, views);
  auto primary_keys = catalog.primary_keys;
  for (const auto& [view, key] : model.view_primary_keys) primary_keys.emplace(view, key);
  AddJunctions(primary_keys, out);
  for (const auto& computed : catalog.computed) {
    Relationship relationship;
    relationship.source = computed.source;
    relationship.target = computed.target;
    relationship.cardinality = Cardinality::kComputed;
    relationship.constraint = computed.function;
    relationship.to_one = computed.single_row;
    auto target = catalog.relations.find(computed.target);
    relationship.target_is_view = target != catalog.relations.end() && target->second;
    out[relationship.source].push_back(std::move(relationship));
  }
  return model;
}

}  // namespace agentbase::rest
