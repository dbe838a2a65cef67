#include "rest/media_type.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

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

// The media type a function's domain offers, as negotiated (nullopt for
// a built-in form, "406" for none).
std::string RawType(std::optional<std::string_view> accept, const std::vector<MediaTypeDomain>& offered) {
  auto form = NegotiateBodyForm(accept, offered);
  if (!form) return "406";
  return form->raw ? form->raw->media_type : "built-in";
}

TEST(MediaType, DomainOfferedAnswersItsOwnType) {
  std::vector<MediaTypeDomain> html = {{"text/html", false}};
  EXPECT_EQ(RawType("text/html", html), "text/html");
  EXPECT_EQ(RawType("Text/HTML; charset=utf-8", html), "text/html");
  EXPECT_EQ(RawType("image/png, text/html", html), "text/html");
  // The first answerable type wins, built-in or not.
  EXPECT_EQ(RawType("application/json, text/html", html), "built-in");
  EXPECT_EQ(RawType("*/*", html), "built-in");
  EXPECT_EQ(RawType(std::nullopt, html), "built-in");
  EXPECT_EQ(RawType("image/png", html), "406");
  EXPECT_EQ(RawType("text/html", {}), "406");
}

TEST(MediaType, DomainCanOverrideBuiltInTypesButNotPostgrestsOwn) {
  std::vector<MediaTypeDomain> json = {{"application/json", false}};
  EXPECT_EQ(RawType("application/json", json), "application/json");
  EXPECT_EQ(RawType("application/vnd.pgrst.array+json", json), "application/json");
  EXPECT_EQ(RawType("application/vnd.pgrst.object+json", json), "built-in");
  std::vector<MediaTypeDomain> csv = {{"text/csv", false}};
  EXPECT_EQ(RawType("text/csv", csv), "text/csv");
}

TEST(MediaType, AnyDomainAnswersEveryTypeAndNoAccept) {
  std::vector<MediaTypeDomain> any = {{"*/*", true}};
  EXPECT_EQ(RawType("image/png", any), "*/*");
  EXPECT_EQ(RawType("application/json", any), "*/*");
  EXPECT_EQ(RawType(std::nullopt, any), "*/*");
  EXPECT_EQ(RawType("application/vnd.pgrst.object+json", any), "built-in");
  EXPECT_EQ(RawType("application/vnd.pgrst.array+json;nulls=stripped", any), "built-in");
  auto form = NegotiateBodyForm("image/png", any);
  ASSERT_TRUE(form && form->raw);
  EXPECT_TRUE(form->raw->bytes);
}

}  // namespace
}  // namespace agentbase::rest
