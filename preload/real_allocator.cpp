#include "preload/real_allocator.h"

#include <dlfcn.h>
#include <link.h>
#include <unistd.h>

#include <atomic>

#include "preload/loader/environment.h"
#include "preload/loader/symbol_definition.h"
#include "preload/real_function.h"

namespace siagent {

RealAllocator real_allocator;
std::atomic<bool> real_allocator_resolved{false};

namespace {

std::atomic<bool> publishing{false};
thread_local constinit bool resolving_on_this_thread __attribute__((tls_model("initial-exec"))) =
    false;

// With an allocator `ahead` of this library in lookup order: its own definition of `name`;
// else (an indirect function, or a name another object ahead defines) what dlsym finds
// first, if the object holding it defines it (not the program's PLT stub, which jumps to this
// library's forwarder when nothing ahead defines the name). Otherwise the next definition
// after this library. Never this library's own forwarder (a call would come back to itself).
template <typename Function>
void find(Function& slot, const char* name, const link_map* ahead) {
    void* found = ahead != nullptr ? own_definition(ahead, name) : nullptr;
    if (ahead != nullptr && found == nullptr) {
        found = dlsym(RTLD_DEFAULT, name);
        const link_map* holder = found != nullptr ? object_holding(found) : nullptr;
        if (holder == nullptr || holder == this_library() || !defines(holder, name)) found = nullptr;
    }
    slot = reinterpret_cast<Function>(found != nullptr ? found : siagent_next_symbol(name, nullptr));
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
    // Read from the objects' symbol tables, not dlsym(RTLD_DEFAULT): a program built without
    // -fPIE (node) answers that with its own PLT stub, which jumps to jemalloc's malloc when
    // jemalloc is preloaded ahead and to this library's forwarder otherwise.
    const link_map* ahead = another_first_stage_ahead() ? nullptr : defined_ahead_of(this_library(), "malloc");
    if (ahead != nullptr) found.ahead_of_first_stage = ahead->l_name != nullptr && ahead->l_name[0] != '\0' ? ahead->l_name : "the program";
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
