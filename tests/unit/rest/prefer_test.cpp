#include "rest/prefer.hpp"

#include <gtest/gtest.h>

namespace agentbase::rest {
namespace {

TEST(RestPrefer, ReadsSupabaseJsValues) {
  auto prefs = ParsePreferences({"count=exact, return=representation"});
  EXPECT_EQ(prefs.count, PreferCount::kExact);
  EXPECT_EQ(prefs.representation, PreferReturn::kRepresentation);
  EXPECT_TRUE(prefs.invalid.empty());

  prefs = ParsePreferences({"return=minimal", "resolution=merge-duplicates", "missing=default"});
  EXPECT_EQ(prefs.representation, PreferReturn::kMinimal);
  EXPECT_EQ(prefs.resolution, PreferResolution::kMergeDuplicates);
  EXPECT_EQ(prefs.missing, PreferMissing::kDefault);

  prefs = ParsePreferences({"handling=strict, max-affected=5"});
  EXPECT_EQ(prefs.handling, PreferHandling::kStrict);
  EXPECT_EQ(prefs.max_affected, 5);

  prefs = ParsePreferences({"tx=rollback"});
  EXPECT_EQ(prefs.transaction, PreferTransaction::kRollback);
}

TEST(RestPrefer, EveryValue) {
  auto prefs =
      ParsePreferences({"return=headers-only,count=planned,resolution=ignore-duplicates,missing=null,"
                        "handling=lenient,tx=commit,timezone=America/Los_Angeles"});
  EXPECT_EQ(prefs.representation, PreferReturn::kHeadersOnly);
  EXPECT_EQ(prefs.count, PreferCount::kPlanned);
  EXPECT_EQ(prefs.resolution, PreferResolution::kIgnoreDuplicates);
  EXPECT_EQ(prefs.missing, PreferMissing::kNull);
  EXPECT_EQ(prefs.handling, PreferHandling::kLenient);
  EXPECT_EQ(prefs.transaction, PreferTransaction::kCommit);
  EXPECT_EQ(prefs.timezone, "America/Los_Angeles");
  EXPECT_TRUE(prefs.invalid.empty());
  EXPECT_EQ(ParsePreferences({"count=estimated"}).count, PreferCount::kEstimated);
}

TEST(RestPrefer, FirstValueWinsAcrossHeaders) {
  auto prefs = ParsePreferences({"tx=commit, tx=rollback"});
  EXPECT_EQ(prefs.transaction, PreferTransaction::kCommit);
  prefs = ParsePreferences({"resolution=ignore-duplicates", "resolution=merge-duplicates"});
  EXPECT_EQ(prefs.resolution, PreferResolution::kIgnoreDuplicates);
  prefs = ParsePreferences({"max-affected=abc, max-affected=5"});  // the first one counts, even unreadable
  EXPECT_FALSE(prefs.max_affected);
  EXPECT_TRUE(prefs.invalid.empty());
}

TEST(RestPrefer, SpacesCaseAndUnknownValues) {
  auto prefs = ParsePreferences({"count=exact,    tx=commit   ,return=representation , anything"});
  EXPECT_EQ(prefs.count, PreferCount::kExact);
  EXPECT_EQ(prefs.transaction, PreferTransaction::kCommit);
  EXPECT_EQ(prefs.representation, PreferReturn::kRepresentation);
  ASSERT_EQ(prefs.invalid.size(), 1u);
  EXPECT_EQ(prefs.invalid[0], "anything");

  prefs = ParsePreferences({"Count=Exact", "count=exact2", "count=exact,"});
  EXPECT_EQ(prefs.count, PreferCount::kExact);  // from the third header
  ASSERT_EQ(prefs.invalid.size(), 3u);
  EXPECT_EQ(prefs.invalid[0], "Count=Exact");
  EXPECT_EQ(prefs.invalid[2], "");  // the trailing comma's empty token
  EXPECT_TRUE(ParsePreferences({""}).invalid.empty());
  EXPECT_TRUE(ParsePreferences({}).invalid.empty());
}

TEST(RestPrefer, StrictHandlingRejectsUnknownValues) {
  auto lenient = ParsePreferHeaders({"count=exact, bogus"});
  ASSERT_TRUE(lenient.ok());
  EXPECT_EQ(lenient->count, PreferCount::kExact);

  auto strict = ParsePreferHeaders({"handling=strict, bogus, count=exact", "other=1"});
  ASSERT_FALSE(strict.ok());
  EXPECT_EQ(strict.error().code, "PGRST122");
  EXPECT_EQ(strict.error().message, "Invalid preferences given with handling=strict");
  EXPECT_EQ(strict.error().detail, "Invalid preferences: bogus, other=1");

  EXPECT_TRUE(ParsePreferHeaders({"handling=strict, count=exact, max-affected=x, timezone=UTC"}).ok());
}

TEST(RestPrefer, PreferenceAppliedListsRecognisedValuesInPostgrestOrder) {
  auto prefs = ParsePreferences({"count=exact, return=representation, bogus", "resolution=merge-duplicates",
                                 "missing=default, tx=rollback, timezone=UTC, max-affected=10"});
  EXPECT_EQ(PreferenceAppliedValue(prefs),
            "resolution=merge-duplicates, missing=default, return=representation, count=exact, tx=rollback, "
            "timezone=UTC");
  prefs = ParsePreferences({"max-affected=10, handling=strict"});
  EXPECT_EQ(PreferenceAppliedValue(prefs), "handling=strict, max-affected=10");
  EXPECT_TRUE(AppliedPreferenceTokens(ParsePreferences({"bogus"})).empty());
  EXPECT_EQ(PreferenceAppliedValue(ParsePreferences({})), "");
}

}  // namespace
}  // namespace agentbase::rest
