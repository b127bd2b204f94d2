// Shared by the integration programs: a CPU-bound loop that stays inside the function that
// expands it (a macro, not a call), and the thread's own CPU clock for measuring truth.
#pragma once

#include <stdint.h>
#include <time.h>

// Spins `units` * 1M iterations of integer work the optimizer cannot remove.
#define BURN_UNITS(units)                                                        \
    do {                                                                         \
        volatile uint64_t burn_state = 88172645463325252ull;                     \
        for (long burn_i = 0; burn_i < (long)((units) * 1000000.0); ++burn_i) {  \
            uint64_t x = burn_state;                                             \
            x ^= x << 13;                                                        \
            x ^= x >> 7;                                                         \
            x ^= x << 17;                                                        \
            burn_state = x;                                                      \
        }                                                                        \
    } while (0)

static inline int64_t thread_cpu_ns(void) {
    struct timespec now;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
    return (int64_t)now.tv_sec * 1000000000 + now.tv_nsec;
}
