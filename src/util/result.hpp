#pragma once
// Expected failures travel as values: Result<T> holds either a T or an Error.
// Unexpected ones (bugs, broken invariants) are exceptions.

#include <stdexcept>
#include <string>
#include <utility>
#include <variant>

namespace agentbase {

struct Error {
  std::string message;  // one line a person can act on
  std::string code;     // SQLSTATE, or a short tag of our own ("connect", "lock", ...)
  std::string detail;   // optional further context
  std::string hint;     // optional suggestion

  static Error Make(std::string message, std::string code = {}) {
    return Error{std::move(message), std::move(code), {}, {}};
  }
};

template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : state_(std::move(value)) {}        // NOLINT: implicit by design
  Result(Error error) : state_(std::move(error)) {}    // NOLINT: implicit by design

  bool ok() const { return state_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & { return Checked(); }
  const T& value() const& { return const_cast<Result*>(this)->Checked(); }
  T&& value() && { return std::move(Checked()); }
  T* operator->() { return &Checked(); }
  const T* operator->() const { return &const_cast<Result*>(this)->Checked(); }
  T& operator*() { return Checked(); }

  const Error& error() const {
    if (ok()) throw std::logic_error("Result::error() on a value");
    return std::get<Error>(state_);
  }

 private:
  T& Checked() {
    if (!ok()) throw std::logic_error("Result::value() on an error: " + std::get<Error>(state_).message);
    return std::get<T>(state_);
  }
  std::variant<T, Error> state_;
};

struct Unit {};
using Status = Result<Unit>;
inline Status Ok() { return Unit{}; }

}  // namespace agentbase
