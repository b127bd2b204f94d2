#include "preload/real_function.h"

#include <dlfcn.h>

#include <atomic>
#include <cstring>

#include "preload/export.h"
#include "preload/loader/environment.h"

// This copy's siagent_next_symbol under a name bound inside this copy (defined below).
extern "C" __attribute__((visibility("hidden"), nothrow)) void* siagent_next_symbol_here(
    const char* name, const char* version);

namespace {

// This copy of the library's load address and file name.
bool own_object(Dl_info& self) {
    return dladdr(reinterpret_cast<void*>(&siagent_next_symbol_here), &self) != 0 &&
           self.dli_fname != nullptr;
}

// The last object found not to be a copy of this library (libc, nearly always): its next
// lookups skip the check.
std::atomic<void*> known_other_object{nullptr};

using NextSymbol = void* (*)(const char*, const char*);

// When `symbol` is defined by another copy of this library (preloaded by a second path: both
// copies are loaded), that copy's own siagent_next_symbol; else nullptr. No dlopen or dlsym
// on the other object: lookups come as early as a program's .preinit_array (its first
// allocation), where a dlopen ran libc's initializers out of order and the program's
// environment was lost. A copy of the same build has the function at the same offset, with
// the same bytes; another build of the library is not recognized.
NextSymbol other_copys_lookup(void* symbol) {
    Dl_info definer{}, self{};
    if (dladdr(symbol, &definer) == 0 || definer.dli_fname == nullptr || !own_object(self) ||
        definer.dli_fbase == self.dli_fbase ||
        definer.dli_fbase == known_other_object.load(std::memory_order_relaxed))
        return nullptr;
    if (!siagent::same_text(siagent::file_name_of(definer.dli_fname), siagent::file_name_of(self.dli_fname))) {
        known_other_object.store(definer.dli_fbase, std::memory_order_relaxed);
        return nullptr;
    }
    const char* here = reinterpret_cast<const char*>(&siagent_next_symbol_here);
    const char* there = static_cast<const char*>(definer.dli_fbase) +
                        (here - static_cast<const char*>(self.dli_fbase));
    constexpr size_t kCompared = 32;
    if (memcmp(here, there, kCompared) != 0) return nullptr;
    return reinterpret_cast<NextSymbol>(const_cast<char*>(there));
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

extern "C" __attribute__((visibility("hidden"), nothrow, alias("siagent_next_symbol"))) void*
siagent_next_symbol_here(const char* name, const char* version);

namespace siagent {

bool another_first_stage_ahead() {
    void* first = dlsym(RTLD_DEFAULT, "siagent_next_symbol");
    Dl_info definer{}, self{};
    return first != nullptr && dladdr(first, &definer) != 0 && own_object(self) &&
           definer.dli_fbase != self.dli_fbase;
}

}  // namespace siagent
