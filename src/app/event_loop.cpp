#include "app/event_loop.hpp"

#include <sched.h>

#include <boost/asio/io_context.hpp>

namespace agentbase::app {

void RunEventLoop(boost::asio::io_context& io, EventLoopOptions options) {
  if (!options.yield_when_idle) {
    io.run();
    return;
  }
  // poll() runs every ready handler and checks the sockets without blocking;
  // run_one() sleeps until there is something to run.
  while (!io.stopped()) {
    if (io.poll() > 0) continue;
    sched_yield();
    if (io.poll() > 0) continue;
    io.run_one();
  }
}

}  // namespace agentbase::app
