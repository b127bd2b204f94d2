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

#include "core/allocation/allocation_profiler.h"
#include "core/fork_child_code.h"
#include "preload/early_arena.h"
#include "preload/export.h"
#include "preload/real_allocator.h"
#include "preload/unprofiled_allocation.h"

// The library keeps frame pointers for its own code; the two hottest wrappers do without
// (their frames are hidden from profiles anyway), which saves the frame set-up on every call.
// With the fork-child code (core/fork_child_code.h): a fork child that allocates runs them
// at once, and they are hot in every process.
#define SIAGENT_HOT SIAGENT_NO_FRAME_POINTER SIAGENT_FORK_CHILD_CODE

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
__attribute__((noinline)) SIAGENT_FORK_CHILD_CODE void* sampled_malloc(size_t size) {
    void* block = real_allocator.malloc(size);
    on_sampling_point(block, size);
    return block;
}

}  // namespace

// The two hottest functions are written so that the common case ends in a tail call to
// the real function: the countdown is taken before the call (the sampled case, rare, calls
// out of line). Before the real allocator is known every call is unprofiled (the early
// arena's, preload/unprofiled_allocation.h).
SIAGENT_EXPORT SIAGENT_HOT void* malloc(size_t size) {
    if (__builtin_expect(!real_allocator_ready(), 0)) return siagent::unprofiled_malloc(size);
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
    if (__builtin_expect(!real_allocator_ready(), 0)) return siagent::unprofiled_calloc(count, size);
    void* block = real_allocator.calloc(count, size);
    size_t total;
    if (block != nullptr && !__builtin_mul_overflow(count, size, &total)) counted(block, total);
    return block;
}

SIAGENT_EXPORT void* realloc(void* block, size_t size) {
    if ((block != nullptr && early_arena_owns(block)) || !real_allocator_ready())
        return siagent::unprofiled_realloc(block, size);
    // Before the real call: once it releases the block, another thread may get the same
    // address and sample it.
    if (block != nullptr) on_release(block);
    void* moved = real_allocator.realloc(block, size);
    return moved == nullptr ? nullptr : counted(moved, size);
}

SIAGENT_EXPORT void* reallocarray(void* block, size_t count, size_t size) {
    size_t total;
    if (__builtin_mul_overflow(count, size, &total)) {
        errno = ENOMEM;
        return nullptr;
    }
    return realloc(block, total);
}

SIAGENT_EXPORT void* memalign(size_t alignment, size_t size) {
    if (__builtin_expect(!real_allocator_ready(), 0))
        return siagent::unprofiled_memalign(alignment, size);
    return counted(real_allocator.memalign(alignment, size), size);
}

SIAGENT_EXPORT int posix_memalign(void** result, size_t alignment, size_t size) {
    int status = siagent::unprofiled_posix_memalign(result, alignment, size);
    if (status == 0 && !early_arena_owns(*result)) counted(*result, size);
    return status;
}

SIAGENT_EXPORT void* aligned_alloc(size_t alignment, size_t size) {
    void* block = siagent::unprofiled_aligned_alloc(alignment, size);
    return early_arena_owns(block) ? block : counted(block, size);
}

SIAGENT_EXPORT void* valloc(size_t size) {
    void* block = siagent::unprofiled_valloc(size);
    return early_arena_owns(block) ? block : counted(block, size);
}

SIAGENT_EXPORT void* pvalloc(size_t size) {
    void* block = siagent::unprofiled_pvalloc(size);
    return block == nullptr || early_arena_owns(block) ? block
                                                       : counted(block, siagent::whole_pages(size));
}

