// JSON Schema validation (src/jsonschema): jsonschema::Compile on a schema a
// tenant's tool declares, then jsonschema::Validate of a value against it.
// Both are hostile input there.
//
// Properties: no crash, exception or leak; Compile's errors are invalid input
// with code "json-schema" and a message; Validate gives at most `limit`
// violations, each with a keyword, a message and a path that is a JSON
// Pointer to a value of the instance; the same answer twice; with limit 1, the
// first of several violations.
//
// Input: the schema's JSON, a NUL byte, the instance's JSON (JSON text holds
// no raw NUL). Without a NUL byte the schema validates itself.

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_check.hpp"
#include "jsonschema/schema.hpp"

using namespace agentbase;

namespace {

void CheckViolations(const std::vector<jsonschema::Violation>& violations, const boost::json::value& instance,
                     std::size_t limit) {
  fuzz::Require(violations.size() <= limit, "more violations than the limit");
  for (const jsonschema::Violation& violation : violations) {
    std::string described = jsonschema::Describe(violation);
    fuzz::Require(!violation.keyword.empty() && !violation.message.empty(), "a violation without keyword or message",
                  described);
    fuzz::Require(violation.path.empty() || violation.path.front() == '/', "a path that is no JSON Pointer", described);
    boost::system::error_code ec;
    fuzz::Require(instance.find_pointer(violation.path, ec) != nullptr, "a path to no value of the instance",
                  described);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  std::size_t nul = text.find('\0');
  std::string_view schema_text = text.substr(0, nul);
  std::string_view instance_text = nul == std::string_view::npos ? schema_text : text.substr(nul + 1);

  boost::system::error_code ec;
  boost::json::value schema_document = boost::json::parse(schema_text, ec);
  if (ec) return 0;
  boost::json::value instance = boost::json::parse(instance_text, ec);
  if (ec) return 0;

  Result<std::shared_ptr<const jsonschema::Schema>> schema = jsonschema::Compile(schema_document);
  if (!schema) {
    const Error& error = schema.error();
    fuzz::Require(error.Is(ErrorKind::kInvalidInput) && error.code == "json-schema" && !error.message.empty(),
                  "a compile error that is not invalid input with code json-schema and a message",
                  error.code + ": " + error.message);
    fuzz::Trace("refused", error.message);
    return 0;
  }

  constexpr std::size_t kLimit = 5;
  std::vector<jsonschema::Violation> violations = jsonschema::Validate(**schema, instance, kLimit);
  CheckViolations(violations, instance, kLimit);
  fuzz::Require(jsonschema::Validate(**schema, instance, kLimit) == violations, "two answers for one instance");
  // With limit 1 the evaluation ends at its first violation, so it may end
  // before a bound the longer one reached (which then answers with that bound alone).
  std::vector<jsonschema::Violation> first = jsonschema::Validate(**schema, instance, 1);
  fuzz::Require(first.empty() == violations.empty() && (violations.size() < 2 || first.front() == violations.front()),
                "limit 1 does not give the first violation");
  fuzz::Trace(violations.empty() ? "valid" : "invalid",
              violations.empty() ? std::string() : jsonschema::Describe(violations.front()));
  return 0;
}
