// The allocator the application would have used without us: the next definitions of the
// malloc family after libsiagent.so in symbol lookup order (glibc's, or jemalloc's or
// tcmalloc's when the program links one), found with siagent_next_symbol (dlsym RTLD_NEXT
// as libsiagent.so sees it, preload/real_function.h).
//
// malloc-safe: resolution runs on first use; allocation calls that dlsym itself makes
// meanwhile on the resolving thread see resolved() == false and go to the early arena.
#pragma once

#include <atomic>
#include <cstddef>

// Defined in libsiagent.so and used by the agent library too: exported (preload/exports.map).
#pragma GCC visibility push(default)
namespace siagent {

struct RealAllocator {
    void* (*malloc)(size_t) = nullptr;
    void (*free)(void*) = nullptr;
    void* (*calloc)(size_t, size_t) = nullptr;
    void* (*realloc)(void*, size_t) = nullptr;
    void* (*memalign)(size_t, size_t) = nullptr;
    int (*posix_memalign)(void**, size_t, size_t) = nullptr;
    void* (*aligned_alloc)(size_t, size_t) = nullptr;
    void* (*valloc)(size_t) = nullptr;
    void* (*pvalloc)(size_t) = nullptr;
    size_t (*malloc_usable_size)(void*) = nullptr;
};

// Written once, by one thread, before real_allocator_resolved is set (release); read only
// after seeing it set (acquire).
extern RealAllocator real_allocator;
extern std::atomic<bool> real_allocator_resolved;

// True when the real functions are known (resolving them now if needed); false on the
// thread that is resolving them (dlsym recursion), and when they cannot be found.
bool resolve_real_allocator();

// The wrappers' fast check. malloc-safe.
inline bool real_allocator_ready() {
    return real_allocator_resolved.load(std::memory_order_acquire) || resolve_real_allocator();
}

}  // namespace siagent
#pragma GCC visibility pop
