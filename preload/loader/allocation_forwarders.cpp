// libsiagent.so's malloc family and C++ allocation operators: the agent's implementation
// once it is loaded, else the unprofiled allocator (preload/unprofiled_allocation.h).
//
// malloc-safe, signal-safe as the real allocator is: one acquire load, then a tail call.
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

#define SIAGENT_FORWARD(result, name, parameters, arguments)                                 \
    SIAGENT_EXPORT SIAGENT_HOT result name parameters {                                      \
        if (const siagent::HookTable* hooks = installed_hooks()) return hooks->name arguments; \
        return siagent::unprofiled_##name arguments;                                         \
    }
SIAGENT_ALLOCATION_CALLS(SIAGENT_FORWARD)
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
