// PostgREST's own hspec cases (test/spec/Feature/Query/*Spec.hs in
// PostgREST/postgrest), ported as data: each *.json file next to this one is
// an area, an array of requests with the answers PostgREST gives. They run
// in-process through RestApi against one database loaded with fixture.sql,
// with schema `test` exposed and `anon` as the anonymous role.
//
// A case that fails must be listed in known_differences.json with the reason;
// a listed case that passes must be removed from it. So the file is the to-do
// list of dialect features still missing.
//
// Environment:
//   PGRST_SPEC_ONLY=<substring>   run only cases whose id or area contains it
//   PGRST_SPEC_VERBOSE=1          print every failing case (also known ones)
//   PGRST_SPEC_DUMP=<file>        write the failing cases' ids and a short
//                                 description of how the answer differed

#include <gtest/gtest.h>

#include <algorithm>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/json.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <map>
#include <memory>
#include <set>
#include <sstream>

#include "../harness.hpp"
#include "auth/jwt.hpp"
#include "rest/rest_api.hpp"
#include "util/text.hpp"

namespace agentbase::testing {

namespace asio = boost::asio;
namespace json = boost::json;
namespace fs = std::filesystem;

namespace {

constexpr const char* kSecret = "a-postgrest-spec-secret-long-enough-for-hs256";
const char* kDir = "tests/integration/postgrest_spec";

struct Case {
  std::string area;
  std::string id;
  std::string spec;
  json::object raw;
};

struct Outcome {
  bool passed = false;
  std::string why;  // what differed
};

std::string Lower(std::string text) {
  for (auto& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

// Spaces and non-ASCII bytes in a target are percent-encoded, as any client
// would send them; everything else is sent as written in the case.
std::string EncodeTarget(const std::string& target) {
  std::string out;
  static const char* hex = "0123456789ABCDEF";
  for (unsigned char c : target) {
    if (c == ' ' || c >= 0x80 || c == '"') {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

std::string Short(const std::string& text, size_t n = 300) { return text.size() <= n ? text : text.substr(0, n) + "…"; }

// Whether `actual` matches `expected`: objects have the same keys (or, with
// subset, at least the expected ones), arrays the same items in order (or in
// any order with unordered, which applies at every level).
bool Matches(const json::value& expected, const json::value& actual, bool unordered, bool subset) {
  if (expected.is_object()) {
    if (!actual.is_object()) return false;
    const auto& e = expected.as_object();
    const auto& a = actual.as_object();
    if (!subset && e.size() != a.size()) return false;
    for (const auto& [key, value] : e) {
      auto it = a.find(key);
      if (it == a.end() || !Matches(value, it->value(), unordered, subset)) return false;
    }
    return true;
  }
  if (expected.is_array()) {
    if (!actual.is_array()) return false;
    const auto& e = expected.as_array();
    const auto& a = actual.as_array();
    if (e.size() != a.size()) return false;
    if (!unordered) {
      for (size_t i = 0; i < e.size(); ++i) {
        if (!Matches(e[i], a[i], unordered, subset)) return false;
      }
      return true;
    }
    std::vector<bool> used(a.size(), false);
    for (const auto& item : e) {
      bool found = false;
      for (size_t i = 0; i < a.size() && !found; ++i) {
        if (!used[i] && Matches(item, a[i], unordered, subset)) used[i] = found = true;
      }
      if (!found) return false;
    }
    return true;
  }
  if (expected.is_number() && actual.is_number()) {
    json::error_code ec1, ec2;
    double x = expected.to_number<double>(ec1), y = actual.to_number<double>(ec2);
    return !ec1 && !ec2 && x == y;
  }
  return expected == actual;
}

class PostgrestSpecTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    database_ = new TestDatabase();
    // The Supabase roles (anon, authenticated, service_role, authenticator).
    auto push = RunAgentbase("db push " + database_->DbUrlFlag());
    ASSERT_EQ(push.exit_code, 0) << push.out << push.err;
    database_->ExecFile(std::string(kDir) + "/fixture.sql");
    // Planned counts read the planner's estimates, as after autovacuum.
    database_->Exec("ANALYZE");
  }
  static void TearDownTestSuite() {
    delete database_;
    database_ = nullptr;
  }

  static std::string TokenFor(const std::string& role) {
    auto key = auth::SigningKey::FromSecret(kSecret, "");
    json::object claims{{"role", role}, {"exp", auth::UnixNow() + 3600}};
    if (role == "authenticated") claims["sub"] = "00000000-0000-0000-0000-0000000000a1";
    return *auth::Sign(claims, *key);
  }

  static http::Request MakeRequest(const json::object& c) {
    http::Request request;
    request.method = c.contains("method") ? std::string(c.at("method").as_string()) : "GET";
    std::string target = "/rest/v1" + EncodeTarget(std::string(c.at("path").as_string()));
    request.target = target;
    auto question = target.find('?');
    request.path = target.substr(0, question);
    request.query = question == std::string::npos ? "" : target.substr(question + 1);
    if (auto* headers = c.if_contains("headers")) {
      for (const auto& [name, value] : headers->as_object()) {
        request.headers.emplace_back(Lower(std::string(name)), std::string(value.as_string()));
      }
    }
    if (auto* role = c.if_contains("role")) {
      request.headers.emplace_back("authorization", "Bearer " + TokenFor(std::string(role->as_string())));
    }
    if (auto* body = c.if_contains("body")) {
      request.body = body->is_string() ? std::string(body->as_string()) : json::serialize(*body);
      bool typed = false;
      for (const auto& [name, value] : request.headers) typed = typed || name == "content-type";
      if (!typed) request.headers.emplace_back("content-type", "application/json");
    }
    return request;
  }

  static Outcome Judge(const json::object& c, const http::Response& response) {
    Outcome outcome;
    std::string content_type;
    std::ostringstream headers_text;
    for (const auto& [name, value] : response.headers) {
      if (Lower(name) == "content-type") content_type = value;
      headers_text << name << ": " << value << "; ";
    }
    const auto& expect = c.at("expect").as_object();
    std::ostringstream why;
    if (auto* status = expect.if_contains("status")) {
      if (status->to_number<int64_t>() != response.status) {
        why << "status " << response.status << " (expected " << status->to_number<int64_t>() << "); ";
      }
    }
    bool unordered = expect.contains("unordered") && expect.at("unordered").as_bool();
    bool subset = expect.contains("subset") && expect.at("subset").as_bool();
    if (auto* body = expect.if_contains("body")) {
      json::error_code ec;
      auto actual = json::parse(response.body, ec);
      if (ec) {
        why << "body is not JSON: " << Short(response.body) << "; ";
      } else if (!Matches(*body, actual, unordered, subset)) {
        why << "body " << Short(json::serialize(actual), 600) << " (expected " << Short(json::serialize(*body), 600)
            << "); ";
      }
    }
    if (auto* text = expect.if_contains("body_text")) {
      if (response.body != text->as_string()) {
        why << "body text " << json::serialize(json::value(response.body)) << " (expected " << json::serialize(*text)
            << "); ";
      }
    }
    if (auto* headers = expect.if_contains("headers")) {
      for (const auto& [name, value] : headers->as_object()) {
        std::optional<std::string> found;
        for (const auto& [key, actual] : response.headers) {
          if (Lower(key) == Lower(std::string(name))) found = actual;
        }
        if (value.is_null()) {
          if (found) why << "header " << name << " present: " << *found << "; ";
        } else if (!found) {
          why << "header " << name << " missing; ";
        } else if (Lower(*found) != Lower(std::string(value.as_string()))) {
          why << "header " << name << ": " << *found << " (expected " << std::string(value.as_string()) << "); ";
        }
      }
    }
    outcome.why = why.str();
    outcome.passed = outcome.why.empty();
    if (!outcome.passed) outcome.why += "headers: " + headers_text.str();
    return outcome;
  }

  // A case's shape: a misspelt key would be ignored and could leave a case
  // that checks nothing, and an unknown setting would run it without the
  // setting it needs. Every case expects a status.
  static void CheckShape(const Case& c) {
    static const std::set<std::string> case_keys = {"id",   "spec", "method",  "path",   "headers",
                                                    "role", "body", "schemas", "config", "expect"};
    static const std::set<std::string> expect_keys = {"status", "body", "body_text", "unordered", "subset", "headers"};
    static const std::set<std::string> settings = {"db-aggregates-enabled = true", "db-plan-enabled = true"};
    for (const auto& [key, value] : c.raw) {
      if (!case_keys.count(std::string(key))) ADD_FAILURE() << c.id << ": unknown key " << key;
    }
    if (auto* config = c.raw.if_contains("config")) {
      if (!config->is_string() || !settings.count(std::string(config->as_string()))) {
        ADD_FAILURE() << c.id << ": config " << json::serialize(*config) << " is none the runner knows";
      }
    }
    auto* expect = c.raw.if_contains("expect");
    if (!expect || !expect->is_object()) {
      ADD_FAILURE() << c.id << ": no expect object";
      return;
    }
    for (const auto& [key, value] : expect->as_object()) {
      if (!expect_keys.count(std::string(key))) ADD_FAILURE() << c.id << ": unknown expect key " << key;
    }
    if (!expect->as_object().contains("status")) ADD_FAILURE() << c.id << ": expect has no status";
  }

  static std::vector<Case> LoadCases() {
    std::vector<Case> cases;
    std::vector<fs::path> files;
    for (const auto& entry : fs::directory_iterator(fs::path(AGENTBASE_SOURCE_DIR) / kDir)) {
      auto name = entry.path().filename().string();
      if (entry.path().extension() == ".json" && name != "known_differences.json") files.push_back(entry.path());
    }
    std::sort(files.begin(), files.end());
    std::set<std::string> ids;
    for (const auto& file : files) {
      auto parsed = json::parse(ReadRepoFile(std::string(kDir) + "/" + file.filename().string()));
      for (const auto& item : parsed.as_array()) {
        Case c;
        c.area = file.stem().string();
        c.raw = item.as_object();
        c.id = std::string(c.raw.at("id").as_string());
        c.spec = c.raw.contains("spec") ? std::string(c.raw.at("spec").as_string()) : "";
        if (!ids.insert(c.id).second) ADD_FAILURE() << "duplicate case id " << c.id;
        CheckShape(c);
        cases.push_back(std::move(c));
      }
    }
    return cases;
  }

  static TestDatabase* database_;
};

TestDatabase* PostgrestSpecTest::database_ = nullptr;

}  // namespace

TEST_F(PostgrestSpecTest, PortedCasesMatchPostgrest) {
  auto cases = LoadCases();
  auto known_json = json::parse(ReadRepoFile(std::string(kDir) + "/known_differences.json")).as_object();
  std::map<std::string, std::string> known;
  for (const auto& [id, reason] : known_json) known[std::string(id)] = std::string(reason.as_string());
  for (const auto& [id, reason] : known) {
    bool exists = std::any_of(cases.begin(), cases.end(), [&](const Case& c) { return c.id == id; });
    if (!exists) ADD_FAILURE() << "known_differences.json lists " << id << ", which is no case";
  }
  const char* only = std::getenv("PGRST_SPEC_ONLY");
  const char* verbose_env = std::getenv("PGRST_SPEC_VERBOSE");
  bool verbose = verbose_env && std::string(verbose_env) == "1";

  auto keys = auth::KeySet::FromConfig(kSecret);
  ASSERT_TRUE(keys.ok());

  std::vector<std::pair<const Case*, Outcome>> results;
  {
    asio::io_context io;
    db::Pool pool(io.get_executor(), database_->Conninfo() + " user=authenticator", db::PoolOptions{});
    // One RestApi per configuration. A case may name the schemas PostgREST's
    // spec exposes ("schemas", default ["test"]), the first the default, and
    // settings it turns on ("config": db-aggregates-enabled, db-plan-enabled).
    std::map<std::string, std::unique_ptr<rest::RestApi>> apis;
    auto api_for = [&](const json::object& c) -> rest::RestApi& {
      std::string schema = "test";
      if (auto* schemas = c.if_contains("schemas")) {
        std::vector<std::string> names;
        for (const auto& name : schemas->as_array()) names.emplace_back(name.as_string());
        schema = Join(names, ",");
      }
      std::string config;
      if (auto* setting = c.if_contains("config")) config = std::string(setting->as_string());
      auto& slot = apis[schema + "\n" + config];
      if (!slot) {
        rest::RestOptions options;
        options.schema = schema;
        options.aggregates_enabled = config == "db-aggregates-enabled = true";
        options.plan_enabled = config == "db-plan-enabled = true";
        options.extra_search_path = "public";
        options.max_rows = std::nullopt;
        slot = std::make_unique<rest::RestApi>(pool, *keys, options);
        auto admin = database_->Connect();
        auto cache = rest::SchemaCache::Load(admin, schema);
        if (!cache.ok()) throw std::runtime_error("schema cache of " + schema + ": " + cache.error().message);
        slot->SetSchemaCache(*cache);
      }
      return *slot;
    };
    auto run = [&]() -> asio::awaitable<void> {
      for (const auto& c : cases) {
        if (only && c.id.find(only) == std::string::npos && c.area.find(only) == std::string::npos) continue;
        auto request = MakeRequest(c.raw);
        bool head = request.method == "HEAD";
        auto response = co_await api_for(c.raw).Handle(std::move(request));
        // The HTTP server sends no body for HEAD (src/http/server.cpp).
        if (head) response.body.clear();
        results.emplace_back(&c, Judge(c.raw, response));
      }
    };
    std::exception_ptr failure;
    asio::co_spawn(io, run(), [&](std::exception_ptr e) {
      failure = e;
      io.stop();
    });
    io.run();
    if (failure) std::rethrow_exception(failure);
  }

  std::map<std::string, std::pair<int, int>> table;  // area -> passed, total
  json::object dump;
  int passed = 0;
  for (const auto& [c, outcome] : results) {
    auto& row = table[c->area];
    ++row.second;
    bool listed = known.count(c->id) > 0;
    if (outcome.passed) {
      ++row.first;
      ++passed;
      if (listed) ADD_FAILURE() << c->id << " now passes: remove it from known_differences.json";
      continue;
    }
    dump[c->id] = outcome.why;
    if (!listed) {
      ADD_FAILURE() << c->id << " (" << c->spec << "): " << outcome.why;
    } else if (verbose) {
      std::cout << "[known] " << c->id << " (" << known[c->id] << "): " << outcome.why << "\n";
    }
  }
  std::cout << "\nPostgREST spec cases: passed/total by area\n";
  for (const auto& [area, row] : table) {
    std::cout << "  " << std::left << std::setw(28) << area << std::right << std::setw(4) << row.first << "/"
              << row.second << "\n";
  }
  std::cout << "  " << std::left << std::setw(28) << "TOTAL" << std::right << std::setw(4) << passed << "/"
            << results.size() << "\n\n";
  if (const char* path = std::getenv("PGRST_SPEC_DUMP")) {
    std::ofstream(path) << json::serialize(dump);
  }
}

}  // namespace agentbase::testing
