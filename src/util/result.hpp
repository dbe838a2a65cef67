#pragma once
// Expected failures travel as values: Result<T> holds either a T or an Error.
// Unexpected ones (bugs, broken invariants) are exceptions.
//
// Every Error has a kind: what sort of failure it is, which is what callers
// decide on (retry, answer 503, exit with a usage code). An error made with
// a named constructor (Error::Busy, Error::Unavailable, ...) carries its kind;
// one made from a code alone (a SQLSTATE from the server, a tag of our own)
// takes the kind its code implies (KindOfCode).

#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace agentbase {

enum class ErrorKind {
  kUsage,         // the operator asked for something impossible (flags, config, paths)
  kInvalidInput,  // a request or data that is malformed or breaks a rule
  kNotFound,      // what was named does not exist
  kConflict,      // clashes with the current state (duplicate key, concurrent change)
  kPermission,    // not allowed for this caller
  kUnavailable,   // a service (the database) cannot be reached or went away
  kBusy,          // at capacity right now; retrying later may succeed
  kTimeout,       // gave up waiting for an answer
  kInternal,      // a failure on our side or one we cannot classify
};

// "usage", "invalid_input", ...: for logs and tests.
std::string_view KindName(ErrorKind kind);

// The kind a code implies: SQLSTATE classes (08 unavailable, 23505 conflict,
// 42501 permission, 57014 timeout, ...), PostgREST codes (PGRST003 busy,
// PGRST2xx not found, ...) and our own tags ("usage", "connect", ...).
// Anything else is kInternal.
ErrorKind KindOfCode(std::string_view code);

struct Error {
  std::string message;  // one line a person can act on
  std::string code;     // SQLSTATE, PostgREST code, or a short tag of our own ("connect", "lock", ...)
  std::string detail;   // optional further context
  std::string hint;     // optional suggestion
  // Set by the named constructors; when unset the code decides (Kind()).
  std::optional<ErrorKind> kind;

  ErrorKind Kind() const { return kind ? *kind : KindOfCode(code); }
  bool Is(ErrorKind wanted) const { return Kind() == wanted; }

  static Error Make(std::string message, std::string code = {}) {
    return Error{std::move(message), std::move(code), {}, {}, std::nullopt};
  }
  static Error Of(ErrorKind kind, std::string message, std::string code = {}) {
    return Error{std::move(message), std::move(code), {}, {}, kind};
  }
  static Error Usage(std::string message, std::string code = "usage") {
    return Of(ErrorKind::kUsage, std::move(message), std::move(code));
  }
  static Error InvalidInput(std::string message, std::string code = {}) {
    return Of(ErrorKind::kInvalidInput, std::move(message), std::move(code));
  }
  static Error NotFound(std::string message, std::string code = {}) {
    return Of(ErrorKind::kNotFound, std::move(message), std::move(code));
  }
  static Error Conflict(std::string message, std::string code = {}) {
    return Of(ErrorKind::kConflict, std::move(message), std::move(code));
  }
  static Error Permission(std::string message, std::string code = {}) {
    return Of(ErrorKind::kPermission, std::move(message), std::move(code));
  }
  static Error Unavailable(std::string message, std::string code = {}) {
    return Of(ErrorKind::kUnavailable, std::move(message), std::move(code));
  }
  static Error Busy(std::string message, std::string code = {}) {
    return Of(ErrorKind::kBusy, std::move(message), std::move(code));
  }
  static Error Timeout(std::string message, std::string code = {}) {
    return Of(ErrorKind::kTimeout, std::move(message), std::move(code));
  }
  static Error Internal(std::string message, std::string code = "internal") {
    return Of(ErrorKind::kInternal, std::move(message), std::move(code));
  }
};

template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : state_(std::move(value)) {}      // NOLINT: implicit by design
  Result(Error error) : state_(std::move(error)) {}  // NOLINT: implicit by design

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
