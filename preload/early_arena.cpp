#include "preload/early_arena.h"

#include <cerrno>
#include <atomic>
#include <cstdint>

namespace siagent {
namespace {

// dlsym needs a few dozen bytes; other early callers (other preloaded libraries'
// constructors racing ours) little more.
constexpr size_t kArenaBytes = 256 * 1024;
constexpr size_t kHeaderBytes = 16;  // the block's size, just below the block

alignas(4096) unsigned char arena[kArenaBytes];
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

bool early_arena_owns(const void* block) {
    auto address = reinterpret_cast<uintptr_t>(block);
    auto base = reinterpret_cast<uintptr_t>(arena);
    return address >= base && address < base + kArenaBytes;
}

size_t early_arena_block_size(const void* block) {
    return *reinterpret_cast<const size_t*>(static_cast<const unsigned char*>(block) -
                                            sizeof(size_t));
}

}  // namespace siagent
