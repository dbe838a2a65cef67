#pragma once
// JSON Schema validation of values written by tenants: a tool declares a
// schema for its configuration and for its call input, and every write is
// checked against it, with errors that name the failing place and keyword.
//
// Schemas are parsed by valijson (Debian's libvalijson-dev); the checking is
// our own, over valijson's parsed constraints, so that every violation knows
// its keyword and every bound below holds.
//
// Drafts: draft-07 (the default when "$schema" is absent) and draft-04
// ("$schema": "http://json-schema.org/draft-04/schema#"); any other "$schema"
// is refused. "format" is an annotation only: it is never checked.
// "$ref" reaches only into the same document ("#/definitions/x"); a reference
// to another document is refused when the schema is compiled, never fetched.
// "$id" does not change the base of references (valijson reads "id" only).
// Patterns are ECMAScript as libstdc++'s std::regex reads it, over bytes: no
// backreferences, no lookbehind, no \p{...}, and "." matches one byte of a
// multi-byte UTF-8 character. Numbers compare as doubles.
//
// Schemas and instances are treated as hostile. The bounds:
//   Compile
//   - a schema of at most kMaxSchemaValues JSON values, nested at most
//     kMaxSchemaDepth deep, with no NUL byte anywhere, and "$ref" and "id"
//     strings of at most kMaxReferenceBytes;
//   - no "$ref" chain that leads back to itself, and no subschema that
//     applies itself to the same value again (through allOf, anyOf, oneOf,
//     not, if/then/else or dependencies) without descending into it: either
//     would never end;
//   - valijson's parse uses at most kCompileStackBytes of the caller's stack
//     (about 400 nested "$ref" hops) and makes at most kMaxSubschemas
//     subschemas;
//   - each pattern weighs at most kMaxPatternWeight (about one unit per
//     character, "x{n}" counting n times) and nests groups at most
//     kMaxPatternNesting deep.
//   Validate
//   - an instance nested deeper than kMaxInstanceDepth is refused whole;
//   - a string longer than kMaxPatternSubjectBytes is not matched against a
//     pattern (or a patternProperties key): a "pattern" violation;
//   - all pattern matching of one Validate may cost kMaxPatternWork units
//     (subject bytes times pattern weight, squared bytes for lookaheads);
//   - all other work of one Validate may take kMaxValidationSteps steps (one
//     per subschema applied to a value, one per value compared or hashed for
//     enum, const and uniqueItems), nested at most kMaxEvaluationDepth deep.
// A Validate that reaches a bound stops there and answers with that one
// violation (keyword "pattern" for the pattern bounds, kLimitKeyword for the
// others): such an instance is refused, not half-checked. Measured on the
// 2-core development machine, the most a Validate can take within these
// bounds is about 50 ms, and it uses under 1 MB of stack.

#include <boost/json/value.hpp>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "util/result.hpp"

namespace agentbase::jsonschema {

inline constexpr std::size_t kMaxSchemaValues = 10'000;
inline constexpr std::size_t kMaxSchemaDepth = 64;
inline constexpr std::size_t kMaxReferenceBytes = 1'000;
inline constexpr std::size_t kCompileStackBytes = 1024 * 1024;
inline constexpr std::size_t kMaxSubschemas = 2 * kMaxSchemaValues;
inline constexpr std::uint64_t kMaxPatternWeight = 1'000;
inline constexpr std::size_t kMaxPatternNesting = 32;

inline constexpr std::size_t kMaxInstanceDepth = 64;
inline constexpr std::size_t kMaxPatternSubjectBytes = 100'000;
inline constexpr std::uint64_t kMaxPatternWork = 2'000'000;
inline constexpr std::uint64_t kMaxValidationSteps = 200'000;
inline constexpr std::size_t kMaxEvaluationDepth = 512;

// The keyword of a violation that says a bound above was reached.
inline constexpr std::string_view kLimitKeyword = "limit";

enum class Draft { kDraft4, kDraft7 };

struct Violation {
  // JSON Pointer (RFC 6901) of the failing value in the instance: "" for the
  // root, "/retries", "/headers/0", "/a~1b" for the member "a/b".
  std::string path;
  // The schema keyword that failed: "type", "maximum", "required",
  // "additionalProperties", "pattern", "enum", ...; "false" for a false
  // schema; kLimitKeyword for a bound.
  std::string keyword;
  // Short and human readable: "must be <= 5".
  std::string message;

  bool operator==(const Violation&) const = default;
};

// A compiled schema: immutable, and Validate may use it on several threads at once.
class Schema;

// Compiles a schema document. A document that is not a schema, an
// unsupported "$schema", a reference to another document, an invalid or
// refused pattern, or a schema over a bound is an error (kInvalidInput,
// code "json-schema"), never an exception.
Result<std::shared_ptr<const Schema>> Compile(const boost::json::value& schema);

Draft DraftOf(const Schema& schema);

// Every violation of `instance`, at most `limit` (and at least one when it
// is invalid), in a stable order: by subschema, "type" first, then the other
// keywords; members and items in order. Empty when the instance is valid.
std::vector<Violation> Validate(const Schema& schema, const boost::json::value& instance, std::size_t limit = 20);

// One line for an error message: "/retries: maximum: must be <= 5"; the root
// is "(root)".
std::string Describe(const Violation& violation);

}  // namespace agentbase::jsonschema
