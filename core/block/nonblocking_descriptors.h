// Which descriptors are non-blocking (O_NONBLOCK), as far as the interposers saw them made
// or changed: a call on such a descriptor never waits, and the kernel never interrupts it,
// so the blocking-call interposers hand it straight to the real function (a tail call: no
// mark for the block profiler, no resumption) — event loops (nginx, redis, node) make
// nearly all their reads and writes on non-blocking sockets.
//
// Kept by the interposed socket, accept/accept4, open/openat, pipe/pipe2, fcntl (F_SETFL,
// F_DUPFD*), dup2/dup3, close/close_range/closefrom and the agent's own descriptor calls.
// The default is "blocking": a descriptor made or changed where no interposer sees it (dup,
// socketpair, ioctl(FIONBIO), glibc's internal calls) is treated as blocking, which costs
// only the mark. The one wrong answer, a stale "non-blocking" left by a close the
// interposers did not see (glibc's internal close, as fclose makes) on a number that a
// call they did not see then reuses, loses that descriptor's waits from the block profile.
//
// Descriptors below kTrackedDescriptors; one bit each (8 KiB, zero pages until used).
// signal-safe, malloc-safe: relaxed atomic loads and read-modify-writes, no lock.
#pragma once

#include <atomic>
#include <cstdint>

namespace siagent {

inline constexpr int kTrackedDescriptors = 65'536;

namespace nonblocking_detail {
extern std::atomic<uint64_t> words[kTrackedDescriptors / 64];
}

inline bool known_nonblocking(int fd) {
    if (static_cast<unsigned>(fd) >= static_cast<unsigned>(kTrackedDescriptors)) return false;
    const uint64_t word = nonblocking_detail::words[fd >> 6].load(std::memory_order_relaxed);
    return (word >> (fd & 63)) & 1;
}

// A descriptor made or changed: whether it is now non-blocking. Negative numbers (a failed
// call's result) are ignored. Returns `fd`, so that an interposer can return through it.
int note_descriptor_mode(int fd, bool nonblocking);
// Descriptors first..last (inclusive) closed.
void forget_descriptor_modes(unsigned first, unsigned last);

}  // namespace siagent
