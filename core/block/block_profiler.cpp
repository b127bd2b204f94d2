#include "core/block/block_profiler.h"

#include "core/block/in_flight_calls.h"

#include <unistd.h>

#include <cerrno>
#include <new>

#include "core/persistent_ring.h"
#include "core/stack_record_capture.h"
#include "core/fork_child_code.h"

namespace siagent {

namespace block_detail {
SIAGENT_FORK_CHILD_DATA std::atomic<bool> enabled{false};
std::atomic<uint64_t> mean_ns{10'000'000};
}  // namespace block_detail

namespace {

// A thread blocked 100 times a second on long waits fills 100 records a second; the agent
// drains every 50 ms.
constexpr size_t kRingRecords = 1024;
// Frames between record_blocked_call's capture and the application's call site: the
// interposer that called it (the capture function's own frame is left out).
constexpr int kInterposerFrames = 1;

std::atomic<int> max_frames{kMaxStackFrames};
SIAGENT_FORK_CHILD_DATA std::atomic<uint64_t> samples_taken{0};
SIAGENT_FORK_CHILD_DATA std::atomic<uint64_t> stacks_truncated{0};

SIAGENT_FORK_CHILD_DATA constinit PersistentRing<BlockSample> samples;

}  // namespace

// signal-safe, malloc-safe: no allocation of ours (libunwind's per-thread cache is built
// on the thread's first capture, in agent scope so that nested calls are not profiled).
void record_blocked_call(BlockCall call, uint64_t blocked_ns) {
    BlockRing* ring = samples.get();
    if (ring == nullptr || blocked_ns == 0) return;
    int saved_errno = errno;
    AgentScope scope;
    uint64_t ticket;
    if (BlockSample* record = ring->claim(ticket)) {
        CapturedStack stack = record_current_stack(
            record->stack, max_frames.load(std::memory_order_relaxed), kInterposerFrames);
        record->call = static_cast<uint8_t>(call);
        record->stack.count = kBlockWeightScale;  // one call
        record->stack.value = static_cast<int64_t>(blocked_ns);
        record->stack.timestamp = block_clock_ns();
        ring->publish(ticket);
        samples_taken.fetch_add(1, std::memory_order_relaxed);
        if (stack.truncated) stacks_truncated.fetch_add(1, std::memory_order_relaxed);
    }
    errno = saved_errno;
}

namespace {
// No state of its own (it is all above): nothing to construct, so a fork child's handler
// that runs before the parent ever started the profiler initializes nothing (a function-
// local static cost each such child its guard and constructor, two page faults).
constinit BlockProfiler the_block_profiler;
}  // namespace

SIAGENT_FORK_CHILD_CODE BlockProfiler& block_profiler() { return the_block_profiler; }

BlockRing* BlockProfiler::ring() { return samples.get(); }

bool BlockProfiler::start(uint64_t mean, int max_depth, std::string& error) {
    if (samples.make(kRingRecords) == nullptr) {
        error = "cannot map the blocking-call ring buffer";
        return false;
    }
    if (!prepare_in_flight_calls()) {
        error = "cannot map the table of blocking calls under way";
        return false;
    }
    max_frames.store(max_depth < kMaxStackFrames ? max_depth : kMaxStackFrames);
    block_detail::mean_ns.store(mean > 0 ? mean : 1);
    block_detail::enabled.store(true);
    return true;
}

void BlockProfiler::stop() { block_detail::enabled.store(false); }

BlockProfilerStats BlockProfiler::stats() const {
    BlockProfilerStats result;
    result.samples = samples_taken.load(std::memory_order_relaxed);
    result.dropped = samples.dropped();
    result.truncated = stacks_truncated.load(std::memory_order_relaxed);
    return result;
}

SIAGENT_FORK_CHILD_CODE void BlockProfiler::child_after_fork() {
    // Written only where they differ: a page written here is copied into every fork child.
    if (block_detail::enabled.load()) block_detail::enabled.store(false);
    if (samples_taken.load() != 0) samples_taken.store(0);
    if (stacks_truncated.load() != 0) stacks_truncated.store(0);
    samples.reset_in_fork_child();
    reset_in_flight_calls_after_fork();
}

}  // namespace siagent
