#pragma once
// The serving thread's CPU scheduling policy.
//
// `agentbase serve` usually shares the machine with PostgreSQL (always so on
// the embedded default). Under the default policy (SCHED_OTHER) each answer
// from PostgreSQL and each new request wakes the event loop, and the wake-up
// preempts whoever is running, often the very PostgreSQL backend that is
// about to produce the next answer: two context switches per event and one
// event handled per wake-up. SCHED_BATCH (Linux, no privileges needed) keeps
// the same CPU share but does not preempt on wake-up, so the loop runs when
// the backend blocks and finds several events ready together. Under load
// that cut the server's CPU per request by about a third; the cost is that,
// on a saturated machine, the loop may start up to a scheduler tick later.
// On an idle machine nothing changes (a woken task takes an idle CPU).
//
// Processes started from a batch thread inherit the policy, so serve
// switches only while its event loop runs, after the embedded PostgreSQL
// has started, and switches back before stopping it.

#include "util/result.hpp"

namespace agentbase::app {

// Switches the calling thread to SCHED_BATCH. An error (a kernel or sandbox
// that refuses it) is a value: the caller logs it and serves anyway.
Status UseBatchScheduling();

// Back to the default policy (SCHED_OTHER) for the calling thread.
Status UseDefaultScheduling();

// Whether the calling thread runs under SCHED_BATCH.
bool IsBatchScheduled();

}  // namespace agentbase::app
