// libsiagent.so's malloc family and C++ allocation operators: the agent's implementation
// once it is loaded, else the unprofiled allocator (preload/unprofiled_allocation.h).
//
// malloc-safe, signal-safe as the real allocator is: one acquire load, then a tail call.
#include "preload/export.h"
#include "preload/interposed_functions.h"

#include "preload/loader/agent_loader.h"
#include "preload/real_function.h"
#include "preload/unprofiled_allocation.h"

// The hottest functions of all: no frame of their own (they end in a tail call, so no
// frame of theirs is ever on a stack an unwinder walks).
#define SIAGENT_HOT __attribute__((optimize("omit-frame-pointer")))

using siagent::installed_hooks;

#define SIAGENT_FORWARD(result, name, parameters, arguments)                                 \
    SIAGENT_EXPORT SIAGENT_HOT result name parameters {                                      \
        if (const siagent::HookTable* hooks = installed_hooks()) return hooks->name arguments; \
        return siagent::unprofiled_##name arguments;                                         \
    }
SIAGENT_ALLOCATION_CALLS(SIAGENT_FORWARD)
#undef SIAGENT_FORWARD

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
