#include "app/cpu_scheduling.hpp"

#include <sched.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace agentbase::app {

namespace {

Status SetPolicy(int policy, const char* name) {
  sched_param param{};
  param.sched_priority = 0;
  if (sched_setscheduler(0, policy, &param) != 0) {
    return Error::Make(std::string("cannot switch to ") + name + ": " + std::strerror(errno), "scheduling");
  }
  return Ok();
}

}  // namespace

Status UseBatchScheduling() { return SetPolicy(SCHED_BATCH, "SCHED_BATCH"); }

Status UseDefaultScheduling() { return SetPolicy(SCHED_OTHER, "SCHED_OTHER"); }

bool IsBatchScheduled() { return sched_getscheduler(0) == SCHED_BATCH; }

}  // namespace agentbase::app
