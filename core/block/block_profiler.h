// The block profiler, interposer side: every timed blocking call hands its blocked time to
// record(); a per-thread Poisson process over blocked nanoseconds (mean
// SI_BLOCK_SAMPLING_NS) picks the calls whose stacks are captured into a lock-free ring.
// A long wait is almost always recorded, a 1 µs read almost never, and each record carries
// the weight 1/P(sampled), so the delay and call count per stack are unbiased estimates.
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
#include "core/poisson_sampler.h"
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
    // count: estimated calls * kBlockWeightScale; value: estimated blocked nanoseconds.
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
extern std::atomic<uint64_t> mean_ns;
// One Poisson process per thread; initial-exec TLS so that touching it never allocates.
extern thread_local constinit PoissonSampler sampler __attribute__((tls_model("initial-exec")));
// signal-safe, malloc-safe: captures the caller's stack into the ring.
void record_sampled(BlockCall call, uint64_t blocked_ns);
}  // namespace block_detail

// Wall clock for sampled records and tests: CLOCK_MONOTONIC. signal-safe, malloc-safe.
inline uint64_t block_clock_ns() { return monotonic_ns(); }

// The interposers' stopwatch: the kernel's coarse clock (coarse_ns, about 4 ns a read
// where a TSC read costs about 10 ns). A call's measured time is the number of clock
// ticks it crossed times the tick: 0 for most calls shorter than a tick, and on average
// exactly the call's duration, whatever it is, as long as when calls start is independent
// of the tick's phase (a call of d < tick crosses a tick with probability d / tick). So
// the blocked time per stack stays unbiased; what a short call loses is its count (a call
// is counted when it crosses a tick: every call longer than a tick, a share d / tick of
// the shorter ones). docs/performance.md compares this with the alternatives.
// signal-safe, malloc-safe; leaves errno alone.
class BlockStopwatch {
public:
    // A stopwatch made with `running` false reads no clock and measures nothing.
    explicit BlockStopwatch(bool running = true) : start_(running ? coarse_ns() : 0) {}
    uint64_t elapsed_ns() const { return coarse_ns() - start_; }
    // The reading it started from (coarse_ns; 0 for a stopwatch that is not running).
    uint64_t start() const { return start_; }

private:
    uint64_t start_;
};

// signal-safe, malloc-safe. Whether an interposed call on this thread should be timed:
// the profiler runs and the caller is not the agent itself.
inline bool block_profiling_active() {
    return block_detail::enabled.load(std::memory_order_relaxed) && !inside_agent();
}

// signal-safe, malloc-safe. Called after the real call returned; keeps errno. Fast path:
// a compare (the call crossed no tick), else a TLS subtraction and a compare.
inline void record_blocked_call(BlockCall call, uint64_t blocked_ns) {
    if (blocked_ns == 0) return;  // crossed no tick: most short calls
    uint64_t mean = block_detail::mean_ns.load(std::memory_order_relaxed);
    uint64_t seed = reinterpret_cast<uintptr_t>(&block_detail::sampler) ^ blocked_ns;
    if (block_detail::sampler.take(blocked_ns, mean, seed))
        block_detail::record_sampled(call, blocked_ns);
}

class BlockProfiler {
public:
    // Starts recording. `mean_ns` 0 records every call. Returns false with `error` set
    // when the ring cannot be mapped.
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

// The one instance (constructed on first use, never destroyed).
BlockProfiler& block_profiler();

}  // namespace siagent
