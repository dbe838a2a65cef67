#include "app/cpu_scheduling.hpp"

#include <gtest/gtest.h>

#include <thread>

namespace agentbase::app {
namespace {

// On a thread of its own, so the test runner's thread keeps its policy.
TEST(CpuScheduling, SwitchesToBatchAndBack) {
  std::thread worker([] {
    ASSERT_TRUE(UseDefaultScheduling());
    ASSERT_FALSE(IsBatchScheduled());
    auto batch = UseBatchScheduling();
    ASSERT_TRUE(batch) << batch.error().message;
    EXPECT_TRUE(IsBatchScheduled());
    auto back = UseDefaultScheduling();
    ASSERT_TRUE(back) << back.error().message;
    EXPECT_FALSE(IsBatchScheduled());
  });
  worker.join();
}

}  // namespace
}  // namespace agentbase::app
