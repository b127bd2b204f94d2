// Telling a blocking call interrupted by the agent's own signal from one interrupted by
// the application's. poll, epoll_wait, select, nanosleep, sem_wait and their kin fail
// with EINTR after any handled signal, even under SA_RESTART; the interposers resume them
// when only the agent's signals arrived during the call, so the application never sees
// EINTR because of the agent.
//
// Two per-thread counters in initial-exec TLS (never allocate on first touch):
// - agent_signals: incremented by the agent's handlers for signals the agent sent itself
//   (its CPU timers);
// - application_signals: incremented whenever the agent hands a signal on to the
//   application's handler (chain_to_application).
// A call is resumed when the first moved and the second did not. signal-safe, malloc-safe.
#pragma once

#include <cstdint>

namespace siagent {

extern thread_local constinit uint32_t agent_signals __attribute__((tls_model("initial-exec")));
extern thread_local constinit uint32_t application_signals __attribute__((tls_model("initial-exec")));

// Taken just before a blocking call; asked after it failed with EINTR.
class InterruptionWatch {
public:
    InterruptionWatch() : agent_(agent_signals), application_(application_signals) {}
    // True when the agent's signals, and nothing the application handles through the
    // agent, arrived since construction.
    bool only_agent_signals() const {
        return agent_signals != agent_ && application_signals == application_;
    }

private:
    uint32_t agent_;
    uint32_t application_;
};

}  // namespace siagent
