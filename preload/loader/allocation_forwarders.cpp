// libsiagent.so's malloc family and C++ allocation operators: the agent's implementation
// once it is loaded, else the unprofiled allocator (preload/unprofiled_allocation.h).
//
// malloc-safe, signal-safe as the real allocator is: no lock, no allocation; one acquire
// load, then (malloc, free) a thread-local countdown or a filter load, then a tail call.
// The one exception: in a fork child still to make its waiting thread, malloc, calloc and
// realloc called by the application may make it (start_waiting_from_allocation,
// agent_loader.h: only where no runtime lock can be held, never in a vfork child).
#include "core/allocation/live_block_table.h"
#include "preload/export.h"
#include "preload/interposed_functions.h"

#include "preload/loader/agent_loader.h"
#include "preload/early_arena.h"
#include "preload/real_allocator.h"
#include "preload/real_function.h"
#include "preload/unprofiled_allocation.h"

// The hottest functions of all: no frame of their own (they end in a tail call).
#define SIAGENT_HOT SIAGENT_NO_FRAME_POINTER

using siagent::installed_hooks;

namespace {

// The calling thread's allocation countdown (preload/hook_table.h, AllocationFastPath).
// Read after installed_hooks() returned the table: the fast path is set then.
inline int64_t& countdown() {
    return *reinterpret_cast<int64_t*>(static_cast<char*>(__builtin_thread_pointer()) +
                                       siagent::published_agent.fast_path.countdown_offset);
}

inline bool maybe_sampled(const void* block) {
    return siagent::LiveBlockTable::maybe_in_filter(siagent::published_agent.fast_path.release_filter,
                                                    reinterpret_cast<uintptr_t>(block));
}

// A fork child's pending start (agent_loader.h), then the unprofiled call: reached by a tail
// call, so that the forwarders make none but tail calls (a call in their body made each
// save registers on the loaded fast path too).
template <auto unprofiled, typename... Arguments>
__attribute__((noinline, cold)) auto starting_then(const void* caller, Arguments... arguments) {
    siagent::start_waiting_from_allocation(caller);
    return unprofiled(arguments...);
}

#define SIAGENT_UNPARENTHESIZED(...) __VA_ARGS__

}  // namespace

// malloc and free, the hottest calls of all, do the agent's common case here: an allocation
// the countdown does not sample goes to the real allocator, and so does a release of a
// block the filter says was not sampled; the rest (and everything before the real allocator
// is known) goes to the agent, exactly as it would have. One call into the agent less on
// nearly every malloc and free.
SIAGENT_EXPORT SIAGENT_HOT void* malloc(size_t size) {
    if (const siagent::HookTable* hooks = installed_hooks()) {
        if (__builtin_expect(siagent::real_allocator_resolved.load(std::memory_order_acquire), 1)) {
            int64_t& remaining = countdown();
            remaining -= static_cast<int64_t>(size);
            if (__builtin_expect(remaining > 0, 1)) return siagent::real_allocator.malloc(size);
            remaining += static_cast<int64_t>(size);  // the agent counts it down again and samples
        }
        return hooks->malloc(size);
    }
    if (__builtin_expect(siagent::start_pending_on_allocation.load(std::memory_order_relaxed), 0))
        return starting_then<&siagent::unprofiled_malloc>(__builtin_return_address(0), size);
    return siagent::unprofiled_malloc(size);
}

SIAGENT_EXPORT SIAGENT_HOT void free(void* block) {
    if (const siagent::HookTable* hooks = installed_hooks()) {
        if (block != nullptr && !siagent::early_arena_owns(block) &&
            siagent::real_allocator_resolved.load(std::memory_order_acquire) &&
            !maybe_sampled(block))
            return siagent::real_allocator.free(block);
        return hooks->free(block);
    }
    return siagent::unprofiled_free(block);
}

// `starts`: whether the call may make a fork child's waiting thread (calloc and realloc, as
// malloc above: agent_loader.h); a constant the compiler folds.
#define SIAGENT_FORWARD(result, name, parameters, arguments, starts)                         \
    SIAGENT_EXPORT SIAGENT_HOT result name parameters {                                      \
        if (const siagent::HookTable* hooks = installed_hooks()) return hooks->name arguments; \
        if (starts && __builtin_expect(siagent::start_pending_on_allocation.load(std::memory_order_relaxed), 0)) \
            return starting_then<&siagent::unprofiled_##name>(__builtin_return_address(0),   \
                                                              SIAGENT_UNPARENTHESIZED arguments); \
        return siagent::unprofiled_##name arguments;                                         \
    }
SIAGENT_FORWARD(void*, calloc, (size_t count, size_t size), (count, size), true)
SIAGENT_FORWARD(void*, realloc, (void* block, size_t size), (block, size), true)
SIAGENT_FORWARD(void*, reallocarray, (void* block, size_t count, size_t size), (block, count, size), false)
SIAGENT_FORWARD(void*, memalign, (size_t alignment, size_t size), (alignment, size), false)
SIAGENT_FORWARD(int, posix_memalign, (void** result, size_t alignment, size_t size), (result, alignment, size), false)
SIAGENT_FORWARD(void*, aligned_alloc, (size_t alignment, size_t size), (alignment, size), false)
SIAGENT_FORWARD(void*, valloc, (size_t size), (size), false)
SIAGENT_FORWARD(void*, pvalloc, (size_t size), (size), false)
#undef SIAGENT_FORWARD

// A block's size comes from the allocator it came from (the early arena or the real one),
// whether the agent runs or not: no hook, which would only forward here again. Programs
// that account their memory call it after every allocation (redis: a third of the agent's
// share of its CPU went to the two extra calls).
SIAGENT_EXPORT SIAGENT_HOT size_t malloc_usable_size(void* block) {
    if (block == nullptr) return 0;
    if (siagent::early_arena_owns(block)) return siagent::early_arena_block_size(block);
    if (!siagent::real_allocator_ready() || siagent::real_allocator.malloc_usable_size == nullptr) return 0;
    return siagent::real_allocator.malloc_usable_size(block);
}

// Before the agent is loaded the operators are the C++ runtime's own (they throw
// std::bad_alloc and call the new-handler), which allocate through malloc above. A program
// without a C++ runtime never calls them.
#define SIAGENT_FORWARD(result, entry, symbol, name, parameters, arguments)             \
    namespace {                                                                        \
    constinit siagent::RealFunction<result(*) parameters> real_##entry{#symbol};                 \
    }                                                                                  \
    SIAGENT_EXPORT_CXX SIAGENT_HOT result name parameters {                            \
        if (const siagent::HookTable* hooks = installed_hooks()) return hooks->entry arguments; \
        return real_##entry.get() arguments;                                           \
    }
SIAGENT_OPERATOR_CALLS(SIAGENT_FORWARD)
#undef SIAGENT_FORWARD
