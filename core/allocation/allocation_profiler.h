// The allocation profiler's hot path: what the interposed malloc family calls.
//
// Every allocation counts its bytes down on a per-thread Poisson countdown (one
// subtraction and one compare); only when the countdown crosses zero does the slow path
// run, which decides, captures the stack into the allocation ring and remembers the block
// in the LiveBlockTable. Every release checks the table's filter (one load) and, for a
// sampled block, writes a release record.
//
// Process-wide and never destroyed: hooks may run on any thread at any time, before
// start() and after stop(). Everything here is malloc-safe (no allocation through the
// interposed path, works before the library constructor ran) and signal-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "core/allocation/allocation_event.h"
#include "core/allocation/live_block_table.h"
#include "core/poisson_sampler.h"
#include "core/ring_buffer.h"

namespace siagent {

using AllocationRing = RingBuffer<AllocationEvent>;
using ReleaseRing = RingBuffer<ReleaseEvent>;

// The calling thread's countdown (initial-exec TLS, zero until the first allocation).
extern thread_local constinit PoissonSampler allocation_countdown
    __attribute__((tls_model("initial-exec")));

struct AllocationProfilerStats {
    uint64_t sampled = 0;          // allocation records written
    uint64_t released = 0;         // release records written
    uint64_t dropped = 0;          // allocation records lost to a full ring
    uint64_t dropped_releases = 0; // release records lost to a full ring
    uint64_t untracked = 0;        // sampled blocks the live table had no room for
    uint64_t live_tracked = 0;     // sampled blocks live now
    // The estimates that dropped allocation records stood for, so totals stay unbiased.
    double dropped_objects = 0;
    double dropped_bytes = 0;
    uint64_t adapted = 0;  // samples whose gap was drawn with a raised mean (ring busy)
};

// malloc-safe. True when an allocation of `size` bytes must go to on_sampling_point.
inline bool allocation_countdown_crossed(size_t size) {
    allocation_countdown.remaining -= static_cast<int64_t>(size);
    return allocation_countdown.remaining <= 0;
}

// malloc-safe. The slow path after a crossed countdown: draws the next gap and, when the
// profiler runs and the call is the application's, records `block` (may be null, e.g. a
// failed allocation, which is not recorded).
void on_sampling_point(const void* block, size_t size);

// The sampled blocks that are still live (process-wide, constant-initialized).
extern LiveBlockTable sampled_live_blocks;

// malloc-safe. Call before the real free/realloc releases `block`.
void on_release_slow(const void* block);
inline void on_release(const void* block) {
    if (__builtin_expect(sampled_live_blocks.maybe_contains(reinterpret_cast<uintptr_t>(block)), 0))
        on_release_slow(block);
}

class AllocationProfiler {
public:
    // Agent thread. Sampling starts within about one old gap on every thread.
    bool start(uint64_t mean_bytes, int max_depth, std::string& error);
    void stop();
    bool running() const;
    // The profiler will never run in this process: countdowns stop crossing (the hooks'
    // cost falls to the countdown itself).
    void disable_for_good();

    // Agent thread only. Releases first: see AllocationProfileSource for the matching.
    template <typename AllocationVisitor, typename ReleaseVisitor>
    void drain(AllocationVisitor&& on_allocation, ReleaseVisitor&& on_release) {
        if (ReleaseRing* releases = release_ring()) releases->drain(on_release);
        if (AllocationRing* allocations = ring()) allocations->drain(on_allocation);
    }
    AllocationProfilerStats stats() const;
    // Memory of the rings and the live table (for the agent's health metrics).
    size_t buffer_bytes() const;

    // In a fork child, before anything else runs there.
    void child_after_fork();

private:
    static AllocationRing* ring();  // null until a start mapped them
    static ReleaseRing* release_ring();
};

AllocationProfiler& allocation_profiler();

}  // namespace siagent
