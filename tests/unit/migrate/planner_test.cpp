// The planner on catalogs made by hand: a backfill (a SELECT after the
// statement it completes) runs only in the push that creates its anchor.

#include "migrate/planner.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "schema/desired_schema.hpp"

namespace agentbase::migrate {
namespace {

constexpr const char* kSchema = R"sql(-- agentbase:mode if-absent
CREATE TABLE public.notes (
  id uuid NOT NULL,
  body text NOT NULL,
  CONSTRAINT notes_pkey PRIMARY KEY (id)
);
CREATE TABLE public.note_words (
  note_id uuid NOT NULL,
  CONSTRAINT note_words_pkey PRIMARY KEY (note_id)
);
CREATE FUNCTION public.index_note() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NULL; END $$;
CREATE TRIGGER notes_index AFTER INSERT ON public.notes FOR EACH ROW EXECUTE FUNCTION public.index_note();
SELECT public.index_all_notes();
)sql";

schema::DesiredSchema Desired() {
  auto desired = schema::BuildDesiredSchema({{"notes.sql", kSchema}}, {});
  if (!desired) ADD_FAILURE() << desired.error().message;
  return desired.ok() ? std::move(desired).value() : schema::DesiredSchema{};
}

// The keys of what the plan creates, in order (the objects there are only
// compared, which needs a database).
std::vector<std::string> Steps(const Plan& plan) {
  std::vector<std::string> keys;
  for (const auto& step : plan.steps) {
    if (step.action == StepAction::Create) keys.push_back(step.object->Key());
  }
  return keys;
}

// A database where agentbase created public.notes (and note_words) earlier.
Catalog OursWithoutTheTrigger() {
  Catalog catalog;
  catalog.superuser = true;
  catalog.tables["public.notes"].owned = true;
  catalog.tables["public.notes"].column_types = {{"id", "uuid"}, {"body", "text"}};
  catalog.tables["public.notes"].column_type_oids = {{"id", 0}, {"body", 0}};
  catalog.tables["public.note_words"].owned = true;
  catalog.tables["public.note_words"].column_types = {{"note_id", "uuid"}};
  catalog.tables["public.note_words"].column_type_oids = {{"note_id", 0}};
  catalog.constraints["public.notes.notes_pkey"] = "PRIMARY KEY (id)";
  catalog.constraints["public.note_words.note_words_pkey"] = "PRIMARY KEY (note_id)";
  catalog.functions["public.index_note"] = "BEGIN RETURN NULL; END";
  catalog.history.push_back({});
  catalog.history.back().created_tables = {"public.notes", "public.note_words"};
  return catalog;
}

}  // namespace

TEST(Planner, ABackfillFollowsItsAnchorAndIsNoObject) {
  auto desired = Desired();
  const auto& backfill = desired.objects.back();
  EXPECT_EQ(backfill.kind, schema::ObjectKind::Backfill);
  EXPECT_EQ(backfill.Key(), "backfill after trigger public.notes.notes_index");
  EXPECT_EQ(backfill.Sql(), "SELECT public.index_all_notes()");

  // On an empty database everything is created, the backfill last.
  Plan fresh = BuildPlan(desired, Catalog{});
  auto keys = Steps(fresh);
  ASSERT_FALSE(keys.empty());
  EXPECT_EQ(keys.back(), "backfill after trigger public.notes.notes_index");
  EXPECT_EQ(fresh.steps.back().sql, "SELECT public.index_all_notes()");
  // Two tables with their columns and keys, the function and the trigger.
  EXPECT_EQ(fresh.ObjectsTotal(), 9);
}

TEST(Planner, ABackfillRunsWhenItsAnchorIsCreatedOnATableWithRows) {
  auto desired = Desired();
  Plan plan = BuildPlan(desired, OursWithoutTheTrigger());
  EXPECT_EQ(Steps(plan), (std::vector<std::string>{"trigger public.notes.notes_index",
                                                   "backfill after trigger public.notes.notes_index"}));
}

TEST(Planner, ABackfillDoesNotRunWhenItsAnchorIsThereOrLeftAlone) {
  auto desired = Desired();
  Catalog present = OursWithoutTheTrigger();
  present.triggers["public.notes.notes_index"] = "CREATE TRIGGER notes_index ...";
  for (const auto& key : Steps(BuildPlan(desired, present))) EXPECT_NE(key.rfind("backfill", 0), 0u) << key;

  // The user's own notes table (not created by agentbase): the trigger is
  // not added to it, so nothing is backfilled either.
  Catalog theirs = OursWithoutTheTrigger();
  theirs.history.back().created_tables = {"public.note_words"};
  Plan plan = BuildPlan(desired, theirs);
  EXPECT_TRUE(Steps(plan).empty());
  EXPECT_EQ(plan.left_alone, (std::vector<std::string>{"trigger public.notes.notes_index"}));
}

}  // namespace agentbase::migrate
