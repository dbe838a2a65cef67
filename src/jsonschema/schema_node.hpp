#pragma once
// The view of a Boost.JSON schema document that valijson's parser reads
// (valijson's adapter interface). valijson ships a Boost.JSON adapter; this
// one exists for four things it does not do:
//  - enum and const values stay Boost.JSON values (FrozenJson), which the
//    validator compares itself: valijson's comparison cuts strings at a NUL
//    byte and cannot read integers above INT64_MAX;
//  - a number with a zero fraction (5.0) reads as an integer, as draft-06 and
//    later say ("maxLength": 5.0 is 5);
//  - a keyword's value is read strictly: "5" is no number (see maybeDouble);
//  - every node the parser touches checks how much stack the parse has used
//    (CompileStackGuard): valijson recurses once per nested schema and once
//    per $ref it follows, with no limit of its own.

#include <boost/json/value.hpp>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>

#include "jsonschema/valijson.hpp"

namespace agentbase::jsonschema::detail {

// Thrown by CompileStackGuard::Check when the parse has used its stack budget.
struct CompileStackExhausted : std::runtime_error {
  CompileStackExhausted() : std::runtime_error("the schema nests too deeply") {}
};

// Bounds the stack used from its construction to its destruction on this
// thread: Check() throws CompileStackExhausted once the current frame lies
// more than `budget` bytes below the frame that made the guard. Measured on
// frame addresses, so it holds whatever valijson's frames cost in this build.
class CompileStackGuard {
 public:
  explicit CompileStackGuard(std::size_t budget);
  ~CompileStackGuard();
  CompileStackGuard(const CompileStackGuard&) = delete;
  CompileStackGuard& operator=(const CompileStackGuard&) = delete;

  // Does nothing on a thread with no guard.
  static void Check();

 private:
  const char* previous_base_;
  std::size_t previous_budget_;
};

class SchemaNode;

// The copy of an enum or const value valijson keeps in its constraints.
class FrozenJson final : public valijson::adapters::FrozenValue {
 public:
  explicit FrozenJson(const boost::json::value& value) : value_(value) {}
  FrozenValue* clone() const override { return new FrozenJson(value_); }
  // valijson's own comparison; the validator uses Value() instead.
  bool equalTo(const valijson::adapters::Adapter& other, bool strict) const override;

  const boost::json::value& Value() const { return value_; }

 private:
  boost::json::value value_;
};

// NOLINTBEGIN(readability-identifier-naming): the names valijson's adapter templates call.

class SchemaArrayIterator {
 public:
  using iterator_category = std::bidirectional_iterator_tag;
  using value_type = SchemaNode;
  using difference_type = std::ptrdiff_t;
  using pointer = SchemaNode*;
  using reference = SchemaNode;

  explicit SchemaArrayIterator(boost::json::array::const_iterator position) : position_(position) {}
  SchemaNode operator*() const;
  valijson::adapters::DerefProxy<SchemaNode> operator->() const;
  bool operator==(const SchemaArrayIterator& other) const = default;
  SchemaArrayIterator& operator++() {
    ++position_;
    return *this;
  }
  SchemaArrayIterator operator++(int) {
    SchemaArrayIterator before = *this;
    ++position_;
    return before;
  }
  SchemaArrayIterator& operator--() {
    --position_;
    return *this;
  }
  void advance(std::ptrdiff_t count) { position_ += count; }

 private:
  boost::json::array::const_iterator position_;
};

using SchemaMember = std::pair<std::string, SchemaNode>;

class SchemaObjectIterator {
 public:
  using iterator_category = std::bidirectional_iterator_tag;
  using value_type = SchemaMember;
  using difference_type = std::ptrdiff_t;
  using pointer = SchemaMember*;
  using reference = SchemaMember;

  explicit SchemaObjectIterator(boost::json::object::const_iterator position) : position_(position) {}
  SchemaMember operator*() const;
  valijson::adapters::DerefProxy<SchemaMember> operator->() const;
  bool operator==(const SchemaObjectIterator& other) const = default;
  SchemaObjectIterator& operator++() {
    ++position_;
    return *this;
  }
  SchemaObjectIterator operator++(int) {
    SchemaObjectIterator before = *this;
    ++position_;
    return before;
  }
  SchemaObjectIterator& operator--() {
    --position_;
    return *this;
  }

 private:
  boost::json::object::const_iterator position_;
};

class SchemaArray {
 public:
  using const_iterator = SchemaArrayIterator;
  using iterator = SchemaArrayIterator;

  SchemaArray();  // empty: valijson reads "" and {} as empty arrays when asked to
  explicit SchemaArray(const boost::json::array& array) : array_(&array) {}
  SchemaArrayIterator begin() const { return SchemaArrayIterator(array_->begin()); }
  SchemaArrayIterator end() const { return SchemaArrayIterator(array_->end()); }
  std::size_t size() const { return array_->size(); }

 private:
  const boost::json::array* array_;
};

class SchemaObject {
 public:
  using const_iterator = SchemaObjectIterator;
  using iterator = SchemaObjectIterator;

  SchemaObject();  // empty: valijson reads "" and [] as empty objects when asked to
  explicit SchemaObject(const boost::json::object& object) : object_(&object) {}
  SchemaObjectIterator begin() const { return SchemaObjectIterator(object_->begin()); }
  SchemaObjectIterator end() const { return SchemaObjectIterator(object_->end()); }
  SchemaObjectIterator find(const std::string& key) const { return SchemaObjectIterator(object_->find(key)); }
  std::size_t size() const { return object_->size(); }

 private:
  const boost::json::object* object_;
};

class SchemaValue {
 public:
  SchemaValue();  // null: valijson default-constructs adapters
  explicit SchemaValue(const boost::json::value& value) : value_(&value) {}

  valijson::adapters::FrozenValue* freeze() const { return new FrozenJson(*value_); }

  std::optional<SchemaArray> getArrayOptional() const;
  std::optional<SchemaObject> getObjectOptional() const;
  bool getArraySize(std::size_t& result) const;
  bool getObjectSize(std::size_t& result) const;
  bool getBool(bool& result) const;
  bool getDouble(double& result) const;
  bool getInteger(std::int64_t& result) const;
  bool getString(std::string& result) const;

  static bool hasStrictTypes() { return true; }
  bool isArray() const { return value_->is_array(); }
  bool isBool() const { return value_->is_bool(); }
  bool isDouble() const;
  bool isInteger() const;
  bool isNull() const { return value_->is_null(); }
  bool isNumber() const { return value_->is_number(); }
  bool isObject() const { return value_->is_object(); }
  bool isString() const { return value_->is_string(); }

 private:
  const boost::json::value* value_;
};

// NOLINTEND(readability-identifier-naming)

class SchemaNode
    : public valijson::adapters::BasicAdapter<SchemaNode, SchemaArray, SchemaMember, SchemaObject, SchemaValue> {
 public:
  SchemaNode() = default;
  explicit SchemaNode(const boost::json::value& value) : BasicAdapter(SchemaValue(value)) {
    CompileStackGuard::Check();
  }

  // What valijson's parser asks before it reads a keyword's value. Its own
  // answers are loose ("5" may be a number, 5 may be a string, "" may be an
  // empty array); these are strict, so that a keyword of the wrong type is
  // refused instead of converted.
  bool maybeArray() const override { return isArray(); }
  bool maybeBool() const override { return isBool(); }
  bool maybeDouble() const override { return isNumber(); }
  bool maybeInteger() const override { return isInteger(); }
  bool maybeNull() const override { return isNull(); }
  bool maybeObject() const override { return isObject(); }
  bool maybeString() const override { return isString(); }
};

}  // namespace agentbase::jsonschema::detail

template <>
struct valijson::adapters::AdapterTraits<agentbase::jsonschema::detail::SchemaNode> {
  using DocumentType = boost::json::value;
  static std::string adapterName() { return "agentbase SchemaNode"; }  // NOLINT(readability-identifier-naming)
};
