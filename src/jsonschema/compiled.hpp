#pragma once
// What Compile makes and Validate reads: valijson's parsed schema and the
// compiled patterns it uses. Nothing here changes after Compile returns.

#include <string>
#include <unordered_map>

#include "jsonschema/pattern.hpp"
#include "jsonschema/schema.hpp"
#include "jsonschema/valijson.hpp"

namespace agentbase::jsonschema {

namespace detail {
// valijson's allocation hooks for subschemas: they count against the budget
// of the compile running on this thread (kMaxSubschemas).
void* AllocateSubschema(std::size_t size);
void FreeSubschema(void* memory);
}  // namespace detail

class Schema {
 public:
  explicit Schema(Draft draft) : draft(draft), parsed(detail::AllocateSubschema, detail::FreeSubschema) {}
  Schema(const Schema&) = delete;
  Schema& operator=(const Schema&) = delete;

  const Draft draft;
  // The root and owner of every subschema.
  valijson::Schema parsed;
  // Every "pattern" and "patternProperties" key the schema can reach, by source.
  std::unordered_map<std::string, detail::Pattern> patterns;
};

}  // namespace agentbase::jsonschema
