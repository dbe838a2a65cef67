// The plan of a read: GET and HEAD on a table or view.

#include "rest/api_error.hpp"
#include "rest/plan.hpp"
#include "rest/postgrest_errors.hpp"
#include "rest/read_planner.hpp"

namespace agentbase::rest {

namespace {

// The planner estimates rows from table statistics, not from what row level
// security lets through: an estimate over such a table (the root, or one an
// !inner embed joins) would tell a tenant how many rows others have.
bool EstimateWouldLeak(const ReadNode& node) {
  if (node.table != nullptr && node.table->row_security) return true;
  for (const auto& child : node.children) {
    if (child.inner && EstimateWouldLeak(child)) return true;
  }
  return false;
}

}  // namespace

void CountExactlyWhereEstimatesLeak(ReadPlan& plan) {
  if (!plan.estimated_count || !EstimateWouldLeak(plan.root)) return;
  plan.estimated_count.reset();
  plan.count_exact = true;
}

Result<ReadPlan> PlanRead(const PlanContext& context, const std::string& relation, const QueryParams& query,
                          const ReadRequest& request) {
  const Table* table = context.cache.FindTable(relation);
  if (table == nullptr)
    return pgrst::TableNotFound(context.cache.Schema(), relation, context.cache.ClosestTableName(relation));
  ReadPlanner planner(context, query);
  auto root = planner.PlanRoot(*table);
  if (!root) return root.error();
  if (auto paths = planner.CheckEmbedPaths(); !paths) return paths.error();
  ReadPlan plan;
  plan.root = std::move(*root);
  plan.count_exact = request.count_exact;
  plan.estimated_count = request.estimated_count;
  plan.exact_count_limit = context.max_rows;
  CountExactlyWhereEstimatesLeak(plan);
  plan.form = request.form;
  return plan;
}

}  // namespace agentbase::rest
