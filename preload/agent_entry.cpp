// The agent's side of the two stages: its implementation of every interposed function, in
// the table libsiagent.so forwards to (preload/hook_table.h). The implementations keep their
// libc names inside libsiagent-agent.so, where they are not exported (preload/
// agent_exports.map): only this table reaches them from outside.
#include "core/allocation/allocation_profiler.h"
#include "preload/export.h"
#include "preload/hook_table.h"
#include "preload/lifecycle.h"

#pragma GCC diagnostic ignored "-Wdeprecated-declarations"  // sigset is interposed too

// The throw interposer has its own name in this library (preload/exceptions.cpp): here
// __cxa_throw is the agent's own C++ runtime's.
#define __cxa_throw siagent_cxa_throw

// Declared again as libsiagent.so defines them: several have no declaration in libc's headers
// (fortified entry points, bsd_signal, __cxa_throw).
#define SIAGENT_DECLARE(result, name, parameters, arguments) extern "C" result name parameters;
SIAGENT_FORWARDED_CALLS(SIAGENT_DECLARE)
SIAGENT_CREDENTIAL_CALLS(SIAGENT_DECLARE)
SIAGENT_ALLOCATION_CALLS(SIAGENT_DECLARE)
SIAGENT_API_CALLS(SIAGENT_DECLARE)
#undef SIAGENT_DECLARE

namespace {

// Set by siagent_agent_entry, which the first stage calls before it publishes the table.
siagent::AllocationFastPath allocation_fast_path;

constexpr siagent::HookTable kHooks = {
#define SIAGENT_ENTRY(result, name, parameters, arguments) &::name,
    SIAGENT_FORWARDED_CALLS(SIAGENT_ENTRY)
    SIAGENT_CREDENTIAL_CALLS(SIAGENT_ENTRY)
    SIAGENT_ALLOCATION_CALLS(SIAGENT_ENTRY)
    SIAGENT_API_CALLS(SIAGENT_ENTRY)
#undef SIAGENT_ENTRY
#define SIAGENT_ENTRY(result, name, parameters) &::name,
    SIAGENT_VARIADIC_CALLS(SIAGENT_ENTRY)
#undef SIAGENT_ENTRY
#define SIAGENT_ENTRY(result, entry, symbol, name, parameters, arguments) \
    static_cast<result(*) parameters>(&::name),
    SIAGENT_OPERATOR_CALLS(SIAGENT_ENTRY)
#undef SIAGENT_ENTRY
    &allocation_fast_path,
};

#undef __cxa_throw

constexpr siagent::AgentEntry kEntry = {&kHooks, &siagent::start_from_environment,
                                        &siagent::serve_from_environment,
                                        &siagent::prepare_fork, &siagent::parent_after_fork,
                                        &siagent::child_after_fork,
                                        &siagent::stop_for_sandbox};

}  // namespace

SIAGENT_EXPORT const siagent::AgentEntry* siagent_agent_entry() {
    allocation_fast_path.countdown_offset =
        reinterpret_cast<char*>(&siagent::allocation_countdown.remaining) -
        static_cast<char*>(__builtin_thread_pointer());
    allocation_fast_path.release_filter = siagent::sampled_live_blocks.filter();
    return &kEntry;
}
