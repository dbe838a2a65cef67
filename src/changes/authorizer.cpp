#include "changes/authorizer.hpp"

#include <algorithm>
#include <boost/json/array.hpp>
#include <boost/json/serialize.hpp>

namespace agentbase::changes {

namespace asio = boost::asio;
namespace json = boost::json;
using asio::awaitable;

std::string TextArrayLiteral(const std::vector<std::string>& items) {
  std::string out = "{";
  for (size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += ',';
    out += '"';
    for (char c : items[i]) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    out += '"';
  }
  return out + "}";
}

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
      "SELECT c.relrowsecurity, r.role FROM pg_catalog.pg_class c "
      "LEFT JOIN LATERAL (SELECT u.role FROM pg_catalog.unnest($2::text[]) u(role) "
      "  JOIN pg_catalog.pg_roles p ON p.rolname = u.role AND NOT p.rolsuper "
      "  WHERE pg_catalog.has_table_privilege(u.role, c.oid, 'SELECT')) r ON true "
      "WHERE c.oid = $1::oid";
  statements[0].params = {std::to_string(relation), TextArrayLiteral(options_.roles)};
  statements[0].reuse = true;
  auto outcome = co_await pool_.Submit(std::move(statements));
  if (!outcome) co_return outcome.error();
  if (outcome->failure) co_return *outcome->failure;
  const db::PgResult& rows = outcome->results.at(0);
  if (rows.Rows() == 0) co_return Error::NotFound("no table has oid " + std::to_string(relation), "42P01");
  TableFacts facts;
  facts.fetched = now;
  facts.row_security = rows.Bool(0, 0);
  for (int row = 0; row < rows.Rows(); ++row) {
    if (!rows.IsNull(row, 1)) facts.selecting_roles.insert(rows.Text(row, 1));
  }
  facts_[relation] = facts;
  co_return facts;
}

awaitable<Result<std::vector<bool>>> Authorizer::Visible(Change change, std::vector<json::object> claims) {
  std::vector<bool> visible(claims.size(), false);
  if (claims.empty()) co_return visible;
  auto facts = co_await Facts(change.relation_oid);
  if (!facts) co_return facts.error();
  // Claims that may be asked about at all: an allowed role with SELECT.
  std::vector<std::string> roles(claims.size());
  for (size_t i = 0; i < claims.size(); ++i) {
    const json::value* role = claims[i].if_contains("role");
    if (role != nullptr && role->is_string()) roles[i] = std::string(role->as_string());
  }
  auto may_select = [&](size_t i) { return Allowed(roles[i]) && facts->selecting_roles.count(roles[i]) > 0; };
  if (!facts->row_security || change.kind == ChangeKind::kDelete) {
    for (size_t i = 0; i < claims.size(); ++i) visible[i] = may_select(i);
    co_return visible;
  }
  // One question per distinct claims.
  std::unordered_map<std::string, size_t> distinct;
  std::vector<size_t> asked_as(claims.size(), SIZE_MAX);
  json::array asked;
  for (size_t i = 0; i < claims.size(); ++i) {
    if (!may_select(i)) continue;
    std::string key = json::serialize(claims[i]);
    auto [it, added] = distinct.emplace(std::move(key), asked.size());
    if (added) asked.emplace_back(std::move(claims[i]));
    asked_as[i] = it->second;
  }
  if (asked.empty()) co_return visible;
  ++queries_;
  std::vector<db::Statement> statements(1);
  statements[0].sql = "SELECT agentbase.realtime_visible($1::oid::regclass, $2::jsonb, $3::jsonb, $4::text[])";
  statements[0].params = {std::to_string(change.relation_oid), json::serialize(change.record), json::serialize(asked),
                          TextArrayLiteral(options_.roles)};
  statements[0].reuse = true;
  auto outcome = co_await pool_.Submit(std::move(statements));
  if (!outcome) co_return outcome.error();
  if (outcome->failure) co_return *outcome->failure;
  // boolean[] as text: {t,f,...}
  std::string_view answer = outcome->results.at(0).Get(0, 0);
  if (answer.size() < 2 || answer.front() != '{' || answer.back() != '}') {
    co_return Error::Internal("realtime_visible answered " + std::string(answer));
  }
  answer = answer.substr(1, answer.size() - 2);
  std::vector<bool> answers;
  for (size_t start = 0; start <= answer.size() && !answer.empty();) {
    size_t comma = answer.find(',', start);
    std::string_view item =
        answer.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
    answers.push_back(item == "t");
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  if (answers.size() != asked.size()) {
    co_return Error::Internal("realtime_visible answered " + std::to_string(answers.size()) + " of " +
                              std::to_string(asked.size()) + " claims");
  }
  for (size_t i = 0; i < claims.size(); ++i) {
    if (asked_as[i] != SIZE_MAX) visible[i] = answers[asked_as[i]];
  }
  co_return visible;
}

}  // namespace agentbase::changes
