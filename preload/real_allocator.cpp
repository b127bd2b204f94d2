#include "preload/real_allocator.h"

#include <dlfcn.h>
#include <link.h>
#include <unistd.h>

#include <atomic>

#include "preload/loader/environment.h"
#include "preload/real_function.h"

namespace siagent {

RealAllocator real_allocator;
std::atomic<bool> real_allocator_resolved{false};

namespace {

std::atomic<bool> publishing{false};
thread_local constinit bool resolving_on_this_thread __attribute__((tls_model("initial-exec"))) =
    false;

// The file that defines `name` at `symbol`, when it is not this library; else nullptr. Only
// a definition counts: a program built without -fPIE that takes a function's address makes
// its PLT stub the canonical address, which dlsym answers (python3: "malloc" in the
// executable) though the stub jumps on to this library's forwarder.
const char* defined_elsewhere(void* symbol, const char* name) {
    // This library's own, the common case, is told without dladdr1's symbol scan.
    const link_map* object = symbol != nullptr ? object_holding(symbol) : nullptr;
    if (object == nullptr || object == this_library()) return nullptr;
    Dl_info definer{};
    ElfW(Sym)* entry = nullptr;
    if (dladdr1(symbol, &definer, reinterpret_cast<void**>(&entry), RTLD_DL_SYMENT) == 0) return nullptr;
    // The canonical PLT stub's entry is undefined (SHN_UNDEF) with the stub's address.
    if (definer.dli_saddr != symbol || entry == nullptr ||
        entry->st_shndx == SHN_UNDEF || definer.dli_sname == nullptr ||
        !same_text(definer.dli_sname, name))
        return nullptr;
    return definer.dli_fname != nullptr ? definer.dli_fname : "?";
}

// The definition the application's calls bind to when it is not this library's (see
// real_allocator.h), else the next one after this library. Never this library's own
// forwarder (a call would come back to itself).
template <typename Function>
void find(Function& slot, const char* name, bool ahead) {
    void* first = ahead ? dlsym(RTLD_DEFAULT, name) : nullptr;
    if (first != nullptr && defined_elsewhere(first, name) == nullptr) first = nullptr;
    slot = reinterpret_cast<Function>(first != nullptr ? first : siagent_next_symbol(name, nullptr));
}

void say_cannot_resolve() {
    static const char message[] =
        "siagent: cannot find the real malloc (dlsym RTLD_NEXT failed); "
        "allocation calls are served from a small static arena\n";
    ssize_t ignored = write(STDERR_FILENO, message, sizeof message - 1);
    (void)ignored;
}

}  // namespace

bool resolve_real_allocator() {
    if (real_allocator_resolved.load(std::memory_order_acquire)) return true;
    if (resolving_on_this_thread) return false;
    resolving_on_this_thread = true;
    RealAllocator found;
    // A second copy of this library ahead of this one is no allocator: this copy is then the
    // first one's next, and serves it from the next definition after itself.
    found.ahead_of_first_stage =
        another_first_stage_ahead() ? nullptr : defined_elsewhere(dlsym(RTLD_DEFAULT, "malloc"), "malloc");
    const bool ahead = found.ahead_of_first_stage != nullptr;
    find(found.malloc, "malloc", ahead);
    find(found.free, "free", ahead);
    find(found.calloc, "calloc", ahead);
    find(found.realloc, "realloc", ahead);
    find(found.memalign, "memalign", ahead);
    find(found.posix_memalign, "posix_memalign", ahead);
    find(found.aligned_alloc, "aligned_alloc", ahead);
    find(found.valloc, "valloc", ahead);
    find(found.pvalloc, "pvalloc", ahead);
    find(found.malloc_usable_size, "malloc_usable_size", ahead);
    resolving_on_this_thread = false;
    if (found.malloc == nullptr || found.free == nullptr || found.calloc == nullptr ||
        found.realloc == nullptr) {
        static std::atomic<bool> said{false};
        if (!said.exchange(true)) say_cannot_resolve();
        return false;
    }
    // Several threads may resolve at once and find the same functions; one writes them,
    // the others wait for it (a few instructions' worth, once per process).
    if (!publishing.exchange(true, std::memory_order_acq_rel)) {
        real_allocator = found;
        real_allocator_resolved.store(true, std::memory_order_release);
    }
    while (!real_allocator_resolved.load(std::memory_order_acquire)) {
    }
    return true;
}

}  // namespace siagent
