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
// "contentMediaType" and "contentEncoding" are annotations too.
// Patterns are ECMAScript as libstdc++'s std::regex reads it, over bytes: no
// backreferences, no lookbehind, no \p{...}, and "." matches one byte of a
// multi-byte UTF-8 character. A number with a zero fraction (1.0) is an
// integer from draft-06 on, not in draft-04 (unless beyond 64 bits); enum,
// const and uniqueItems compare numbers exactly (1 equals 1.0); minimum,
// maximum and multipleOf hold their bound as a double.
//
// Schemas and instances are treated as hostile: the bounds below keep a
// Compile or a Validate from crashing the process or holding a thread for
// long. A Validate that reaches a bound stops there and answers with that one
// violation (keyword "pattern" for the pattern bounds, kLimitKeyword for the
// others): such an instance is refused, never half-checked.

#include <boost/json/value.hpp>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "util/result.hpp"

namespace agentbase::jsonschema {

// --- Bounds of Compile (a schema over one is an error) ---

// JSON values in the schema document, and how deep they nest.
inline constexpr std::size_t kMaxSchemaValues = 10'000;
inline constexpr std::size_t kMaxSchemaDepth = 64;
// The longest "$ref" or "id" string: valijson tells URNs from other
// references with a backtracking std::regex of its own, which recurses once
// per character (1,000 bytes take 320 KB of stack; 512 about 160 KB). No NUL
// byte is allowed anywhere in a schema either: valijson keeps names and
// patterns as C strings.
inline constexpr std::size_t kMaxReferenceBytes = 512;
// The stack valijson's parser may use. It recurses once per nested schema and
// once per "$ref" it follows to a place not parsed yet, about 2.5 KB each
// (measured, RelWithDebInfo): 1 MB is about 400 such hops. With the URN
// check above, Compile needs about 1.2 MB of the caller's stack at most.
inline constexpr std::size_t kCompileStackBytes = 1024 * 1024;
// Subschemas valijson may make (a reference to "#" parses the root twice).
inline constexpr std::size_t kMaxSubschemas = 2 * kMaxSchemaValues;
// A "$ref" chain back to itself, and a subschema that applies itself to the
// same value (through allOf, anyOf, oneOf, not, if/then/else or
// dependencies, with no properties or items between), are refused: either
// would never end.

// Each pattern's weight, an upper estimate of the states of its NFA: about
// one per character or class, with "x{n}" counting x n times plus n
// (detail::WeighPattern says exactly). And how deep its groups nest.
// Backreferences, lookbehind and a lookahead inside a lookahead are refused:
// the polynomial mode (see kMaxPatternSubjectBytes) cannot run them.
inline constexpr std::uint64_t kMaxPatternWeight = 1'000;
inline constexpr std::size_t kMaxPatternNesting = 32;

// --- Bounds of Validate (an instance over one gets one violation) ---

// How deep the instance nests (checked before anything else).
inline constexpr std::size_t kMaxInstanceDepth = 64;
// The longest string or property name matched against a pattern: patterns
// are for names, identifiers, codes and URLs, not documents. (libstdc++'s
// default std::regex, which valijson uses, recurses per character: with an
// 8 MB stack "^(a|b)*$" crashes at 11,200 bytes and "^[a-z]*$" at 26,200,
// and "^(a+)+$" takes 6.7 s on 28 'a's and a 'b'. Patterns here run in
// libstdc++'s polynomial mode, linear in the subject with no recursion per
// byte, so this bound, like the next, is one of cost.)
inline constexpr std::size_t kMaxPatternSubjectBytes = 10'000;
// The work all pattern searches of one Validate may take, in units of
// (subject bytes + 1) * (pattern weight + 16), plus (subject bytes + 1)^2 *
// weight for a lookahead, which runs again from every position. Typically
// it allows some 2,000 matches of short strings.
inline constexpr std::uint64_t kMaxPatternWork = 2'000'000;
// The other work of one Validate: three steps per subschema applied to a
// value, one per keyword checked, per value compared or hashed (enum, const,
// uniqueItems), per member or item looked up, and per 64 bytes read or
// copied (maxLength and minLength count characters, comparisons, names
// added to a violation's path).
inline constexpr std::uint64_t kMaxValidationSteps = 1'000'000;
// What the two budgets cost, measured in thread CPU time on the shared 2-core
// development machine (RelWithDebInfo, load 5 to 7 from other builds), with
// the costliest inputs found: a pattern unit 2 to 15 ns ("(a|aa){1,100}c",
// all states live, is the worst), so the pattern budget 17 to 30 ms; a step
// 8 to 16 ns (applying subschemas to 200,000 items, 1,000 maxLength checks of
// a 10 MB string, anyOf over many items, a schema that doubles per level),
// so the step budget at most 16 ms. A Validate thus ends within about 50 ms.

// Subschemas applied within each other (each level uses about 300 bytes of
// stack: at this depth a Validate uses about 170 KB).
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
  // schema; kLimitKeyword (or "pattern") for a bound.
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
// is invalid), in a stable order: subschema by subschema, "type" first, then
// the other keywords in valijson's order; "properties" by name, the other
// members and the items in the instance's order. Empty when it is valid.
std::vector<Violation> Validate(const Schema& schema, const boost::json::value& instance, std::size_t limit = 20);

// One line for an error message: "/retries: maximum: must be <= 5"; the root
// is "(root)".
std::string Describe(const Violation& violation);

}  // namespace agentbase::jsonschema
