#include "app/event_loop.hpp"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <vector>

namespace agentbase::app {
namespace {

namespace asio = boost::asio;

// Handlers posted from handlers, and timers that fire later, all run in
// order, and the loop returns once no work is left: in both modes.
void ExpectRunsEverythingThenReturns(bool yield_when_idle) {
  asio::io_context io(1);
  std::vector<int> order;
  asio::steady_timer late(io, std::chrono::milliseconds(30));
  late.async_wait([&](const auto&) { order.push_back(3); });
  asio::steady_timer early(io, std::chrono::milliseconds(10));
  early.async_wait([&](const auto&) { order.push_back(2); });
  asio::post(io, [&] {
    order.push_back(0);
    asio::post(io, [&] { order.push_back(1); });
  });
  RunEventLoop(io, EventLoopOptions{yield_when_idle});
  EXPECT_EQ(order, (std::vector<int>{0, 1, 2, 3}));
  EXPECT_TRUE(io.stopped());
}

TEST(EventLoop, YieldingRunsEverythingThenReturns) { ExpectRunsEverythingThenReturns(true); }

TEST(EventLoop, PlainRunsEverythingThenReturns) { ExpectRunsEverythingThenReturns(false); }

TEST(EventLoop, StopEndsItWithWorkLeft) {
  asio::io_context io(1);
  asio::steady_timer never(io, std::chrono::hours(1));
  bool fired = false;
  never.async_wait([&](const auto& ec) { fired = !ec; });
  asio::steady_timer stopper(io, std::chrono::milliseconds(5));
  stopper.async_wait([&](const auto&) { io.stop(); });
  auto started = std::chrono::steady_clock::now();
  RunEventLoop(io, EventLoopOptions{true});
  EXPECT_FALSE(fired);
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::minutes(1));
}

}  // namespace
}  // namespace agentbase::app
