#include "changes/authorizer.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/array.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <map>

#include "util/log_failure.hpp"

namespace agentbase::changes {

namespace asio = boost::asio;
namespace json = boost::json;
using asio::awaitable;

namespace {

// Whether every transaction of $1 (32-bit ids, as pgoutput sends them) is
// visible to a new snapshot: each id is widened to its 64 bits by the epoch
// of the snapshot's xmax (one less when the id is above xmax's low bits: it
// was assigned before the counter wrapped).
constexpr const char* kTransactionsVisibleSql =
    "SELECT coalesce(pg_catalog.bool_and(pg_catalog.pg_visible_in_snapshot("
    "((((pg_catalog.pg_snapshot_xmax(s)::text::bigint >> 32) "
    "   - (x > (pg_catalog.pg_snapshot_xmax(s)::text::bigint & 4294967295))::int) << 32) | x)::text::xid8, s)), true) "
    "FROM pg_catalog.pg_current_snapshot() s, pg_catalog.unnest($1::bigint[]) x";

}  // namespace

bool Authorizer::Allowed(const std::string& role) const {
  return std::find(options_.roles.begin(), options_.roles.end(), role) != options_.roles.end();
}

awaitable<Result<Authorizer::TableFacts>> Authorizer::Facts(uint32_t relation) {
  auto now = std::chrono::steady_clock::now();
  if (auto it = facts_.find(relation); it != facts_.end() && now - it->second.fetched < options_.table_facts_ttl) {
    co_return it->second;
  }
  ++queries_;
  std::vector<db::Statement> statements(1);
  statements[0].sql =
      "SELECT c.relrowsecurity, c.oid = ANY (agentbase.realtime_tenant_scoped_tables()), r.role, r.rolbypassrls, "
      "  (SELECT pg_catalog.array_to_json(pg_catalog.array_agg(a.attname::text ORDER BY k.position))::text "
      "   FROM pg_catalog.pg_index i, pg_catalog.unnest(i.indkey) WITH ORDINALITY k(attnum, position) "
      "   JOIN pg_catalog.pg_attribute a ON a.attnum = k.attnum "
      "   WHERE i.indrelid = c.oid AND i.indisprimary AND a.attrelid = c.oid) "
      "FROM pg_catalog.pg_class c "
      "LEFT JOIN LATERAL (SELECT u.role, p.rolbypassrls FROM pg_catalog.unnest($2::text[]) u(role) "
      "  JOIN pg_catalog.pg_roles p ON p.rolname = u.role AND NOT p.rolsuper "
      "  WHERE pg_catalog.has_table_privilege(u.role, c.oid, 'SELECT')) r ON true "
      "WHERE c.oid = $1::oid";
  statements[0].params = {std::to_string(relation), db::TextArrayLiteral(options_.roles)};
  statements[0].reuse = true;
  auto outcome = co_await pool_.Submit(std::move(statements));
  if (!outcome) co_return outcome.error();
  if (outcome->failure) co_return *outcome->failure;
  const db::PgResult& rows = outcome->results.at(0);
  if (rows.Rows() == 0) co_return Error::NotFound("no table has oid " + std::to_string(relation), "42P01");
  TableFacts facts;
  facts.fetched = now;
  facts.row_security = rows.Bool(0, 0);
  facts.tenant_scoped = rows.Bool(0, 1);
  if (!rows.IsNull(0, 4)) {
    boost::system::error_code parse_error;
    json::value key = json::parse(rows.Get(0, 4), parse_error);
    if (parse_error || !key.is_array()) co_return Error::Internal("unreadable primary key: " + rows.Text(0, 4));
    for (const auto& column : key.as_array()) {
      if (column.is_string()) facts.primary_key.emplace_back(column.as_string());
    }
  }
  for (int row = 0; row < rows.Rows(); ++row) {
    if (rows.IsNull(row, 2)) continue;
    facts.selecting_roles.insert(rows.Text(row, 2));
    if (rows.Bool(row, 3)) facts.bypassing_roles.insert(rows.Text(row, 2));
  }
  facts_[relation] = facts;
  co_return facts;
}

awaitable<Result<std::vector<Authorizer::Tenant>>> Authorizer::Tenants(const std::vector<std::string_view>& claims) {
  auto now = std::chrono::steady_clock::now();
  auto refresh_due = options_.tenant_ttl * 3 / 4;
  std::vector<Tenant> tenants(claims.size());
  std::vector<size_t> unknown;
  std::vector<std::string> asked;
  for (size_t i = 0; i < claims.size(); ++i) {
    auto it = tenants_.find(claims[i]);
    if (it == tenants_.end() || now - it->second.fetched >= options_.tenant_ttl) {
      unknown.push_back(i);
      asked.emplace_back(claims[i]);
      continue;
    }
    tenants[i] = it->second.tenant;
    if (now - it->second.fetched >= refresh_due && !refresh_wanted_.contains(claims[i])) {
      refresh_wanted_.emplace(claims[i]);
    }
  }
  if (!refresh_wanted_.empty() && !refreshing_) {
    refreshing_ = true;
    asio::co_spawn(co_await asio::this_coro::executor, RefreshTenants(this),
                   LogFailure{"realtime: refreshing subscribers' tenants"});
  }
  if (unknown.empty()) co_return tenants;
  auto fetched = co_await FetchTenants(std::move(asked), now);
  if (!fetched) co_return fetched.error();
  for (size_t k = 0; k < unknown.size(); ++k) tenants[unknown[k]] = std::move((*fetched)[k]);
  co_return tenants;
}

Authorizer::Tenant Authorizer::Intern(std::string_view name) {
  auto interned = tenant_names_.find(name);
  if (interned == tenant_names_.end()) {
    interned = tenant_names_.emplace(std::string(name), std::make_shared<const std::string>(name)).first;
  }
  return interned->second;
}

awaitable<void> Authorizer::RefreshTenants(Authorizer* self) {
  struct Done {
    Authorizer* self;
    ~Done() { self->refreshing_ = false; }
  } done{self};
  while (!self->refresh_wanted_.empty()) {
    std::vector<std::string> claims(self->refresh_wanted_.begin(), self->refresh_wanted_.end());
    self->refresh_wanted_.clear();
    auto fetched = co_await self->FetchTenants(std::move(claims), std::chrono::steady_clock::now());
    // On failure the entries simply expire, and a change asks again.
    if (!fetched) spdlog::warn("realtime: refreshing subscribers' tenants: {}", fetched.error().message);
  }
}

awaitable<Result<std::vector<Authorizer::Tenant>>> Authorizer::FetchTenants(
    std::vector<std::string> claims, std::chrono::steady_clock::time_point asked_at) {
  std::string asked = "[";
  for (const auto& claim : claims) (asked += asked.size() > 1 ? "," : "") += claim;
  asked += "]";
  ++queries_;
  std::vector<db::Statement> statements(1);
  statements[0].sql = "SELECT agentbase.realtime_claims_tenants($1::jsonb)";
  statements[0].params = {std::move(asked)};
  statements[0].reuse = true;
  auto outcome = co_await pool_.Submit(std::move(statements));
  if (!outcome) co_return outcome.error();
  if (outcome->failure) co_return *outcome->failure;
  boost::system::error_code parse_error;
  json::value answer = json::parse(outcome->results.at(0).Get(0, 0), parse_error);
  if (parse_error || !answer.is_array() || answer.as_array().size() != claims.size()) {
    co_return Error::Internal("agentbase.realtime_claims_tenants answered " + json::serialize(answer));
  }
  if (tenants_.size() + claims.size() > options_.max_remembered_tenants) {
    tenants_.clear();
    tenant_names_.clear();
  }
  std::vector<Tenant> tenants(claims.size());
  for (size_t k = 0; k < claims.size(); ++k) {
    const json::value& named = answer.as_array()[k];
    tenants[k] = Intern(named.is_string() ? std::string_view(named.as_string()) : std::string_view());
    tenants_.insert_or_assign(std::move(claims[k]), KnownTenant{asked_at, tenants[k]});
  }
  co_return tenants;
}

namespace {

// The tenant a tenant-scoped row's old image names ("" when the image has
// only the primary key, as without REPLICA IDENTITY FULL).
std::string OldTenant(const Change& change) {
  const json::value* tenant = change.old_record.if_contains("tenant_id");
  return tenant != nullptr && tenant->is_string() ? std::string(tenant->as_string()) : std::string();
}

}  // namespace

awaitable<Result<std::vector<std::string>>> Authorizer::PrimaryKey(uint32_t relation) {
  auto facts = co_await Facts(relation);
  if (!facts) co_return facts.error();
  co_return facts->primary_key;
}

Result<std::vector<std::vector<bool>>> ParseBoolMatrix(std::string_view text, size_t rows, size_t columns) {
  std::vector<bool> values;
  int depth = 0;
  for (char c : text) {
    if (c == '{') {
      if (++depth > 2) return Error::Internal("more than two dimensions in " + std::string(text));
    } else if (c == '}') {
      if (--depth < 0) return Error::Internal("unbalanced array " + std::string(text));
    } else if (c == 't' || c == 'f') {
      if (depth == 0) return Error::Internal("a value outside the array " + std::string(text));
      values.push_back(c == 't');
    } else if (c != ',') {
      return Error::Internal("unexpected '" + std::string(1, c) + "' in a boolean array");
    }
  }
  if (depth != 0 || values.size() != rows * columns) {
    return Error::Internal("expected " + std::to_string(rows) + "x" + std::to_string(columns) + " booleans, got " +
                           std::to_string(values.size()));
  }
  std::vector<std::vector<bool>> matrix(rows, std::vector<bool>(columns));
  for (size_t row = 0; row < rows; ++row) {
    for (size_t column = 0; column < columns; ++column) matrix[row][column] = values[row * columns + column];
  }
  return matrix;
}

awaitable<Result<db::PipelineOutcome>> Authorizer::LookUp(uint32_t relation, const std::string& records,
                                                          const std::string& xids, const std::string& representatives,
                                                          bool with_tenants) {
  // First, in the same round trip: are the changes' transactions visible to
  // a new snapshot (the lookup's is newer still)? If not, wait and ask again.
  auto deadline = std::chrono::steady_clock::now() + options_.visibility_wait;
  auto pause = std::chrono::milliseconds(1);
  while (true) {
    ++queries_;
    std::vector<db::Statement> statements(with_tenants ? 3 : 2);
    statements[0].sql = kTransactionsVisibleSql;
    statements[0].params = {xids};
    statements[0].reuse = true;
    statements[1].sql = "SELECT agentbase.realtime_visible($1::oid::regclass, $2::jsonb, $3::jsonb, $4::text[])";
    statements[1].params = {std::to_string(relation), records, representatives, db::TextArrayLiteral(options_.roles)};
    statements[1].reuse = true;
    if (with_tenants) {
      statements[2].sql = "SELECT agentbase.realtime_claims_tenants($1::jsonb)";
      statements[2].params = {representatives};
      statements[2].reuse = true;
    }
    auto submitted = co_await pool_.Submit(std::move(statements));
    if (!submitted) co_return submitted.error();
    if (submitted->failure) co_return *submitted->failure;
    bool committed_visible = submitted->results.at(0).Get(0, 0) == "t";
    if (committed_visible || std::chrono::steady_clock::now() >= deadline) {
      if (!committed_visible) {
        spdlog::warn("realtime: a transaction of {} was still not visible after {} ms; its rows are judged as they are",
                     xids, options_.visibility_wait.count());
      }
      co_return std::move(*submitted);
    }
    ++visibility_waits_;
    asio::steady_timer timer(co_await asio::this_coro::executor, pause);
    co_await timer.async_wait(asio::use_awaitable);
    pause = std::min(pause * 2, std::chrono::milliseconds(50));
  }
}

awaitable<Result<std::vector<bool>>> Authorizer::Visible(Change change, std::vector<json::object> claims) {
  std::vector<Change> one;
  one.push_back(std::move(change));
  auto visible = co_await VisibleBatch(std::move(one), std::move(claims));
  if (!visible) co_return visible.error();
  co_return std::move(visible->at(0));
}

awaitable<Result<std::vector<bool>>> Authorizer::Visible(Change change, std::vector<Subject> subjects) {
  std::vector<Change> one;
  one.push_back(std::move(change));
  auto visible = co_await VisibleBatch(std::move(one), std::move(subjects));
  if (!visible) co_return visible.error();
  co_return std::move(visible->at(0));
}

awaitable<Result<std::vector<std::vector<bool>>>> Authorizer::VisibleBatch(std::vector<Change> changes,
                                                                           std::vector<json::object> claims) {
  // Kept here until the call completes: the subjects are views of them.
  std::vector<std::string> texts;
  std::vector<std::string> roles;
  texts.reserve(claims.size());
  roles.reserve(claims.size());
  for (const auto& claim : claims) {
    texts.push_back(json::serialize(claim));
    const json::value* role = claim.if_contains("role");
    roles.push_back(role != nullptr && role->is_string() ? std::string(role->as_string()) : std::string());
  }
  std::vector<Subject> subjects;
  subjects.reserve(claims.size());
  for (size_t i = 0; i < claims.size(); ++i) subjects.push_back({roles[i], texts[i]});
  co_return co_await VisibleBatch(std::move(changes), std::move(subjects));
}

awaitable<Result<std::vector<std::vector<bool>>>> Authorizer::VisibleBatch(std::vector<Change> changes,
                                                                           std::vector<Subject> claims) {
  std::vector<std::vector<bool>> visible(changes.size(), std::vector<bool>(claims.size(), false));
  if (claims.empty() || changes.empty()) co_return visible;
  // Each table's changes in turn, in the order its first change came.
  std::vector<bool> done(changes.size(), false);
  for (size_t first = 0; first < changes.size(); ++first) {
    if (done[first]) continue;
    const uint32_t relation = changes[first].relation_oid;
    auto facts = co_await Facts(relation);
    if (!facts) co_return facts.error();
    auto may_select = [&](size_t i) {
      std::string role(claims[i].role);
      return Allowed(role) && facts->selecting_roles.count(role) > 0;
    };
    std::vector<size_t> checked;  // changes whose rows RLS decides on
    std::vector<size_t> deletes;  // deletes of a tenant-scoped table's rows that name their tenant
    for (size_t c = first; c < changes.size(); ++c) {
      if (done[c] || changes[c].relation_oid != relation) continue;
      done[c] = true;
      bool is_delete = changes[c].kind == ChangeKind::kDelete;
      if (facts->row_security && !is_delete) {
        checked.push_back(c);
      } else if (facts->row_security && facts->tenant_scoped && !OldTenant(changes[c]).empty()) {
        deletes.push_back(c);
      } else {
        for (size_t i = 0; i < claims.size(); ++i) visible[c][i] = may_select(i);
      }
    }
    if (checked.empty() && deletes.empty()) continue;
    // One question per distinct claims.
    std::unordered_map<std::string_view, size_t> distinct;
    distinct.reserve(claims.size());
    std::vector<size_t> asked_as(claims.size(), SIZE_MAX);
    std::vector<std::string_view> asked;
    std::vector<std::string_view> asked_role;
    for (size_t i = 0; i < claims.size(); ++i) {
      if (!may_select(i)) continue;
      auto [it, added] = distinct.emplace(claims[i].claims, asked.size());
      if (added) {
        asked.push_back(claims[i].claims);
        asked_role.push_back(claims[i].role);
      }
      asked_as[i] = it->second;
    }
    if (asked.empty()) continue;
    std::vector<Tenant> tenants(asked.size());
    if (facts->tenant_scoped) {
      auto known = co_await Tenants(asked);
      if (!known) co_return known.error();
      tenants = std::move(*known);
    }
    for (size_t c : deletes) {
      std::string old_tenant = OldTenant(changes[c]);
      for (size_t i = 0; i < claims.size(); ++i) {
        visible[c][i] = asked_as[i] != SIZE_MAX && (facts->bypassing_roles.count(std::string(claims[i].role)) > 0 ||
                                                    (tenants[asked_as[i]] && *tenants[asked_as[i]] == old_tenant));
      }
    }
    if (checked.empty()) continue;
    json::array records;
    std::string xids = "{";
    for (size_t c : checked) {
      records.push_back(changes[c].record);
      if (changes[c].xid != 0) xids += (xids.size() > 1 ? "," : "") + std::to_string(changes[c].xid);
    }
    xids += "}";
    std::string records_text = json::serialize(records);
    // On a tenant-scoped table, one question per role and tenant: the first
    // claims of each stand for the others. The representatives' tenants are
    // asked in the same round trip: one whose known tenant is stale (its
    // user moved) would answer for the others of its old tenant, so it is
    // regrouped under its real one and the question asked again.
    for (int attempt = 1;; ++attempt) {
      std::map<std::pair<std::string_view, std::string_view>, size_t> groups;
      std::vector<size_t> group_of(asked.size());
      std::vector<size_t> representative;  // of each group, its index in `asked`
      std::string representatives = "[";
      for (size_t k = 0; k < asked.size(); ++k) {
        auto group = facts->tenant_scoped ? std::make_pair(asked_role[k], std::string_view(*tenants[k]))
                                          : std::make_pair(asked[k], std::string_view());
        auto [it, added] = groups.emplace(group, groups.size());
        if (added) {
          (representatives += representatives.size() > 1 ? "," : "") += asked[k];
          representative.push_back(k);
        }
        group_of[k] = it->second;
      }
      representatives += "]";
      auto outcome = co_await LookUp(relation, records_text, xids, representatives, facts->tenant_scoped);
      if (!outcome) co_return outcome.error();
      if (facts->tenant_scoped) {
        boost::system::error_code parse_error;
        json::value actual = json::parse(outcome->results.at(2).Get(0, 0), parse_error);
        if (parse_error || !actual.is_array() || actual.as_array().size() != representative.size()) {
          co_return Error::Internal("agentbase.realtime_claims_tenants answered " + json::serialize(actual));
        }
        bool moved = false;
        auto now = std::chrono::steady_clock::now();
        for (size_t g = 0; g < representative.size(); ++g) {
          const json::value& named = actual.as_array()[g];
          Tenant tenant = Intern(named.is_string() ? std::string_view(named.as_string()) : std::string_view());
          if (*tenant == *tenants[representative[g]]) continue;
          moved = true;
          tenants[representative[g]] = tenant;
          tenants_.insert_or_assign(std::string(asked[representative[g]]), KnownTenant{now, tenant});
        }
        if (moved) {
          if (attempt < 3) continue;
          co_return Error::Unavailable("subscribers' tenants kept changing while a change was judged");
        }
      }
      auto answers = ParseBoolMatrix(outcome->results.at(1).Get(0, 0), checked.size(), groups.size());
      if (!answers) co_return answers.error();
      for (size_t k = 0; k < checked.size(); ++k) {
        for (size_t i = 0; i < claims.size(); ++i) {
          if (asked_as[i] != SIZE_MAX) visible[checked[k]][i] = (*answers)[k][group_of[asked_as[i]]];
        }
      }
      break;
    }
  }
  co_return visible;
}

}  // namespace agentbase::changes
