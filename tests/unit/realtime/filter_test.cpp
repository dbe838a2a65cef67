#include "realtime/filter.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

namespace agentbase::realtime {
namespace {

namespace json = boost::json;

json::object Row(std::string_view text) { return json::parse(text).as_object(); }

TEST(Filter, ParsesTheSevenOperators) {
  auto eq = ParseFilter("id=eq.1");
  ASSERT_TRUE(eq);
  EXPECT_EQ(eq->column, "id");
  EXPECT_EQ(eq->op, FilterOp::kEq);
  EXPECT_EQ(eq->values, std::vector<std::string>{"1"});
  EXPECT_EQ(ParseFilter("a=neq.x")->op, FilterOp::kNeq);
  EXPECT_EQ(ParseFilter("a=lt.x")->op, FilterOp::kLt);
  EXPECT_EQ(ParseFilter("a=lte.x")->op, FilterOp::kLte);
  EXPECT_EQ(ParseFilter("a=gt.x")->op, FilterOp::kGt);
  EXPECT_EQ(ParseFilter("a=gte.x")->op, FilterOp::kGte);
  // The value is everything after the operator's dot, dots and = included.
  EXPECT_EQ(ParseFilter("email=eq.a.b=c@x.io")->values.front(), "a.b=c@x.io");
}

TEST(Filter, InTakesAListWithQuotedValues) {
  auto in = ParseFilter(R"(status=in.(active, archived,"a,b","q\"uote"))");
  ASSERT_TRUE(in) << in.error().message;
  EXPECT_EQ(in->op, FilterOp::kIn);
  EXPECT_EQ(in->values, (std::vector<std::string>{"active", "archived", "a,b", "q\"uote"}));
  EXPECT_FALSE(ParseFilter("status=in.active"));
  EXPECT_FALSE(ParseFilter(R"(status=in.("open))"));
  std::string many = "id=in.(";
  for (int i = 0; i < 101; ++i) many += std::to_string(i) + (i < 100 ? "," : ")");
  EXPECT_FALSE(ParseFilter(many));
}

TEST(Filter, OtherOperatorsAndShapesAreRefusedInSupabasesWords) {
  for (const char* text : {"body=like.%x%", "a=is.null", "a", "=eq.1", "a=eq", "a=not.eq.1"}) {
    auto filter = ParseFilter(text);
    ASSERT_FALSE(filter) << text;
    EXPECT_EQ(filter.error().message.rfind("Error parsing `filter` params: ", 0), 0u) << filter.error().message;
  }
}

TEST(Filter, NumbersCompareAsNumbers) {
  auto row = Row(R"({"n":10,"price":2.5})");
  EXPECT_TRUE(FilterMatches(*ParseFilter("n=eq.10"), row, "int4"));
  EXPECT_TRUE(FilterMatches(*ParseFilter("n=gt.9"), row, "int4"));  // not "10" < "9" as text
  EXPECT_FALSE(FilterMatches(*ParseFilter("n=lt.9"), row, "int4"));
  EXPECT_TRUE(FilterMatches(*ParseFilter("n=lte.10"), row, "int4"));
  EXPECT_TRUE(FilterMatches(*ParseFilter("n=gte.10"), row, "int4"));
  EXPECT_TRUE(FilterMatches(*ParseFilter("n=neq.11"), row, "int4"));
  EXPECT_TRUE(FilterMatches(*ParseFilter("price=lt.3"), row, "numeric"));
  EXPECT_TRUE(FilterMatches(*ParseFilter("n=in.(1,10,100)"), row, "int4"));
  EXPECT_FALSE(FilterMatches(*ParseFilter("n=in.(1,100)"), row, "int4"));
  // A value that is no number cannot match a number (the cast would fail).
  EXPECT_FALSE(FilterMatches(*ParseFilter("n=eq.ten"), row, "int4"));
  EXPECT_FALSE(FilterMatches(*ParseFilter("n=neq.ten"), row, "int4"));
}

TEST(Filter, TextBooleansUuidsAndJson) {
  auto row = Row(R"({"s":"active","b":true,"u":"0A1B2C3D-0000-0000-0000-000000000001","j":{"k":[1,2]}})");
  EXPECT_TRUE(FilterMatches(*ParseFilter("s=eq.active"), row, "text"));
  EXPECT_TRUE(FilterMatches(*ParseFilter("s=lt.b"), row, "text"));
  EXPECT_TRUE(FilterMatches(*ParseFilter("s=in.(archived,active)"), row, "text"));
  EXPECT_TRUE(FilterMatches(*ParseFilter("b=eq.true"), row, "bool"));
  EXPECT_FALSE(FilterMatches(*ParseFilter("b=eq.false"), row, "bool"));
  EXPECT_TRUE(FilterMatches(*ParseFilter("u=eq.0a1b2c3d-0000-0000-0000-000000000001"), row, "uuid"));
  EXPECT_TRUE(FilterMatches(*ParseFilter(R"(j=eq.{"k":[1,2]})"), row, "jsonb"));
  EXPECT_FALSE(FilterMatches(*ParseFilter(R"(j=eq.{"k":[2]})"), row, "jsonb"));
}

TEST(Filter, NullAndMissingColumnsMatchNothing) {
  auto row = Row(R"({"a":null})");
  for (const char* text : {"a=eq.1", "a=neq.1", "missing=eq.1", "missing=neq.1"}) {
    EXPECT_FALSE(FilterMatches(*ParseFilter(text), row, "")) << text;
  }
}

}  // namespace
}  // namespace agentbase::realtime
