// What the interposers need from the agent's life cycle (preload/agent_main.cpp).
#pragma once

#include <cerrno>

namespace siagent {

// Starts the agent from the environment (SI_* variables), as a preloaded process does;
// libsiagent.so calls it once it has loaded this library (preload/hook_table.h).
void start_from_environment();
// The same, on the first stage's waiting thread, which becomes the agent thread: calls
// `started` once the agent is set up (or will not start), then runs the agent's loop until
// the agent stops or pauses its thread (Agent::ThreadSource::caller).
void serve_from_environment(void (*started)());

// The agent's fork handlers (preload/agent_main.cpp), run through the first stage's.
void prepare_fork();
void parent_after_fork();
void child_after_fork();

// The process is about to install a seccomp filter (or strict mode) on itself: stops the
// agent for the rest of the process's life, as si_destroy does (its last report written, its
// thread joined, its timers deleted), and calls off a fork child's pending start, before the
// filter can refuse, or kill the process for, a system call of the agent's. Normal context.
void stop_for_sandbox();

// Ends the agent thread for a moment so the process has only the application's threads,
// for calls that refuse to run in a multi-threaded process. Returns whether it did.
bool pause_agent_thread();
// Starts it again after pause_agent_thread() returned true.
void resume_agent_thread();

// Runs `call` with the agent thread paused; the result and errno are the call's. Not for
// signal handlers or allocators (it joins and starts a thread).
template <typename Call>
auto with_agent_thread_paused(Call call) {
    bool paused = pause_agent_thread();
    auto result = call();
    int saved_errno = errno;
    if (paused) resume_agent_thread();
    errno = saved_errno;
    return result;
}

}  // namespace siagent
