#include "util/fuzzy_match.hpp"

#include <gtest/gtest.h>

namespace agentbase {
namespace {

const std::vector<std::string> kStates = {"Alabama",        "Alaska",
                                          "American Samoa", "Arizona",
                                          "Arkansas",       "California",
                                          "Colorado",       "Connecticut",
                                          "Delaware",       "District of Columbia",
                                          "Florida",        "Georgia",
                                          "Guam",           "Hawaii",
                                          "Idaho",          "Illinois",
                                          "Indiana",        "Iowa",
                                          "Kansas",         "Kentucky",
                                          "Louisiana",      "Maine",
                                          "Maryland",       "Massachusetts",
                                          "Michigan",       "Minnesota",
                                          "Mississippi",    "Missouri",
                                          "Montana",        "Nebraska",
                                          "Nevada",         "New Hampshire",
                                          "New Jersey",     "New Mexico",
                                          "New York",       "North Carolina",
                                          "North Dakota",   "Northern Marianas Islands",
                                          "Ohio",           "Oklahoma",
                                          "Oregon",         "Pennsylvania",
                                          "Puerto Rico",    "Rhode Island",
                                          "South Carolina", "South Dakota",
                                          "Tennessee",      "Texas",
                                          "Utah",           "Vermont",
                                          "Virginia",       "Virgin Islands",
                                          "Washington",     "West Virginia",
                                          "Wisconsin",      "Wyoming"};

}  // namespace

// The answers fuzzyset documents for its own examples (the method this
// follows), scores included where a threshold decides.
TEST(FuzzyMatch, FindsWhatFuzzysetFinds) {
  EXPECT_EQ(ClosestMatch("Burger Islands", kStates, 0.33), "Virgin Islands");
  EXPECT_EQ(ClosestMatch("Why-oh-me-ing", kStates, 0.33), "Wyoming");
  EXPECT_EQ(ClosestMatch("Connect a cat", kStates, 0.33), "Connecticut");
  EXPECT_EQ(ClosestMatch("CanOfSauce", kStates, 0.33), "Kansas");
  EXPECT_EQ(ClosestMatch("percolator", {"Jurassic Park", "Terminator", "The Matrix"}, 0.33), "Terminator");
  // Pennsylvania scores 0.75 for Transylvania: enough at 0.75, not above.
  EXPECT_EQ(ClosestMatch("Transylvania", kStates, 0.75), "Pennsylvania");
  EXPECT_EQ(ClosestMatch("Transylvania", kStates, 0.76), std::nullopt);
  // CanOfSauce's best is 0.4.
  EXPECT_EQ(ClosestMatch("CanOfSauce", kStates, 0.41), std::nullopt);
}

TEST(FuzzyMatch, AnEntryEqualButForCaseWinsOutright) {
  EXPECT_EQ(ClosestMatch("alaska", kStates, 0.99), "Alaska");
  EXPECT_EQ(ClosestMatch("x", {"X", "x"}, 1.0), "X");
}

// PostgREST's own examples of its function hints: names at 0.75, parameter
// lists (sorted, in parentheses) at 0.33.
TEST(FuzzyMatch, GivesPostgrestsFunctionHints) {
  std::vector<std::string> functions = {"test", "another"};
  EXPECT_EQ(ClosestMatch("testt", functions, 0.75), "test");
  EXPECT_EQ(ClosestMatch("other", functions, 0.75), std::nullopt);
  EXPECT_EQ(ClosestMatch("noclosealternative", functions, 0.75), std::nullopt);
  std::vector<std::string> parameter_lists = {"(name, param, val)", "(attr, id)"};
  EXPECT_EQ(ClosestMatch("(nam, pqaram, vall)", parameter_lists, 0.33), "(name, param, val)");
  EXPECT_EQ(ClosestMatch("(param, val)", parameter_lists, 0.33), "(name, param, val)");
  EXPECT_EQ(ClosestMatch("(attrs, id)", parameter_lists, 0.33), "(attr, id)");
  EXPECT_EQ(ClosestMatch("(id)", parameter_lists, 0.33), "(attr, id)");
  EXPECT_EQ(ClosestMatch("(noclosealternative)", parameter_lists, 0.33), std::nullopt);
}

// A hostile parameter list (a body of thousands of keys) is not scored.
TEST(FuzzyMatch, AQueryBeyondTheBoundIsNoMatch) {
  std::string list = "(a";
  while (list.size() <= kMaxFuzzyQueryBytes) list += ", a";
  list += ")";
  EXPECT_EQ(ClosestMatch(list, {list}, 0.0), std::nullopt);
  EXPECT_EQ(ClosestMatch(list.substr(0, 1000), {list.substr(0, 1000)}, 0.0), list.substr(0, 1000));
}

TEST(FuzzyMatch, NothingToMatchIsNoMatch) {
  EXPECT_EQ(ClosestMatch("anything", {}, 0.0), std::nullopt);
  EXPECT_EQ(ClosestMatch("", {"a"}, 0.33), std::nullopt);
  // Without letters both are "--": they share that n-gram, and Levenshtein
  // (on the text as given) finds nothing alike.
  EXPECT_EQ(ClosestMatch("!!!", {"???"}, 0.33), std::nullopt);
}

}  // namespace agentbase
