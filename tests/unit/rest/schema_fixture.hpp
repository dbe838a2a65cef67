#pragma once
// The unit tests' schema cache, "api" (tests/common/schema_catalog.hpp makes
// it without a database), and shorthands that plan against it.
// Header-only: the unit test target compiles *_test.cpp files only.

#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "../../common/schema_catalog.hpp"
#include "rest/plan.hpp"
#include "rest/query_parser.hpp"
#include "rest/schema_cache.hpp"

namespace agentbase::rest::fixture {

using testing::BuildSchemaCache;
using testing::Catalog;

// The schema most tests plan against, "api":
//   clients(id pk, name) <- projects(id pk, name, client_id) <- tasks(id pk, name, project_id)
//   users(id pk, name); users_tasks(user_id, task_id; pk both): a junction users <-> tasks
//   teams(id pk, name); user_teams(id pk, user_id, team_id): NOT a junction (pk is id)
//   employees(id pk, name, manager_id -> employees): self-reference
//   persons(id pk, name) <- passports(id pk, person_id unique, number): one-to-one
//   messages(id pk, sender_id -> users, receiver_id -> users, body): two keys to one table
//   projects_view (an auto-updatable view of projects), projects_view2 (a view of
//   projects_view that takes no writes); both have projects' primary key
// Functions: full_name(clients) text (a computed field), client_projects(clients)
// SETOF projects and project_client(projects) clients (computed relationships),
// get_stats(min_id) RETURNS TABLE(id, label), add(a, b) integer, noop() void, norm(v real[]),
// echo(value text) / echo(value integer), pick(a) / pick(a, b),
// projects_of(client_id) SETOF projects, body_echo(json) (one unnamed argument),
// page(text) "text/html" and logo() "image/png" (media-type domains, over
// text and bytea).
inline Catalog ApiCatalog() {
  Catalog c;
  c.relations = {
      {"clients", "r", "id", "integer", "int4", "f", "t", "f", ""},
      {"clients", "r", "name", "text", "text", "f", "f", "f", ""},
      {"employees", "r", "id", "integer", "int4", "f", "t", "f", ""},
      {"employees", "r", "name", "text", "text", "f", "f", "f", ""},
      {"employees", "r", "manager_id", "integer", "int4", "t", "f", "f", ""},
      {"messages", "r", "id", "integer", "int4", "f", "t", "f", ""},
      {"messages", "r", "sender_id", "integer", "int4", "f", "f", "f", ""},
      {"messages", "r", "receiver_id", "integer", "int4", "f", "f", "f", ""},
      {"messages", "r", "body", "text", "text", "t", "f", "f", ""},
      {"passports", "r", "id", "integer", "int4", "f", "t", "f", ""},
      {"passports", "r", "person_id", "integer", "int4", "f", "f", "f", ""},
      {"passports", "r", "number", "text", "text", "f", "f", "f", ""},
      {"persons", "r", "id", "integer", "int4", "f", "t", "f", ""},
      {"persons", "r", "name", "text", "text", "f", "f", "f", ""},
      {"projects", "r", "id", "integer", "int4", "f", "t", "f", ""},
      {"projects", "r", "name", "text", "text", "f", "f", "f", ""},
      {"projects", "r", "client_id", "integer", "int4", "t", "f", "f", ""},
      {"projects_view", "v", "id", "integer", "int4", "t", "f", "f", "", "f", "28"},
      {"projects_view", "v", "name", "text", "text", "t", "f", "f", "", "f", "28"},
      {"projects_view", "v", "client_id", "integer", "int4", "t", "f", "f", "", "f", "28"},
      {"projects_view2", "v", "id", "integer", "int4", "t", "f", "f", ""},
      {"projects_view2", "v", "name", "text", "text", "t", "f", "f", ""},
      {"projects_view2", "v", "client_id", "integer", "int4", "t", "f", "f", ""},
      {"tasks", "r", "id", "integer", "int4", "f", "t", "f", ""},
      {"tasks", "r", "name", "text", "text", "f", "f", "f", ""},
      {"tasks", "r", "project_id", "integer", "int4", "f", "f", "f", ""},
      {"teams", "r", "id", "integer", "int4", "f", "t", "f", ""},
      {"teams", "r", "name", "text", "text", "f", "f", "f", ""},
      {"user_teams", "r", "id", "integer", "int4", "f", "t", "f", ""},
      {"user_teams", "r", "user_id", "integer", "int4", "f", "f", "f", ""},
      {"user_teams", "r", "team_id", "integer", "int4", "f", "f", "f", ""},
      {"users", "r", "id", "integer", "int4", "f", "t", "f", ""},
      {"users", "r", "name", "text", "text", "f", "f", "f", ""},
      {"users_tasks", "r", "user_id", "integer", "int4", "f", "f", "f", ""},
      {"users_tasks", "r", "task_id", "integer", "int4", "f", "f", "f", ""},
  };
  c.keys = {
      {"clients", "clients_pkey", "p", "id"},
      {"employees", "employees_pkey", "p", "id"},
      {"messages", "messages_pkey", "p", "id"},
      {"passports", "passports_person_id_key", "u", "person_id"},
      {"passports", "passports_pkey", "p", "id"},
      {"persons", "persons_pkey", "p", "id"},
      {"projects", "projects_pkey", "p", "id"},
      {"tasks", "tasks_pkey", "p", "id"},
      {"teams", "teams_pkey", "p", "id"},
      {"user_teams", "user_teams_pkey", "p", "id"},
      {"users", "users_pkey", "p", "id"},
      {"users_tasks", "users_tasks_pkey", "p", "user_id"},
      {"users_tasks", "users_tasks_pkey", "p", "task_id"},
  };
  c.foreign_keys = {
      {"projects_client_id_fkey", "api", "projects", "client_id", "api", "clients", "id", "f", "1"},
      {"tasks_project_id_fkey", "api", "tasks", "project_id", "api", "projects", "id", "f", "2"},
      {"users_tasks_user_id_fkey", "api", "users_tasks", "user_id", "api", "users", "id", "f", "3"},
      {"users_tasks_task_id_fkey", "api", "users_tasks", "task_id", "api", "tasks", "id", "f", "4"},
      {"user_teams_user_id_fkey", "api", "user_teams", "user_id", "api", "users", "id", "f", "5"},
      {"user_teams_team_id_fkey", "api", "user_teams", "team_id", "api", "teams", "id", "f", "6"},
      {"employees_manager_id_fkey", "api", "employees", "manager_id", "api", "employees", "id", "f", "7"},
      {"passports_person_id_fkey", "api", "passports", "person_id", "api", "persons", "id", "t", "8"},
      {"messages_sender_id_fkey", "api", "messages", "sender_id", "api", "users", "id", "f", "9"},
      {"messages_receiver_id_fkey", "api", "messages", "receiver_id", "api", "users", "id", "f", "10"},
  };
  c.functions = {
      {"add", "f", "f", nullptr, "i", "2", "0", R"([["a","integer",false],["b","integer",false]])", "", nullptr, "t",
       nullptr, "integer"},
      {"body_echo", "f", "f", nullptr, "i", "1", "0", R"([["","json",false]])", "", nullptr, "t", nullptr, "json"},
      {"client_projects", "t", "f", "projects", "s", "1", "0", R"([["c","clients",true]])", "", "clients", "f", nullptr,
       nullptr},
      {"echo", "f", "f", nullptr, "i", "1", "0", R"([["value","text",false]])", "", nullptr, "t", nullptr, "text"},
      {"echo", "f", "f", nullptr, "i", "1", "0", R"([["value","integer",false]])", "", nullptr, "t", nullptr,
       "integer"},
      {"full_name", "f", "f", nullptr, "s", "1", "0", R"([["c","clients",true]])", "", "clients", "t", nullptr, "text"},
      {"get_stats", "t", "f", nullptr, "s", "1", "0", R"([["min_id","integer",false]])", "", nullptr, "f",
       R"([["id","integer"],["label","text"]])", nullptr},
      {"logo", "f", "f", nullptr, "s", "0", "0", "[]", "", nullptr, "t", nullptr, "api.\"image/png\"", "f", "image/png",
       "t"},
      {"noop", "f", "t", nullptr, "v", "0", "0", "[]", "", nullptr, "t", nullptr, "void"},
      {"norm", "f", "f", nullptr, "i", "1", "0", R"([["v","real[]",false]])", "", nullptr, "t", nullptr,
       "double precision"},
      {"page", "f", "f", nullptr, "s", "1", "0", R"([["","text",false]])", "", nullptr, "t", nullptr,
       "api.\"text/html\"", "f", "text/html", "f"},
      {"pick", "f", "f", nullptr, "i", "1", "0", R"([["a","integer",false]])", "", nullptr, "t", nullptr, "integer"},
      {"pick", "f", "f", nullptr, "i", "2", "0", R"([["a","integer",false],["b","integer",false]])", "", nullptr, "t",
       nullptr, "integer"},
      {"project_client", "f", "f", "clients", "s", "1", "0", R"([["p","projects",true]])", "", "projects", "t", nullptr,
       nullptr},
      {"projects_of", "t", "f", "projects", "s", "1", "0", R"([["client_id","integer",false]])", "", nullptr, "f",
       nullptr, nullptr},
  };
  c.view_columns = {
      {"projects_view", "id", "api", "projects", "id", R"(["id"])"},
      {"projects_view", "name", "api", "projects", "name", R"(["id"])"},
      {"projects_view", "client_id", "api", "projects", "client_id", R"(["id"])"},
      {"projects_view2", "id", "api", "projects_view", "id"},
      {"projects_view2", "name", "api", "projects_view", "name"},
      {"projects_view2", "client_id", "api", "projects_view", "client_id"},
  };
  return c;
}

inline const SchemaCache& ApiSchema() {
  static const std::shared_ptr<const SchemaCache> cache = BuildSchemaCache("api", {ApiCatalog()});
  return *cache;
}

// A parsed query string (ParseQueryParams must accept it).
inline QueryParams Query(std::string_view raw, bool rpc_read = false) {
  auto parsed = ParseQueryParams(raw, QueryParseOptions{rpc_read});
  if (!parsed)
    throw std::runtime_error("fixture query does not parse: " + std::string(raw) + ": " + parsed.error().message);
  return std::move(*parsed);
}

// The plan stage over ApiSchema().
inline Result<ReadPlan> Read(const std::string& relation, std::string_view query,
                             std::optional<int64_t> max_rows = std::nullopt, ReadRequest request = {}) {
  PlanContext context{ApiSchema(), max_rows};
  return PlanRead(context, relation, Query(query), request);
}

inline Result<ReadPlan> Call(const std::string& function, std::string_view query, std::string_view body,
                             bool from_query = false, std::optional<std::string_view> accept = std::nullopt,
                             std::string content_type = {}) {
  PlanContext context{ApiSchema(), std::nullopt};
  CallRequest request;
  request.body = body;
  request.arguments_from_query = from_query;
  request.accept = accept;
  request.content_type = std::move(content_type);
  return PlanCall(context, function, Query(query, from_query), request);
}

inline Result<MutationPlan> Mutate(MutationKind kind, const std::string& relation, std::string_view query,
                                   std::string_view body, MutationRequest request = {}) {
  PlanContext context{ApiSchema(), std::nullopt};
  request.kind = kind;
  request.body = body;
  return PlanMutation(context, relation, Query(query), request);
}

}  // namespace agentbase::rest::fixture
