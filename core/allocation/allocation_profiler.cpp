#include "core/allocation/allocation_profiler.h"

#include <unistd.h>

#include <atomic>
#include <new>

#include "core/agent_guard.h"
#include "core/persistent_ring.h"
#include "core/stack_record_capture.h"
#include "core/fork_child_code.h"

namespace siagent {

thread_local constinit PoissonSampler allocation_countdown
    __attribute__((tls_model("initial-exec")));

constinit LiveBlockTable sampled_live_blocks;

namespace {

// 4,096 stacks of ~1 KiB (4.5 MiB, touched as used): at the default 512 KiB mean, 2 GiB
// of allocations between two drains (every 50 ms) before anything is dropped. Releases
// take 8 bytes each.
constexpr size_t kRingRecords = 4096;
constexpr size_t kReleaseRecords = 65536;
// Before start (or while stopped) a thread looks again after this many bytes.
constexpr int64_t kIdleRecheckBytes = 1 << 20;
constexpr int64_t kNeverAgain = INT64_MAX / 4;

enum class State : int { idle = 0, running = 1, disabled = 2 };

SIAGENT_FORK_CHILD_DATA std::atomic<int> state{static_cast<int>(State::idle)};
std::atomic<uint64_t> mean_bytes{512 * 1024};
std::atomic<int> max_depth{kMaxStackFrames};
std::atomic<uint64_t> sampled{0}, released{0}, untracked{0};
std::atomic<uint64_t> adapted{0};  // samples taken while the mean was raised (ring busy)
// Estimates carried by dropped allocation records, in 1/1024 units (fixed point keeps
// the hook free of floating-point atomics).
std::atomic<uint64_t> dropped_objects_fixed{0}, dropped_bytes_fixed{0};
std::atomic<uint64_t> seed_counter{0};

// Made on the first start (by the agent thread, never inside malloc).
SIAGENT_FORK_CHILD_DATA constinit PersistentRing<AllocationEvent> allocation_samples;
SIAGENT_FORK_CHILD_DATA constinit PersistentRing<ReleaseEvent> release_samples;

// malloc-safe. The mean gap for the next sample: the configured one while the ring has
// room, doubled for every eighth of the ring past half full (up to 2^8 times), so a rate
// the agent thread cannot drain in time thins the samples instead of dropping them. Each
// sample is weighed with the mean its gap was drawn with (PoissonSampler::
// sampled_gap_mean), so the estimates stay unbiased while the mean moves.
uint64_t adaptive_mean(const AllocationRing& ring, uint64_t mean) {
    size_t fill = ring.approximate_fill();
    size_t half = ring.capacity() / 2;
    if (fill <= half) return mean;
    size_t eighths = (fill - half) * 8 / ring.capacity() + 1;
    unsigned shift = static_cast<unsigned>(eighths > 4 ? 8 : eighths * 2);
    return mean << shift;
}

// malloc-safe: only the calling thread's countdown.
SIAGENT_FORK_CHILD_CODE void idle_countdown(State current) {
    allocation_countdown.remaining = current == State::disabled ? kNeverAgain : kIdleRecheckBytes;
}

// malloc-safe, signal-safe.
void record_allocation(AllocationRing& ring, const void* block, size_t size, uint64_t mean) {
    AgentScope agent_code;  // the unwinder may allocate: never sample, never recurse
    uint64_t ticket;
    AllocationEvent* event = ring.claim(ticket);
    if (event == nullptr) {
        // Counted by the ring; the estimate it stood for is kept so totals stay right.
        double weight = poisson_sample_weight(size, mean);
        dropped_objects_fixed.fetch_add(static_cast<uint64_t>(weight * 1024), std::memory_order_relaxed);
        dropped_bytes_fixed.fetch_add(static_cast<uint64_t>(weight * static_cast<double>(size) * 1024),
                                      std::memory_order_relaxed);
        return;
    }
    event->address = reinterpret_cast<uintptr_t>(block);
    event->size = size;
    event->sampling_mean = mean;
    record_current_stack(*event, max_depth.load(std::memory_order_relaxed), 0);
    ring.publish(ticket);
    sampled.fetch_add(1, std::memory_order_relaxed);
    if (!sampled_live_blocks.insert(reinterpret_cast<uintptr_t>(block)))
        untracked.fetch_add(1, std::memory_order_relaxed);
}

}  // namespace

// With the fork-child code: the first allocations of a fork child come here.
SIAGENT_FORK_CHILD_CODE void on_sampling_point(const void* block, size_t size) {
    State current = static_cast<State>(state.load(std::memory_order_relaxed));
    if (current != State::running) {
        idle_countdown(current);
        return;
    }
    AllocationRing* ring = allocation_samples.get();
    const uint64_t configured_mean = mean_bytes.load(std::memory_order_relaxed);
    uint64_t mean = ring != nullptr ? adaptive_mean(*ring, configured_mean) : configured_mean;
    uint64_t seed = reinterpret_cast<uintptr_t>(&allocation_countdown) ^
                    (seed_counter.fetch_add(0x9E3779B97F4A7C15ull, std::memory_order_relaxed));
    if (!allocation_countdown.crossed(size, mean, seed)) return;
    if (block == nullptr || inside_agent()) return;
    uint64_t sampled_mean = allocation_countdown.sampled_gap_mean;
    if (sampled_mean != configured_mean) adapted.fetch_add(1, std::memory_order_relaxed);
    if (ring != nullptr) record_allocation(*ring, block, size, sampled_mean);
}

void on_release_slow(const void* block) {
    if (!sampled_live_blocks.erase(reinterpret_cast<uintptr_t>(block))) return;
    ReleaseRing* ring = release_samples.get();
    if (ring == nullptr) return;
    uint64_t ticket;
    ReleaseEvent* event = ring->claim(ticket);
    if (event == nullptr) return;  // counted by the ring; the agent over-reports this block
    event->address = reinterpret_cast<uintptr_t>(block);
    ring->publish(ticket);
    released.fetch_add(1, std::memory_order_relaxed);
}

bool AllocationProfiler::start(uint64_t mean, int depth, std::string& error) {
    // Releases first: a hook that finds the allocation ring finds the release ring too.
    if (release_samples.make(kReleaseRecords) == nullptr ||
        allocation_samples.make(kRingRecords) == nullptr) {
        error = "cannot map the allocation sample buffers";
        return false;
    }
    sampled_live_blocks.map_filter_pages();
    mean_bytes.store(mean, std::memory_order_relaxed);
    max_depth.store(depth < 1 ? 1 : (depth > kMaxStackFrames ? kMaxStackFrames : depth),
                    std::memory_order_relaxed);
    state.store(static_cast<int>(State::running), std::memory_order_release);
    return true;
}

void AllocationProfiler::stop() {
    int expected = static_cast<int>(State::running);
    state.compare_exchange_strong(expected, static_cast<int>(State::idle));
}

bool AllocationProfiler::running() const {
    return state.load(std::memory_order_relaxed) == static_cast<int>(State::running);
}

void AllocationProfiler::disable_for_good() {
    state.store(static_cast<int>(State::disabled), std::memory_order_relaxed);
}

AllocationRing* AllocationProfiler::ring() { return allocation_samples.get(); }

ReleaseRing* AllocationProfiler::release_ring() { return release_samples.get(); }

AllocationProfilerStats AllocationProfiler::stats() const {
    AllocationProfilerStats result;
    result.sampled = sampled.load(std::memory_order_relaxed);
    result.released = released.load(std::memory_order_relaxed);
    result.untracked = untracked.load(std::memory_order_relaxed);
    result.adapted = adapted.load(std::memory_order_relaxed);
    result.live_tracked = sampled_live_blocks.size();
    result.dropped = allocation_samples.dropped();
    result.dropped_releases = release_samples.dropped();
    result.dropped_objects = static_cast<double>(dropped_objects_fixed.load(std::memory_order_relaxed)) / 1024;
    result.dropped_bytes = static_cast<double>(dropped_bytes_fixed.load(std::memory_order_relaxed)) / 1024;
    return result;
}

size_t AllocationProfiler::buffer_bytes() const {
    return sizeof(LiveBlockTable) + allocation_samples.mapped_bytes() +
           release_samples.mapped_bytes();
}

SIAGENT_FORK_CHILD_CODE void AllocationProfiler::child_after_fork() {
    // The parent's pending records describe the parent's agent's view; the child's new
    // agent starts from an empty live view (blocks inherited from the parent are not
    // tracked, and their releases find nothing to erase or are ignored by the agent).
    allocation_samples.reset_in_fork_child();
    release_samples.reset_in_fork_child();
    if (state.load(std::memory_order_relaxed) == static_cast<int>(State::running))
        state.store(static_cast<int>(State::idle), std::memory_order_relaxed);
}

SIAGENT_FORK_CHILD_CODE AllocationProfiler& allocation_profiler() {
    static AllocationProfiler instance;
    return instance;
}

}  // namespace siagent
