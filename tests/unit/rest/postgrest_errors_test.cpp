#include "rest/postgrest_errors.hpp"

#include <gtest/gtest.h>

#include "rest/api_error.hpp"

namespace agentbase::rest {
namespace {

std::string HeaderOf(const http::Response& response, std::string_view name) {
  for (const auto& [key, value] : response.headers) {
    if (key == name) return value;
  }
  return "<none>";
}

// Every constructor: its code's status (PostgREST's), and a kind that agrees
// with what the code alone implies (util/result.hpp's KindOfCode).
TEST(PostgrestErrors, StatusAndKindOfEveryConstructor) {
  struct Case {
    Error error;
    const char* code;
    int status;
  };
  const Case cases[] = {
      {pgrst::DatabaseClient(), "PGRST001", 503},
      {pgrst::SchemaCacheUnavailable(), "PGRST002", 503},
      {pgrst::PoolTimeout(), "PGRST003", 504},
      {pgrst::QueryParam("m"), "PGRST100", 400},
      {pgrst::InvalidRpcMethod("PUT"), "PGRST101", 405},
      {pgrst::InvalidBody("Empty or invalid json"), "PGRST102", 400},
      {pgrst::RangeOutOfBounds(5, 3), "PGRST103", 416},
      {pgrst::InvalidFilters(), "PGRST105", 405},
      {pgrst::UnacceptableSchema("x", {"public"}), "PGRST106", 406},
      {pgrst::MediaTypeUnavailable({"text/xml"}), "PGRST107", 406},
      {pgrst::NotEmbedded("x"), "PGRST108", 400},
      {pgrst::GucHeaders(), "PGRST111", 500},
      {pgrst::GucStatus(), "PGRST112", 500},
      {pgrst::PutLimitNotAllowed(), "PGRST114", 400},
      {pgrst::PutMatchingPk(), "PGRST115", 400},
      {pgrst::Singularity(2), "PGRST116", 406},
      {pgrst::UnsupportedMethod("TRACE"), "PGRST117", 405},
      {pgrst::RelatedOrderNotToOne("a", "b"), "PGRST118", 400},
      {pgrst::InvalidPreferences({"a=b"}), "PGRST122", 400},
      {pgrst::AggregatesNotAllowed(), "PGRST123", 400},
      {pgrst::MaxAffectedViolation(3), "PGRST124", 400},
      {pgrst::InvalidResourcePath(), "PGRST125", 404},
      {pgrst::MaxAffectedRpcViolation(), "PGRST128", 400},
      {pgrst::RelationshipNotFound("a", "b", "public"), "PGRST200", 400},
      {pgrst::AmbiguousRelationship("a", "b", {"b!x", "b!y"}), "PGRST201", 300},
      {pgrst::FunctionNotFound("public", "f", {}), "PGRST202", 404},
      {pgrst::AmbiguousFunction({"public.f(a => integer)"}), "PGRST203", 300},
      {pgrst::ColumnNotFound("t", "c"), "PGRST204", 400},
      {pgrst::TableNotFound("public", "t"), "PGRST205", 404},
      {pgrst::JwtParts(1), "PGRST301", 401},
      {pgrst::DatabaseGaveUp(), "AB504", 504},
      {pgrst::ResponseTooLarge(10), "AB400", 400},
  };
  for (const auto& test_case : cases) {
    EXPECT_EQ(test_case.error.code, test_case.code);
    EXPECT_EQ(StatusFor(test_case.error, false), test_case.status) << test_case.code;
    EXPECT_FALSE(test_case.error.message.empty()) << test_case.code;
    if (std::string_view(test_case.code).starts_with("PGRST")) {
      EXPECT_EQ(pgrst::StatusOf(test_case.code), test_case.status) << test_case.code;
      EXPECT_EQ(test_case.error.Kind(), KindOfCode(test_case.code)) << test_case.code;
    }
  }
  EXPECT_EQ(pgrst::DatabaseGaveUp().Kind(), ErrorKind::kTimeout);
  EXPECT_EQ(pgrst::StatusOf("PGRST999"), 500);
}

// Codes PostgREST has that no agentbase path raises (a database function may
// still RAISE them): their status all the same.
TEST(PostgrestErrors, StatusOfCodesWithoutAConstructor) {
  const std::pair<const char*, int> codes[] = {{"PGRST000", 503}, {"PGRST120", 400}, {"PGRST121", 500},
                                               {"PGRST126", 404}, {"PGRST127", 400}, {"PGRST300", 500},
                                               {"PGRST302", 401}};
  for (const auto& [code, status] : codes) EXPECT_EQ(pgrst::StatusOf(code), status) << code;
}

TEST(PostgrestErrors, TableAndColumnMessagesAsPostgrestWritesThem) {
  Error table = pgrst::TableNotFound("public", "conversation", "conversations");
  EXPECT_EQ(table.message, "Could not find the table 'public.conversation' in the schema cache");
  EXPECT_EQ(table.hint, "Perhaps you meant the table 'public.conversations'");
  EXPECT_EQ(pgrst::TableNotFound("public", "x").hint, "");
  EXPECT_EQ(pgrst::ColumnNotFound("agents", "nme").message,
            "Could not find the 'nme' column of 'agents' in the schema cache");
  Error undefined = pgrst::UndefinedColumn("agents", "nme");
  EXPECT_EQ(undefined.code, "42703");
  EXPECT_EQ(undefined.message, "column agents.nme does not exist");
  EXPECT_EQ(StatusFor(undefined, false), 400);
}

// A SQLSTATE PostgREST answers with 500 (55000, a view that cannot take a
// write) is a 400 once we have found the request at fault.
TEST(PostgrestErrors, ClientFaultsAreNever5xx) {
  Error refused = ApiError("55000", "cannot insert into view \"counts\"");
  EXPECT_EQ(StatusFor(refused, false), 500);
  refused.kind = ErrorKind::kInvalidInput;
  EXPECT_EQ(StatusFor(refused, false), 400);
  // Other statuses stay as PostgREST has them.
  Error conflict = ApiError("23505", "duplicate key");
  conflict.kind = ErrorKind::kInvalidInput;
  EXPECT_EQ(StatusFor(conflict, false), 409);
}

TEST(PostgrestErrors, RelationshipMessages) {
  Error missing = pgrst::RelationshipNotFound("messages", "tools", "public", "fk_x");
  EXPECT_EQ(missing.message, "Could not find a relationship between 'messages' and 'tools' in the schema cache");
  EXPECT_EQ(missing.detail,
            "Searched for a foreign key relationship between 'messages' and 'tools' using the hint 'fk_x' in the "
            "schema 'public', but no matches were found.");
  EXPECT_EQ(
      pgrst::RelationshipNotFound("a", "b", "s").detail,
      "Searched for a foreign key relationship between 'a' and 'b' in the schema 's', but no matches were found.");
  Error ambiguous = pgrst::AmbiguousRelationship("messages", "agents", {"agents!a_fk", "agents!b_fk"});
  EXPECT_EQ(ambiguous.message,
            "Could not embed because more than one relationship was found for 'messages' and 'agents'");
  EXPECT_EQ(ambiguous.hint,
            "Try changing 'agents' to one of the following: 'agents!a_fk', 'agents!b_fk'. Find the desired "
            "relationship in the 'details' key.");
  EXPECT_EQ(pgrst::RelatedOrderNotToOne("a", "b").detail,
            "'a' and 'b' do not form a many-to-one or one-to-one relationship");
}

TEST(PostgrestErrors, FunctionMessages) {
  Error none = pgrst::FunctionNotFound("public", "f", {});
  EXPECT_EQ(none.message, "Could not find the function public.f without parameters in the schema cache");
  EXPECT_EQ(none.detail,
            "Searched for the function public.f without parameters, but no matches were found in the schema cache.");
  Error one = pgrst::FunctionNotFound("public", "f", {"a"});
  EXPECT_EQ(one.message, "Could not find the function public.f(a) in the schema cache");
  EXPECT_EQ(one.detail,
            "Searched for the function public.f with parameter a, but no matches were found in the schema cache.");
  Error two =
      pgrst::FunctionNotFound("public", "f", {"a", "b"}, "json", "Perhaps you meant to call the function public.g");
  EXPECT_EQ(two.detail,
            "Searched for the function public.f with parameters a, b or with a single unnamed json/jsonb parameter, "
            "but no matches were found in the schema cache.");
  EXPECT_EQ(two.hint, "Perhaps you meant to call the function public.g");
  Error ambiguous = pgrst::AmbiguousFunction({"public.f(a => integer)", "public.f(a => text)"});
  EXPECT_EQ(ambiguous.message,
            "Could not choose the best candidate function between: public.f(a => integer), public.f(a => text)");
}

TEST(PostgrestErrors, RequestMessages) {
  EXPECT_EQ(pgrst::RangeOutOfBounds(5, 3).detail, "An offset of 5 was requested, but there are only 3 rows.");
  EXPECT_EQ(pgrst::RangeOutOfBounds(5, 3).message, "Requested range not satisfiable");
  EXPECT_EQ(pgrst::Singularity(0).detail, "The result contains 0 rows");
  EXPECT_EQ(pgrst::InvalidPreferences({"a=1", "b=2"}).detail, "Invalid preferences: a=1, b=2");
  EXPECT_EQ(pgrst::UnacceptableSchema("x", {"public", "api"}).hint,
            "Only the following schemas are exposed: public, api");
  EXPECT_EQ(pgrst::MediaTypeUnavailable({"text/xml", "image/png"}).message,
            "None of these media types are available: text/xml, image/png");
  EXPECT_EQ(pgrst::NotEmbedded("x").hint, "Verify that 'x' is included in the 'select' query parameter.");
  EXPECT_EQ(pgrst::InvalidRpcMethod("PUT").message, "Cannot use the PUT method on RPC");
  EXPECT_EQ(pgrst::JwtParts(2).message, "Expected 3 parts in JWT; got 2");
}

// PostgREST challenges a refused token with invalid_token, a missing one
// (anonymous access disabled) with a bare "Bearer".
TEST(PostgrestErrors, BearerChallengeOnlyNamesInvalidTokensAsSuch) {
  EXPECT_EQ(HeaderOf(ErrorResponse(pgrst::JwtClaims("JWT expired")), "WWW-Authenticate"),
            "Bearer error=\"invalid_token\", error_description=\"JWT expired\"");
  EXPECT_EQ(HeaderOf(ErrorResponse(pgrst::JwtParts(1)), "WWW-Authenticate"),
            "Bearer error=\"invalid_token\", error_description=\"Expected 3 parts in JWT; got 1\"");
  EXPECT_EQ(HeaderOf(ErrorResponse(ApiError("PGRST302", "Anonymous access is disabled")), "WWW-Authenticate"),
            "Bearer");
}

TEST(PostgrestErrors, BusyAndUnavailableAnswersTellClientsToRetry) {
  auto busy = ErrorResponse(pgrst::PoolTimeout());
  EXPECT_EQ(busy.status, 504);
  EXPECT_EQ(
      busy.body,
      R"({"code":"PGRST003","details":null,"hint":null,"message":"Timed out acquiring connection from connection pool."})");
  EXPECT_EQ(HeaderOf(busy, "Retry-After"), "1");
  auto down = ErrorResponse(pgrst::DatabaseClient());
  EXPECT_EQ(down.status, 503);
  EXPECT_EQ(HeaderOf(down, "Retry-After"), "1");
}

}  // namespace
}  // namespace agentbase::rest
