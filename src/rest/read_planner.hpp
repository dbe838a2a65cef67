#pragma once
// The plan stage's resolver for one request's query string: select lists
// and their embeds, filters, and/or trees, order and ranges, resolved level
// by level against the schema cache (plan.hpp). Shared by reads, calls and
// the returned rows of writes.

#include <set>
#include <string>
#include <vector>

#include "rest/plan.hpp"

namespace agentbase::rest {

// Which of a level's relationships `name!hint` means, as PostgREST decides
// it; PGRST200 when none, PGRST201 (with the candidates) when several.
Result<const Relationship*> FindRelationship(const SchemaCache& cache, const Table& parent, const std::string& name,
                                             const std::optional<std::string>& hint);

// A column or computed field of `table` (42703 when it has neither).
Result<FieldRef> ResolveField(const Table& table, const Field& field);

class ReadPlanner {
 public:
  ReadPlanner(const PlanContext& context, const QueryParams& query) : context_(context), query_(query) {}

  // The root level over `table`: its select list (embeds included), filters,
  // order and range. `capped`: db-max-rows applies to the root's rows.
  Result<ReadNode> PlanRoot(const Table& table, bool capped = true);
  // Every embedded filter, order and range names an embed of the select
  // list, or the request is refused (PGRST108): never silently ignored.
  Status CheckEmbedPaths() const;

 private:
  // The name a level answers to in the query string: each embed's alias,
  // or its relation name when it has none. `by_name` (relation names only)
  // is kept to explain why an aliased embed's relation name is refused.
  struct LevelPaths {
    EmbedPath by_alias;
    EmbedPath by_name;
    bool Matches(const EmbedPath& path) const { return path == by_alias; }
  };

  Result<ReadNode> PlanLevel(const Table& table, const std::vector<SelectItem>& items, const LevelPaths& paths,
                             bool root);
  Status PlanSelect(const Table& table, const std::vector<SelectItem>& items, const LevelPaths& paths, ReadNode& node);
  Result<SelectedField> PlanField(const Table& table, const SelectItem& item);
  Result<ReadNode> PlanEmbed(const Table& parent, const SelectItem& item, const LevelPaths& parent_paths);
  Status PlanFilters(const Table& table, const LevelPaths& paths, ReadNode& node);
  Result<ResolvedFilter> PlanFilter(const Table& table, const Filter& filter, const ReadNode& node);
  Result<ResolvedLogic> PlanLogic(const Table& table, const LogicTree& tree, const ReadNode& node);
  Status PlanOrder(const Table& table, const LevelPaths& paths, ReadNode& node);
  void PlanRange(const LevelPaths& paths, bool capped, ReadNode& node);

  const PlanContext& context_;
  const QueryParams& query_;
  std::vector<LevelPaths> planned_;
};

}  // namespace agentbase::rest
