// The malloc family as the application would have it without the agent: the real allocator
// (preload/real_allocator.h), or the early arena while the real one is not known yet.
// libsiagent.so's forwarders use these until the agent is loaded; the agent's own
// implementations (preload/malloc.cpp) fall back to them for the early-arena cases.
//
// malloc-safe, and the result and errno are the real call's.
#pragma once

#include <cstddef>

// Defined in libsiagent.so and used by the agent library too: exported (preload/exports.map).
#pragma GCC visibility push(default)
namespace siagent {

void* unprofiled_malloc(size_t size);
void unprofiled_free(void* block);
void* unprofiled_calloc(size_t count, size_t size);
void* unprofiled_realloc(void* block, size_t size);
void* unprofiled_reallocarray(void* block, size_t count, size_t size);
void* unprofiled_memalign(size_t alignment, size_t size);
int unprofiled_posix_memalign(void** result, size_t alignment, size_t size);
void* unprofiled_aligned_alloc(size_t alignment, size_t size);
void* unprofiled_valloc(size_t size);
void* unprofiled_pvalloc(size_t size);

// pvalloc's size: `size` rounded up to whole pages (one page for 0); 0 when that overflows.
size_t whole_pages(size_t size);

}  // namespace siagent
#pragma GCC visibility pop
