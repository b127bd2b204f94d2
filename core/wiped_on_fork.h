// Anonymous memory that a fork child finds zeroed (MADV_WIPEONFORK, Linux 4.14): a fork
// neither copies its page tables nor leaves its written pages copy-on-write in the parent,
// where each later write would fault again. For the agent's tables whose empty state is all
// zeros (the rings, the calls under way).
#pragma once

#include <sys/mman.h>

#include <cstddef>

namespace siagent {

// Normal context. Maps `bytes` of zeroed memory, never returned by the agent; nullptr when
// mmap fails. `wiped` tells whether the kernel wipes it in fork children (false on kernels
// without MADV_WIPEONFORK: the caller then resets what a child inherits).
inline void* map_wiped_on_fork(size_t bytes, bool& wiped) {
#ifdef MADV_WIPEONFORK
    constexpr int kWipeOnFork = MADV_WIPEONFORK;
#else
    constexpr int kWipeOnFork = 18;  // Linux 4.14's value; older headers lack the name
#endif
    void* memory = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (memory == MAP_FAILED) return nullptr;
    wiped = madvise(memory, bytes, kWipeOnFork) == 0;
    return memory;
}

}  // namespace siagent
