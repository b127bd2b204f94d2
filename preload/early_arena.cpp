#include "preload/early_arena.h"

#include <cerrno>
#include <atomic>
#include <cstdint>

namespace siagent {

alignas(4096) unsigned char early_arena_memory[kEarlyArenaBytes];

namespace {

constexpr size_t kArenaBytes = kEarlyArenaBytes;
constexpr size_t kHeaderBytes = 16;  // the block's size, just below the block
unsigned char* const arena = early_arena_memory;
std::atomic<size_t> used{0};

}  // namespace

void* early_arena_allocate(size_t size, size_t alignment) {
    if (alignment < kHeaderBytes) alignment = kHeaderBytes;
    if (size > kArenaBytes || alignment > 4096 || (alignment & (alignment - 1)) != 0) {
        errno = ENOMEM;
        return nullptr;
    }
    size_t start = used.load(std::memory_order_relaxed);
    for (;;) {
        // The block starts on `alignment`, with room for its header before it.
        size_t block = (start + kHeaderBytes + alignment - 1) & ~(alignment - 1);
        size_t end = block + ((size + kHeaderBytes - 1) & ~(kHeaderBytes - 1));
        if (end > kArenaBytes) {
            errno = ENOMEM;
            return nullptr;
        }
        if (used.compare_exchange_weak(start, end, std::memory_order_relaxed)) {
            *reinterpret_cast<size_t*>(arena + block - sizeof(size_t)) = size;
            return arena + block;
        }
    }
}

size_t early_arena_block_size(const void* block) {
    return *reinterpret_cast<const size_t*>(static_cast<const unsigned char*>(block) -
                                            sizeof(size_t));
}

}  // namespace siagent
