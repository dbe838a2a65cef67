#pragma once
// Runs the server's io_context on the calling thread until it runs out of
// work or is stopped, like io_context::run(), with one difference: when the
// loop finds nothing to do, it first gives the CPU away once (sched_yield)
// and looks again before it sleeps in epoll_wait.
//
// Why: under load the next event (PostgreSQL's answer, the next request) is
// usually produced by a process waiting for this very CPU. Sleeping means
// that process must wake us, and the wake-up preempts it at once, so each
// event costs two context switches and the loop handles one event per
// wake-up. Yielding lets that process run first without a wake-up, and the
// loop then finds several events ready together (measured in
// docs/benchmarks.md). When nothing else wants the CPU, the yield returns at
// once and costs one system call per idle transition; the loop never spins.

namespace boost::asio {
class io_context;
}

namespace agentbase::app {

struct EventLoopOptions {
  // Yield before sleeping (false: plain io_context::run()).
  bool yield_when_idle = true;
};

void RunEventLoop(boost::asio::io_context& io, EventLoopOptions options);

}  // namespace agentbase::app
