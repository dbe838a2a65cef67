#include "util/log_failure.hpp"

#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <sstream>
#include <stdexcept>

namespace agentbase {
namespace {

TEST(LogFailure, DescribesWhatWasThrown) {
  EXPECT_EQ(DescribeException(nullptr), "");
  EXPECT_EQ(DescribeException(std::make_exception_ptr(std::runtime_error("boom"))), "boom");
  EXPECT_EQ(DescribeException(std::make_exception_ptr(42)), "a non-standard exception");
}

TEST(LogFailure, LogsAFailedCoroutineAndNothingForOneThatFinished) {
  std::ostringstream out;
  auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(out);
  auto previous = spdlog::default_logger();
  auto logger = std::make_shared<spdlog::logger>("capture", sink);
  logger->set_pattern("%l %v");
  spdlog::set_default_logger(logger);
  LogFailure{"schema watcher"}(nullptr);
  LogFailure{"schema watcher"}(std::make_exception_ptr(std::runtime_error("socket closed")));
  spdlog::set_default_logger(previous);
  EXPECT_EQ(out.str(), "error schema watcher failed: socket closed\n");
}

}  // namespace
}  // namespace agentbase
