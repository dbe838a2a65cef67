// The official JSON-Schema-Test-Suite (Debian's json-schema-test-suite):
// every file of tests/draft7/ and tests/draft4/ and of their optional/,
// each case's schema compiled and each test's "valid" checked against
// Validate. Not the optional format tests: "format" is an annotation only
// here (jsonschema/schema.hpp), so every test of an invalid format would
// be listed.
//
// The cases that cannot pass are listed below, each with the reason. The
// test fails when a test outside the list fails, when a listed one passes
// (so the list shrinks when the validator improves), and when a listed one
// is not in the suite at all.

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "jsonschema/schema.hpp"

namespace agentbase::jsonschema {
namespace {

namespace json = boost::json;

const std::filesystem::path kSuiteDirectory = "/usr/share/json-schema-test-suite/tests";

struct KnownFailure {
  std::string_view draft;      // "draft7", "draft4"
  std::string_view file;       // "ref.json"
  std::string_view test_case;  // the case's "description"
  std::string_view test;       // a test's "description"; empty: every test of the case
  std::string_view reason;
};

// The reasons. Every one is a schema Compile refuses, by design: nothing is
// fetched, and valijson finds subschemas by JSON Pointer only.
constexpr std::string_view kRemote =
    "$ref to another document (the suite's remotes on localhost:1234): refused when compiled, never fetched";
constexpr std::string_view kMetaSchema =
    "$ref to the draft's meta-schema at json-schema.org, another document: refused, never fetched";
constexpr std::string_view kById =
    "$ref to a subschema by the URI in its \"$id\" (draft-04: \"id\"): valijson resolves only JSON Pointers "
    "within the document, so the reference reads as one to another document and is refused";

constexpr std::string_view kAnnotation =
    "\"format\", \"contentMediaType\" and \"contentEncoding\" are annotations only, never checked (draft-07 "
    "leaves checking them optional)";

constexpr KnownFailure kKnownFailures[] = {
    {"draft7", "definitions.json", "valid definition", "", kMetaSchema},
    {"draft7", "definitions.json", "invalid definition", "", kMetaSchema},
    {"draft7", "ref.json", "remote ref, containing refs itself", "", kMetaSchema},
    {"draft7", "ref.json", "Recursive references between schemas", "", kById},
    {"draft7", "refRemote.json", "remote ref", "", kRemote},
    {"draft7", "refRemote.json", "fragment within remote ref", "", kRemote},
    {"draft7", "refRemote.json", "ref within remote ref", "", kRemote},
    {"draft7", "refRemote.json", "base URI change", "", kRemote},
    {"draft7", "refRemote.json", "base URI change - change folder", "", kRemote},
    {"draft7", "refRemote.json", "base URI change - change folder in subschema", "", kRemote},
    {"draft7", "refRemote.json", "root ref in remote ref", "", kRemote},
    {"draft7", "optional/content.json", "validation of string-encoded content based on media type",
     "an invalid JSON document", kAnnotation},
    {"draft7", "optional/content.json", "validation of binary string-encoding",
     "an invalid base64 string (% is not a valid character)", kAnnotation},
    {"draft7", "optional/content.json", "validation of binary-encoded media type documents",
     "a validly-encoded invalid JSON document", kAnnotation},
    {"draft7", "optional/content.json", "validation of binary-encoded media type documents",
     "an invalid base64 string that is valid JSON", kAnnotation},
    {"draft7", "optional/ecmascript-regex.json", "ECMA 262 regex non-compliance", "", kAnnotation},

    {"draft4", "definitions.json", "valid definition", "", kMetaSchema},
    {"draft4", "definitions.json", "invalid definition", "", kMetaSchema},
    {"draft4", "ref.json", "remote ref, containing refs itself", "", kMetaSchema},
    {"draft4", "ref.json", "Recursive references between schemas", "", kById},
    {"draft4", "refRemote.json", "remote ref", "", kRemote},
    {"draft4", "refRemote.json", "fragment within remote ref", "", kRemote},
    {"draft4", "refRemote.json", "ref within remote ref", "", kRemote},
    {"draft4", "refRemote.json", "base URI change", "", kRemote},
    {"draft4", "refRemote.json", "base URI change - change folder", "", kRemote},
    {"draft4", "refRemote.json", "base URI change - change folder in subschema", "", kRemote},
    {"draft4", "refRemote.json", "root ref in remote ref", "", kRemote},
    {"draft4", "optional/ecmascript-regex.json", "ECMA 262 regex non-compliance", "", kAnnotation},
};

bool Listed(std::string_view draft, std::string_view file, std::string_view test_case, std::string_view test) {
  for (const KnownFailure& known : kKnownFailures) {
    if (known.draft == draft && known.file == file && known.test_case == test_case &&
        (known.test.empty() || known.test == test)) {
      return true;
    }
  }
  return false;
}

json::value ReadJson(const std::filesystem::path& path) {
  std::ifstream file(path);
  std::stringstream text;
  text << file.rdbuf();
  json::parse_options options;
  options.max_depth = 256;
  return json::parse(text.str(), {}, options);
}

struct Counts {
  int cases = 0;
  int tests = 0;
  int passed = 0;
  int known_failures = 0;
};

// Runs one draft's directory; each outcome against the list is a gtest failure.
Counts RunDraft(std::string_view draft, std::set<std::tuple<std::string, std::string, std::string>>& seen) {
  Counts counts;
  std::filesystem::path directory = kSuiteDirectory / draft;
  std::vector<std::filesystem::path> files;
  for (const std::filesystem::path& under : {directory, directory / "optional"}) {
    for (const auto& entry : std::filesystem::directory_iterator(under)) {
      if (entry.is_regular_file() && entry.path().extension() == ".json" && entry.path().filename() != "format.json") {
        files.push_back(entry.path());
      }
    }
  }
  std::sort(files.begin(), files.end());
  EXPECT_FALSE(files.empty()) << directory << " holds no tests";
  for (const std::filesystem::path& path : files) {
    // "ref.json", "optional/bignum.json"
    std::string file = path.lexically_relative(directory).string();
    const json::value document = ReadJson(path);
    for (const json::value& test_case : document.as_array()) {
      ++counts.cases;
      std::string case_description(test_case.at("description").as_string());
      // The suite's files do not name their draft: a draft-04 schema says so here.
      json::value schema_document = test_case.at("schema");
      if (draft == "draft4" && schema_document.is_object() && !schema_document.as_object().contains("$schema")) {
        schema_document.as_object()["$schema"] = "http://json-schema.org/draft-04/schema#";
      }
      Result<std::shared_ptr<const Schema>> schema = Compile(schema_document);
      for (const json::value& test : test_case.at("tests").as_array()) {
        ++counts.tests;
        std::string test_description(test.at("description").as_string());
        seen.emplace(file, case_description, test_description);
        bool expected_valid = test.at("valid").as_bool();
        std::string outcome;
        if (!schema.ok()) {
          outcome = "the schema does not compile: " + schema.error().message;
        } else {
          std::vector<Violation> violations = Validate(**schema, test.at("data"));
          if (violations.empty() != expected_valid) {
            outcome = expected_valid ? "valid data refused: " + Describe(violations.front()) : "invalid data accepted";
          }
        }
        bool listed = Listed(draft, file, case_description, test_description);
        std::string where =
            std::string(draft) + "/" + file + ": \"" + case_description + "\": \"" + test_description + "\"";
        if (outcome.empty()) {
          ++counts.passed;
          EXPECT_FALSE(listed) << where << " passes, but is listed as a known failure: take it off the list";
        } else {
          ++counts.known_failures;
          EXPECT_TRUE(listed) << where << ": " << outcome;
        }
      }
    }
  }
  return counts;
}

void RunSuite(std::string_view draft) {
  ASSERT_TRUE(std::filesystem::is_directory(kSuiteDirectory / draft))
      << (kSuiteDirectory / draft) << " is missing: install Debian's json-schema-test-suite (scripts/install-deps.sh)";
  std::set<std::tuple<std::string, std::string, std::string>> seen;
  Counts counts = RunDraft(draft, seen);
  for (const KnownFailure& known : kKnownFailures) {
    if (known.draft != draft) continue;
    bool found = false;
    for (const auto& [file, test_case, test] : seen) {
      found =
          found || (file == known.file && test_case == known.test_case && (known.test.empty() || test == known.test));
    }
    EXPECT_TRUE(found) << draft << "/" << known.file << ": \"" << known.test_case << "\" \"" << known.test
                       << "\" is listed as a known failure but is not in the suite";
  }
  std::cout << draft << ": " << counts.cases << " cases, " << counts.tests << " tests: " << counts.passed << " pass, "
            << counts.known_failures << " fail\n";
}

TEST(JsonSchemaSuite, Draft7) { RunSuite("draft7"); }

TEST(JsonSchemaSuite, Draft4) { RunSuite("draft4"); }

}  // namespace
}  // namespace agentbase::jsonschema
