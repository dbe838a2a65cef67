// Compile: checks the document's shape, lets valijson parse it, then walks
// what valijson made to compile its patterns and refuse what could not be
// validated safely.

#include <fmt/format.h>

#include <boost/json/value.hpp>
#include <cctype>
#include <cmath>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "jsonschema/compiled.hpp"
#include "jsonschema/json_value.hpp"
#include "jsonschema/schema_node.hpp"

namespace agentbase::jsonschema {
namespace {

namespace json = boost::json;
using valijson::Subschema;

constexpr const char* kErrorCode = "json-schema";

Error SchemaError(std::string message) { return Error::InvalidInput(std::move(message), kErrorCode); }

// --- $schema -----------------------------------------------------------------

Result<Draft> ReadDraft(const json::value& document) {
  if (!document.is_object()) return Draft::kDraft7;  // true, false, or not a schema (valijson says so)
  const json::value* declared = document.get_object().if_contains("$schema");
  if (declared == nullptr) return Draft::kDraft7;
  if (!declared->is_string()) return SchemaError("$schema must be a string");
  std::string_view uri = declared->get_string();
  std::string_view bare = uri;
  if (bare.ends_with('#')) bare.remove_suffix(1);
  if (bare.starts_with("https://")) {
    bare.remove_prefix(8);
  } else if (bare.starts_with("http://")) {
    bare.remove_prefix(7);
  }
  if (bare == "json-schema.org/draft-07/schema") return Draft::kDraft7;
  if (bare == "json-schema.org/draft-04/schema") return Draft::kDraft4;
  return SchemaError(fmt::format(
      "unsupported $schema {}: only draft-07 (the default when $schema is absent) and draft-04 schemas are supported",
      detail::QuoteAbbreviated(uri, 200)));
}

// --- the document's shape ------------------------------------------------------

// The value a "#..." reference names, or null when it names nothing: the same
// reading valijson gives it (empty tokens skipped, ~1 and ~0, %-escapes).
const json::value* ResolveFragment(const json::value& root, std::string_view fragment) {
  const json::value* node = &root;
  std::size_t at = 0;
  while (at < fragment.size()) {
    if (fragment[at] != '/') return nullptr;
    std::size_t end = fragment.find('/', at + 1);
    if (end == std::string_view::npos) end = fragment.size();
    std::string token;
    for (std::size_t i = at + 1; i < end; ++i) {
      char c = fragment[i];
      if (c == '~' && i + 1 < end && (fragment[i + 1] == '0' || fragment[i + 1] == '1')) {
        token += fragment[i + 1] == '0' ? '~' : '/';
        ++i;
      } else if (c == '%' && i + 2 < end && std::isxdigit(static_cast<unsigned char>(fragment[i + 1])) &&
                 std::isxdigit(static_cast<unsigned char>(fragment[i + 2]))) {
        token += static_cast<char>(std::stoi(std::string(fragment.substr(i + 1, 2)), nullptr, 16));
        i += 2;
      } else {
        token += c;
      }
    }
    at = end;
    if (token.empty()) continue;
    if (node->is_object()) {
      node = node->get_object().if_contains(token);
    } else if (node->is_array()) {
      if (token.find_first_not_of("0123456789") != std::string::npos || token.size() > 9) return nullptr;
      std::size_t index = std::stoul(token);
      if (index >= node->get_array().size()) return nullptr;
      node = &node->get_array()[index];
    } else {
      return nullptr;
    }
    if (node == nullptr) return nullptr;
  }
  return node;
}

// The bounds on the document itself, before valijson sees it: its size and
// depth, NUL bytes (valijson keeps names and patterns as C strings), the
// length of the strings valijson matches with a backtracking std::regex of
// its own ("$ref" and "id", to tell URNs), and "$ref" chains that lead back to
// themselves (valijson would follow them until the stack runs out).
class ShapeCheck {
 public:
  explicit ShapeCheck(const json::value& root) : root_(root) {}

  Status Run() {
    if (Status visited = Visit(root_, 0); !visited) return visited;
    return CheckReferenceCycles();
  }

 private:
  Status Visit(const json::value& value, std::size_t depth) {
    if (++values_ > kMaxSchemaValues) {
      return SchemaError(fmt::format("the schema has more than {} JSON values", kMaxSchemaValues));
    }
    if (depth > kMaxSchemaDepth) {
      return SchemaError(fmt::format("the schema nests deeper than {} levels (at {})", kMaxSchemaDepth, Here()));
    }
    if (value.is_string() && value.get_string().find('\0') != json::string_view::npos) {
      return SchemaError(fmt::format("the schema holds a NUL byte (at {})", Here()));
    }
    if (value.is_array()) {
      std::size_t index = 0;
      for (const json::value& item : value.get_array()) {
        std::size_t length = path_.size();
        detail::AppendPointerToken(path_, std::to_string(index++));
        if (Status visited = Visit(item, depth + 1); !visited) return visited;
        path_.resize(length);
      }
    } else if (value.is_object()) {
      for (const json::key_value_pair& member : value.get_object()) {
        std::size_t length = path_.size();
        detail::AppendPointerToken(path_, member.key());
        if (member.key().find('\0') != json::string_view::npos) {
          return SchemaError(fmt::format("the schema holds a NUL byte in a name (at {})", Here()));
        }
        if ((member.key() == "$ref" || member.key() == "id") && member.value().is_string()) {
          std::string_view text = member.value().get_string();
          if (text.size() > kMaxReferenceBytes) {
            return SchemaError(fmt::format("{} is longer than {} bytes", Here(), kMaxReferenceBytes));
          }
          if (member.key() == "$ref") references_.emplace_back(&value, text);
        }
        if (Status visited = Visit(member.value(), depth + 1); !visited) return visited;
        path_.resize(length);
      }
    }
    return Ok();
  }

  std::string Here() const { return path_.empty() ? "the root" : path_; }

  Status CheckReferenceCycles() {
    // Each object with a "$ref" leads to at most one other such object.
    std::unordered_map<const json::value*, std::string_view> reference_of;
    for (const auto& [object, reference] : references_) reference_of.emplace(object, reference);
    auto next = [&](const json::value* object) -> const json::value* {
      std::string_view reference = reference_of.at(object);
      // An absolute URI or a URN names another document, refused when
      // valijson reaches it. Any other reference valijson may read as one
      // into this document, by its fragment ("foo" as "#": the root).
      if (reference.find("://") != std::string_view::npos || reference.starts_with("urn:") ||
          reference.starts_with("URN:")) {
        return nullptr;
      }
      std::size_t hash = reference.find('#');
      std::string_view fragment = hash == std::string_view::npos ? "" : reference.substr(hash + 1);
      const json::value* target = ResolveFragment(root_, fragment);
      if (target == nullptr || !reference_of.contains(target)) return nullptr;
      return target;
    };
    enum class State { kOnPath, kDone };
    std::unordered_map<const json::value*, State> state;
    for (const auto& [start, unused] : references_) {
      std::vector<const json::value*> path;
      for (const json::value* at = start; at != nullptr; at = next(at)) {
        auto found = state.find(at);
        if (found != state.end()) {
          if (found->second == State::kOnPath) return CycleError(path, at, reference_of);
          break;
        }
        state.emplace(at, State::kOnPath);
        path.push_back(at);
      }
      for (const json::value* done : path) state[done] = State::kDone;
    }
    return Ok();
  }

  static Error CycleError(const std::vector<const json::value*>& path, const json::value* entry,
                          const std::unordered_map<const json::value*, std::string_view>& reference_of) {
    std::string chain;
    bool in_cycle = false;
    for (const json::value* object : path) {
      in_cycle = in_cycle || object == entry;
      if (!in_cycle) continue;
      chain += detail::QuoteAbbreviated(reference_of.at(object), 100) + " -> ";
    }
    chain += detail::QuoteAbbreviated(reference_of.at(entry), 100);
    return SchemaError("$ref leads back to itself: " + chain);
  }

  const json::value& root_;
  std::string path_;
  std::size_t values_ = 0;
  std::vector<std::pair<const json::value*, std::string_view>> references_;
};

// --- valijson's parse ------------------------------------------------------------

// Thrown by the fetch hook: a reference to another document is refused, never fetched.
struct RemoteReference : std::runtime_error {
  explicit RemoteReference(const std::string& uri) : std::runtime_error(uri), uri(uri) {}
  std::string uri;
};

struct SubschemaBudgetExhausted : std::runtime_error {
  SubschemaBudgetExhausted() : std::runtime_error("too many subschemas") {}
};

// The subschemas the compile on this thread may still make; null outside a compile.
thread_local std::size_t* t_subschemas_left = nullptr;

class SubschemaBudget {
 public:
  explicit SubschemaBudget(std::size_t count) : left_(count), previous_(t_subschemas_left) {
    t_subschemas_left = &left_;
  }
  ~SubschemaBudget() { t_subschemas_left = previous_; }
  SubschemaBudget(const SubschemaBudget&) = delete;
  SubschemaBudget& operator=(const SubschemaBudget&) = delete;

 private:
  std::size_t left_;
  std::size_t* previous_;
};

Status Parse(const json::value& document, Schema& schema) {
  using Parser = valijson::SchemaParser;
  Parser parser(schema.draft == Draft::kDraft4 ? Parser::kDraft4 : Parser::kDraft7);
  Parser::FunctionPtrs<detail::SchemaNode>::FetchDoc refuse_remote = [](const std::string& uri) -> const json::value* {
    throw RemoteReference(uri);
  };
  Parser::FunctionPtrs<detail::SchemaNode>::FreeDoc free_nothing = [](const json::value*) {};
  SubschemaBudget subschemas(kMaxSubschemas);
  detail::CompileStackGuard stack(kCompileStackBytes);
  // valijson reports a malformed schema by throwing runtime_error or
  // logic_error (its own, std::stoul's out_of_range, Boost.JSON's
  // system_error); each becomes the compile's error. Nothing else is caught.
  try {
    parser.populateSchema(detail::SchemaNode(document), schema.parsed, refuse_remote, free_nothing);
  } catch (const RemoteReference& remote) {
    return SchemaError(
        fmt::format("$ref {} points to another document: only references within the schema (\"#/...\") are "
                    "supported, and nothing is fetched",
                    detail::QuoteAbbreviated(remote.uri, 200)));
  } catch (const detail::CompileStackExhausted&) {
    return SchemaError(
        fmt::format("the schema nests too deeply: parsing it needs more than {} KB of stack (a long chain of "
                    "$refs, each to a place not parsed yet, does this; so does an \"id\" under which a $ref to "
                    "\"#\" parses the document again)",
                    kCompileStackBytes / 1024));
  } catch (const SubschemaBudgetExhausted&) {
    return SchemaError(fmt::format("the schema expands to more than {} subschemas", kMaxSubschemas));
  } catch (const std::runtime_error& error) {
    return SchemaError(std::string("invalid schema: ") + error.what());
  } catch (const std::logic_error& error) {
    return SchemaError(std::string("invalid schema: ") + error.what());
  }
  return Ok();
}

// --- what valijson made ------------------------------------------------------------

// Walks every subschema the root reaches: gathers the patterns, checks the
// values valijson takes as they come (multipleOf), and records which
// subschemas apply which others to the same value, to refuse a cycle there.
class Survey final : public valijson::constraints::ConstraintVisitor {
 public:
  explicit Survey(const Subschema& root) { Reach(&root, false); }

  Status Run() {
    while (!pending_.empty()) {
      current_ = pending_.back();
      pending_.pop_back();
      Subschema::ApplyFunction visit_constraint = [this](const valijson::constraints::Constraint& constraint) {
        return constraint.accept(*this);
      };
      current_->apply(visit_constraint);
      if (problem_) return *problem_;
    }
    return CheckSameValueCycles();
  }

  const std::set<std::string>& Patterns() const { return patterns_; }

  bool visit(const AllOfConstraint& constraint) override {
    constraint.applyToSubschemas([this](unsigned, const Subschema* child) { return Reach(child, true); });
    return true;
  }
  bool visit(const AnyOfConstraint& constraint) override {
    constraint.applyToSubschemas([this](unsigned, const Subschema* child) { return Reach(child, true); });
    return true;
  }
  bool visit(const OneOfConstraint& constraint) override {
    constraint.applyToSubschemas([this](unsigned, const Subschema* child) { return Reach(child, true); });
    return true;
  }
  bool visit(const NotConstraint& constraint) override { return Reach(constraint.getSubschema(), true); }
  bool visit(const ConditionalConstraint& constraint) override {
    Reach(constraint.getIfSubschema(), true);
    Reach(constraint.getThenSubschema(), true);
    return Reach(constraint.getElseSubschema(), true);
  }
  bool visit(const DependenciesConstraint& constraint) override {
    constraint.applyToSchemaDependencies([this](const auto&, const Subschema* child) { return Reach(child, true); });
    return true;
  }
  bool visit(const ContainsConstraint& constraint) override { return Reach(constraint.getSubschema(), false); }
  bool visit(const LinearItemsConstraint& constraint) override {
    constraint.applyToItemSubschemas([this](unsigned, const Subschema* child) { return Reach(child, false); });
    return Reach(constraint.getAdditionalItemsSubschema(), false);
  }
  bool visit(const SingularItemsConstraint& constraint) override {
    return Reach(constraint.getItemsSubschema(), false);
  }
  bool visit(const PropertiesConstraint& constraint) override {
    constraint.applyToProperties([this](const auto&, const Subschema* child) { return Reach(child, false); });
    constraint.applyToPatternProperties([this](const auto& pattern, const Subschema* child) {
      patterns_.emplace(pattern.c_str(), pattern.size());
      return Reach(child, false);
    });
    return Reach(constraint.getAdditionalPropertiesSubschema(), false);
  }
  bool visit(const PropertyNamesConstraint& constraint) override { return Reach(constraint.getSubschema(), false); }
  bool visit(const PatternConstraint& constraint) override {
    patterns_.insert(constraint.getPattern<std::string::allocator_type>());
    return true;
  }
  bool visit(const MultipleOfIntConstraint& constraint) override {
    if (constraint.getDivisor() <= 0) NotPositive(std::to_string(constraint.getDivisor()));
    return true;
  }
  bool visit(const MultipleOfDoubleConstraint& constraint) override {
    double divisor = constraint.getDivisor();
    if (!std::isfinite(divisor) || divisor <= 0) NotPositive(fmt::format("{}", divisor));
    return true;
  }
  bool visit(const TypeConstraint& constraint) override {
    // Type schemas ("type": [{...}]) are draft-3 only, which is never parsed here.
    constraint.applyToSchemaTypes([](unsigned, const Subschema*) -> bool {
      throw std::logic_error("valijson made a draft-3 type schema for a draft-4 or draft-7 document");
    });
    return true;
  }
  bool visit(const PolyConstraint&) override {
    throw std::logic_error("valijson made a custom constraint, but none is registered");
  }
  bool visit(const ConstConstraint&) override { return true; }
  bool visit(const EnumConstraint&) override { return true; }
  bool visit(const FormatConstraint&) override { return true; }
  bool visit(const MaximumConstraint&) override { return true; }
  bool visit(const MaxItemsConstraint&) override { return true; }
  bool visit(const MaxLengthConstraint&) override { return true; }
  bool visit(const MaxPropertiesConstraint&) override { return true; }
  bool visit(const MinimumConstraint&) override { return true; }
  bool visit(const MinItemsConstraint&) override { return true; }
  bool visit(const MinLengthConstraint&) override { return true; }
  bool visit(const MinPropertiesConstraint&) override { return true; }
  bool visit(const RequiredConstraint&) override { return true; }
  bool visit(const UniqueItemsConstraint&) override { return true; }

 private:
  // Notes that the current subschema applies `child` (null: none), to the
  // same value or to a part of it. True, to go on with the walk.
  bool Reach(const Subschema* child, bool same_value) {
    if (child == nullptr) return true;
    if (same_value) same_value_children_[current_].push_back(child);
    if (seen_.insert(child).second) pending_.push_back(child);
    return true;
  }

  void NotPositive(const std::string& divisor) {
    if (!problem_) problem_ = SchemaError("multipleOf must be greater than 0, not " + divisor);
  }

  // A subschema that reaches itself through same-value applicators would be
  // applied to one value without end. Iterative: the graph may be large.
  Status CheckSameValueCycles() const {
    enum class State { kOnPath, kDone };
    std::unordered_map<const Subschema*, State> state;
    for (const auto& [start, unused] : same_value_children_) {
      if (state.contains(start)) continue;
      // (subschema, index of the next child to look at)
      std::vector<std::pair<const Subschema*, std::size_t>> stack{{start, 0}};
      state.emplace(start, State::kOnPath);
      while (!stack.empty()) {
        auto& [node, next_child] = stack.back();
        auto children = same_value_children_.find(node);
        if (children == same_value_children_.end() || next_child == children->second.size()) {
          state[node] = State::kDone;
          stack.pop_back();
          continue;
        }
        const Subschema* child = children->second[next_child++];
        auto found = state.find(child);
        if (found == state.end()) {
          state.emplace(child, State::kOnPath);
          stack.emplace_back(child, 0);
        } else if (found->second == State::kOnPath) {
          return SchemaError(
              "the schema applies itself to the same value without end (a $ref back to an enclosing schema "
              "through allOf, anyOf, oneOf, not, if, then, else or dependencies, with no properties or items "
              "between)");
        }
      }
    }
    return Ok();
  }

  const Subschema* current_ = nullptr;
  std::vector<const Subschema*> pending_;
  std::unordered_set<const Subschema*> seen_;
  std::unordered_map<const Subschema*, std::vector<const Subschema*>> same_value_children_;
  std::set<std::string> patterns_;
  std::optional<Error> problem_;
};

}  // namespace

namespace detail {

void* AllocateSubschema(std::size_t size) {
  if (t_subschemas_left != nullptr) {
    if (*t_subschemas_left == 0) throw SubschemaBudgetExhausted();
    --*t_subschemas_left;
  }
  return ::operator new(size);
}

void FreeSubschema(void* memory) { ::operator delete(memory); }

}  // namespace detail

Result<std::shared_ptr<const Schema>> Compile(const json::value& document) {
  Result<Draft> draft = ReadDraft(document);
  if (!draft) return draft.error();
  if (Status shape = ShapeCheck(document).Run(); !shape) return shape.error();

  auto schema = std::make_shared<Schema>(*draft);
  if (Status parsed = Parse(document, *schema); !parsed) return parsed.error();

  Survey survey(schema->parsed);
  if (Status surveyed = survey.Run(); !surveyed) return surveyed.error();
  for (const std::string& source : survey.Patterns()) {
    Result<detail::Pattern> pattern = detail::Pattern::Compile(source);
    if (!pattern) {
      return SchemaError(
          fmt::format("pattern {} is refused: {}", detail::QuoteAbbreviated(source, 200), pattern.error().message));
    }
    schema->patterns.emplace(source, std::move(pattern).value());
  }
  return std::shared_ptr<const Schema>(std::move(schema));
}

Draft DraftOf(const Schema& schema) { return schema.draft; }

}  // namespace agentbase::jsonschema
