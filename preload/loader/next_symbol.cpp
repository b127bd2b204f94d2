#include "preload/real_function.h"

#include <dlfcn.h>
#include <link.h>

#include <atomic>
#include <cstring>

#include "preload/export.h"
#include "preload/loader/environment.h"

// This copy's siagent_next_symbol under a name bound inside this copy (defined below).
extern "C" __attribute__((visibility("hidden"), nothrow)) void* siagent_next_symbol_here(
    const char* name, const char* version);

namespace {

// The last object found not to be a copy of this library (libc, nearly always): its next
// lookups skip the check.
std::atomic<const link_map*> known_other_object{nullptr};

using NextSymbol = void* (*)(const char*, const char*);

// Whether [begin, begin + size) lies in one of `object`'s executable segments (readable).
// Only on the rare path of another object with this library's file name.
bool in_executable_segment(const link_map* object, const char* begin, size_t size) {
    struct Query {
        ElfW(Addr) base;
        ElfW(Addr) begin, end;
        bool inside;
    } query{object->l_addr, reinterpret_cast<ElfW(Addr)>(begin), reinterpret_cast<ElfW(Addr)>(begin) + size, false};
    dl_iterate_phdr(
        [](dl_phdr_info* info, size_t, void* data) {
            auto* q = static_cast<Query*>(data);
            if (info->dlpi_addr != q->base) return 0;
            for (ElfW(Half) i = 0; i < info->dlpi_phnum; ++i) {
                const ElfW(Phdr)& segment = info->dlpi_phdr[i];
                const ElfW(Addr) start = info->dlpi_addr + segment.p_vaddr;
                if (segment.p_type == PT_LOAD && (segment.p_flags & PF_X) != 0 && (segment.p_flags & PF_R) != 0 &&
                    q->begin >= start && q->end <= start + segment.p_memsz)
                    q->inside = true;
            }
            return q->inside ? 1 : 0;
        },
        &query);
    return query.inside;
}

// When `symbol` is defined by another copy of this library (preloaded by a second path: both
// copies are loaded), that copy's own siagent_next_symbol; else nullptr. No dlopen or dlsym
// on the other object: lookups come as early as a program's .preinit_array (its first
// allocation), where a dlopen ran libc's initializers out of order and the program's
// environment was lost. A copy of the same build has the function at the same offset, with
// the same bytes; another build of the library is not recognized.
NextSymbol other_copys_lookup(void* symbol) {
    const link_map* definer = siagent::object_holding(symbol);
    const link_map* self = siagent::this_library();
    if (definer == nullptr || self == nullptr || definer == self ||
        definer == known_other_object.load(std::memory_order_relaxed))
        return nullptr;
    if (definer->l_name == nullptr || self->l_name == nullptr ||
        !siagent::same_text(siagent::file_name_of(definer->l_name), siagent::file_name_of(self->l_name))) {
        known_other_object.store(definer, std::memory_order_relaxed);
        return nullptr;
    }
    constexpr size_t kCompared = 32;
    const char* here = reinterpret_cast<const char*>(&siagent_next_symbol_here);
    const ElfW(Addr) offset = reinterpret_cast<ElfW(Addr)>(here) - self->l_addr;
    const char* there = reinterpret_cast<const char*>(definer->l_addr + offset);
    // Another library of that name may be laid out otherwise: read only its code.
    if (!in_executable_segment(definer, there, kCompared) || memcmp(here, there, kCompared) != 0)
        return nullptr;
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
    const link_map* definer = first != nullptr ? object_holding(first) : nullptr;
    const link_map* self = this_library();
    return definer != nullptr && self != nullptr && definer != self;
}

}  // namespace siagent
