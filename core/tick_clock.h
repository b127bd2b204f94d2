// The cheap clocks of the interposers and the span API.
//
// monotonic_ns: CLOCK_MONOTONIC through the vDSO (no system call), about 20 ns a read.
// ticks_now: the TSC where the kernel itself keeps time with it (its clocksource is "tsc":
// invariant and synchronized across CPUs, checked by the kernel), about 8 ns a read; else
// CLOCK_MONOTONIC nanoseconds. The choice is made once, on first use, together with an
// origin reading of both clocks; the agent thread converts ticks to nanoseconds against
// its own later reading of both (so no calibration delays the program).
//
// Everything here except nanoseconds_per_tick is signal-safe and malloc-safe, and leaves
// errno alone.
#pragma once

#include <time.h>
#if defined(__x86_64__)
#include <x86intrin.h>
#endif

#include <atomic>
#include <cstdint>

namespace siagent {

inline uint64_t monotonic_ns() {
    timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return static_cast<uint64_t>(now.tv_sec) * 1'000'000'000u + static_cast<uint64_t>(now.tv_nsec);
}

// CLOCK_MONOTONIC_COARSE through the vDSO: about 4 ns a read, advanced by the kernel at
// every timer interrupt (every 4 ms at HZ=250, 1 ms at HZ=1000; clock_getres says which),
// in step with CLOCK_MONOTONIC at those instants.
inline uint64_t coarse_ns() {
    timespec now;
    clock_gettime(CLOCK_MONOTONIC_COARSE, &now);
    return static_cast<uint64_t>(now.tv_sec) * 1'000'000'000u + static_cast<uint64_t>(now.tv_nsec);
}

namespace tick_detail {
enum : int { kUndecided = 0, kTsc = 1, kMonotonic = 2 };
extern std::atomic<int> mode;
// Makes the choice and the origin reading (raw system calls only); returns the mode.
int decide();
}  // namespace tick_detail

inline bool ticks_are_tsc() {
    int mode = tick_detail::mode.load(std::memory_order_acquire);
    if (__builtin_expect(mode == tick_detail::kUndecided, 0)) mode = tick_detail::decide();
    return mode == tick_detail::kTsc;
}

inline uint64_t ticks_now() {
#if defined(__x86_64__)
    if (ticks_are_tsc()) return __rdtsc();
#endif
    return monotonic_ns();
}

// Agent thread only: nanoseconds per tick (1 when ticks are nanoseconds), measured from the
// origin to now. With `wait`, waits until at least 10 ms have passed since the origin;
// without, returns 0 while less than that has passed.
double nanoseconds_per_tick(bool wait = true);

}  // namespace siagent
