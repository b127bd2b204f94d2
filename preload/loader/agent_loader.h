// The first stage's one decision: whether and when to load the agent (libsiagent-agent.so,
// next to libsiagent.so) into this process.
//
// A preloaded process loads it once it has lived SI_START_DELAY (50 ms by default; 0 loads
// it before main) and then either used 20 ms of CPU time or lived a second
// (environment.h): most processes a container, a shell script or a build runs live a few
// milliseconds or mostly wait for others, and each then costs only this small library, no
// thread of the agent's, no file. Until the agent is loaded every interposed function goes straight to the next
// definition (libc's); afterwards to the agent's HookTable.
//
// Threads: one waiting thread per process while the delay runs (none with SI_START_DELAY=0
// or when not preloaded). It is stopped and joined around calls that need a single-threaded
// process (set*id, setgroups, unshare, setns: see LoaderPause), and re-armed afterwards;
// exit and exec end it; a fork child arms its own.
#pragma once

#include <atomic>

#include "preload/hook_table.h"

namespace siagent {

// Set once, when the agent is loaded (agent_loader.cpp); read by every forwarder. One cache
// line: malloc and free read both.
struct alignas(64) PublishedAgent {
    std::atomic<const HookTable*> hooks{nullptr};
    // A copy of the agent's, written before `hooks` (release).
    AllocationFastPath fast_path{};
};
extern PublishedAgent published_agent;

// The agent's table once loaded, else nullptr. One acquire load, inline in every
// forwarder: signal-safe, malloc-safe.
inline const HookTable* installed_hooks() { return published_agent.hooks.load(std::memory_order_acquire); }

// A fork child of a process still to load the agent makes no waiting thread at the fork,
// and neither does a process exec'd by a process with this library preloaded (a command of
// a shell script, a compiler that make runs), unless it is a Go program: most such
// processes exec or exit within milliseconds, and a thread cost each more than its work
// (about 0.4 ms of CPU per command of a preloaded shell's loop). Instead this is set, and
// one of the process's malloc, calloc or realloc calls made by the application (not by
// libc, ld.so or this library, which may hold a lock that making a thread takes) once it
// has lived SI_START_DELAY since its fork or exec (its own forks do not restart that clock;
// a thread looks at the clock once in 32 calls) makes the waiting
// thread (start_waiting_from_allocation), which then waits as any other. Such a process
// that never allocates again is not profiled (docs/architecture.md); a Go program's
// goroutines call no malloc, so a Go program makes its waiting thread at its start.
extern std::atomic<bool> start_pending_on_allocation;

// malloc-safe, not signal-safe: from the allocation forwarders, while
// start_pending_on_allocation is set, with the allocation's caller. Makes the waiting thread
// when the process is due and the call safe (see above); else returns at once. Keeps errno.
void start_waiting_from_allocation(const void* caller);

// Loads the agent now if it is not loaded (si_start). Returns its table, or nullptr when it
// cannot be loaded (said once on stderr). Not for signal handlers or allocators.
const HookTable* load_agent_now();

// si_destroy before the agent was loaded: no agent will be loaded later either.
void forget_deferred_load();

// The application is about to install a seccomp filter, or strict mode, on itself
// (prctl(PR_SET_SECCOMP) or the seccomp system call): from then on a system call of the
// agent's may be refused, or end the process (a filter's SECCOMP_RET_KILL). No agent is
// loaded or started in this process afterwards (nor in its fork children, which inherit the
// filter), a loaded one stops as si_destroy stops it (AgentEntry::stop_for_sandbox), and
// this returns once the helper thread (waiting, or serving as the agent's) has left the
// process, so that a filter synchronized to every thread (SECCOMP_FILTER_FLAG_TSYNC) finds
// none of the agent's. Keeps errno. Not for signal handlers or allocators.
void step_aside_for_sandbox();

// While it exists, the waiting thread does not: it is stopped and joined (and, if it has
// loaded the agent, waited out of the kernel's thread group), and armed again afterwards if
// the agent is still to be loaded (a fork child's start on allocation likewise waits for
// its end); its end keeps errno. Not for signal handlers or allocators.
class LoaderPause {
public:
    LoaderPause();
    ~LoaderPause();
    LoaderPause(const LoaderPause&) = delete;
    LoaderPause& operator=(const LoaderPause&) = delete;

private:
    bool rearm_;
    bool rearm_on_allocation_;
};

}  // namespace siagent
