#include "util/log_failure.hpp"

#include <spdlog/spdlog.h>

namespace agentbase {

std::string DescribeException(std::exception_ptr failure) {
  if (!failure) return {};
  try {
    std::rethrow_exception(failure);
  } catch (const std::exception& error) {
    return error.what();
  } catch (...) {
    return "a non-standard exception";
  }
}

void LogFailure::operator()(std::exception_ptr failure) const {
  if (!failure) return;
  spdlog::error("{} failed: {}", what, DescribeException(failure));
}

}  // namespace agentbase
