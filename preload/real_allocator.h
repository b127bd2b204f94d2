// The allocator the application uses: the next definitions of the malloc family after
// libsiagent.so in symbol lookup order (glibc's, or jemalloc's or tcmalloc's when the
// program links one), found with siagent_next_symbol (dlsym RTLD_NEXT as libsiagent.so sees
// it, preload/real_function.h); or, when a definition comes before libsiagent.so's (an
// allocator named earlier in LD_PRELOAD, or built into the executable), that one: the
// application, every library and the agent's own libraries then allocate from it, and the
// agent must too (a block of jemalloc's given to glibc's free aborted the process).
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
    // Where malloc was found before libsiagent.so's (its file name), else nullptr: the
    // application's allocations never reach the agent's interposers then.
    const char* ahead_of_first_stage = nullptr;
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
