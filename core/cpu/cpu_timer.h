// Per-thread CPU-time timers (timer_create on a thread's CPU clock, delivered to that
// thread): every thread is sampled in proportion to the CPU time it uses itself, unlike
// one process-wide setitimer(ITIMER_PROF), whose signals land on whichever thread runs.
#pragma once

#include <sys/types.h>
#include <time.h>

#include <cstdint>

namespace siagent {

// Marks siginfo::si_value of the signals our timers send, so the handler can tell them
// from the same signal sent by anybody else.
extern const char kCpuTimerMarker;

// Creates and starts a timer that sends `signal` to thread `tid` after every
// `interval_ns` of that thread's CPU time. Any thread may create it for any thread of
// this process. Returns 0 and the timer, or an errno value.
// The CPU-time clock of thread `tid` of this process. signal-safe.
clockid_t thread_cpu_clock(pid_t tid);

int create_thread_cpu_timer(pid_t tid, int signal, int64_t interval_ns, timer_t& timer);

void delete_thread_cpu_timer(timer_t timer);

}  // namespace siagent
