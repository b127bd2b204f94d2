#include "core/next_symbol.h"

#include <dlfcn.h>

// Weak: present when libsiagent.so is loaded (the agent library links it), absent in unit
// tests.
extern "C" void* siagent_next_symbol(const char* name, const char* version) __attribute__((weak));

namespace siagent {

void* next_symbol(const char* name) {
    if (siagent_next_symbol != nullptr) return siagent_next_symbol(name, nullptr);
    void* symbol = dlsym(RTLD_NEXT, name);
    asm volatile("" ::: "memory");  // dlsym's caller must be this object: no tail call
    return symbol;
}

}  // namespace siagent
