// Validate: applies valijson's parsed constraints to an instance, with our own
// visitor rather than valijson's ValidationVisitor. Ours knows which keyword
// each violation comes from, gives paths as JSON Pointers, runs patterns
// through Pattern (bounded), keeps a budget of work, and reports the failures
// valijson leaves without a message (false schemas, propertyNames).

#include <fmt/format.h>

#include <algorithm>
#include <boost/json/value.hpp>
#include <cfloat>
#include <cmath>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <typeinfo>
#include <vector>

#include "jsonschema/compiled.hpp"
#include "jsonschema/json_value.hpp"
#include "jsonschema/schema_node.hpp"

namespace agentbase::jsonschema {
namespace {

namespace json = boost::json;
using valijson::Subschema;
using valijson::constraints::Constraint;
using valijson::constraints::TypeConstraint;

// How much of a value or name a message quotes.
constexpr std::size_t kQuoteBytes = 100;

// Applying a subschema to a value costs about three times what checking one
// keyword does (measured: 50 ns and 15 ns), so it is charged three steps.
constexpr std::uint64_t kStepsPerApply = 3;

std::string Count(std::uint64_t count, std::string_view one, std::string_view many) {
  return fmt::format("{} {}", count, count == 1 ? one : many);
}

// valijson keeps names in strings of its own allocator.
template <class String>
std::string_view View(const String& text) {
  return {text.data(), text.size()};
}

std::string Quote(std::string_view text) { return detail::QuoteAbbreviated(text, kQuoteBytes); }

// "a", "a or b", "a, b or c".
std::string Alternatives(const std::vector<std::string_view>& names) {
  std::string text;
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (i > 0) text += i + 1 == names.size() ? " or " : ", ";
    text += names[i];
  }
  return text;
}

std::string_view TypeName(TypeConstraint::JsonType type) {
  switch (type) {
    case TypeConstraint::kAny: return "any";
    case TypeConstraint::kArray: return "array";
    case TypeConstraint::kBoolean: return "boolean";
    case TypeConstraint::kInteger: return "integer";
    case TypeConstraint::kNull: return "null";
    case TypeConstraint::kNumber: return "number";
    case TypeConstraint::kObject: return "object";
    case TypeConstraint::kString: return "string";
  }
  return "unknown";
}

bool HasType(const json::value& value, TypeConstraint::JsonType type, Draft draft) {
  switch (type) {
    case TypeConstraint::kAny: return true;
    case TypeConstraint::kArray: return value.is_array();
    case TypeConstraint::kBoolean: return value.is_bool();
    // From draft-06, any number whose fraction is zero. Draft-04: "a JSON
    // number without a fraction or exponent part", which Boost.JSON reads as
    // an integer unless it is beyond 64 bits: a double that large came from
    // such a number (or from an exponent, which parsing does not tell apart).
    case TypeConstraint::kInteger:
      if (draft == Draft::kDraft4 && value.is_double()) {
        return detail::IsIntegral(value) && std::fabs(value.get_double()) >= 9223372036854775808.0;
      }
      return detail::IsIntegral(value);
    case TypeConstraint::kNull: return value.is_null();
    case TypeConstraint::kNumber: return value.is_number();
    case TypeConstraint::kObject: return value.is_object();
    case TypeConstraint::kString: return value.is_string();
  }
  return false;
}

const json::value& Frozen(const valijson::adapters::FrozenValue& frozen) {
  const auto* value = dynamic_cast<const detail::FrozenJson*>(&frozen);
  if (value == nullptr) throw std::logic_error("a frozen value that SchemaNode did not make");
  return value->Value();
}

// Where violations go. Evaluations that only need the answer (inside anyOf,
// oneOf, not, if, contains) have none.
struct Sink {
  std::vector<Violation> violations;
  std::size_t limit = 1;
  bool Full() const { return violations.size() >= limit; }
};

enum class Match { kFound, kNotFound, kRefused };

// One Validate: the path being looked at, the budgets, and why it stopped.
class Evaluation {
 public:
  explicit Evaluation(const Schema& schema) : schema_(schema) {}

  std::vector<Violation> Run(const json::value& instance, std::size_t limit);

  Draft SchemaDraft() const { return schema_.draft; }

  // Applies `subschema` to `value`, found at the current path. False when
  // the value fails it, or when the evaluation has stopped.
  bool Apply(const Subschema& subschema, const json::value& value, Sink* sink);
  // The same, to a member or an item of the value at the current path.
  bool ApplyAt(const Subschema& subschema, const json::value& value, std::string_view key, Sink* sink);
  bool ApplyAt(const Subschema& subschema, const json::value& value, std::size_t index, Sink* sink);

  void Record(Sink* sink, std::string_view keyword, std::string message);
  void RecordAt(Sink* sink, std::string_view key, std::string_view keyword, std::string message);
  void RecordAt(Sink* sink, std::size_t index, std::string_view keyword, std::string message);

  // Nothing more is to be done: a bound was reached, or every violation wanted is in.
  bool Stopped() const { return stop_.has_value() || done_; }

  // Charges `steps` against kMaxValidationSteps; false (and stopped) past it.
  bool Charge(std::uint64_t steps);
  bool Equal(const json::value& a, const json::value& b);

  const detail::Pattern& PatternFor(std::string_view source) const;
  // Searches `subject` (a string value, or a member's name when `is_name`)
  // with `pattern`, within the bounds. kRefused when it may not: the
  // evaluation then stops with a "pattern" violation, unless `already_failed`
  // (the subschema fails anyway, so whether it matches changes nothing).
  Match Search(const detail::Pattern& pattern, std::string_view subject, bool is_name, bool already_failed);

 private:
  friend class PathStep;

  void Stop(std::string_view keyword, std::string message);

  // The JSON Pointer of the value being checked, as its tokens: written out
  // only for a violation. Entering a member costs the same whatever its
  // name (a name of 30,000 slashes, each escaped, entered once per
  // subschema applied, took 400 ms of a 1,000,000-step budget).
  struct PathToken {
    std::string_view name;  // a member's name (the instance's own), or
    std::size_t index = 0;  // an item's index
    bool is_index = false;
  };
  std::string PathText() const;

  const Schema& schema_;
  std::vector<PathToken> path_;
  std::size_t depth_ = 0;
  std::uint64_t steps_ = 0;
  std::uint64_t pattern_work_ = 0;
  Sink* top_ = nullptr;
  bool done_ = false;
  std::optional<Violation> stop_;
};

// Extends the evaluation's path by one token for its lifetime.
class PathStep {
 public:
  PathStep(Evaluation& evaluation, std::string_view name) : evaluation_(evaluation) {
    evaluation.path_.push_back({name, 0, false});
  }
  PathStep(Evaluation& evaluation, std::size_t index) : evaluation_(evaluation) {
    evaluation.path_.push_back({{}, index, true});
  }
  ~PathStep() { evaluation_.path_.pop_back(); }
  PathStep(const PathStep&) = delete;
  PathStep& operator=(const PathStep&) = delete;

 private:
  Evaluation& evaluation_;
};

// Checks the constraints of one subschema against one value: a visitor of
// valijson's constraint classes, one visit per keyword (or group of keywords
// valijson keeps together: properties, patternProperties and
// additionalProperties; items and additionalItems; if, then and else).
class ConstraintCheck final : public valijson::constraints::ConstraintVisitor {
 public:
  ConstraintCheck(Evaluation& evaluation, const json::value& value, Sink* sink)
      : evaluation_(evaluation), value_(value), sink_(sink) {}

  bool Run(const Subschema& subschema) {
    // "type" first, so that its violation is the first one read.
    Subschema::ApplyFunction type_only = [this](const Constraint& constraint) {
      return typeid(constraint) != typeid(TypeConstraint) || Check(constraint);
    };
    Subschema::ApplyFunction the_rest = [this](const Constraint& constraint) {
      return typeid(constraint) == typeid(TypeConstraint) || Check(constraint);
    };
    if (sink_ == nullptr) return subschema.applyStrict(type_only) && subschema.applyStrict(the_rest);
    bool type_valid = subschema.apply(type_only);
    bool rest_valid = subschema.apply(the_rest);
    return type_valid && rest_valid;
  }

  bool visit(const AllOfConstraint& constraint) override {
    bool valid = true;
    constraint.applyToSubschemas([&](unsigned, const Subschema* subschema) {
      if (evaluation_.Apply(*subschema, value_, sink_)) return true;
      valid = false;
      return GoOn();
    });
    return valid;
  }

  bool visit(const AnyOfConstraint& constraint) override {
    bool matched = false;
    constraint.applyToSubschemas([&](unsigned, const Subschema* subschema) {
      matched = evaluation_.Apply(*subschema, value_, nullptr);
      return !matched && !evaluation_.Stopped();
    });
    if (matched || evaluation_.Stopped()) return matched;
    return Fail("anyOf", fmt::format("must match at least one of the {} in anyOf",
                                     Count(SubschemaCount(constraint), "schema", "schemas")));
  }

  bool visit(const OneOfConstraint& constraint) override {
    std::vector<unsigned> matching;
    constraint.applyToSubschemas([&](unsigned index, const Subschema* subschema) {
      if (evaluation_.Apply(*subschema, value_, nullptr)) matching.push_back(index);
      return matching.size() < 2 && !evaluation_.Stopped();
    });
    if (evaluation_.Stopped()) return false;
    if (matching.size() == 1) return true;
    std::string expected = fmt::format("must match exactly one of the {} in oneOf",
                                       Count(SubschemaCount(constraint), "schema", "schemas"));
    if (matching.empty()) return Fail("oneOf", expected + ", but matches none");
    return Fail("oneOf",
                fmt::format("{}, but matches more than one (#{} and #{})", expected, matching[0], matching[1]));
  }

  bool visit(const NotConstraint& constraint) override {
    const Subschema* subschema = constraint.getSubschema();
    bool matches = subschema == nullptr || evaluation_.Apply(*subschema, value_, nullptr);
    if (evaluation_.Stopped()) return false;
    if (!matches) return true;
    return Fail("not", "must not match the schema in not");
  }

  bool visit(const ConditionalConstraint& constraint) override {
    const Subschema* condition = constraint.getIfSubschema();
    if (condition == nullptr) return true;
    bool holds = evaluation_.Apply(*condition, value_, nullptr);
    if (evaluation_.Stopped()) return false;
    const Subschema* branch = holds ? constraint.getThenSubschema() : constraint.getElseSubschema();
    return branch == nullptr || evaluation_.Apply(*branch, value_, sink_);
  }

  bool visit(const ConstConstraint& constraint) override {
    const json::value& expected = Frozen(*constraint.getValue());
    if (evaluation_.Equal(expected, value_)) return true;
    if (evaluation_.Stopped()) return false;
    return Fail("const", "must equal " + detail::Abbreviate(expected, kQuoteBytes));
  }

  bool visit(const EnumConstraint& constraint) override {
    bool matched = false;
    std::vector<const json::value*> allowed;
    constraint.applyToValues([&](const valijson::adapters::FrozenValue& frozen) {
      const json::value& candidate = Frozen(frozen);
      allowed.push_back(&candidate);
      matched = evaluation_.Equal(candidate, value_);
      return !matched && !evaluation_.Stopped();
    });
    if (matched || evaluation_.Stopped()) return matched;
    if (allowed.size() == 1) return Fail("enum", "must be " + detail::Abbreviate(*allowed.front(), kQuoteBytes));
    std::string listed;
    for (const json::value* candidate : allowed) {
      if (listed.size() > 2 * kQuoteBytes) {
        listed += fmt::format(", ... ({} values)", allowed.size());
        break;
      }
      if (!listed.empty()) listed += ", ";
      listed += detail::Abbreviate(*candidate, kQuoteBytes);
    }
    return Fail("enum", "must be one of " + listed);
  }

  bool visit(const ContainsConstraint& constraint) override {
    if (!value_.is_array()) return true;
    const Subschema* subschema = constraint.getSubschema();
    const json::array& items = value_.get_array();
    for (std::size_t index = 0; index < items.size(); ++index) {
      if (subschema == nullptr || evaluation_.ApplyAt(*subschema, items[index], index, nullptr)) return true;
      if (evaluation_.Stopped()) return false;
    }
    return Fail("contains", "must contain an item that matches the schema in contains");
  }

  bool visit(const DependenciesConstraint& constraint) override {
    if (!value_.is_object()) return true;
    const json::object& object = value_.get_object();
    bool valid = true;
    constraint.applyToPropertyDependencies([&](const auto& name, const auto& needed) {
      if (!evaluation_.Charge(1)) return false;
      if (!object.contains(View(name))) return true;
      for (const auto& other : needed) {
        if (!evaluation_.Charge(1)) return false;
        if (object.contains(View(other))) continue;
        valid = false;
        evaluation_.Record(sink_, "dependencies",
                           fmt::format("property {} requires property {}", Quote(View(name)), Quote(View(other))));
        if (!GoOn()) return false;
      }
      return true;
    });
    if (evaluation_.Stopped() || (!valid && !GoOn())) return false;
    constraint.applyToSchemaDependencies([&](const auto& name, const Subschema* subschema) {
      if (!evaluation_.Charge(1)) return false;
      if (!object.contains(View(name)) || evaluation_.Apply(*subschema, value_, sink_)) return true;
      valid = false;
      return GoOn();
    });
    return valid && !evaluation_.Stopped();
  }

  // An annotation only: see jsonschema/schema.hpp.
  bool visit(const FormatConstraint&) override { return true; }

  bool visit(const LinearItemsConstraint& constraint) override {
    if (!value_.is_array()) return true;
    const json::array& items = value_.get_array();
    bool valid = true;
    constraint.applyToItemSubschemas([&](unsigned index, const Subschema* subschema) {
      if (index >= items.size()) return false;
      if (evaluation_.ApplyAt(*subschema, items[index], index, sink_)) return true;
      valid = false;
      return GoOn();
    });
    if (!valid && !GoOn()) return false;
    const std::size_t listed = constraint.getItemSubschemaCount();
    const Subschema* additional = constraint.getAdditionalItemsSubschema();
    for (std::size_t index = listed; index < items.size(); ++index) {
      if (additional != nullptr && evaluation_.ApplyAt(*additional, items[index], index, sink_)) continue;
      valid = false;
      if (additional == nullptr) {
        evaluation_.RecordAt(sink_, index, "additionalItems",
                             fmt::format("is not allowed (additionalItems is false, and items lists {})",
                                         Count(listed, "schema", "schemas")));
      }
      if (!GoOn()) return false;
    }
    return valid;
  }

  bool visit(const SingularItemsConstraint& constraint) override {
    const Subschema* subschema = constraint.getItemsSubschema();
    if (!value_.is_array() || subschema == nullptr) return true;
    const json::array& items = value_.get_array();
    bool valid = true;
    for (std::size_t index = 0; index < items.size(); ++index) {
      if (evaluation_.ApplyAt(*subschema, items[index], index, sink_)) continue;
      valid = false;
      if (!GoOn()) return false;
    }
    return valid;
  }

  bool visit(const MaximumConstraint& constraint) override {
    if (!value_.is_number()) return true;
    const long double number = detail::NumberValue(value_);
    const long double maximum = constraint.getMaximum();
    const bool exclusive = constraint.getExclusiveMaximum();
    if (exclusive ? number < maximum : number <= maximum) return true;
    // Draft-04's exclusiveMaximum is a flag on maximum; draft-07's a keyword of its own.
    bool own_keyword = exclusive && evaluation_.SchemaDraft() == Draft::kDraft7;
    return Fail(own_keyword ? "exclusiveMaximum" : "maximum",
                fmt::format("must be {} {}", exclusive ? "<" : "<=", constraint.getMaximum()));
  }

  bool visit(const MinimumConstraint& constraint) override {
    if (!value_.is_number()) return true;
    const long double number = detail::NumberValue(value_);
    const long double minimum = constraint.getMinimum();
    const bool exclusive = constraint.getExclusiveMinimum();
    if (exclusive ? number > minimum : number >= minimum) return true;
    bool own_keyword = exclusive && evaluation_.SchemaDraft() == Draft::kDraft7;
    return Fail(own_keyword ? "exclusiveMinimum" : "minimum",
                fmt::format("must be {} {}", exclusive ? ">" : ">=", constraint.getMinimum()));
  }

  bool visit(const MultipleOfIntConstraint& constraint) override {
    if (!value_.is_number()) return true;
    const std::int64_t divisor = constraint.getDivisor();  // > 0: Compile refuses others
    bool multiple = false;
    if (value_.is_int64()) {
      multiple = value_.get_int64() % divisor == 0;
    } else if (value_.is_uint64()) {
      multiple = value_.get_uint64() % static_cast<std::uint64_t>(divisor) == 0;
    } else {
      // fmod is exact: a double is a multiple of an integer only when it has no remainder at all.
      multiple = std::fmod(value_.get_double(), static_cast<double>(divisor)) == 0;
    }
    if (multiple) return true;
    return Fail("multipleOf", fmt::format("must be a multiple of {}", divisor));
  }

  bool visit(const MultipleOfDoubleConstraint& constraint) override {
    if (!value_.is_number()) return true;
    const double divisor = constraint.getDivisor();  // > 0: Compile refuses others
    const long double quotient = detail::NumberValue(value_) / divisor;
    // Decimal divisors such as 0.01 have no exact binary value, so the
    // quotient of a true multiple is only close to an integer: allow the
    // rounding error of the division, relative to the quotient.
    const long double tolerance = std::max(1e-9L, std::fabs(quotient) * 4 * DBL_EPSILON);
    if (std::isfinite(quotient) && std::fabs(quotient - std::round(quotient)) <= tolerance) return true;
    return Fail("multipleOf", fmt::format("must be a multiple of {}", divisor));
  }

  bool visit(const MaxItemsConstraint& constraint) override {
    if (!value_.is_array() || value_.get_array().size() <= constraint.getMaxItems()) return true;
    return Fail("maxItems", "must have at most " + Count(constraint.getMaxItems(), "item", "items"));
  }

  bool visit(const MinItemsConstraint& constraint) override {
    if (!value_.is_array() || value_.get_array().size() >= constraint.getMinItems()) return true;
    return Fail("minItems", "must have at least " + Count(constraint.getMinItems(), "item", "items"));
  }

  bool visit(const MaxLengthConstraint& constraint) override {
    if (!value_.is_string()) return true;
    if (!evaluation_.Charge(detail::StepsFor(value_))) return false;
    if (detail::CodePoints(value_.get_string()) <= constraint.getMaxLength()) return true;
    return Fail("maxLength",
                fmt::format("must be at most {} long", Count(constraint.getMaxLength(), "character", "characters")));
  }

  bool visit(const MinLengthConstraint& constraint) override {
    if (!value_.is_string()) return true;
    if (!evaluation_.Charge(detail::StepsFor(value_))) return false;
    if (detail::CodePoints(value_.get_string()) >= constraint.getMinLength()) return true;
    return Fail("minLength",
                fmt::format("must be at least {} long", Count(constraint.getMinLength(), "character", "characters")));
  }

  bool visit(const MaxPropertiesConstraint& constraint) override {
    if (!value_.is_object() || value_.get_object().size() <= constraint.getMaxProperties()) return true;
    return Fail("maxProperties", "must have at most " + Count(constraint.getMaxProperties(), "property", "properties"));
  }

  bool visit(const MinPropertiesConstraint& constraint) override {
    if (!value_.is_object() || value_.get_object().size() >= constraint.getMinProperties()) return true;
    return Fail("minProperties",
                "must have at least " + Count(constraint.getMinProperties(), "property", "properties"));
  }

  bool visit(const PatternConstraint& constraint) override {
    if (!value_.is_string()) return true;
    const detail::Pattern& pattern = evaluation_.PatternFor(constraint.getPattern<std::string::allocator_type>());
    switch (evaluation_.Search(pattern, value_.get_string(), false, failed_)) {
      case Match::kFound: return true;
      case Match::kRefused: return false;
      case Match::kNotFound: break;
    }
    return Fail("pattern", "must match the pattern " + detail::Shorten(pattern.Source(), 2 * kQuoteBytes));
  }

  bool visit(const PolyConstraint&) override {
    throw std::logic_error("valijson made a custom constraint, but none is registered");
  }

  bool visit(const PropertiesConstraint& constraint) override {
    if (!value_.is_object()) return true;
    const json::object& object = value_.get_object();
    // Members a "properties" or "patternProperties" entry names, by position.
    std::vector<bool> named(object.size(), false);
    bool valid = true;
    constraint.applyToProperties([&](const auto& name, const Subschema* subschema) {
      if (!evaluation_.Charge(1)) return false;
      auto member = object.find(View(name));
      if (member == object.end()) return true;
      named[static_cast<std::size_t>(member - object.begin())] = true;
      if (evaluation_.ApplyAt(*subschema, member->value(), member->key(), sink_)) return true;
      valid = false;
      return GoOn();
    });
    if (evaluation_.Stopped() || (!valid && !GoOn())) return false;
    bool refused = false;
    constraint.applyToPatternProperties([&](const auto& source, const Subschema* subschema) {
      const detail::Pattern& pattern = evaluation_.PatternFor(View(source));
      std::size_t index = 0;
      for (const json::key_value_pair& member : object) {
        const std::size_t position = index++;
        if (!evaluation_.Charge(detail::StepsForBytes(member.key().size()))) {
          refused = true;
          return false;
        }
        Match found = Match::kRefused;
        {
          PathStep step(evaluation_, member.key());
          found = evaluation_.Search(pattern, member.key(), true, failed_ || !valid);
        }
        if (found == Match::kRefused) {
          refused = true;
          return false;
        }
        if (found == Match::kNotFound) continue;
        named[position] = true;
        if (evaluation_.ApplyAt(*subschema, member.value(), member.key(), sink_)) continue;
        valid = false;
        if (!GoOn()) return false;
      }
      return true;
    });
    // Without every name matched, additionalProperties cannot be judged.
    if (refused || (!valid && !GoOn())) return false;
    const Subschema* additional = constraint.getAdditionalPropertiesSubschema();
    std::size_t index = 0;
    for (const json::key_value_pair& member : object) {
      if (named[index++]) continue;
      if (additional != nullptr && evaluation_.ApplyAt(*additional, member.value(), member.key(), sink_)) continue;
      valid = false;
      if (additional == nullptr) {
        evaluation_.RecordAt(sink_, member.key(), "additionalProperties",
                             "is not allowed (additionalProperties is false)");
      }
      if (!GoOn()) return false;
    }
    return valid;
  }

  bool visit(const PropertyNamesConstraint& constraint) override {
    const Subschema* subschema = constraint.getSubschema();
    if (!value_.is_object() || subschema == nullptr) return true;
    bool valid = true;
    for (const json::key_value_pair& member : value_.get_object()) {
      if (!evaluation_.Charge(detail::StepsForBytes(member.key().size()))) return false;
      const json::value name(member.key());
      if (sink_ == nullptr) {
        if (!evaluation_.Apply(*subschema, name, nullptr)) return false;
        continue;
      }
      // The name's own violation, for the message; the path stays the object's.
      Sink reason;
      if (evaluation_.Apply(*subschema, name, &reason)) continue;
      if (evaluation_.Stopped()) return false;
      valid = false;
      evaluation_.Record(sink_, "propertyNames",
                         fmt::format("property name {} {}", Quote(member.key()),
                                     reason.violations.empty() ? "is not allowed" : reason.violations[0].message));
      if (!GoOn()) return false;
    }
    return valid;
  }

  bool visit(const RequiredConstraint& constraint) override {
    if (!value_.is_object()) return true;
    const json::object& object = value_.get_object();
    bool valid = true;
    constraint.applyToRequiredProperties([&](const auto& name) {
      if (!evaluation_.Charge(1)) return false;
      if (object.contains(View(name))) return true;
      valid = false;
      evaluation_.Record(sink_, "required", "must have property " + Quote(View(name)));
      return GoOn();
    });
    return valid && !evaluation_.Stopped();
  }

  bool visit(const TypeConstraint& constraint) override {
    bool matched = false;
    std::vector<std::string_view> names;
    constraint.applyToNamedTypes([&](TypeConstraint::JsonType type) {
      matched = HasType(value_, type, evaluation_.SchemaDraft());
      names.push_back(TypeName(type));
      return !matched;
    });
    if (matched) return true;
    return Fail("type", "must be " + Alternatives(names));
  }

  bool visit(const UniqueItemsConstraint&) override {
    if (!value_.is_array()) return true;
    const json::array& items = value_.get_array();
    // Sorted by hash, only items whose hashes are equal need comparing. The
    // pair reported is the one with the lowest later index (then the lowest
    // earlier one), as a scan from the front would find it.
    std::vector<std::pair<std::uint64_t, std::size_t>> hashed;
    hashed.reserve(items.size());
    for (std::size_t index = 0; index < items.size(); ++index) {
      std::uint64_t steps = 0;
      hashed.emplace_back(detail::JsonHash(items[index], steps), index);
      if (!evaluation_.Charge(steps)) return false;
    }
    std::sort(hashed.begin(), hashed.end());
    std::optional<std::pair<std::size_t, std::size_t>> duplicate;  // (later, earlier)
    std::vector<std::size_t> distinct;                             // so far in one run of equal hashes
    for (std::size_t run = 0; run < hashed.size();) {
      std::size_t end = run + 1;
      while (end < hashed.size() && hashed[end].first == hashed[run].first) ++end;
      distinct.clear();
      // A run is in index order, so its first duplicate is its lowest.
      for (std::size_t at = run; at < end && !(duplicate && hashed[at].second > duplicate->first); ++at) {
        const std::size_t later = hashed[at].second;
        auto equal = std::find_if(distinct.begin(), distinct.end(),
                                  [&](std::size_t earlier) { return evaluation_.Equal(items[earlier], items[later]); });
        if (evaluation_.Stopped()) return false;
        if (equal != distinct.end()) {
          duplicate = std::pair(later, *equal);
          break;
        }
        distinct.push_back(later);
      }
      run = end;
    }
    if (!duplicate) return true;
    return Fail("uniqueItems", fmt::format("must not hold duplicates: items {} and {} are equal", duplicate->second,
                                           duplicate->first));
  }

 private:
  bool Check(const Constraint& constraint) {
    if (!evaluation_.Charge(1)) return false;
    bool valid = constraint.accept(*this);
    failed_ = failed_ || !valid;
    return valid;
  }

  bool Fail(std::string_view keyword, std::string message) {
    evaluation_.Record(sink_, keyword, std::move(message));
    return false;
  }

  // Whether to look further after a failure: only when every violation is wanted.
  bool GoOn() const { return sink_ != nullptr && !evaluation_.Stopped(); }

  template <class Composite>
  static std::size_t SubschemaCount(const Composite& constraint) {
    std::size_t count = 0;
    constraint.applyToSubschemas([&](unsigned, const Subschema*) {
      ++count;
      return true;
    });
    return count;
  }

  Evaluation& evaluation_;
  const json::value& value_;
  Sink* sink_;
  // A constraint of this subschema already failed on this value.
  bool failed_ = false;
};

std::vector<Violation> Evaluation::Run(const json::value& instance, std::size_t limit) {
  Sink top;
  top.limit = limit;
  top_ = &top;
  bool valid = Apply(schema_.parsed, instance, &top);
  if (stop_) return {*stop_};
  if (!valid && top.violations.empty()) throw std::logic_error("jsonschema: an instance failed without a violation");
  return std::move(top.violations);
}

bool Evaluation::Apply(const Subschema& subschema, const json::value& value, Sink* sink) {
  if (Stopped() || !Charge(kStepsPerApply)) return false;
  if (depth_ >= kMaxEvaluationDepth) {
    Stop(kLimitKeyword,
         fmt::format("the schema applies more than {} subschemas within each other here", kMaxEvaluationDepth));
    return false;
  }
  if (subschema.getAlwaysInvalid()) {
    Record(sink, "false", "is not allowed (its schema is false)");
    return false;
  }
  ++depth_;
  ConstraintCheck check(*this, value, sink);
  bool valid = check.Run(subschema);
  --depth_;
  return valid && !Stopped();
}

bool Evaluation::ApplyAt(const Subschema& subschema, const json::value& value, std::string_view key, Sink* sink) {
  // A long name is charged by its length, as reading it would be (the path
  // keeps only a view of it until a violation writes it out).
  if (!Charge(detail::StepsForBytes(key.size()))) return false;
  PathStep step(*this, key);
  return Apply(subschema, value, sink);
}

bool Evaluation::ApplyAt(const Subschema& subschema, const json::value& value, std::size_t index, Sink* sink) {
  PathStep step(*this, index);
  return Apply(subschema, value, sink);
}

void Evaluation::Record(Sink* sink, std::string_view keyword, std::string message) {
  if (sink == nullptr || sink->Full()) return;
  std::string path = PathText();
  if (!Charge(detail::StepsForBytes(path.size()))) return;
  sink->violations.push_back(Violation{std::move(path), std::string(keyword), std::move(message)});
  if (sink == top_ && sink->Full()) done_ = true;
}

void Evaluation::RecordAt(Sink* sink, std::string_view key, std::string_view keyword, std::string message) {
  if (sink == nullptr || !Charge(detail::StepsForBytes(key.size()))) return;
  PathStep step(*this, key);
  Record(sink, keyword, std::move(message));
}

void Evaluation::RecordAt(Sink* sink, std::size_t index, std::string_view keyword, std::string message) {
  PathStep step(*this, index);
  Record(sink, keyword, std::move(message));
}

void Evaluation::Stop(std::string_view keyword, std::string message) {
  if (!stop_) stop_ = Violation{PathText(), std::string(keyword), std::move(message)};
}

std::string Evaluation::PathText() const {
  std::string text;
  for (const PathToken& token : path_) {
    if (token.is_index) {
      detail::AppendPointerToken(text, std::to_string(token.index));
    } else {
      detail::AppendPointerToken(text, token.name);
    }
  }
  return text;
}

bool Evaluation::Charge(std::uint64_t steps) {
  steps_ += steps;
  if (steps_ <= kMaxValidationSteps) return true;
  Stop(kLimitKeyword,
       fmt::format("validating the instance against the schema needs more than {} steps", kMaxValidationSteps));
  return false;
}

bool Evaluation::Equal(const json::value& a, const json::value& b) {
  std::uint64_t steps = 0;
  bool equal = detail::JsonEqual(a, b, steps);
  return Charge(steps) && equal;
}

const detail::Pattern& Evaluation::PatternFor(std::string_view source) const {
  auto found = schema_.patterns.find(std::string(source));
  if (found == schema_.patterns.end()) throw std::logic_error("jsonschema: a pattern Compile did not compile");
  return found->second;
}

Match Evaluation::Search(const detail::Pattern& pattern, std::string_view subject, bool is_name, bool already_failed) {
  std::string_view what = is_name ? "the property name" : "the string";
  if (subject.size() > kMaxPatternSubjectBytes) {
    if (!already_failed) {
      Stop("pattern", fmt::format("{} is {} bytes long, and one longer than {} bytes is not matched against a pattern",
                                  what, subject.size(), kMaxPatternSubjectBytes));
    }
    return Match::kRefused;
  }
  std::uint64_t work = pattern.WorkFor(subject.size());
  if (work > kMaxPatternWork - pattern_work_) {
    if (!already_failed) {
      Stop("pattern", fmt::format("matching {} against the pattern {} would take the pattern work of this instance "
                                  "past {} units (bytes times pattern weight)",
                                  what, detail::Shorten(pattern.Source(), 2 * kQuoteBytes), kMaxPatternWork));
    }
    return Match::kRefused;
  }
  pattern_work_ += work;
  return pattern.Search(subject) ? Match::kFound : Match::kNotFound;
}

// Where `value` nests deeper than kMaxInstanceDepth, if it does: `path` then
// holds the place. Recurses at most kMaxInstanceDepth + 1 deep.
bool FindTooDeep(const json::value& value, std::size_t depth, std::string& path) {
  if (depth > kMaxInstanceDepth) return true;
  if (value.is_array()) {
    std::size_t index = 0;
    for (const json::value& item : value.get_array()) {
      std::size_t length = path.size();
      detail::AppendPointerToken(path, std::to_string(index++));
      if (FindTooDeep(item, depth + 1, path)) return true;
      path.resize(length);
    }
  } else if (value.is_object()) {
    for (const json::key_value_pair& member : value.get_object()) {
      std::size_t length = path.size();
      detail::AppendPointerToken(path, member.key());
      if (FindTooDeep(member.value(), depth + 1, path)) return true;
      path.resize(length);
    }
  }
  return false;
}

}  // namespace

std::vector<Violation> Validate(const Schema& schema, const json::value& instance, std::size_t limit) {
  std::string deepest;
  if (FindTooDeep(instance, 0, deepest)) {
    return {Violation{deepest, std::string(kLimitKeyword),
                      fmt::format("nests deeper than {} levels, the most an instance may", kMaxInstanceDepth)}};
  }
  Evaluation evaluation(schema);
  return evaluation.Run(instance, std::max<std::size_t>(limit, 1));
}

std::string Describe(const Violation& violation) {
  return fmt::format("{}: {}: {}", violation.path.empty() ? "(root)" : violation.path, violation.keyword,
                     violation.message);
}

}  // namespace agentbase::jsonschema
