#include "preload/real_function.h"

#include <dlfcn.h>

#include <atomic>

#include "preload/export.h"

namespace {

// This copy of the library's load address (a hidden function's, never interposed).
__attribute__((visibility("hidden"))) void* own_base() {
    Dl_info self{};
    return dladdr(reinterpret_cast<void*>(&own_base), &self) != 0 ? self.dli_fbase : nullptr;
}

// The last object found not to be a copy of this library (libc, nearly always): its next
// lookups skip the check.
std::atomic<void*> known_other_object{nullptr};

// When `symbol` is defined by another copy of this library (preloaded by a second path: both
// copies are loaded), that copy's own siagent_next_symbol; else nullptr.
using NextSymbol = void* (*)(const char*, const char*);
NextSymbol other_copys_lookup(void* symbol) {
    Dl_info definer{};
    if (dladdr(symbol, &definer) == 0 || definer.dli_fname == nullptr || definer.dli_fbase == own_base() ||
        definer.dli_fbase == known_other_object.load(std::memory_order_relaxed))
        return nullptr;
    void* object = dlopen(definer.dli_fname, RTLD_LAZY | RTLD_NOLOAD);
    if (object == nullptr) return nullptr;
    auto lookup = reinterpret_cast<NextSymbol>(dlsym(object, "siagent_next_symbol"));
    dlclose(object);
    Dl_info lookup_definer{};
    if (lookup == nullptr || dladdr(reinterpret_cast<void*>(lookup), &lookup_definer) == 0 ||
        lookup_definer.dli_fbase != definer.dli_fbase) {
        known_other_object.store(definer.dli_fbase, std::memory_order_relaxed);
        return nullptr;
    }
    return lookup;
}

}  // namespace

// Here, in the first stage, RTLD_NEXT means what an interposer means by it: the next
// definition after libsiagent.so in the program's lookup order (libc's, or a later
// preloaded library's). The agent, loaded with dlopen, is outside that order.
//
// A second copy of this library further down the order is skipped: its forwarders are
// this copy's RTLD_NEXT, but their own calls bind to this copy's exported functions (the
// first definitions), so each called itself for ever (a spinning /bin/true). The answer is
// then the other copy's own next definition.
//
// dlsym finds "here" from its return address: its calls must not become tail calls, or
// they would answer for this function's caller instead.
SIAGENT_EXPORT void* siagent_next_symbol(const char* name, const char* version) {
    void* symbol = version != nullptr ? dlvsym(RTLD_NEXT, name, version) : nullptr;
    if (symbol == nullptr) symbol = dlsym(RTLD_NEXT, name);
    asm volatile("" ::: "memory");  // keeps the calls above out of tail position
    if (symbol != nullptr)
        if (NextSymbol other = other_copys_lookup(symbol)) symbol = other(name, version);
    return symbol;
}

namespace siagent {

bool another_first_stage_ahead() {
    void* first = dlsym(RTLD_DEFAULT, "siagent_next_symbol");
    Dl_info definer{};
    return first != nullptr && dladdr(first, &definer) != 0 && definer.dli_fbase != own_base();
}

}  // namespace siagent
