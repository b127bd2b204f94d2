// The block profiler, interposer side: every interposed blocking call marks itself under
// way (core/block/in_flight_calls.h: no clock read); the agent thread looks at the calls
// under way at random moments, a Poisson process in time with mean SI_BLOCK_SAMPLING_NS,
// and a call that was seen captures its stack at its end into a lock-free ring, with the
// blocked time its looks stand for (each look the time since the previous one). A long wait is almost always recorded, a 1 µs
// read almost never, and the blocked time per stack is an unbiased estimate; the call
// count (contentions) counts the calls that were seen.
//
// Process-wide and never destroyed: an interposed call may still be returning on some
// thread after stop(), so the ring it writes outlives every stop (see RingBuffer).
#pragma once

#include <time.h>

#include <atomic>
#include <cstdint>
#include <string>

#include "core/agent_guard.h"
#include "core/block/block_calls.h"
#include "core/block/in_flight_calls.h"
#include "core/ring_buffer.h"
#include "core/stack_sample.h"
#include "core/tick_clock.h"

namespace siagent {

// Fixed point of BlockSample's count: a record of weight w stores llround(w * scale).
inline constexpr int64_t kBlockWeightScale = 1000;

// Ownership: written in place by the thread that made the call, between claim and
// publish; read by the agent thread in drain. Self-contained (no pointers).
struct BlockSample {
    uint8_t call = 0;  // a BlockCall
    // count: calls * kBlockWeightScale (one); value: the call's credit in nanoseconds.
    StackSample stack;
};

using BlockRing = RingBuffer<BlockSample>;

struct BlockProfilerStats {
    uint64_t samples = 0;    // records written
    uint64_t dropped = 0;    // records lost to a full ring
    uint64_t truncated = 0;  // stacks cut at the depth limit
};

namespace block_detail {
// Read on every interposed call: relaxed loads, written by start/stop only.
extern std::atomic<bool> enabled;
extern std::atomic<uint64_t> mean_ns;  // between two looks, on average: SI_BLOCK_SAMPLING_NS
}  // namespace block_detail

// Wall clock for records and tests: CLOCK_MONOTONIC. signal-safe, malloc-safe.
inline uint64_t block_clock_ns() { return monotonic_ns(); }

// signal-safe, malloc-safe. Whether an interposed call on this thread is to be marked:
// the profiler runs and the caller is not the agent itself.
inline bool block_profiling_active() {
    return block_detail::enabled.load(std::memory_order_relaxed) && !inside_agent();
}

// signal-safe, malloc-safe; keeps errno. A call that blocked `blocked_ns` (its looks times
// the mean) ended: captures the caller's stack into the ring as one call. Called from the
// interposer itself (its frame is the one left out of the stack), and by tests.
[[gnu::noinline]] void record_blocked_call(BlockCall call, uint64_t blocked_ns);

// The blocked time a call's credit from the agent's looks stands for. signal-safe.
inline uint64_t blocked_ns_of_looks(uint64_t credit) { return credit * kLookUnitNs; }

class BlockProfiler {
public:
    // Starts recording, with `mean_ns` between two looks on average (at least 1). Returns
    // false with `error` set when the ring cannot be mapped.
    bool start(uint64_t mean_ns, int max_depth, std::string& error);
    void stop();
    bool running() const { return block_detail::enabled.load(std::memory_order_relaxed); }
    uint64_t mean_ns() const { return block_detail::mean_ns.load(std::memory_order_relaxed); }

    // Agent thread only.
    template <typename Visitor>
    size_t drain(Visitor&& visit) {
        BlockRing* samples = ring();
        return samples != nullptr ? samples->drain(visit) : 0;
    }

    BlockProfilerStats stats() const;
    // In a fork child (only the forking thread survives): empty ring, zero counters.
    void child_after_fork();

private:
    static BlockRing* ring();  // null until a start mapped it
};

// The one instance (stateless and constant-initialized: never constructed or destroyed).
BlockProfiler& block_profiler();

}  // namespace siagent
