// BuildRelationships (relationships.hpp) from hand-made catalogs, and the
// relationships a SchemaCache builds from its catalog results.

#include "rest/relationships.hpp"

#include <gtest/gtest.h>

#include <algorithm>

#include "schema_fixture.hpp"

namespace agentbase::rest {
namespace {

using Relationships = std::map<std::string, std::vector<Relationship>>;

ForeignKeyDefinition Key(std::string name, std::string table, std::vector<std::string> columns, std::string referenced,
                         std::vector<std::string> referenced_columns, bool one_to_one = false,
                         std::string schema = "api") {
  return ForeignKeyDefinition{std::move(name),
                              {schema, std::move(table)},
                              std::move(columns),
                              {schema, std::move(referenced)},
                              std::move(referenced_columns),
                              one_to_one};
}

// The relationships from `source` to `target`.
std::vector<Relationship> Between(const Relationships& all, const std::string& source, const std::string& target) {
  std::vector<Relationship> found;
  auto it = all.find(source);
  if (it == all.end()) return found;
  for (const auto& relationship : it->second) {
    if (relationship.target == target) found.push_back(relationship);
  }
  return found;
}

std::vector<std::pair<std::string, std::string>> Pairs(const Relationship& relationship) {
  std::vector<std::pair<std::string, std::string>> pairs;
  for (const auto& pair : relationship.columns) pairs.emplace_back(pair.source, pair.target);
  return pairs;
}

using PairList = std::vector<std::pair<std::string, std::string>>;

RelationshipCatalog ClientsProjects() {
  RelationshipCatalog catalog;
  catalog.schema = "api";
  catalog.relations = {{"clients", false}, {"projects", false}};
  catalog.primary_keys = {{"clients", {"id"}}, {"projects", {"id"}}};
  catalog.foreign_keys = {Key("projects_client_id_fkey", "projects", {"client_id"}, "clients", {"id"})};
  return catalog;
}

TEST(Relationships, ForeignKeyGivesManyToOneAndOneToManyBack) {
  auto all = BuildRelationships(ClientsProjects());
  auto forward = Between(all, "projects", "clients");
  ASSERT_EQ(forward.size(), 1u);
  EXPECT_EQ(forward[0].cardinality, Cardinality::kManyToOne);
  EXPECT_TRUE(forward[0].to_one);
  EXPECT_EQ(forward[0].constraint, "projects_client_id_fkey");
  EXPECT_EQ(Pairs(forward[0]), (PairList{{"client_id", "id"}}));
  EXPECT_FALSE(forward[0].is_self);
  EXPECT_FALSE(forward[0].target_is_view);
  EXPECT_EQ(forward[0].SingleSourceColumn(), "client_id");
  EXPECT_EQ(forward[0].SingleTargetColumn(), "id");

  auto backward = Between(all, "clients", "projects");
  ASSERT_EQ(backward.size(), 1u);
  EXPECT_EQ(backward[0].cardinality, Cardinality::kOneToMany);
  EXPECT_FALSE(backward[0].to_one);
  EXPECT_EQ(backward[0].constraint, "projects_client_id_fkey");
  EXPECT_EQ(Pairs(backward[0]), (PairList{{"id", "client_id"}}));
}

TEST(Relationships, CompositeKeyKeepsItsColumnPairsInOrder) {
  RelationshipCatalog catalog;
  catalog.schema = "api";
  catalog.relations = {{"a", false}, {"b", false}};
  catalog.foreign_keys = {Key("b_a_fkey", "b", {"a1", "a2"}, "a", {"x1", "x2"})};
  auto all = BuildRelationships(catalog);
  auto forward = Between(all, "b", "a");
  ASSERT_EQ(forward.size(), 1u);
  EXPECT_EQ(Pairs(forward[0]), (PairList{{"a1", "x1"}, {"a2", "x2"}}));
  EXPECT_FALSE(forward[0].SingleSourceColumn().has_value());
  auto backward = Between(all, "a", "b");
  ASSERT_EQ(backward.size(), 1u);
  EXPECT_EQ(Pairs(backward[0]), (PairList{{"x1", "a1"}, {"x2", "a2"}}));
}

TEST(Relationships, UniqueForeignKeyIsOneToOneBothWays) {
  RelationshipCatalog catalog;
  catalog.schema = "api";
  catalog.relations = {{"persons", false}, {"passports", false}};
  catalog.foreign_keys = {Key("passports_person_id_fkey", "passports", {"person_id"}, "persons", {"id"}, true)};
  auto all = BuildRelationships(catalog);
  auto forward = Between(all, "passports", "persons");
  auto backward = Between(all, "persons", "passports");
  ASSERT_EQ(forward.size(), 1u);
  ASSERT_EQ(backward.size(), 1u);
  EXPECT_EQ(forward[0].cardinality, Cardinality::kOneToOne);
  EXPECT_EQ(backward[0].cardinality, Cardinality::kOneToOne);
  EXPECT_TRUE(forward[0].to_one);
  EXPECT_TRUE(backward[0].to_one);
  EXPECT_EQ(Pairs(backward[0]), (PairList{{"id", "person_id"}}));
}

TEST(Relationships, KeysOfHiddenTablesOrOtherSchemasGiveNothing) {
  RelationshipCatalog catalog = ClientsProjects();
  catalog.foreign_keys.push_back(Key("x_fkey", "hidden", {"client_id"}, "clients", {"id"}));
  catalog.foreign_keys.push_back(Key("y_fkey", "projects", {"id"}, "clients", {"id"}, false, "private"));
  auto all = BuildRelationships(catalog);
  EXPECT_EQ(Between(all, "clients", "hidden").size(), 0u);
  EXPECT_EQ(all.count("hidden"), 0u);
  // Only the one real key between the exposed pair.
  EXPECT_EQ(Between(all, "clients", "projects").size(), 1u);
  EXPECT_EQ(Between(all, "projects", "clients").size(), 1u);
}

RelationshipCatalog UsersTasks(std::vector<std::string> junction_key) {
  RelationshipCatalog catalog;
  catalog.schema = "api";
  catalog.relations = {{"users", false}, {"tasks", false}, {"users_tasks", false}};
  catalog.primary_keys = {{"users", {"id"}}, {"tasks", {"id"}}, {"users_tasks", std::move(junction_key)}};
  catalog.foreign_keys = {Key("users_tasks_user_id_fkey", "users_tasks", {"user_id"}, "users", {"id"}),
                          Key("users_tasks_task_id_fkey", "users_tasks", {"task_id"}, "tasks", {"id"})};
  return catalog;
}

TEST(Relationships, JunctionWhosePrimaryKeyCoversBothKeysIsManyToMany) {
  auto all = BuildRelationships(UsersTasks({"user_id", "task_id"}));
  auto many = Between(all, "users", "tasks");
  ASSERT_EQ(many.size(), 1u);
  EXPECT_EQ(many[0].cardinality, Cardinality::kManyToMany);
  EXPECT_FALSE(many[0].to_one);
  EXPECT_EQ(many[0].constraint, "users_tasks_task_id_fkey");
  ASSERT_TRUE(many[0].junction.has_value());
  const Junction& junction = *many[0].junction;
  EXPECT_EQ(junction.table, "users_tasks");
  EXPECT_EQ(junction.source_constraint, "users_tasks_user_id_fkey");
  EXPECT_EQ(junction.target_constraint, "users_tasks_task_id_fkey");
  ASSERT_EQ(junction.source_columns.size(), 1u);
  EXPECT_EQ(junction.source_columns[0].source, "id");  // users.id = users_tasks.user_id
  EXPECT_EQ(junction.source_columns[0].target, "user_id");
  ASSERT_EQ(junction.target_columns.size(), 1u);
  EXPECT_EQ(junction.target_columns[0].source, "task_id");  // users_tasks.task_id = tasks.id
  EXPECT_EQ(junction.target_columns[0].target, "id");
  EXPECT_TRUE(many[0].columns.empty());

  auto back = Between(all, "tasks", "users");
  ASSERT_EQ(back.size(), 1u);
  EXPECT_EQ(back[0].cardinality, Cardinality::kManyToMany);
  EXPECT_EQ(back[0].junction->source_constraint, "users_tasks_task_id_fkey");
  // The junction itself is still reachable one-to-many from both sides.
  ASSERT_EQ(Between(all, "users", "users_tasks").size(), 1u);
  EXPECT_EQ(Between(all, "users", "users_tasks")[0].cardinality, Cardinality::kOneToMany);
}

TEST(Relationships, NoManyToManyWhenThePrimaryKeyDoesNotCoverBothKeys) {
  EXPECT_TRUE(Between(BuildRelationships(UsersTasks({"id"})), "users", "tasks").empty());
  EXPECT_TRUE(Between(BuildRelationships(UsersTasks({"user_id"})), "users", "tasks").empty());
  // No primary key at all.
  RelationshipCatalog keyless = UsersTasks({});
  keyless.primary_keys.erase("users_tasks");
  EXPECT_TRUE(Between(BuildRelationships(keyless), "users", "tasks").empty());
}

TEST(Relationships, SelfReferenceIsMarkedBothWays) {
  RelationshipCatalog catalog;
  catalog.schema = "api";
  catalog.relations = {{"employees", false}};
  catalog.primary_keys = {{"employees", {"id"}}};
  catalog.foreign_keys = {Key("employees_manager_id_fkey", "employees", {"manager_id"}, "employees", {"id"})};
  auto all = BuildRelationships(catalog);
  auto self = Between(all, "employees", "employees");
  ASSERT_EQ(self.size(), 2u);
  EXPECT_EQ(self[0].cardinality, Cardinality::kManyToOne);
  EXPECT_EQ(Pairs(self[0]), (PairList{{"manager_id", "id"}}));
  EXPECT_EQ(self[1].cardinality, Cardinality::kOneToMany);
  EXPECT_EQ(Pairs(self[1]), (PairList{{"id", "manager_id"}}));
  EXPECT_TRUE(self[0].is_self);
  EXPECT_TRUE(self[1].is_self);
}

// PostgREST's relIsSelf: the same relation at both ends. The table's own
// key seen through a view of it joins two relations, so only the table's
// pair (and a view's pair with itself) is self.
TEST(Relationships, SelfKeyThroughAViewIsSelfOnlyWithinOneRelation) {
  RelationshipCatalog catalog;
  catalog.schema = "api";
  catalog.relations = {{"employees", false}, {"employees_view", true}};
  catalog.primary_keys = {{"employees", {"id"}}};
  catalog.foreign_keys = {Key("employees_manager_id_fkey", "employees", {"manager_id"}, "employees", {"id"})};
  catalog.view_columns = {
      {"employees_view", "id", {"api", "employees"}, "id"},
      {"employees_view", "manager_id", {"api", "employees"}, "manager_id"},
  };
  auto all = BuildRelationships(catalog);
  // Self within the table and within the view; not between the two. Each
  // list must have members, or the loop would pass vacuously.
  struct Ends {
    const char* from;
    const char* to;
    bool self;
  };
  for (const Ends& ends : {Ends{"employees", "employees", true}, Ends{"employees_view", "employees_view", true},
                           Ends{"employees", "employees_view", false}, Ends{"employees_view", "employees", false}}) {
    auto between = Between(all, ends.from, ends.to);
    ASSERT_FALSE(between.empty()) << ends.from << " -> " << ends.to;
    for (const auto& relationship : between)
      EXPECT_EQ(relationship.is_self, ends.self) << ends.from << " -> " << ends.to;
  }
}

// A view that shows a key's column twice relates through each of them; a
// composite key's columns shown twice each relate four ways.
TEST(Relationships, AViewShowingAKeyColumnTwiceRelatesThroughEach) {
  RelationshipCatalog catalog;
  catalog.schema = "api";
  catalog.relations = {{"t1", false}, {"t2", false}, {"v2", true}};
  catalog.primary_keys = {{"t1", {"a", "b"}}};
  catalog.foreign_keys = {Key("t2_fkey", "t2", {"t1_a", "t1_b"}, "t1", {"a", "b"})};
  catalog.view_columns = {
      {"v2", "a1", {"api", "t2"}, "t1_a"},
      {"v2", "b1", {"api", "t2"}, "t1_b"},
      {"v2", "a2", {"api", "t2"}, "t1_a"},
      {"v2", "b2", {"api", "t2"}, "t1_b"},
  };
  auto forward = Between(BuildRelationships(catalog), "v2", "t1");
  ASSERT_EQ(forward.size(), 4u);
  EXPECT_EQ(Pairs(forward[0]), (PairList{{"a1", "a"}, {"b1", "b"}}));
  EXPECT_EQ(Pairs(forward[1]), (PairList{{"a1", "a"}, {"b2", "b"}}));
  EXPECT_EQ(Pairs(forward[2]), (PairList{{"a2", "a"}, {"b1", "b"}}));
  EXPECT_EQ(Pairs(forward[3]), (PairList{{"a2", "a"}, {"b2", "b"}}));
}

// A hostile schema: a view repeating a two-column key's columns ten times
// each would make 100 relationships; the combinations stop at 64.
TEST(Relationships, AViewsCombinationsOfOneKeyAreBounded) {
  RelationshipCatalog catalog;
  catalog.schema = "api";
  catalog.relations = {{"t1", false}, {"t2", false}, {"v2", true}};
  catalog.primary_keys = {{"t1", {"a", "b"}}};
  catalog.foreign_keys = {Key("t2_fkey", "t2", {"t1_a", "t1_b"}, "t1", {"a", "b"})};
  for (int i = 0; i < 10; ++i) {
    catalog.view_columns.push_back({"v2", "a" + std::to_string(i), {"api", "t2"}, "t1_a"});
    catalog.view_columns.push_back({"v2", "b" + std::to_string(i), {"api", "t2"}, "t1_b"});
  }
  EXPECT_EQ(Between(BuildRelationships(catalog), "v2", "t1").size(), 64u);
}

RelationshipCatalog WithViews() {
  RelationshipCatalog catalog = ClientsProjects();
  catalog.relations["projects_view"] = true;
  catalog.relations["projects_view2"] = true;
  catalog.view_columns = {
      {"projects_view", "pid", {"api", "projects"}, "id"},
      {"projects_view", "owner", {"api", "projects"}, "client_id"},
      {"projects_view2", "the_owner", {"api", "projects_view"}, "owner"},
  };
  return catalog;
}

TEST(Relationships, ViewColumnsCarryTheTablesKeysUnderTheViewsNames) {
  auto all = BuildRelationships(WithViews());
  auto forward = Between(all, "projects_view", "clients");
  ASSERT_EQ(forward.size(), 1u);
  EXPECT_EQ(forward[0].cardinality, Cardinality::kManyToOne);
  EXPECT_EQ(forward[0].constraint, "projects_client_id_fkey");
  EXPECT_EQ(Pairs(forward[0]), (PairList{{"owner", "id"}}));
  EXPECT_FALSE(forward[0].target_is_view);

  auto backward = Between(all, "clients", "projects_view");
  ASSERT_EQ(backward.size(), 1u);
  EXPECT_EQ(backward[0].cardinality, Cardinality::kOneToMany);
  EXPECT_TRUE(backward[0].target_is_view);
  EXPECT_EQ(Pairs(backward[0]), (PairList{{"id", "owner"}}));
}

TEST(Relationships, ViewOfAViewTracesToTheTable) {
  auto all = BuildRelationships(WithViews());
  auto forward = Between(all, "projects_view2", "clients");
  ASSERT_EQ(forward.size(), 1u);
  EXPECT_EQ(Pairs(forward[0]), (PairList{{"the_owner", "id"}}));
  auto backward = Between(all, "clients", "projects_view2");
  ASSERT_EQ(backward.size(), 1u);
  EXPECT_TRUE(backward[0].target_is_view);
}

TEST(Relationships, ViewOverAHiddenTableEmbedsLikeTheTable) {
  RelationshipCatalog catalog;
  catalog.schema = "api";
  catalog.relations = {{"clients", false}, {"projects", true}};  // "projects" is a view here
  catalog.foreign_keys = {
      Key("projects_client_id_fkey", "projects", {"client_id"}, "clients", {"id"}, false, "private")};
  catalog.view_columns = {{"projects", "client_id", {"private", "projects"}, "client_id"}};
  // The key's referenced table is private too: no endpoint for it.
  EXPECT_TRUE(BuildRelationships(catalog).empty());
  catalog.foreign_keys[0].referenced = {"api", "clients"};
  auto all = BuildRelationships(catalog);
  ASSERT_EQ(Between(all, "projects", "clients").size(), 1u);
  ASSERT_EQ(Between(all, "clients", "projects").size(), 1u);
}

TEST(Relationships, ViewMissingAKeyColumnGivesNoRelationship) {
  RelationshipCatalog catalog = ClientsProjects();
  catalog.relations["names_only"] = true;
  catalog.view_columns = {{"names_only", "id", {"api", "projects"}, "id"}};
  auto all = BuildRelationships(catalog);
  EXPECT_TRUE(Between(all, "names_only", "clients").empty());
  EXPECT_TRUE(Between(all, "clients", "names_only").empty());
}

// users, tasks and their junction hidden in "private", each shown by a view of
// the same name (the junction's columns renamed).
RelationshipCatalog HiddenJunctionShownByViews() {
  RelationshipCatalog catalog;
  catalog.schema = "api";
  catalog.relations = {{"users", true}, {"tasks", true}, {"users_tasks", true}};
  auto hidden = [](std::string table) { return QualifiedName{"private", std::move(table)}; };
  catalog.foreign_keys = {
      Key("users_tasks_user_id_fkey", "users_tasks", {"user_id"}, "users", {"id"}, false, "private"),
      Key("users_tasks_task_id_fkey", "users_tasks", {"task_id"}, "tasks", {"id"}, false, "private")};
  catalog.view_columns = {
      {"users", "id", hidden("users"), "id"},
      {"tasks", "id", hidden("tasks"), "id"},
      {"users_tasks", "task", hidden("users_tasks"), "task_id"},
      {"users_tasks", "user", hidden("users_tasks"), "user_id"},
  };
  catalog.base_primary_keys = {
      {hidden("users"), {"id"}}, {hidden("tasks"), {"id"}}, {hidden("users_tasks"), {"user_id", "task_id"}}};
  return catalog;
}

TEST(Relationships, ViewsTakeTheirTablesPrimaryKeysUnderTheirNames) {
  auto keys = ViewPrimaryKeys(HiddenJunctionShownByViews());
  EXPECT_EQ(keys["users"], (std::vector<std::string>{"id"}));
  // In the key's order, not the view's.
  EXPECT_EQ(keys["users_tasks"], (std::vector<std::string>{"user", "task"}));

  // A view showing part of a key has none; one of a view traces to the table.
  RelationshipCatalog catalog = HiddenJunctionShownByViews();
  catalog.view_columns.erase(catalog.view_columns.begin() + 3);
  catalog.relations["users_again"] = true;
  catalog.view_columns.push_back({"users_again", "uid", {"api", "users"}, "id"});
  keys = ViewPrimaryKeys(catalog);
  EXPECT_FALSE(keys.contains("users_tasks"));
  EXPECT_EQ(keys["users_again"], (std::vector<std::string>{"uid"}));
}

TEST(Relationships, ViewOverAJunctionIsAJunction) {
  auto all = BuildRelationships(HiddenJunctionShownByViews());
  auto many = Between(all, "users", "tasks");
  ASSERT_EQ(many.size(), 1u);
  EXPECT_EQ(many[0].cardinality, Cardinality::kManyToMany);
  ASSERT_TRUE(many[0].junction.has_value());
  EXPECT_EQ(many[0].junction->table, "users_tasks");
  ASSERT_EQ(many[0].junction->source_columns.size(), 1u);
  EXPECT_EQ(many[0].junction->source_columns[0].target, "user");  // the view's column
  EXPECT_TRUE(many[0].target_is_view);

  // Without its table's key the view is no junction.
  RelationshipCatalog keyless = HiddenJunctionShownByViews();
  keyless.base_primary_keys.erase({"private", "users_tasks"});
  EXPECT_TRUE(Between(BuildRelationships(keyless), "users", "tasks").empty());
}

TEST(Relationships, ComputedRelationshipsComeFromTheirFunctions) {
  RelationshipCatalog catalog = WithViews();
  catalog.computed = {{"client_projects", "clients", "projects", false},
                      {"latest_view", "clients", "projects_view", true}};
  auto all = BuildRelationships(catalog);
  auto many = Between(all, "clients", "projects");
  ASSERT_EQ(many.size(), 2u);  // the foreign key's, and the function's
  auto computed =
      std::find_if(many.begin(), many.end(), [](const auto& r) { return r.cardinality == Cardinality::kComputed; });
  ASSERT_NE(computed, many.end());
  EXPECT_EQ(computed->constraint, "client_projects");
  EXPECT_FALSE(computed->to_one);
  EXPECT_FALSE(computed->target_is_view);
  EXPECT_TRUE(computed->columns.empty());

  auto single = Between(all, "clients", "projects_view");
  auto one =
      std::find_if(single.begin(), single.end(), [](const auto& r) { return r.cardinality == Cardinality::kComputed; });
  ASSERT_NE(one, single.end());
  EXPECT_TRUE(one->to_one);
  EXPECT_TRUE(one->target_is_view);
}

// The same model, read by SchemaCache from catalog results.
TEST(SchemaCacheRelationships, BuiltFromCatalogResults) {
  const SchemaCache& cache = fixture::ApiSchema();
  auto count = [&](const std::string& source, const std::string& target, Cardinality cardinality) {
    const auto& all = cache.RelationshipsFrom(source);
    return std::count_if(all.begin(), all.end(),
                         [&](const Relationship& r) { return r.target == target && r.cardinality == cardinality; });
  };
  EXPECT_EQ(count("projects", "clients", Cardinality::kManyToOne), 1);
  EXPECT_EQ(count("clients", "projects", Cardinality::kOneToMany), 1);
  EXPECT_EQ(count("clients", "projects", Cardinality::kComputed), 1);
  EXPECT_EQ(count("projects", "clients", Cardinality::kComputed), 1);
  EXPECT_EQ(count("persons", "passports", Cardinality::kOneToOne), 1);
  EXPECT_EQ(count("users", "tasks", Cardinality::kManyToMany), 1);
  EXPECT_EQ(count("users", "teams", Cardinality::kManyToMany), 0);
  EXPECT_EQ(count("users", "messages", Cardinality::kOneToMany), 2);
  EXPECT_EQ(count("projects_view2", "clients", Cardinality::kManyToOne), 1);
  EXPECT_EQ(count("clients", "projects_view2", Cardinality::kOneToMany), 1);
  EXPECT_EQ(count("employees", "employees", Cardinality::kManyToOne), 1);
  EXPECT_TRUE(cache.RelationshipsFrom("nothing").empty());
}

TEST(SchemaCacheRelationships, TablesKeysAndFunctionsReadFromTheirColumns) {
  const SchemaCache& cache = fixture::ApiSchema();
  EXPECT_EQ(cache.Schema(), "api");
  const Table* users_tasks = cache.FindTable("users_tasks");
  ASSERT_NE(users_tasks, nullptr);
  EXPECT_EQ(users_tasks->primary_key, (std::vector<std::string>{"user_id", "task_id"}));
  EXPECT_EQ(users_tasks->unique_keys, (std::vector<std::vector<std::string>>{{"task_id", "user_id"}}));
  const Table* passports = cache.FindTable("passports");
  ASSERT_NE(passports, nullptr);
  EXPECT_EQ(passports->unique_keys.size(), 2u);
  const Table* view = cache.FindTable("projects_view");
  ASSERT_NE(view, nullptr);
  EXPECT_TRUE(view->is_view);
  EXPECT_TRUE(view->insertable && view->updatable && view->deletable);
  EXPECT_EQ(view->primary_key, (std::vector<std::string>{"id"}));
  const Table* view_of_view = cache.FindTable("projects_view2");
  ASSERT_NE(view_of_view, nullptr);
  EXPECT_FALSE(view_of_view->insertable || view_of_view->updatable || view_of_view->deletable);
  EXPECT_EQ(view_of_view->primary_key, (std::vector<std::string>{"id"}));
  const Table* clients = cache.FindTable("clients");
  ASSERT_NE(clients, nullptr);
  // A scalar function of the row is a computed field; one returning rows is not.
  ASSERT_NE(clients->FindComputedField("full_name"), nullptr);
  EXPECT_EQ(clients->FindComputedField("client_projects"), nullptr);
  EXPECT_EQ(cache.FindFunctions("echo").size(), 2u);
  auto stats = cache.FindFunctions("get_stats");
  ASSERT_EQ(stats.size(), 1u);
  ASSERT_TRUE(stats[0]->returns_row.has_value());
  EXPECT_EQ(stats[0]->returns_row->columns.size(), 2u);
  EXPECT_TRUE(stats[0]->scalar_type.empty());
  auto add = cache.FindFunctions("add");
  ASSERT_EQ(add.size(), 1u);
  EXPECT_TRUE(add[0]->ReturnsScalar());
  EXPECT_EQ(add[0]->scalar_type, "integer");
}

TEST(SchemaCacheRelationships, SeveralSchemasEachWithItsOwnCatalog) {
  fixture::Catalog other;
  other.relations = {{"things", "r", "id", "integer", "int4", "f", "t", "f", ""}};
  auto cache = fixture::BuildSchemaCache("api, other", {fixture::ApiCatalog(), other});
  EXPECT_EQ(cache->Exposed(), "api,other");
  ASSERT_NE(cache->Profile("other"), nullptr);
  EXPECT_NE(cache->Profile("other")->FindTable("things"), nullptr);
  EXPECT_EQ(cache->FindTable("things"), nullptr);
  EXPECT_EQ(cache->Profile("api"), cache.get());
  EXPECT_EQ(cache->Profile("nope"), nullptr);
}

TEST(SchemaCacheRelationships, WrongNumberOfResultsIsRefused) {
  std::vector<db::PgResult> results;
  fixture::ApiCatalog().AppendResults(results);
  auto cache = SchemaCache::BuildFrom("api,other", results);
  ASSERT_FALSE(cache.ok());
  EXPECT_EQ(cache.error().code, "PGRST002");
}

}  // namespace
}  // namespace agentbase::rest
