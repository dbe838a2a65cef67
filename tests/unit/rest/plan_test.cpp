// The plan stage (plan.hpp) against a hand-made schema cache
// (schema_fixture.hpp): names resolved, relationships chosen, and every
// resolution error with PostgREST's code, message, details and hint.

#include "rest/plan.hpp"

#include <gtest/gtest.h>

#include <bit>
#include <boost/json.hpp>
#include <charconv>
#include <cmath>
#include <limits>
#include <random>

#include "rest/read_planner.hpp"
#include "rest/sql_writer.hpp"
#include "schema_fixture.hpp"

namespace agentbase::rest {
namespace {

using fixture::Call;
using fixture::Mutate;
using fixture::Read;

template <class T>
Error ErrorOf(const Result<T>& result) {
  if (result.ok()) {
    ADD_FAILURE() << "expected an error, the plan succeeded";
    return Error{};
  }
  return result.error();
}

template <class T>
const T& ValueOf(const Result<T>& result) {
  if (!result.ok()) {
    ADD_FAILURE() << result.error().code << " " << result.error().message;
    throw std::runtime_error("plan failed");
  }
  return result.value();
}

// The embedded level under `key`.
const ReadNode& Child(const ReadNode& node, const std::string& key) {
  for (const auto& child : node.children) {
    if (child.key == key) return child;
  }
  throw std::runtime_error("no embed " + key);
}

// --- names ------------------------------------------------------------------

TEST(PlanRead, ResolvesColumnsAliasesCastsAndJsonPaths) {
  auto plan = ValueOf(Read("clients", "select=id,label:name,name::text,n:name->>x"));
  const ReadNode& root = plan.root;
  EXPECT_EQ(root.table, fixture::ApiSchema().FindTable("clients"));
  ASSERT_EQ(root.select.size(), 4u);
  EXPECT_EQ(root.select[0].field.field.column, root.table->FindColumn("id"));
  EXPECT_EQ(root.select[0].field.key, "id");
  EXPECT_EQ(root.select[1].field.key, "label");
  EXPECT_EQ(root.select[1].field.field.column->name, "name");
  EXPECT_EQ(root.select[2].field.cast, "text");
  EXPECT_EQ(root.select[3].field.key, "n");
  EXPECT_EQ(root.select[3].field.field.json_path.size(), 1u);
  EXPECT_FALSE(root.limit.has_value());
  EXPECT_EQ(root.offset, 0);
}

TEST(PlanRead, StarIsAllColumnsAndNoSelectMeansStar) {
  auto plan = ValueOf(Read("clients", ""));
  ASSERT_EQ(plan.root.select.size(), 1u);
  EXPECT_EQ(plan.root.select[0].field.kind, SelectedField::Kind::kAllColumns);
}

TEST(PlanRead, ComputedFieldIsSelectedFilteredAndOrderedLikeAColumn) {
  auto plan = ValueOf(Read("clients", "select=id,full_name&full_name=eq.x&order=full_name"));
  const Function* full_name = fixture::ApiSchema().FindTable("clients")->FindComputedField("full_name");
  ASSERT_NE(full_name, nullptr);
  EXPECT_EQ(plan.root.select[1].field.field.column, nullptr);
  EXPECT_EQ(plan.root.select[1].field.field.computed, full_name);
  ASSERT_EQ(plan.root.filters.size(), 1u);
  EXPECT_EQ(plan.root.filters[0].field.computed, full_name);
  ASSERT_EQ(plan.root.order.size(), 1u);
  EXPECT_EQ(plan.root.order[0].field.computed, full_name);
}

TEST(PlanRead, UnknownColumnIs42703WhereverItIsNamed) {
  for (const char* query : {"select=nope", "nope=eq.1", "order=nope", "or=(id.eq.1,nope.eq.2)"}) {
    auto error = ErrorOf(Read("clients", query));
    EXPECT_EQ(error.code, "42703") << query;
    EXPECT_EQ(error.message, "column clients.nope does not exist") << query;
  }
  // In an embed, the embedded table's name.
  auto error = ErrorOf(Read("clients", "select=projects(nope)"));
  EXPECT_EQ(error.code, "42703");
  EXPECT_EQ(error.message, "column projects.nope does not exist");
}

TEST(PlanRead, UnknownRelationIsPGRST205) {
  auto error = ErrorOf(Read("nope", ""));
  EXPECT_EQ(error.code, "PGRST205");
  EXPECT_EQ(error.message, "Could not find the table 'api.nope' in the schema cache");
}

TEST(PlanRead, LegacyCountCountsTheLevelsRows) {
  auto plan = ValueOf(Read("clients", "select=count,projects(count)"));
  EXPECT_EQ(plan.root.select[0].field.kind, SelectedField::Kind::kRowCount);
  EXPECT_EQ(Child(plan.root, "projects").select[0].field.kind, SelectedField::Kind::kRowCount);
}

TEST(PlanRead, AggregatesAreRefusedAndCastsChecked) {
  EXPECT_EQ(ErrorOf(Read("clients", "select=id.sum()")).code, "PGRST123");
  EXPECT_EQ(ErrorOf(Read("clients", "select=id::1int")).code, "PGRST100");
}

// --- relationship choice ------------------------------------------------------

TEST(PlanRead, ManyToOneEmbedByTableName) {
  auto plan = ValueOf(Read("projects", "select=id,clients(name)"));
  const ReadNode& child = Child(plan.root, "clients");
  ASSERT_NE(child.relationship, nullptr);
  EXPECT_EQ(child.relationship->cardinality, Cardinality::kManyToOne);
  EXPECT_EQ(child.relationship->constraint, "projects_client_id_fkey");
  EXPECT_EQ(child.table, fixture::ApiSchema().FindTable("clients"));
  EXPECT_TRUE(plan.root.select[1].is_embed);
  EXPECT_FALSE(child.inner);
  EXPECT_FALSE(child.spread);
  EXPECT_FALSE(child.filter_only);
}

TEST(PlanRead, ManyToOneEmbedByForeignKeyColumnAndByConstraintName) {
  auto by_column = ValueOf(Read("projects", "select=client_id(name)"));
  const ReadNode& column_child = Child(by_column.root, "client_id");
  EXPECT_EQ(column_child.relationship->constraint, "projects_client_id_fkey");
  EXPECT_EQ(column_child.table->name, "clients");

  auto by_constraint = ValueOf(Read("projects", "select=projects_client_id_fkey(name)"));
  EXPECT_EQ(Child(by_constraint.root, "projects_client_id_fkey").table->name, "clients");
}

TEST(PlanRead, OneToManyAndOneToOne) {
  auto many = ValueOf(Read("clients", "select=projects(id)"));
  EXPECT_EQ(Child(many.root, "projects").relationship->cardinality, Cardinality::kOneToMany);
  EXPECT_FALSE(Child(many.root, "projects").relationship->to_one);

  auto one = ValueOf(Read("persons", "select=passports(number)"));
  EXPECT_EQ(Child(one.root, "passports").relationship->cardinality, Cardinality::kOneToOne);
  EXPECT_TRUE(Child(one.root, "passports").relationship->to_one);
  auto back = ValueOf(Read("passports", "select=persons(name)"));
  EXPECT_TRUE(Child(back.root, "persons").relationship->to_one);
}

TEST(PlanRead, ManyToManyThroughTheJunction) {
  auto plan = ValueOf(Read("users", "select=tasks(name)"));
  const ReadNode& child = Child(plan.root, "tasks");
  EXPECT_EQ(child.relationship->cardinality, Cardinality::kManyToMany);
  ASSERT_TRUE(child.relationship->junction.has_value());
  EXPECT_EQ(child.relationship->junction->table, "users_tasks");
  // And with the junction as the hint.
  auto hinted = ValueOf(Read("users", "select=tasks!users_tasks(name)"));
  EXPECT_EQ(Child(hinted.root, "tasks").relationship->cardinality, Cardinality::kManyToMany);
}

TEST(PlanRead, NoRelationshipIsPGRST200WithTheSchemaInTheDetails) {
  // user_teams's primary key is its id: no many-to-many users <-> teams.
  auto error = ErrorOf(Read("users", "select=teams(*)"));
  EXPECT_EQ(error.code, "PGRST200");
  EXPECT_EQ(error.message, "Could not find a relationship between 'users' and 'teams' in the schema cache");
  EXPECT_EQ(error.detail,
            "Searched for a foreign key relationship between 'users' and 'teams' in the schema 'api', but no matches "
            "were found.");

  auto hinted = ErrorOf(Read("projects", "select=clients!nope(*)"));
  EXPECT_EQ(hinted.code, "PGRST200");
  EXPECT_EQ(hinted.detail,
            "Searched for a foreign key relationship between 'projects' and 'clients' using the hint 'nope' in the "
            "schema 'api', but no matches were found.");
}

TEST(PlanRead, NoRelationshipHintsTheClosestRelatedName) {
  auto misspelt = ErrorOf(Read("projects", "select=id,clientz(*)"));
  EXPECT_EQ(misspelt.code, "PGRST200");
  EXPECT_EQ(misspelt.hint, "Perhaps you meant 'clients' instead of 'clientz'.");
  // The child is related: the embed's hint is at fault, and nothing is suggested.
  EXPECT_EQ(ErrorOf(Read("projects", "select=clients!nope(*)")).hint, "");
  // Nothing close enough: no hint.
  EXPECT_EQ(ErrorOf(Read("projects", "select=xyzzy(*)")).hint, "");
}

TEST(PlanRead, AMissingRelationshipIsToldBeforeAnUnknownColumn) {
  // PostgREST resolves every embed before PostgreSQL reads the columns.
  EXPECT_EQ(ErrorOf(Read("projects", "select=nonexistent,clientz(*)")).code, "PGRST200");
  auto column = ErrorOf(Read("projects", "select=nonexistent,clients(*)"));
  EXPECT_EQ(column.code, "42703");
  EXPECT_EQ(column.message, "column projects.nonexistent does not exist");
}

TEST(PlanRead, AmbiguousEmbedIsPGRST201WithCandidates) {
  auto error = ErrorOf(Read("users", "select=messages(*)"));
  EXPECT_EQ(error.code, "PGRST201");
  EXPECT_EQ(error.message, "Could not embed because more than one relationship was found for 'users' and 'messages'");
  // In PostgREST's order: both one-to-many, so by the key's name.
  EXPECT_EQ(error.hint,
            "Try changing 'messages' to one of the following: 'messages!messages_receiver_id_fkey', "
            "'messages!messages_sender_id_fkey'. Find the desired relationship in the 'details' key.");
  EXPECT_EQ(error.detail,
            R"json([{"cardinality":"one-to-many","embedding":"users with messages",)json"
            R"json("relationship":"messages_receiver_id_fkey using users(id) and messages(receiver_id)"},)json"
            R"json({"cardinality":"one-to-many","embedding":"users with messages",)json"
            R"json("relationship":"messages_sender_id_fkey using users(id) and messages(sender_id)"}])json");
}

// Two junctions between one pair: the candidates are named by junction.
TEST(PlanRead, AmbiguousManyToManyNamesTheJunctions) {
  fixture::Catalog catalog;
  catalog.relations = {
      {"a", "r", "id", "integer", "int4", "f", "t", "f", ""},
      {"b", "r", "id", "integer", "int4", "f", "t", "f", ""},
      {"j1", "r", "a_id", "integer", "int4", "f", "f", "f", ""},
      {"j1", "r", "b_id", "integer", "int4", "f", "f", "f", ""},
      {"j2", "r", "a_id", "integer", "int4", "f", "f", "f", ""},
      {"j2", "r", "b_id", "integer", "int4", "f", "f", "f", ""},
  };
  catalog.keys = {{"a", "a_pkey", "p", "id"},     {"b", "b_pkey", "p", "id"},     {"j1", "j1_pkey", "p", "a_id"},
                  {"j1", "j1_pkey", "p", "b_id"}, {"j2", "j2_pkey", "p", "a_id"}, {"j2", "j2_pkey", "p", "b_id"}};
  catalog.foreign_keys = {{"j1_a_fkey", "s", "j1", "a_id", "s", "a", "id", "f", "1"},
                          {"j1_b_fkey", "s", "j1", "b_id", "s", "b", "id", "f", "2"},
                          {"j2_a_fkey", "s", "j2", "a_id", "s", "a", "id", "f", "3"},
                          {"j2_b_fkey", "s", "j2", "b_id", "s", "b", "id", "f", "4"}};
  auto cache = fixture::BuildSchemaCache("s", {catalog});
  PlanContext context{*cache, std::nullopt};
  auto error = ErrorOf(PlanRead(context, "a", fixture::Query("select=b(*)"), {}));
  EXPECT_EQ(error.code, "PGRST201");
  EXPECT_EQ(error.hint,
            "Try changing 'b' to one of the following: 'b!j1', 'b!j2'. Find the desired relationship in the "
            "'details' key.");
  EXPECT_EQ(
      error.detail,
      R"json([{"cardinality":"many-to-many","embedding":"a with b","relationship":"j1 using j1_a_fkey(a_id) and j1_b_fkey(b_id)"},)json"
      R"json({"cardinality":"many-to-many","embedding":"a with b","relationship":"j2 using j2_a_fkey(a_id) and j2_b_fkey(b_id)"}])json");
  auto plan = ValueOf(PlanRead(context, "a", fixture::Query("select=b!j2(*)"), {}));
  EXPECT_EQ(plan.root.children[0].relationship->junction->table, "j2");
}

TEST(PlanRead, HintsChooseAmongSeveralKeys) {
  auto by_fk = ValueOf(Read("users", "select=messages!messages_sender_id_fkey(*)"));
  EXPECT_EQ(Child(by_fk.root, "messages").relationship->constraint, "messages_sender_id_fkey");
  auto by_column = ValueOf(Read("users", "select=messages!receiver_id(*)"));
  EXPECT_EQ(Child(by_column.root, "messages").relationship->constraint, "messages_receiver_id_fkey");
  // From the other side: the key's column as the embed's name.
  auto by_name = ValueOf(Read("messages", "select=sender_id(name)"));
  EXPECT_EQ(Child(by_name.root, "sender_id").relationship->constraint, "messages_sender_id_fkey");
  EXPECT_EQ(Child(by_name.root, "sender_id").table->name, "users");
  // users from messages is ambiguous without one.
  EXPECT_EQ(ErrorOf(Read("messages", "select=users(*)")).code, "PGRST201");
}

TEST(PlanRead, SelfReferenceParentByColumnChildrenByTableName) {
  auto parent = ValueOf(Read("employees", "select=name,manager_id(name)"));
  const ReadNode& manager = Child(parent.root, "manager_id");
  EXPECT_EQ(manager.relationship->cardinality, Cardinality::kManyToOne);
  EXPECT_TRUE(manager.relationship->to_one);

  auto children = ValueOf(Read("employees", "select=name,employees(name)"));
  const ReadNode& reports = Child(children.root, "employees");
  EXPECT_EQ(reports.relationship->cardinality, Cardinality::kOneToMany);
  EXPECT_FALSE(reports.relationship->to_one);

  auto hinted = ValueOf(Read("employees", "select=employees!manager_id(name)"));
  EXPECT_EQ(Child(hinted.root, "employees").relationship->cardinality, Cardinality::kOneToMany);
}

TEST(PlanRead, EmbedThroughViewsAndComputedRelationships) {
  auto view = ValueOf(Read("projects_view2", "select=clients(name)"));
  EXPECT_EQ(Child(view.root, "clients").relationship->constraint, "projects_client_id_fkey");
  auto to_view = ValueOf(Read("clients", "select=projects_view(name)"));
  EXPECT_TRUE(Child(to_view.root, "projects_view").relationship->target_is_view);

  auto computed = ValueOf(Read("clients", "select=client_projects(name)"));
  const ReadNode& child = Child(computed.root, "client_projects");
  EXPECT_EQ(child.relationship->cardinality, Cardinality::kComputed);
  EXPECT_EQ(child.table->name, "projects");
  EXPECT_FALSE(child.relationship->to_one);
  auto single = ValueOf(Read("projects", "select=project_client(name)"));
  EXPECT_TRUE(Child(single.root, "project_client").relationship->to_one);
}

TEST(PlanRead, FindRelationshipDirectly) {
  const SchemaCache& cache = fixture::ApiSchema();
  const Table& projects = *cache.FindTable("projects");
  auto tasks = FindRelationship(cache, projects, "tasks", std::nullopt);
  ASSERT_TRUE(tasks.ok());
  EXPECT_EQ((*tasks)->cardinality, Cardinality::kOneToMany);
  // A view as the target is not found by the key's column or constraint.
  auto by_constraint = FindRelationship(cache, *cache.FindTable("clients"), "projects_client_id_fkey", std::nullopt);
  ASSERT_TRUE(by_constraint.ok());
  EXPECT_EQ((*by_constraint)->target, "projects");
}

// --- embed modifiers, filters and ranges ----------------------------------------

TEST(PlanRead, InnerSpreadAndFilterOnlyEmbeds) {
  auto plan = ValueOf(Read("projects", "select=id,clients!inner(),...tasks(name)"));
  EXPECT_TRUE(Child(plan.root, "clients").inner);
  EXPECT_TRUE(Child(plan.root, "clients").filter_only);
  EXPECT_TRUE(Child(plan.root, "tasks").spread);
}

TEST(PlanRead, EmbeddedFiltersOrderAndRangeGoToTheirLevel) {
  auto plan = ValueOf(Read("clients", "select=id,p:projects(id)&p.name=eq.x&p.order=id.desc&p.limit=3&p.offset=1"));
  const ReadNode& child = Child(plan.root, "p");
  ASSERT_EQ(child.filters.size(), 1u);
  EXPECT_EQ(child.filters[0].field.column->name, "name");
  EXPECT_EQ(child.filters[0].condition.value, "x");
  ASSERT_EQ(child.order.size(), 1u);
  EXPECT_EQ(child.order[0].direction, OrderDirection::kDesc);
  EXPECT_EQ(child.limit, 3);
  EXPECT_EQ(child.offset, 1);
  EXPECT_TRUE(plan.root.filters.empty());
}

TEST(PlanRead, EmbedNullFilterTestsTheEmbed) {
  auto plan = ValueOf(Read("clients", "select=id,projects(id)&projects=not.is.null"));
  ASSERT_EQ(plan.root.filters.size(), 1u);
  EXPECT_EQ(plan.root.filters[0].embed, 0u);
  // A column of that name is still a column.
  auto column = ValueOf(Read("projects", "select=id,clients(id)&client_id=is.null"));
  EXPECT_FALSE(column.root.filters[0].embed.has_value());
}

TEST(PlanRead, FilterOnAnEmbedNotSelectedIsPGRST108) {
  auto error = ErrorOf(Read("clients", "select=id&projects.name=eq.x"));
  EXPECT_EQ(error.code, "PGRST108");
  EXPECT_EQ(error.message, "'projects' is not an embedded resource in this request");
  EXPECT_EQ(error.detail, "");
  EXPECT_EQ(error.hint, "Verify that 'projects' is included in the 'select' query parameter.");
  for (const char* query :
       {"select=id&projects.order=id", "select=id&projects.limit=1", "select=id&projects.or=(id.eq.1,id.eq.2)"}) {
    EXPECT_EQ(ErrorOf(Read("clients", query)).code, "PGRST108") << query;
  }
}

TEST(PlanRead, AliasedEmbedIsNamedByItsAliasInFilters) {
  auto error = ErrorOf(Read("clients", "select=id,p:projects(id)&projects.name=eq.x"));
  EXPECT_EQ(error.code, "PGRST108");
  EXPECT_EQ(error.detail, "Target names are not allowed in filters if they have an alias");
}

TEST(PlanRead, OrderByAToOneEmbedsColumn) {
  auto plan = ValueOf(Read("projects", "select=id,clients(name)&order=clients(name).desc"));
  ASSERT_EQ(plan.root.order.size(), 1u);
  EXPECT_EQ(plan.root.order[0].embed, 0u);
  EXPECT_EQ(plan.root.order[0].field.column, fixture::ApiSchema().FindTable("clients")->FindColumn("name"));
  auto missing = ErrorOf(Read("projects", "select=id&order=clients(name)"));
  EXPECT_EQ(missing.code, "PGRST108");
}

TEST(PlanRead, OrderByAToManyEmbedIsPGRST118) {
  auto error = ErrorOf(Read("clients", "select=id,projects(id)&order=projects(name)"));
  EXPECT_EQ(error.code, "PGRST118");
  EXPECT_EQ(error.message, "A related order on 'projects' is not possible");
  EXPECT_EQ(error.detail, "'clients' and 'projects' do not form a many-to-one or one-to-one relationship");
}

TEST(PlanRead, SpreadsNestInsideToManyAndToOneSpreads) {
  // PostgREST 13: a to-many spread may hold spreads (their columns are
  // lifted as arrays with its own), as a to-one spread may.
  auto many = Read("clients", "select=id,...projects(id,...tasks(name))");
  ASSERT_TRUE(many.ok()) << ErrorOf(many).message;
  EXPECT_TRUE(Read("tasks", "select=id,...projects(name,...clients(name))").ok());
}

TEST(PlanRead, TwoEmbedsUnderOneKeyIs42712) {
  auto error = ErrorOf(Read("clients", "select=projects(id),projects(name)"));
  EXPECT_EQ(error.code, "42712");
  EXPECT_EQ(error.message, "table name \"projects\" specified more than once");
  EXPECT_EQ(error.hint, "Give one of the embeds an alias: alias:projects(...)");
  EXPECT_TRUE(Read("clients", "select=projects(id),other:projects(name)").ok());
}

TEST(PlanRead, MaxRowsCapsTheRootAndToManyEmbedsNotToOne) {
  auto plan = ValueOf(Read("projects", "select=id,clients(name),tasks(name)", 10));
  EXPECT_EQ(plan.root.limit, 10);
  EXPECT_FALSE(Child(plan.root, "clients").limit.has_value());
  EXPECT_EQ(Child(plan.root, "tasks").limit, 10);
  // A smaller limit stays; a larger one is capped.
  auto smaller = ValueOf(Read("projects", "select=id,tasks(name)&limit=3&tasks.limit=5", 10));
  EXPECT_EQ(smaller.root.limit, 3);
  EXPECT_EQ(Child(smaller.root, "tasks").limit, 5);
  auto larger = ValueOf(Read("projects", "select=id,tasks(name)&limit=30&tasks.limit=50", 10));
  EXPECT_EQ(larger.root.limit, 10);
  EXPECT_EQ(Child(larger.root, "tasks").limit, 10);
  // Without db-max-rows, no limit at all.
  auto uncapped = ValueOf(Read("projects", "select=id,tasks(name)"));
  EXPECT_FALSE(uncapped.root.limit.has_value());
  EXPECT_FALSE(Child(uncapped.root, "tasks").limit.has_value());
}

// --- calls ------------------------------------------------------------------------

TEST(PlanCall, ScalarFunctionAsAOneColumnTable) {
  auto plan = ValueOf(Call("add", "", R"({"a": 1, "b": 2})"));
  ASSERT_TRUE(plan.call.has_value());
  EXPECT_EQ(plan.call->function->name, "add");
  ASSERT_EQ(plan.call->arguments.size(), 2u);
  EXPECT_EQ(plan.call->arguments[0].argument->name, "a");
  EXPECT_EQ(plan.call->arguments[0].value, "1");
  EXPECT_EQ(plan.call->arguments[1].value, "2");
  ASSERT_NE(plan.scalar_table, nullptr);
  EXPECT_EQ(plan.root.table, plan.scalar_table.get());
  ASSERT_EQ(plan.scalar_table->columns.size(), 1u);
  EXPECT_EQ(plan.scalar_table->columns[0].name, "add");
  EXPECT_EQ(plan.scalar_table->columns[0].type, "integer");
  EXPECT_FALSE(plan.form.singular);  // as accepted: WriteRead writes the one value as itself
}

TEST(PlanCall, ReturnsTableFunctionResolvesAgainstItsOwnColumns) {
  auto plan = ValueOf(Call("get_stats", "select=label&id=gt.3", R"({"min_id": 1})"));
  const Function* function = plan.call->function;
  ASSERT_TRUE(function->returns_row.has_value());
  EXPECT_EQ(plan.root.table, &*function->returns_row);
  EXPECT_EQ(plan.scalar_table, nullptr);
  EXPECT_EQ(plan.root.select[0].field.field.column->name, "label");
  ASSERT_EQ(plan.root.filters.size(), 1u);
  EXPECT_EQ(plan.root.filters[0].field.column->name, "id");
  auto error = ErrorOf(Call("get_stats", "select=nope", R"({"min_id": 1})"));
  EXPECT_EQ(error.code, "42703");
  EXPECT_EQ(error.message, "column get_stats.nope does not exist");
}

TEST(PlanCall, SetofTableFunctionEmbedsLikeTheTable) {
  auto plan = ValueOf(Call("projects_of", "client_id=7&select=id,clients(name)&id=gt.1", "", true));
  EXPECT_EQ(plan.root.table, fixture::ApiSchema().FindTable("projects"));
  ASSERT_EQ(plan.call->arguments.size(), 1u);
  EXPECT_EQ(plan.call->arguments[0].value, "7");
  EXPECT_EQ(Child(plan.root, "clients").relationship->cardinality, Cardinality::kManyToOne);
  ASSERT_EQ(plan.root.filters.size(), 1u);
  EXPECT_EQ(plan.root.filters[0].field.column->name, "id");
  // Without its argument, nothing fits.
  EXPECT_EQ(ErrorOf(Call("projects_of", "select=id", "", true)).code, "PGRST202");
}

TEST(PlanCall, VoidFunctionHasNoRows) {
  auto plan = ValueOf(Call("noop", "", ""));
  EXPECT_TRUE(plan.call->function->returns_void);
  EXPECT_EQ(plan.root.table, nullptr);
  EXPECT_TRUE(plan.call->arguments.empty());
}

TEST(PlanCall, OverloadChosenByTheArgumentsGiven) {
  auto one = ValueOf(Call("pick", "", R"({"a": 1})"));
  EXPECT_EQ(one.call->function->arguments.size(), 1u);
  auto two = ValueOf(Call("pick", "", R"({"a": 1, "b": 2})"));
  EXPECT_EQ(two.call->function->arguments.size(), 2u);
  auto query = ValueOf(Call("pick", "a=1&b=2", "", true));
  EXPECT_EQ(query.call->function->arguments.size(), 2u);
  EXPECT_EQ(query.call->arguments[1].value, "2");
}

TEST(PlanCall, NoFittingFunctionIsPGRST202) {
  auto error = ErrorOf(Call("add", "", R"({"a": 1, "c": 2})"));
  EXPECT_EQ(error.code, "PGRST202");
  EXPECT_EQ(error.message, "Could not find the function api.add(a, c) in the schema cache");
  // A JSON body could also have been one unnamed json/jsonb argument, as PostgREST says.
  EXPECT_EQ(error.detail,
            "Searched for the function api.add with parameters a, c or with a single unnamed json/jsonb parameter, "
            "but no matches were found in the schema cache.");
  auto from_query = ErrorOf(Call("add", "a=1&c=2", "", true));
  EXPECT_EQ(from_query.detail,
            "Searched for the function api.add with parameters a, c, but no matches were found in the schema cache.");
  auto none = ErrorOf(Call("nope", "", ""));
  EXPECT_EQ(none.code, "PGRST202");
  EXPECT_EQ(none.message, "Could not find the function api.nope without parameters in the schema cache");
  EXPECT_EQ(none.detail,
            "Searched for the function api.nope without parameters, but no matches were found in the schema cache.");
}

TEST(PlanCall, AmbiguousOverloadIsPGRST203) {
  auto error = ErrorOf(Call("echo", "", R"({"value": "x"})"));
  EXPECT_EQ(error.code, "PGRST203");
  EXPECT_EQ(error.message,
            "Could not choose the best candidate function between: api.echo(value => text), "
            "api.echo(value => integer)");
  EXPECT_EQ(error.hint,
            "Try renaming the parameters or the function itself in the database so function overloading can be "
            "resolved");
}

TEST(PlanCall, ArgumentForms) {
  // A function of one unnamed json argument takes the whole body.
  auto whole = ValueOf(Call("body_echo", "", R"([1, 2])"));
  ASSERT_EQ(whole.call->arguments.size(), 1u);
  EXPECT_EQ(whole.call->arguments[0].form, CallArgument::Form::kWholeBody);
  EXPECT_EQ(whole.call->arguments[0].value, "[1, 2]");
  // A body that is no JSON object for a function of named arguments.
  EXPECT_EQ(ErrorOf(Call("add", "", "[1]")).code, "PGRST102");
  // A null argument is bound as NULL.
  auto null = ValueOf(Call("add", "", R"({"a": null, "b": 2})"));
  EXPECT_FALSE(null.call->arguments[0].value.has_value());
}

// An array argument's literal (an embedding's 1,536 numbers are the bulk of
// a remember): numbers unquoted with their shortest round-trip digits,
// strings quoted and escaped, nulls NULL, anything else its JSON text.
TEST(PlanCall, ArrayArgumentLiteral) {
  auto literal = [](std::string_view json_text) { return ArrayLiteral(boost::json::parse(json_text).as_array()); };
  EXPECT_EQ(literal("[]"), "{}");
  EXPECT_EQ(literal("[1, -2, 18446744073709551615]"), "{1,-2,18446744073709551615}");
  EXPECT_EQ(literal("[0.1, -0.003053275, 1e-7, 2.5e300, -0.0]"), "{0.1,-0.003053275,1e-07,2.5e+300,-0}");
  EXPECT_EQ(literal(R"([true, false, null, "NULL", "a\"b\\c", "x,y"])"), R"({true,false,NULL,"NULL","a\"b\\c","x,y"})");
  EXPECT_EQ(literal(R"([[1, 2], {"k": "v"}])"), R"({"[1,2]","{\"k\":\"v\"}"})");
  // Infinity (what a JSON 1e999 parses to) stays JSON's text, which
  // PostgreSQL refuses as out of range instead of reading "inf".
  boost::json::array infinite{std::numeric_limits<double>::infinity()};
  EXPECT_EQ(ArrayLiteral(infinite), "{\"" + boost::json::serialize(infinite[0]) + "\"}");
  // Every double comes back as the same double.
  for (double number : {0.1, 1.0 / 3, -123456.789e-30, 6.02214076e23, 5e-324}) {
    boost::json::array one{number};
    std::string text = ArrayLiteral(one);
    double read = 0;
    std::from_chars(text.data() + 1, text.data() + text.size() - 1, read);
    EXPECT_EQ(read, number) << text;
  }
}

// A real[] argument of numbers goes in PostgreSQL's binary format: each
// number the float PostgreSQL reads from its shortest decimal, nothing for
// the database to parse. What PostgreSQL would refuse stays text.
TEST(PlanCall, RealArrayArgumentInBinary) {
  auto binary = [](std::string_view json_text) { return BinaryRealArray(boost::json::parse(json_text).as_array()); };
  auto words = [](std::initializer_list<uint32_t> list) {
    std::string out;
    for (uint32_t word : list) {
      for (int shift = 24; shift >= 0; shift -= 8) out += static_cast<char>((word >> shift) & 0xff);
    }
    return out;
  };
  // One dimension, no nulls, float4 (oid 700), 2 elements from 1; each 4 bytes.
  EXPECT_EQ(binary("[1, -0.5]"), words({1, 0, 700, 2, 1, 4, 0x3f800000, 4, 0xbf000000}));
  EXPECT_EQ(binary("[0.1, 16777217, -0.0]"), words({1, 0, 700, 3, 1, 4, 0x3dcccccd, 4, 0x4b800000, 4, 0x80000000}));
  EXPECT_EQ(binary("[1e-40]"), words({1, 0, 700, 1, 1, 4, 0x000116c2}));  // subnormal, as PostgreSQL takes it
  // 1 + 2^-24 lies halfway between two floats: its shortest decimal
  // (1.0000000596046448) reads as 1 + 2^-23, as PostgreSQL reads it, where
  // rounding the double to even would give 1.
  boost::json::array halfway{1 + std::ldexp(1.0, -24)};
  EXPECT_EQ(BinaryRealArray(halfway), words({1, 0, 700, 1, 1, 4, 0x3f800001}));
  for (const char* text :
       {"[]", "[null]", R"(["NaN"])", "[1e39]", "[-1e39]", "[1e-50]", "[[1]]", "[true]", "[1, null]"}) {
    EXPECT_FALSE(binary(text)) << text;
  }

  auto plan = ValueOf(Call("norm", "", R"({"v": [3, 0, 4]})"));
  ASSERT_EQ(plan.call->arguments.size(), 1u);
  EXPECT_EQ(plan.call->arguments[0].form, CallArgument::Form::kBinaryRealArray);
  auto query = WriteRead(plan);
  EXPECT_EQ(query.binary_params, std::vector<size_t>{0});
  EXPECT_NE(query.sql.find("\"v\" := $1::real[]"), std::string::npos) << query.sql;
  // Its zero bytes are no NUL in text.
  EXPECT_NE(plan.call->arguments[0].value->find('\0'), std::string::npos);
  // A null element: the array literal, as text.
  auto text = ValueOf(Call("norm", "", R"({"v": [3, null]})"));
  EXPECT_EQ(text.call->arguments[0].form, CallArgument::Form::kCast);
  EXPECT_EQ(text.call->arguments[0].value, "{3,NULL}");
  EXPECT_TRUE(WriteRead(text).binary_params.empty());
}

// Floats written as JSON, as clients write them (a float32's value as a
// double's shortest decimal, as JavaScript prints it, or the float's own
// shortest decimal, as numpy does): each is sent as the float float4in reads
// from that decimal (correctly rounded, as std::from_chars), over 20,000
// random bit patterns of every magnitude, subnormals among them.
TEST(PlanCall, RealArrayOfFloatDecimalsIsTheFloatsPostgresReads) {
  std::mt19937 random(20261207);
  int checked = 0;
  for (int i = 0; i < 20000; ++i) {
    float single = std::bit_cast<float>(static_cast<uint32_t>(random()));
    if (!std::isfinite(single)) continue;
    char digits[64];
    char* end = i % 2 ? std::to_chars(digits, digits + sizeof digits, static_cast<double>(single)).ptr
                      : std::to_chars(digits, digits + sizeof digits, single).ptr;
    std::string decimal(digits, end);
    float expected = 0;
    auto read = std::from_chars(decimal.data(), decimal.data() + decimal.size(), expected);
    ASSERT_EQ(read.ec, std::errc()) << decimal;
    auto binary = BinaryRealArray(boost::json::parse("[" + decimal + "]").as_array());
    ASSERT_TRUE(binary) << decimal;
    uint32_t sent = 0;
    ASSERT_EQ(binary->size(), 28u);
    for (int byte = 24; byte < 28; ++byte) sent = (sent << 8) | static_cast<unsigned char>((*binary)[byte]);
    ASSERT_EQ(sent, std::bit_cast<uint32_t>(expected)) << decimal;
    ++checked;
  }
  EXPECT_GT(checked, 19000);
}

// Arguments go out as C strings: a NUL byte would cut one short, so an
// argument holding one is refused (22021) before it becomes a parameter,
// whether a JSON string decoded to it or the raw body of an unnamed
// argument carries it (a fuzz finding: fuzz_rest_planner's corpus holds
// nul-in-whole-body-argument).
TEST(PlanCall, ArgumentHoldingANulByteIs22021) {
  auto named = ErrorOf(Call("add", "", R"({"a": "1\u0000; 2", "b": 2})"));
  EXPECT_EQ(named.code, "22021");
  std::string body = R"({"a": "x)";
  body += '\0';
  body += R"(y"})";
  auto whole = ErrorOf(Call("body_echo", "", body));
  EXPECT_EQ(whole.code, "22021");
  // The escape itself is JSON text, no NUL byte: the whole body passes.
  EXPECT_TRUE(Call("body_echo", "", R"({"a": "x\u0000y"})").ok());
}

TEST(PlanCall, ScalarFunctionCannotAnswerCsv) {
  auto error = ErrorOf(Call("add", "", R"({"a": 1, "b": 2})", false, "text/csv"));
  EXPECT_EQ(error.code, "PGRST107");
}

TEST(PlanCall, MediaTypeDomainAnswersItsTypeAsTheValueItself) {
  auto html = ValueOf(Call("page", "", "<p>hi</p>", false, "text/html", "text/plain"));
  ASSERT_TRUE(html.form.raw.has_value());
  EXPECT_EQ(html.form.raw->media_type, "text/html");
  EXPECT_FALSE(html.form.raw->bytes);
  auto png = ValueOf(Call("logo", "", "", true, "image/webp, image/png"));
  ASSERT_TRUE(png.form.raw.has_value());
  EXPECT_TRUE(png.form.raw->bytes);
  // JSON still, when that is what the client accepts (or it says nothing).
  EXPECT_FALSE(ValueOf(Call("page", "", "x", false, "application/json", "text/plain")).form.raw.has_value());
  EXPECT_FALSE(ValueOf(Call("page", "", "x", false, std::nullopt, "text/plain")).form.raw.has_value());
  // A function returning another type answers no media type of its own.
  auto add = ErrorOf(Call("add", "", R"({"a": 1, "b": 2})", false, "text/html"));
  EXPECT_EQ(add.code, "PGRST107");
  EXPECT_EQ(add.message, "None of these media types are available: text/html");
  // Only the whole value: with a select of its own, the handler does not apply.
  EXPECT_EQ(ErrorOf(Call("logo", "select=logo", "", true, "image/png")).code, "PGRST107");
}

TEST(PlanCall, RawBodyWithoutItsFunctionIsPGRST202NamingTheArgumentType) {
  auto error = ErrorOf(Call("add", "", "some text", false, std::nullopt, "text/plain"));
  EXPECT_EQ(error.code, "PGRST202");
  EXPECT_EQ(error.message, "Could not find the function api.add in the schema cache");
  EXPECT_EQ(error.detail,
            "Searched for the function api.add with a single unnamed text parameter, but no matches were found in the "
            "schema cache.");
  EXPECT_EQ(ErrorOf(Call("add", "", "\x01", false, std::nullopt, "application/octet-stream")).detail,
            "Searched for the function api.add with a single unnamed bytea parameter, but no matches were found in "
            "the schema cache.");
}

// --- mutations ----------------------------------------------------------------------

TEST(PlanMutation, InsertColumnsFromThePayload) {
  auto plan =
      ValueOf(Mutate(MutationKind::kInsert, "clients", "", R"([{"id": 1, "name": "a"}, {"id": 2, "name": "b"}])"));
  EXPECT_EQ(plan.table->name, "clients");
  ASSERT_EQ(plan.inserts.size(), 1u);
  EXPECT_EQ(plan.inserts[0].columns, (std::vector<std::string>{"id", "name"}));
  EXPECT_EQ(plan.inserts[0].row_count, 2u);
  EXPECT_FALSE(plan.upsert);
}

TEST(PlanMutation, UnknownPayloadColumnIsPGRST204) {
  auto error = ErrorOf(Mutate(MutationKind::kInsert, "clients", "", R"({"nope": 1})"));
  EXPECT_EQ(error.code, "PGRST204");
  EXPECT_EQ(error.message, "Could not find the 'nope' column of 'clients' in the schema cache");
  auto columns = ErrorOf(Mutate(MutationKind::kInsert, "clients", "columns=name,nope", R"({"name": "a"})"));
  EXPECT_EQ(columns.code, "PGRST204");
  auto update = ErrorOf(Mutate(MutationKind::kUpdate, "clients", "id=eq.1", R"({"nope": 1})"));
  EXPECT_EQ(update.code, "PGRST204");
}

TEST(PlanMutation, ArrayRowsWithDifferentKeysArePGRST102) {
  auto error = ErrorOf(Mutate(MutationKind::kInsert, "clients", "", R"([{"id": 1}, {"name": "b"}])"));
  EXPECT_EQ(error.code, "PGRST102");
  EXPECT_EQ(error.message, "All object keys must match");
}

TEST(PlanMutation, MissingDefaultGroupsRowsByTheirKeys) {
  MutationRequest request;
  request.missing_default = true;
  auto plan = ValueOf(Mutate(MutationKind::kInsert, "clients", "columns=id,name",
                             R"([{"id": 1, "name": "a"}, {"name": "b"}])", request));
  ASSERT_EQ(plan.inserts.size(), 2u);
  EXPECT_EQ(plan.inserts[0].columns, (std::vector<std::string>{"id", "name"}));
  EXPECT_EQ(plan.inserts[1].columns, (std::vector<std::string>{"name"}));
}

// One INSERT per key set, however the rows alternate; each row's place in
// the payload goes with it, to put the written rows back in order.
TEST(PlanMutation, MissingDefaultGroupsKeepTheRowsPositions) {
  MutationRequest request;
  request.missing_default = true;
  auto plan = ValueOf(Mutate(MutationKind::kInsert, "clients", "columns=id,name",
                             R"([{"name": "a"}, {"id": 2, "name": "b"}, {"name": "c"}])", request));
  ASSERT_EQ(plan.inserts.size(), 2u);
  EXPECT_EQ(plan.inserts[0].columns, (std::vector<std::string>{"id", "name"}));
  EXPECT_EQ(plan.inserts[0].positions, (std::vector<size_t>{1}));
  EXPECT_EQ(plan.inserts[1].columns, (std::vector<std::string>{"name"}));
  EXPECT_EQ(plan.inserts[1].positions, (std::vector<size_t>{0, 2}));
  EXPECT_EQ(plan.inserts[1].rows_json, R"([{"name":"a"},{"name":"c"}])");
}

TEST(PlanMutation, UpsertConflictsOnThePrimaryKeyOrOnConflict) {
  MutationRequest request;
  request.resolution = PreferResolution::kMergeDuplicates;
  auto plan = ValueOf(Mutate(MutationKind::kInsert, "clients", "", R"({"id": 1, "name": "a"})", request));
  EXPECT_TRUE(plan.upsert);
  EXPECT_FALSE(plan.ignore_duplicates);
  EXPECT_EQ(plan.conflict_columns, (std::vector<std::string>{"id"}));
  auto named = ValueOf(Mutate(MutationKind::kInsert, "clients", "on_conflict=name", R"({"name": "a"})", request));
  EXPECT_EQ(named.conflict_columns, (std::vector<std::string>{"name"}));
  auto unknown = ErrorOf(Mutate(MutationKind::kInsert, "clients", "on_conflict=nope", R"({"name": "a"})", request));
  EXPECT_EQ(unknown.code, "42703");
  request.resolution = PreferResolution::kIgnoreDuplicates;
  EXPECT_TRUE(ValueOf(Mutate(MutationKind::kInsert, "clients", "", R"({"id": 1})", request)).ignore_duplicates);
}

TEST(PlanMutation, PutFiltersMustBeExactlyThePrimaryKey) {
  EXPECT_TRUE(Mutate(MutationKind::kPut, "clients", "id=eq.1", R"({"id": 1, "name": "a"})").ok());
  for (const char* query : {"", "name=eq.a", "id=gt.1", "id=eq.1&name=eq.a", "id=not.eq.1", "or=(id.eq.1)"}) {
    auto error = ErrorOf(Mutate(MutationKind::kPut, "clients", query, R"({"id": 1, "name": "a"})"));
    EXPECT_EQ(error.code, "PGRST105") << query;
    EXPECT_EQ(error.message, "Filters must include all and only primary key columns with 'eq' operators") << query;
  }
  // A composite key: both columns.
  EXPECT_TRUE(
      Mutate(MutationKind::kPut, "users_tasks", "user_id=eq.1&task_id=eq.2", R"({"user_id": 1, "task_id": 2})").ok());
  EXPECT_EQ(ErrorOf(Mutate(MutationKind::kPut, "users_tasks", "user_id=eq.1", R"({"user_id": 1, "task_id": 2})")).code,
            "PGRST105");
}

TEST(PlanMutation, PutPayloadIsOneRow) {
  auto error = ErrorOf(Mutate(MutationKind::kPut, "clients", "id=eq.1", R"([{"id": 1}, {"id": 1}])"));
  EXPECT_EQ(error.code, "PGRST102");
  auto plan = ValueOf(Mutate(MutationKind::kPut, "clients", "id=eq.1", R"({"id": 1, "name": "a"})"));
  EXPECT_TRUE(plan.upsert);
  EXPECT_EQ(plan.conflict_columns, (std::vector<std::string>{"id"}));
  ASSERT_EQ(plan.rows.filters.size(), 1u);
}

TEST(PlanMutation, UpdateOrDeleteWithoutFiltersIs21000) {
  auto update = ErrorOf(Mutate(MutationKind::kUpdate, "clients", "", R"({"name": "a"})"));
  EXPECT_EQ(update.code, "21000");
  EXPECT_EQ(update.message, "UPDATE requires a WHERE clause");
  auto remove = ErrorOf(Mutate(MutationKind::kDelete, "clients", "", ""));
  EXPECT_EQ(remove.code, "21000");
  EXPECT_EQ(remove.message, "DELETE requires a WHERE clause");
  // An and/or tree is a filter too.
  EXPECT_TRUE(Mutate(MutationKind::kDelete, "clients", "or=(id.eq.1,id.eq.2)", "").ok());
}

TEST(PlanMutation, UpdateKeepsThePayload) {
  auto plan = ValueOf(Mutate(MutationKind::kUpdate, "clients", "id=eq.1", R"({"name": "b"})"));
  EXPECT_EQ(plan.update_columns, (std::vector<std::string>{"name"}));
  EXPECT_EQ(plan.update_json, R"({"name": "b"})");
  ASSERT_EQ(plan.rows.filters.size(), 1u);
  EXPECT_EQ(plan.rows.filters[0].field.column->name, "id");
}

// Views are written like tables; PostgreSQL says which writes a view takes.
TEST(PlanMutation, ViewsArePlannedAndMarkedWhereTheyTakeNoSuchWrite) {
  auto updatable = ValueOf(Mutate(MutationKind::kInsert, "projects_view", "", R"({"name": "a"})"));
  EXPECT_FALSE(updatable.target_refuses);
  auto read_only = ValueOf(Mutate(MutationKind::kUpdate, "projects_view2", "id=eq.1", R"({"name": "a"})"));
  EXPECT_TRUE(read_only.target_refuses);
  EXPECT_FALSE(ValueOf(Mutate(MutationKind::kDelete, "clients", "id=eq.1", "")).target_refuses);
  EXPECT_EQ(ErrorOf(Mutate(MutationKind::kInsert, "nope", "", "{}")).code, "PGRST205");
}

// A view's primary key (its table's) is what PUT names and upserts resolve on.
TEST(PlanMutation, ViewsUpsertOnTheirTablesKey) {
  auto put = ValueOf(Mutate(MutationKind::kPut, "projects_view", "id=eq.1", R"({"id": 1, "name": "a"})"));
  EXPECT_EQ(put.conflict_columns, (std::vector<std::string>{"id"}));
}

TEST(PlanMutation, ReturnedRowsResolveTheirSelectAndIgnoreDbMaxRows) {
  MutationRequest request;
  request.representation = true;
  request.kind = MutationKind::kInsert;
  request.body = R"({"name": "a"})";
  PlanContext context{fixture::ApiSchema(), 5};
  auto plan = ValueOf(PlanMutation(context, "projects", fixture::Query("select=id,clients(name),tasks(id)"), request));
  EXPECT_TRUE(plan.representation);
  EXPECT_EQ(Child(plan.rows, "clients").relationship->cardinality, Cardinality::kManyToOne);
  EXPECT_FALSE(plan.rows.limit.has_value());
  EXPECT_EQ(Child(plan.rows, "tasks").limit, 5);  // embeds of the written rows are capped
  auto bad = ErrorOf(Mutate(MutationKind::kInsert, "projects", "select=nope", R"({"name": "a"})", request));
  EXPECT_EQ(bad.code, "42703");
}

}  // namespace
}  // namespace agentbase::rest
