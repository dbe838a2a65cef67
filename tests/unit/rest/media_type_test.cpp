#include "rest/media_type.hpp"

#include <gtest/gtest.h>

namespace agentbase::rest {
namespace {

struct Expected {
  bool singular, strip_nulls, csv;
};

void ExpectForm(std::optional<std::string_view> accept, Expected expected) {
  auto form = NegotiateBodyForm(accept);
  ASSERT_TRUE(form.has_value()) << accept.value_or("(none)");
  EXPECT_EQ(form->singular, expected.singular) << accept.value_or("(none)");
  EXPECT_EQ(form->strip_nulls, expected.strip_nulls) << accept.value_or("(none)");
  EXPECT_EQ(form->csv, expected.csv) << accept.value_or("(none)");
}

TEST(MediaType, JsonByDefaultAndForWildcards) {
  ExpectForm(std::nullopt, {false, false, false});
  ExpectForm("  ", {false, false, false});
  ExpectForm("*/*", {false, false, false});
  ExpectForm("application/json, text/csv", {false, false, false});
  ExpectForm("Application/JSON; charset=utf-8", {false, false, false});
}

TEST(MediaType, PostgrestTypesWithTheirParameters) {
  ExpectForm("application/vnd.pgrst.object+json", {true, false, false});
  ExpectForm("application/vnd.pgrst.object+json;nulls=stripped", {true, true, false});
  ExpectForm("application/vnd.pgrst.array+json; NULLS=stripped", {false, true, false});
  ExpectForm("application/vnd.pgrst.array+json", {false, false, false});
  ExpectForm("text/csv", {false, false, true});
  // The first type that can be answered wins.
  ExpectForm("image/png, text/csv, application/json", {false, false, true});
}

TEST(MediaType, NothingAnswerable) {
  EXPECT_FALSE(NegotiateBodyForm("image/png").has_value());
  EXPECT_FALSE(NegotiateBodyForm("application/xml, text/html").has_value());
  // The plan media type with an option EXPLAIN does not have.
  EXPECT_FALSE(NegotiateBodyForm("application/vnd.pgrst.plan+json; options=everything").has_value());
}

TEST(MediaType, PlanIsNegotiatedWithItsTargetAndOptions) {
  auto plan = NegotiateBodyForm(
      R"(application/vnd.pgrst.plan+json; for="application/vnd.pgrst.object"; options=analyze|buffers)");
  ASSERT_TRUE(plan && plan->plan);
  EXPECT_FALSE(plan->plan->text);
  EXPECT_TRUE(plan->singular);
  EXPECT_EQ(plan->plan->options, (std::vector<std::string>{"analyze", "buffers"}));
  auto text = NegotiateBodyForm("application/vnd.pgrst.plan");
  ASSERT_TRUE(text && text->plan);
  EXPECT_TRUE(text->plan->text);
}

}  // namespace
}  // namespace agentbase::rest
