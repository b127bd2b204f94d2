#include "preload/real_function.h"

#include <dlfcn.h>

#include "preload/export.h"

// Here, in the first stage, RTLD_NEXT means what an interposer means by it: the next
// definition after libsiagent.so in the program's lookup order (libc's, or a later
// preloaded library's). The agent, loaded with dlopen, is outside that order.
//
// dlsym finds "here" from its return address: its calls must not become tail calls, or
// they would answer for this function's caller instead.
SIAGENT_EXPORT void* siagent_next_symbol(const char* name, const char* version) {
    void* symbol = version != nullptr ? dlvsym(RTLD_NEXT, name, version) : nullptr;
    if (symbol == nullptr) symbol = dlsym(RTLD_NEXT, name);
    asm volatile("" ::: "memory");  // keeps the calls above out of tail position
    return symbol;
}
