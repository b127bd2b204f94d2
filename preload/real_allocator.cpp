#include "preload/real_allocator.h"

#include <unistd.h>

#include <atomic>

#include "preload/real_function.h"

namespace siagent {

RealAllocator real_allocator;
std::atomic<bool> real_allocator_resolved{false};

namespace {

std::atomic<bool> publishing{false};
thread_local constinit bool resolving_on_this_thread __attribute__((tls_model("initial-exec"))) =
    false;

template <typename Function>
void find(Function& slot, const char* name) {
    slot = reinterpret_cast<Function>(siagent_next_symbol(name, nullptr));
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
    find(found.malloc, "malloc");
    find(found.free, "free");
    find(found.calloc, "calloc");
    find(found.realloc, "realloc");
    find(found.memalign, "memalign");
    find(found.posix_memalign, "posix_memalign");
    find(found.aligned_alloc, "aligned_alloc");
    find(found.valloc, "valloc");
    find(found.pvalloc, "pvalloc");
    find(found.malloc_usable_size, "malloc_usable_size");
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
