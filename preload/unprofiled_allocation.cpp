#include "preload/unprofiled_allocation.h"

#include <malloc.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "preload/early_arena.h"
#include "preload/real_allocator.h"

namespace siagent {
namespace {

bool overflows(size_t count, size_t size, size_t& product) {
    if (!__builtin_mul_overflow(count, size, &product)) return false;
    errno = ENOMEM;
    return true;
}

// No function-local static: its guard would need the C++ runtime, which libsiagent.so
// does not link.
size_t page_size() {
    static std::atomic<size_t> size{0};
    size_t known = size.load(std::memory_order_relaxed);
    if (known == 0) {
        known = static_cast<size_t>(sysconf(_SC_PAGESIZE));
        size.store(known, std::memory_order_relaxed);
    }
    return known;
}

// realloc of a block from the early arena: moved into the real allocator (through malloc).
void* move_out_of_arena(void* block, size_t size) {
    if (size == 0) return nullptr;  // glibc: realloc(p, 0) frees p and returns NULL
    void* moved = malloc(size);
    if (moved == nullptr) return nullptr;
    size_t old_size = early_arena_block_size(block);
    memcpy(moved, block, old_size < size ? old_size : size);
    return moved;
}

}  // namespace

size_t whole_pages(size_t size) {
    size_t page = page_size();
    size_t rounded = size == 0 ? page : (size + page - 1) & ~(page - 1);
    return rounded < size ? 0 : rounded;
}

void* unprofiled_malloc(size_t size) {
    if (__builtin_expect(!real_allocator_ready(), 0)) return early_arena_allocate(size, 16);
    return real_allocator.malloc(size);
}

void unprofiled_free(void* block) {
    if (block == nullptr || early_arena_owns(block)) return;
    if (real_allocator_ready()) real_allocator.free(block);  // else it cannot come from anywhere
}

void* unprofiled_calloc(size_t count, size_t size) {
    if (__builtin_expect(real_allocator_ready(), 1)) return real_allocator.calloc(count, size);
    size_t total;
    if (overflows(count, size, total)) return nullptr;
    return early_arena_allocate(total, 16);  // static memory: already zero
}

void* unprofiled_realloc(void* block, size_t size) {
    if (block != nullptr && early_arena_owns(block)) return move_out_of_arena(block, size);
    if (__builtin_expect(!real_allocator_ready(), 0))
        return block == nullptr ? early_arena_allocate(size, 16) : nullptr;
    return real_allocator.realloc(block, size);
}

void* unprofiled_reallocarray(void* block, size_t count, size_t size) {
    size_t total;
    return overflows(count, size, total) ? nullptr : unprofiled_realloc(block, total);
}

void* unprofiled_memalign(size_t alignment, size_t size) {
    if (__builtin_expect(!real_allocator_ready(), 0)) return early_arena_allocate(size, alignment);
    return real_allocator.memalign(alignment, size);
}

int unprofiled_posix_memalign(void** result, size_t alignment, size_t size) {
    if (__builtin_expect(real_allocator_ready(), 1))
        return real_allocator.posix_memalign(result, alignment, size);
    if (alignment < sizeof(void*) || (alignment & (alignment - 1)) != 0) return EINVAL;
    void* block = early_arena_allocate(size, alignment);
    if (block == nullptr) return ENOMEM;
    *result = block;
    return 0;
}

void* unprofiled_aligned_alloc(size_t alignment, size_t size) {
    if (__builtin_expect(!real_allocator_ready(), 0)) return early_arena_allocate(size, alignment);
    return real_allocator.aligned_alloc != nullptr ? real_allocator.aligned_alloc(alignment, size)
                                                   : real_allocator.memalign(alignment, size);
}

void* unprofiled_valloc(size_t size) {
    if (__builtin_expect(!real_allocator_ready(), 0)) return early_arena_allocate(size, page_size());
    return real_allocator.valloc != nullptr ? real_allocator.valloc(size)
                                            : real_allocator.memalign(page_size(), size);
}

void* unprofiled_pvalloc(size_t size) {
    size_t rounded = whole_pages(size);
    if (rounded == 0) {
        errno = ENOMEM;
        return nullptr;
    }
    if (__builtin_expect(!real_allocator_ready(), 0)) return early_arena_allocate(rounded, page_size());
    return real_allocator.pvalloc != nullptr ? real_allocator.pvalloc(size)
                                             : real_allocator.memalign(page_size(), rounded);
}

}  // namespace siagent
