// Interposed C++ throw entry point. Every `throw` expression of the program (and of the
// libraries it loads, libstdc++'s own std::__throw_* included) calls __cxa_throw after
// constructing the exception object; the error profiler counts it there, then the real
// __cxa_throw unwinds exactly as without the agent. Rethrows (`throw;`) and
// std::rethrow_exception do not come through here: they are not new exceptions.

#include <cstdint>
#include <cstdlib>
#include <typeinfo>

#include "core/agent_guard.h"
#include "core/error/error_profiler.h"
#include "preload/real_function.h"

namespace {

using ThrowFunction = void (*)(void*, std::type_info*, void (*)(void*));

constinit siagent::RealFunction<ThrowFunction> real_throw{"__cxa_throw"};

// Resolved by the library constructor, before the program can throw.
__attribute__((constructor(101))) void resolve_real_throw() { real_throw.resolve(); }

}  // namespace

// The agent's own throws go to its own C++ runtime (linked into the agent library), so this
// is not named __cxa_throw here: the first stage's __cxa_throw forwards to it through the
// hook table (preload/agent_entry.cpp).
//
// Not declared noreturn (the real one is), so that the compiler makes the call to the real
// __cxa_throw a tail call: our frame is gone before the unwinder starts, which then walks
// exactly the frames it walks without the agent. A frame of ours in between would cost a
// lookup of our unwind tables in both unwinding phases of every throw (measured: +15 %).
extern "C" void siagent_cxa_throw(void* object, std::type_info* type, void (*destructor)(void*)) {
    if (siagent::error_profiler_active() && !siagent::inside_agent()) {
        siagent::error_profiler().on_throw(
            object, type, reinterpret_cast<uintptr_t>(__builtin_return_address(0)));
    }
    ThrowFunction real = real_throw.get();
    if (real == nullptr) abort();  // no C++ runtime below us: nothing could have thrown
    real(object, type, destructor);  // a tail call: does not return here
}
