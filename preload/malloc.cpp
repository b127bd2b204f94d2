// The interposed malloc family. Each wrapper: make sure the real allocator is known
// (else serve from the early arena), call it, then count the bytes down on the thread's
// sampling countdown (the only cost of a call that is not sampled), and tell the
// allocation profiler about releases of sampled blocks before the real release.
//
// Every function here is malloc-safe: it allocates nothing through the interposed path,
// works before the library constructor ran, and returns exactly what the real function
// returns, with its errno.
#include <malloc.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "core/allocation_profiler.h"
#include "preload/early_arena.h"
#include "preload/real_allocator.h"

#define SIAGENT_EXPORT extern "C" __attribute__((visibility("default")))
// The library keeps frame pointers for its own code; the two hottest wrappers do without
// (their frames are hidden from profiles anyway), which saves the frame set-up on every call.
#define SIAGENT_HOT __attribute__((optimize("omit-frame-pointer")))

using siagent::allocation_countdown_crossed;
using siagent::early_arena_owns;
using siagent::on_release;
using siagent::on_sampling_point;
using siagent::real_allocator;
using siagent::real_allocator_ready;

namespace {

inline void* counted(void* block, size_t size) {
    if (__builtin_expect(allocation_countdown_crossed(size), 0)) on_sampling_point(block, size);
    return block;
}

// The sampled path of malloc, out of line so that the common path stays a tail call.
__attribute__((noinline)) void* sampled_malloc(size_t size) {
    void* block = real_allocator.malloc(size);
    on_sampling_point(block, size);
    return block;
}

size_t page_size() {
    static size_t size = static_cast<size_t>(sysconf(_SC_PAGESIZE));
    return size;
}

bool multiply_overflows(size_t count, size_t size, size_t& product) {
    return __builtin_mul_overflow(count, size, &product);
}

// realloc of a block from the early arena: move it into the real allocator.
void* move_out_of_arena(void* block, size_t size) {
    if (size == 0) return nullptr;  // glibc: realloc(p, 0) frees p and returns NULL
    void* moved = malloc(size);
    if (moved == nullptr) return nullptr;
    size_t old_size = siagent::early_arena_block_size(block);
    memcpy(moved, block, old_size < size ? old_size : size);
    return moved;
}

}  // namespace

// The two hottest functions are written so that the common case ends in a tail call to
// the real function: the countdown is taken before the call (the sampled case, rare, calls
// out of line).
SIAGENT_EXPORT SIAGENT_HOT void* malloc(size_t size) {
    if (__builtin_expect(!real_allocator_ready(), 0))
        return siagent::early_arena_allocate(size, 16);
    if (__builtin_expect(allocation_countdown_crossed(size), 0)) return sampled_malloc(size);
    return real_allocator.malloc(size);
}

SIAGENT_EXPORT SIAGENT_HOT void free(void* block) {
    if (block == nullptr || early_arena_owns(block)) return;
    on_release(block);
    if (__builtin_expect(!real_allocator_ready(), 0)) return;  // cannot be: it came from somewhere
    real_allocator.free(block);
}

SIAGENT_EXPORT void* calloc(size_t count, size_t size) {
    if (__builtin_expect(!real_allocator_ready(), 0)) {
        size_t total;
        if (multiply_overflows(count, size, total)) {
            errno = ENOMEM;
            return nullptr;
        }
        return siagent::early_arena_allocate(total, 16);  // static memory: already zero
    }
    void* block = real_allocator.calloc(count, size);
    size_t total;
    if (block != nullptr && !multiply_overflows(count, size, total)) counted(block, total);
    return block;
}

SIAGENT_EXPORT void* realloc(void* block, size_t size) {
    if (block != nullptr && early_arena_owns(block)) return move_out_of_arena(block, size);
    if (__builtin_expect(!real_allocator_ready(), 0))
        return block == nullptr ? siagent::early_arena_allocate(size, 16) : nullptr;
    // Before the real call: once it releases the block, another thread may get the same
    // address and sample it.
    if (block != nullptr) on_release(block);
    void* moved = real_allocator.realloc(block, size);
    return moved == nullptr ? nullptr : counted(moved, size);
}

SIAGENT_EXPORT void* reallocarray(void* block, size_t count, size_t size) {
    size_t total;
    if (multiply_overflows(count, size, total)) {
        errno = ENOMEM;
        return nullptr;
    }
    return realloc(block, total);
}

SIAGENT_EXPORT void* memalign(size_t alignment, size_t size) {
    if (__builtin_expect(!real_allocator_ready(), 0))
        return siagent::early_arena_allocate(size, alignment);
    return counted(real_allocator.memalign(alignment, size), size);
}

SIAGENT_EXPORT int posix_memalign(void** result, size_t alignment, size_t size) {
    if (__builtin_expect(!real_allocator_ready(), 0)) {
        if (alignment < sizeof(void*) || (alignment & (alignment - 1)) != 0) return EINVAL;
        void* block = siagent::early_arena_allocate(size, alignment);
        if (block == nullptr) return ENOMEM;
        *result = block;
        return 0;
    }
    int status = real_allocator.posix_memalign(result, alignment, size);
    if (status == 0) counted(*result, size);
    return status;
}

SIAGENT_EXPORT void* aligned_alloc(size_t alignment, size_t size) {
    if (__builtin_expect(!real_allocator_ready(), 0))
        return siagent::early_arena_allocate(size, alignment);
    void* block = real_allocator.aligned_alloc != nullptr
                      ? real_allocator.aligned_alloc(alignment, size)
                      : real_allocator.memalign(alignment, size);
    return counted(block, size);
}

SIAGENT_EXPORT void* valloc(size_t size) {
    if (__builtin_expect(!real_allocator_ready(), 0))
        return siagent::early_arena_allocate(size, page_size());
    void* block = real_allocator.valloc != nullptr ? real_allocator.valloc(size)
                                                   : real_allocator.memalign(page_size(), size);
    return counted(block, size);
}

SIAGENT_EXPORT void* pvalloc(size_t size) {
    size_t page = page_size();
    size_t rounded = size == 0 ? page : (size + page - 1) & ~(page - 1);
    if (rounded < size) {
        errno = ENOMEM;
        return nullptr;
    }
    if (__builtin_expect(!real_allocator_ready(), 0))
        return siagent::early_arena_allocate(rounded, page);
    void* block = real_allocator.pvalloc != nullptr ? real_allocator.pvalloc(size)
                                                    : real_allocator.memalign(page, rounded);
    return counted(block, rounded);
}

SIAGENT_EXPORT size_t malloc_usable_size(void* block) {
    if (block == nullptr) return 0;
    if (early_arena_owns(block)) return siagent::early_arena_block_size(block);
    if (__builtin_expect(!real_allocator_ready(), 0) || real_allocator.malloc_usable_size == nullptr)
        return 0;
    return real_allocator.malloc_usable_size(block);
}
