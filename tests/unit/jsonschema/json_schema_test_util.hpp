#pragma once
// Helpers for the jsonschema tests: schemas and instances from JSON text, and
// a way to run code on a thread with a stack of a chosen size (to show that
// something does not need more).

#include <gtest/gtest.h>
#include <pthread.h>

#include <boost/json.hpp>
#include <exception>
#include <functional>
#include <memory>
#include <ostream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "jsonschema/schema.hpp"

namespace agentbase::jsonschema {

inline void PrintTo(const Violation& violation, std::ostream* out) { *out << Describe(violation); }

namespace testing_util {

inline boost::json::value Json(std::string_view text) {
  boost::json::parse_options options;
  options.max_depth = 100'000;  // the tests build documents deeper than the bounds on purpose
  return boost::json::parse(text, {}, options);
}

inline std::shared_ptr<const Schema> MustCompile(std::string_view schema_text) {
  Result<std::shared_ptr<const Schema>> schema = Compile(Json(schema_text));
  if (!schema) throw std::runtime_error("the test's schema does not compile: " + schema.error().message);
  return *schema;
}

inline std::vector<Violation> Check(std::string_view schema_text, std::string_view instance_text,
                                    std::size_t limit = 20) {
  return Validate(*MustCompile(schema_text), Json(instance_text), limit);
}

// The message of Compile's error for `schema`, or "" when it compiles.
inline std::string CompileErrorFor(const boost::json::value& schema) {
  Result<std::shared_ptr<const Schema>> compiled = Compile(schema);
  if (compiled) return "";
  EXPECT_TRUE(compiled.error().Is(ErrorKind::kInvalidInput)) << compiled.error().message;
  EXPECT_EQ(compiled.error().code, "json-schema");
  return compiled.error().message;
}

inline std::string CompileError(std::string_view schema_text) { return CompileErrorFor(Json(schema_text)); }

// Runs `job` on a new thread whose stack is `stack_bytes`, and waits for it.
// An exception it throws is thrown here; a stack overflow kills the test run.
inline void RunWithStack(std::size_t stack_bytes, const std::function<void()>& job) {
  struct Call {
    const std::function<void()>* job;
    std::exception_ptr failure;
  } call{&job, nullptr};
  pthread_attr_t attributes;
  pthread_attr_init(&attributes);
  pthread_attr_setstacksize(&attributes, stack_bytes);
  pthread_t thread;
  int started = pthread_create(
      &thread, &attributes,
      [](void* argument) -> void* {
        auto* call = static_cast<Call*>(argument);
        try {
          (*call->job)();
        } catch (...) {  // carried to the caller, which rethrows it
          call->failure = std::current_exception();
        }
        return nullptr;
      },
      &call);
  pthread_attr_destroy(&attributes);
  if (started != 0) throw std::runtime_error("pthread_create failed");
  pthread_join(thread, nullptr);
  if (call.failure) std::rethrow_exception(call.failure);
}

// `count` copies of `text`.
inline std::string Repeat(std::string_view text, std::size_t count) {
  std::string out;
  out.reserve(text.size() * count);
  for (std::size_t i = 0; i < count; ++i) out += text;
  return out;
}

}  // namespace testing_util
}  // namespace agentbase::jsonschema
