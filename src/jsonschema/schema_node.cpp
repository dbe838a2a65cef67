#include "jsonschema/schema_node.hpp"

#include <cmath>
#include <limits>

namespace agentbase::jsonschema::detail {
namespace {

// The guard of this thread's current compile: where its stack started and
// how far below that the parse may go. Null outside a compile.
thread_local const char* t_stack_base = nullptr;
thread_local std::size_t t_stack_budget = 0;

// Numbers whose value is an integer that fits int64: these read as integers.
std::optional<std::int64_t> IntegerValue(const boost::json::value& value) {
  if (value.is_int64()) return value.get_int64();
  if (value.is_uint64()) {
    if (value.get_uint64() > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) return std::nullopt;
    return static_cast<std::int64_t>(value.get_uint64());
  }
  if (value.is_double()) {
    double number = value.get_double();
    // 2^63 is the first double above INT64_MAX; -2^63 itself fits.
    if (std::isfinite(number) && number == std::trunc(number) && number >= -9223372036854775808.0 &&
        number < 9223372036854775808.0) {
      return static_cast<std::int64_t>(number);
    }
  }
  return std::nullopt;
}

}  // namespace

CompileStackGuard::CompileStackGuard(std::size_t budget)
    : previous_base_(t_stack_base), previous_budget_(t_stack_budget) {
  t_stack_base = static_cast<const char*>(__builtin_frame_address(0));
  t_stack_budget = budget;
}

CompileStackGuard::~CompileStackGuard() {
  t_stack_base = previous_base_;
  t_stack_budget = previous_budget_;
}

void CompileStackGuard::Check() {
  if (t_stack_base == nullptr) return;
  // The stack grows down on every platform this builds for (x86-64, arm64).
  const char* here = static_cast<const char*>(__builtin_frame_address(0));
  if (here<t_stack_base&& static_cast<std::size_t>(t_stack_base - here)> t_stack_budget) {
    throw CompileStackExhausted();
  }
}

bool FrozenJson::equalTo(const valijson::adapters::Adapter& other, bool strict) const {
  return SchemaNode(value_).equalTo(other, strict);
}

SchemaNode SchemaArrayIterator::operator*() const { return SchemaNode(*position_); }

valijson::adapters::DerefProxy<SchemaNode> SchemaArrayIterator::operator->() const {
  return valijson::adapters::DerefProxy<SchemaNode>(**this);
}

SchemaMember SchemaObjectIterator::operator*() const {
  return SchemaMember(std::string(position_->key()), SchemaNode(position_->value()));
}

valijson::adapters::DerefProxy<SchemaMember> SchemaObjectIterator::operator->() const {
  return valijson::adapters::DerefProxy<SchemaMember>(**this);
}

SchemaArray::SchemaArray() {
  static const boost::json::array empty;
  array_ = &empty;
}

SchemaObject::SchemaObject() {
  static const boost::json::object empty;
  object_ = &empty;
}

SchemaValue::SchemaValue() {
  static const boost::json::value null_value;
  value_ = &null_value;
}

std::optional<SchemaArray> SchemaValue::getArrayOptional() const {
  if (!value_->is_array()) return std::nullopt;
  return SchemaArray(value_->get_array());
}

std::optional<SchemaObject> SchemaValue::getObjectOptional() const {
  if (!value_->is_object()) return std::nullopt;
  return SchemaObject(value_->get_object());
}

bool SchemaValue::getArraySize(std::size_t& result) const {
  if (!value_->is_array()) return false;
  result = value_->get_array().size();
  return true;
}

bool SchemaValue::getObjectSize(std::size_t& result) const {
  if (!value_->is_object()) return false;
  result = value_->get_object().size();
  return true;
}

bool SchemaValue::getBool(bool& result) const {
  if (!value_->is_bool()) return false;
  result = value_->get_bool();
  return true;
}

bool SchemaValue::isInteger() const { return IntegerValue(*value_).has_value(); }

bool SchemaValue::isDouble() const { return value_->is_number() && !isInteger(); }

bool SchemaValue::getInteger(std::int64_t& result) const {
  std::optional<std::int64_t> integer = IntegerValue(*value_);
  if (!integer) return false;
  result = *integer;
  return true;
}

bool SchemaValue::getDouble(double& result) const {
  if (!isDouble()) return false;
  result = value_->to_number<double>();
  return true;
}

bool SchemaValue::getString(std::string& result) const {
  if (!value_->is_string()) return false;
  result.assign(value_->get_string().data(), value_->get_string().size());
  return true;
}

}  // namespace agentbase::jsonschema::detail
