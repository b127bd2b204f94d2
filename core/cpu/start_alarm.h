// A fork child's agent starts without a waiting thread.
//
// A thread made in every fork child (to start the child's agent if it lives 50 ms) cost
// about 0.4 ms per fork, more than the fork itself, in children that mostly exec or exit
// at once. Instead the child arms a one-shot timer on its process CPU-time clock that
// sends the CPU profiler's signal (SIGPROF, whose handler the child inherited) marked as
// the start alarm: it fires once the child has used 20 ms of CPU time (agent_main.cpp), and
// only ever interrupts a thread that is running, never one waiting in pause, sigsuspend
// or any other call that a wall-clock signal would end early with EINTR. A child that
// only waits is profiled once it works.
//
// When the alarm fires, the handler looks at the stack it interrupted: if the
// interrupted code holds no lock that making a thread takes (the rule in
// core/interrupted_code.h), the handler makes the waiting thread there (which starts the
// agent at once, in normal context); otherwise the alarm is armed again for 10 ms more
// CPU time. Code that may hold one (malloc, a callback from libc, ld.so) waits
// for the next alarm. So does a fork in progress: the agent's fork handler holds the
// life-cycle lock that the start takes with try_lock. A CPU-bound child starts in its own
// code, a server child in its read, sendfile or epoll_wait.
//
// Only where the agent's SIGPROF handler is installed (the CPU profiler ran in the
// parent); otherwise arm_start_alarm returns false and the caller keeps the waiting
// thread.
#pragma once

#include <chrono>

namespace siagent {

// Normal context, with the caller's life-cycle lock held, after remember_runtime_code
// (core/interrupted_code.h). Arms the alarm to fire once the
// process has used `cpu_time` more CPU time;
// `start` runs in the signal handler when the interrupted code is safe, and returns
// whether it made the thread (false: try again later). False when no alarm can be made.
bool arm_start_alarm(std::chrono::milliseconds cpu_time, bool (*start)());
// Normal context: no alarm fires after this (the timer is deleted). Returns whether an
// alarm was armed that had not made its thread yet.
bool disarm_start_alarm();
// In a fork child: the parent's timer does not exist here.
void forget_start_alarm();
// signal-safe, malloc-safe: an alarm is armed and has not made its thread yet.
bool start_alarm_pending();

// signal-safe, malloc-safe: from the SIGPROF handler, for a delivery marked as the alarm.
void on_start_alarm(const void* ucontext);
// The marker a start alarm's siginfo carries in si_value.
extern const char kStartAlarmMarker;

}  // namespace siagent
