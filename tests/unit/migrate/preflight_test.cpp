// Preflight's platform-shape rules on catalogs made by hand: tenants,
// profiles and agents only together, and no platform table created where an
// existing column in public refers to its rows by name.

#include "migrate/preflight.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "migrate/planner.hpp"
#include "schema/desired_schema.hpp"
#include "schema/platform_shape.hpp"

namespace agentbase::migrate {
namespace {

constexpr long long kUuidOid = 2950;

schema::DesiredSchema Desired() {
  auto desired = schema::BuildDesiredSchema(schema::EmbeddedSchemaFiles(), {});
  if (!desired) ADD_FAILURE() << desired.error().message;
  return desired.ok() ? std::move(desired).value() : schema::DesiredSchema{};
}

// A superuser's database holding only `tables`, each with an id and the
// named columns, all uuid.
Catalog CatalogWith(const std::map<std::string, std::vector<std::string>>& tables) {
  Catalog catalog;
  catalog.superuser = true;
  catalog.type_oids["uuid"] = kUuidOid;
  for (const auto& [name, columns] : tables) {
    TableFacts& facts = catalog.tables[name];
    facts.owned = facts.can_reference = true;
    for (const std::string& column : columns) {
      facts.column_types[column] = "uuid";
      facts.column_type_oids[column] = kUuidOid;
    }
  }
  return catalog;
}

std::vector<std::string> Preflight(const Catalog& catalog) {
  auto desired = Desired();
  std::vector<std::string> lines;
  for (const auto& problem : CheckPreflight(desired, catalog, BuildPlan(desired, catalog))) {
    lines.push_back(problem.object + ": " + problem.message);
  }
  return lines;
}

std::string Line(const schema::ShapeProblem& problem) { return problem.object + ": " + problem.message; }

bool Has(const std::vector<std::string>& lines, const std::string& line) {
  return std::find(lines.begin(), lines.end(), line) != lines.end();
}

}  // namespace

TEST(Preflight, ADatabaseWithoutThePlatformTakesItWhole) {
  EXPECT_EQ(Preflight(CatalogWith({{"auth.users", {"id"}}})), std::vector<std::string>{});
}

// profiles and agents without tenants: refused once for each table there,
// and not again for the tenant_id columns they hold.
TEST(Preflight, APartialPlatformIsRefusedOnceForEachTableThere) {
  auto lines = Preflight(CatalogWith(
      {{"auth.users", {"id"}}, {"public.profiles", {"id", "tenant_id"}}, {"public.agents", {"id", "tenant_id"}}}));
  EXPECT_TRUE(Has(lines, Line(schema::PartialPlatform("public.profiles", "public.tenants"))))
      << ::testing::PrintToString(lines);
  EXPECT_TRUE(Has(lines, Line(schema::PartialPlatform("public.agents", "public.tenants"))));
  EXPECT_FALSE(Has(lines, Line(schema::DanglingReference("public.profiles.tenant_id", "public.tenants"))));
  EXPECT_EQ(lines.size(), 2u) << ::testing::PrintToString(lines);
}

TEST(Preflight, NoPlatformTableWhereAColumnInPublicRefersToItsRows) {
  auto lines = Preflight(CatalogWith({{"auth.users", {"id"}}, {"public.notes", {"id", "tenant_id", "tool_id"}}}));
  EXPECT_EQ(lines,
            (std::vector<std::string>{Line(schema::DanglingReference("public.notes.tenant_id", "public.tenants")),
                                      Line(schema::DanglingReference("public.notes.tool_id", "public.tools"))}));
  // Outside public the names say nothing.
  EXPECT_EQ(Preflight(CatalogWith({{"auth.users", {"id"}}, {"private.notes", {"id", "tenant_id"}}})),
            std::vector<std::string>{});
}

}  // namespace agentbase::migrate
