// Memory for allocation calls made while the real allocator is not known yet: glibc's
// dlsym calls calloc while it resolves "malloc" for us. A static bump arena serves them;
// its blocks are never handed to the real free (free of one is a no-op, realloc copies
// out of it), so the real allocator never sees a pointer it did not make.
//
// malloc-safe, signal-safe: a static buffer and one atomic bump pointer.
#pragma once

#include <cstddef>
#include <cstdint>

// Defined in libsiagent.so and used by the agent library too: exported (preload/exports.map).
#pragma GCC visibility push(default)
namespace siagent {

// dlsym needs a few dozen bytes; other early callers (other preloaded libraries'
// constructors racing ours) little more.
inline constexpr size_t kEarlyArenaBytes = 256 * 1024;
extern unsigned char early_arena_memory[kEarlyArenaBytes];

// Null (errno ENOMEM) when the arena is exhausted. Zeroed memory (never reused).
void* early_arena_allocate(size_t size, size_t alignment);
// Inline: free() asks this on every call.
inline bool early_arena_owns(const void* block) {
    return reinterpret_cast<uintptr_t>(block) - reinterpret_cast<uintptr_t>(early_arena_memory) <
           kEarlyArenaBytes;
}
// The size asked for when `block` (owned by the arena) was made.
size_t early_arena_block_size(const void* block);

}  // namespace siagent
#pragma GCC visibility pop
