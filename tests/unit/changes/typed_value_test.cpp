#include "changes/typed_value.hpp"

#include <gtest/gtest.h>

#include <boost/json/serialize.hpp>

namespace agentbase::changes {
namespace {

std::string Typed(std::string_view type, std::string_view text) {
  return boost::json::serialize(TypedValue(type, text));
}

TEST(TypedValue, NumbersWhereExact) {
  EXPECT_EQ(Typed("int4", "-42"), "-42");
  EXPECT_EQ(Typed("int8", "9223372036854775807"), "9223372036854775807");
  EXPECT_EQ(Typed("int2", "7"), "7");
  EXPECT_EQ(Typed("oid", "16384"), "16384");
  EXPECT_EQ(Typed("float8", "1.5"), "1.5E0");
  EXPECT_EQ(Typed("float8", "NaN"), "\"NaN\"");
  EXPECT_EQ(Typed("float4", "-Infinity"), "\"-Infinity\"");
  EXPECT_EQ(Typed("numeric", "12"), "12");
  EXPECT_EQ(Typed("numeric", "12.25"), "1.225E1");
  // Beyond what a double holds exactly: the exact text.
  EXPECT_EQ(Typed("numeric", "12345678901234567.5"), "\"12345678901234567.5\"");
  EXPECT_EQ(Typed("numeric", "123456789012345678901234567890"), "\"123456789012345678901234567890\"");
  EXPECT_EQ(Typed("numeric", "NaN"), "\"NaN\"");
  EXPECT_EQ(Typed("int4", "not a number"), "\"not a number\"");
}

TEST(TypedValue, BoolJsonAndTimestamps) {
  EXPECT_EQ(Typed("bool", "t"), "true");
  EXPECT_EQ(Typed("bool", "f"), "false");
  EXPECT_EQ(Typed("jsonb", R"({"a": [1, "x\"y"]})"), R"({"a":[1,"x\"y"]})");
  EXPECT_EQ(Typed("json", "not json"), "\"not json\"");
  EXPECT_EQ(Typed("timestamptz", "2026-05-01 10:20:30.123+00"), "\"2026-05-01T10:20:30.123+00:00\"");
  EXPECT_EQ(Typed("timestamptz", "2026-05-01 10:20:30+05:30"), "\"2026-05-01T10:20:30+05:30\"");
  EXPECT_EQ(Typed("timestamp", "2026-05-01 10:20:30.5"), "\"2026-05-01T10:20:30.5\"");
  EXPECT_EQ(Typed("timestamptz", "infinity"), "\"infinity\"");
  EXPECT_EQ(Typed("uuid", "0b9f…"), "\"0b9f…\"");
  EXPECT_EQ(Typed("text", "line\nbreak \"quoted\""), R"("line\nbreak \"quoted\"")");
}

TEST(TypedValue, ArraysNestedQuotedAndNull) {
  EXPECT_EQ(Typed("_int4", "{1,2,3}"), "[1,2,3]");
  EXPECT_EQ(Typed("_int4", "{{1,2},{3,NULL}}"), "[[1,2],[3,null]]");
  EXPECT_EQ(Typed("_text", R"({plain,"with space","q\"uote","back\\slash","NULL",NULL,"a,b"})"),
            R"(["plain","with space","q\"uote","back\\slash","NULL",null,"a,b"])");
  EXPECT_EQ(Typed("_bool", "{t,f}"), "[true,false]");
  EXPECT_EQ(Typed("_jsonb", R"({"{\"a\": 1}","[2]"})"), R"([{"a":1},[2]])");
  EXPECT_EQ(Typed("_text", "{}"), "[]");
  // What cannot be read stays text.
  EXPECT_EQ(Typed("_int4", "[0:1]={1,2}"), "\"[0:1]={1,2}\"");
  EXPECT_EQ(Typed("_int4", "{1,2"), "\"{1,2\"");
  EXPECT_EQ(Typed("_text", "{\"open"), "\"{\\\"open\"");
  EXPECT_EQ(Typed("_box", "{(1,1),(0,0);(2,2),(1,1)}"), "\"{(1,1),(0,0);(2,2),(1,1)}\"");
  EXPECT_EQ(Typed("_int4", "{{{{{{{1}}}}}}}"), "\"{{{{{{{1}}}}}}}\"");  // deeper than PostgreSQL allows
}

TEST(TypedValue, CommitTimestampsAreUtcMilliseconds) {
  EXPECT_EQ(FormatCommitTimestamp(0), "2000-01-01T00:00:00.000Z");
  EXPECT_EQ(FormatCommitTimestamp((1777630830LL - 946684800LL) * 1000000 + 123999), "2026-05-01T10:20:30.123Z");
  EXPECT_EQ(FormatCommitTimestamp(-1), "1999-12-31T23:59:59.999Z");
}

}  // namespace
}  // namespace agentbase::changes
