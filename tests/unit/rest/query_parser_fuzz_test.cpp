// Random query strings and Prefer headers through the whole request parser:
// whatever comes in, the answer is a value (parsed, or a PostgREST error
// with a PGRST code), never a crash, an exception or a hang. The inputs are
// built from the grammar's own pieces so that they reach deep into it, and
// the seed is fixed so that a failure repeats.

#include <gtest/gtest.h>

#include <array>
#include <random>
#include <string>

#include "rest/query_parser.hpp"

namespace agentbase::rest {
namespace {

constexpr std::array<std::string_view, 64> kPieces = {"select=",
                                                      "order=",
                                                      "limit=",
                                                      "offset=",
                                                      "or=",
                                                      "and=",
                                                      "not.",
                                                      "columns=",
                                                      "on_conflict=",
                                                      "&",
                                                      "=",
                                                      ".",
                                                      ",",
                                                      "(",
                                                      ")",
                                                      "*",
                                                      ":",
                                                      "::",
                                                      "->",
                                                      "->>",
                                                      "!",
                                                      "...",
                                                      "\"",
                                                      "\\",
                                                      "%",
                                                      "%2",
                                                      "%22",
                                                      "%28",
                                                      "+",
                                                      " ",
                                                      "eq.",
                                                      "in.",
                                                      "is.",
                                                      "null",
                                                      "true",
                                                      "cs.",
                                                      "{",
                                                      "}",
                                                      "[",
                                                      "]",
                                                      "fts(english).",
                                                      "like.",
                                                      "ilike.",
                                                      "asc",
                                                      "desc",
                                                      "nullsfirst",
                                                      "id",
                                                      "title",
                                                      "messages",
                                                      "conversations",
                                                      "count()",
                                                      "sum()",
                                                      "text",
                                                      "inner",
                                                      "0",
                                                      "-1",
                                                      "99999999999999999999",
                                                      "a.b.c",
                                                      "\x01",
                                                      "\xc3",
                                                      "\xff",
                                                      "\n",
                                                      "'",
                                                      "any"};

std::string RandomText(std::mt19937& random, size_t max_pieces) {
  std::uniform_int_distribution<size_t> count(0, max_pieces);
  std::uniform_int_distribution<size_t> pick(0, kPieces.size() - 1);
  std::string text;
  for (size_t i = count(random); i > 0; --i) text += kPieces[pick(random)];
  return text;
}

TEST(QueryParserFuzz, RandomInputsGiveValuesNeverCrashes) {
  std::mt19937 random(20261126);
  constexpr std::array<std::string_view, 6> kMethods = {"GET", "HEAD", "POST", "PATCH", "DELETE", "PUT"};
  size_t parsed = 0;
  size_t refused = 0;
  for (int round = 0; round < 20000; ++round) {
    std::string query = RandomText(random, 24);
    std::string prefer = RandomText(random, 4) + (round % 3 == 0 ? ", handling=strict" : "");
    ApiRequestInput input;
    input.method = kMethods[static_cast<size_t>(round) % kMethods.size()];
    input.is_rpc = round % 5 == 0;
    input.query_string = query;
    input.prefer_headers = {prefer};
    auto result = ParseApiRequest(input);
    if (result) {
      ++parsed;
    } else {
      ++refused;
      const std::string& code = result.error().code;
      EXPECT_TRUE(code.rfind("PGRST", 0) == 0) << "code " << code << " for " << query;
    }
  }
  // Both paths were exercised.
  EXPECT_GT(parsed, 100u);
  EXPECT_GT(refused, 100u);
}

}  // namespace
}  // namespace agentbase::rest
