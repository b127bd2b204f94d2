// What the agent (libsiagent-agent.so) hands the first stage (libsiagent.so) when it is
// loaded: its implementation of every interposed function, and its entry points.
//
// Ownership: the table is a constant of the agent library, which is never unloaded
// (-z nodelete); the first stage publishes it once (release) and forwarders read it with
// one acquire load, so a forwarder sees either no table or all of it.
#pragma once

#include <atomic>
#include <cstdint>

#include "preload/interposed_functions.h"

namespace siagent {

// What the first stage's malloc and free need to answer a call the allocation profiler does
// not sample without entering the agent library (preload/loader/allocation_forwarders.cpp):
// where the calling thread's sampling countdown is (its offset from the thread pointer: the
// countdown is initial-exec TLS, at the same offset in every thread) and the filter of
// sampled live blocks (core/allocation/live_block_table.h). Set before the table is
// published, never changed after.
struct AllocationFastPath {
    intptr_t countdown_offset = 0;
    const std::atomic<uint16_t>* release_filter = nullptr;
};

struct HookTable {
#define SIAGENT_HOOK_ENTRY(result, name, parameters, arguments) result(*name) parameters;
    SIAGENT_FORWARDED_CALLS(SIAGENT_HOOK_ENTRY)
    SIAGENT_CREDENTIAL_CALLS(SIAGENT_HOOK_ENTRY)
    SIAGENT_ALLOCATION_CALLS(SIAGENT_HOOK_ENTRY)
    SIAGENT_API_CALLS(SIAGENT_HOOK_ENTRY)
#undef SIAGENT_HOOK_ENTRY
#define SIAGENT_HOOK_ENTRY(result, name, parameters) result(*name) parameters;
    SIAGENT_VARIADIC_CALLS(SIAGENT_HOOK_ENTRY)
#undef SIAGENT_HOOK_ENTRY
#define SIAGENT_HOOK_ENTRY(result, entry, symbol, name, parameters, arguments) \
    result(*entry) parameters;
    SIAGENT_OPERATOR_CALLS(SIAGENT_HOOK_ENTRY)
#undef SIAGENT_HOOK_ENTRY
    const AllocationFastPath* allocation_fast_path;
};

struct AgentEntry {
    const HookTable* hooks;
    // Starts the agent from the environment, as a preloaded library does (after the first
    // stage installed `hooks`), with a thread of its own: in the first stage's constructor
    // (SI_START_DELAY=0) or in si_start.
    void (*start_from_environment)();
    // The same on the first stage's loading thread, which becomes the agent thread: calls
    // `started` once the agent is set up (or will not start), then returns only when the
    // agent no longer needs the thread (preload/lifecycle.h).
    void (*serve_from_environment)(void (*started)());
    // The agent's fork handlers, run by the first stage's own (registered at its start, so
    // that a fork runs all three or none: glibc skips handlers registered during a fork).
    void (*prepare_fork)();
    void (*parent_after_fork)();
    void (*child_after_fork)();
    // Before the application installs a seccomp filter or strict mode (preload/lifecycle.h).
    void (*stop_for_sandbox)();
};

}  // namespace siagent

// The one symbol libsiagent-agent.so exports.
extern "C" const siagent::AgentEntry* siagent_agent_entry();
