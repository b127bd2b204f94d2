#include "core/error/error_profiler.h"

#include <unistd.h>

#include <atomic>
#include <cmath>
#include <cstring>
#include <ctime>
#include <exception>
#include <new>

#include "core/agent_guard.h"
#include "core/persistent_ring.h"
#include "core/stack_record_capture.h"
#include "core/thread_id.h"
#include "core/fork_child_code.h"

namespace siagent {
namespace {

// 1,024 records of ~1.3 KiB: 10 windows' worth of the budget, 2.5 of the cap.
constexpr size_t kRingRecords = 1024;
// How far up the captured stack the throw site may sit (our own frames above it).
constexpr int kOwnFrames = 6;

std::atomic<bool> enabled{false};
std::atomic<int> max_frames{kMaxStackFrames};
std::atomic<uint32_t> mean_gap{1};
SIAGENT_FORK_CHILD_DATA std::atomic<uint32_t> window_stacks{0};
std::atomic<uint64_t> stacks_taken{0};
std::atomic<uint64_t> stacks_capped{0};

SIAGENT_FORK_CHILD_DATA constinit PersistentRing<ErrorSample> samples;
// Constant-initialized (all zeros, in .bss): its pages are touched only by throws.
constinit ThrowCounts counts_table;
ThrowCounts* counts_instance = nullptr;

// Per-thread sampling state, zero-initialized, initial-exec (no allocation on first use).
struct ThrowSampler {
    int64_t remaining;      // throws left before the next captured stack; <= 0: draw
    uint32_t gap_mean;      // the mean the current gap was drawn with (its weight)
    uint64_t random_state;
};
thread_local ThrowSampler sampler __attribute__((tls_model("initial-exec")));

uint64_t next_random(ThrowSampler& state) {
    if (state.random_state == 0) {
        timespec now;
        clock_gettime(CLOCK_MONOTONIC, &now);
        state.random_state = (static_cast<uint64_t>(now.tv_nsec) << 20) ^
                             static_cast<uint64_t>(current_thread_id()) ^ 0x9e3779b97f4a7c15ull;
    }
    state.random_state ^= state.random_state >> 12;  // xorshift64*
    state.random_state ^= state.random_state << 25;
    state.random_state ^= state.random_state >> 27;
    return state.random_state * 2685821657736338717ull;
}

// A geometric gap (in throws) with mean `mean`: each throw is sampled independently with
// probability 1/mean, so a sample stands for `mean` throws whatever the pattern.
int64_t geometric_gap(ThrowSampler& state, uint32_t mean) {
    if (mean <= 1) return 1;
    double uniform = (static_cast<double>(next_random(state) >> 11) + 0.5) / 9007199254740992.0;
    double gap = std::floor(std::log(uniform) / std::log1p(-1.0 / mean)) + 1;
    double cap = 20.0 * mean;
    return gap > cap ? static_cast<int64_t>(cap) : static_cast<int64_t>(gap);
}

// True when this throw's stack is to be captured; `weight` is what it stands for.
bool take_sample(double& weight) {
    ThrowSampler& state = sampler;
    if (state.gap_mean == 0) {  // this thread's first throw: draw its first gap
        state.gap_mean = mean_gap.load(std::memory_order_relaxed);
        state.remaining = geometric_gap(state, state.gap_mean);
    }
    if (--state.remaining > 0) return false;
    weight = state.gap_mean;
    state.gap_mean = mean_gap.load(std::memory_order_relaxed);
    state.remaining = geometric_gap(state, state.gap_mean);
    return true;
}

// Cuts our own frames off: frames[0] becomes the throw site.
void start_at_site(ErrorSample& sample, uintptr_t site) {
    for (int i = 0; i < sample.depth && i < kOwnFrames; ++i) {
        if (sample.frames[i] != site) continue;
        if (i > 0) {
            memmove(sample.frames, sample.frames + i, (sample.depth - i) * sizeof(uint64_t));
            sample.depth = static_cast<uint16_t>(sample.depth - i);
        }
        return;
    }
}

void capture(int slot, void* object, const std::type_info* type, uintptr_t site, double weight) {
    if (window_stacks.fetch_add(1, std::memory_order_relaxed) >= ErrorProfiler::kWindowCap) {
        stacks_capped.fetch_add(1, std::memory_order_relaxed);
        return;
    }
    ErrorRing* ring = samples.get();  // made with the profiler, before any throw is seen
    uint64_t ticket;
    ErrorSample* sample = ring->claim(ticket);
    if (sample == nullptr) return;  // counted by the ring
    CapturedStack stack =
        record_current_stack(*sample, max_frames.load(std::memory_order_relaxed) + kOwnFrames, 0);
    sample->slot = slot;
    sample->weight = weight;
    start_at_site(*sample, site);
    int limit = max_frames.load(std::memory_order_relaxed);
    sample->truncated = stack.truncated || sample->depth > limit;
    if (sample->depth > limit) sample->depth = static_cast<uint16_t>(limit);
    sample->has_message =
        copy_exception_message(object, type, sample->message, sizeof sample->message);
    ring->publish(ticket);
    stacks_taken.fetch_add(1, std::memory_order_relaxed);
}

}  // namespace

bool copy_exception_message(void* object, const std::type_info* type, char* out, size_t capacity) {
    if (capacity == 0) return false;
    out[0] = '\0';
    if (object == nullptr || type == nullptr) return false;
    // What `catch (const std::exception&)` does: true only for a public, unambiguous base,
    // with `adjusted` moved to that base's subobject.
    void* adjusted = object;
    if (!typeid(std::exception).__do_catch(type, &adjusted, 1)) return false;
    const char* text = static_cast<const std::exception*>(adjusted)->what();
    if (text == nullptr) return true;
    size_t length = 0;
    while (length + 1 < capacity && text[length] != '\0') ++length;
    memcpy(out, text, length);
    out[length] = '\0';
    return true;
}

SIAGENT_FORK_CHILD_CODE bool error_profiler_active() { return enabled.load(std::memory_order_acquire); }

SIAGENT_FORK_CHILD_CODE ErrorProfiler& error_profiler() {
    static ErrorProfiler* instance = [] {
        counts_instance = &counts_table;
        static ErrorProfiler profiler;
        return &profiler;
    }();
    return *instance;
}

ErrorRing* ErrorProfiler::ring() { return samples.get(); }

const ThrowCounts& ErrorProfiler::counts() const { return *counts_instance; }

bool ErrorProfiler::start(int max_depth, std::string& error) {
    if (samples.make(kRingRecords) == nullptr) {
        error = "cannot map the exception sample ring buffer";
        return false;
    }
    prepare_stack_capture();
    max_frames.store(max_depth < kMaxStackFrames - kOwnFrames ? max_depth
                                                              : kMaxStackFrames - kOwnFrames);
    enabled.store(true, std::memory_order_release);
    return true;
}

void ErrorProfiler::stop() { enabled.store(false, std::memory_order_relaxed); }

bool ErrorProfiler::running() const { return enabled.load(std::memory_order_relaxed); }

void ErrorProfiler::on_throw(void* object, const std::type_info* type, uintptr_t site) {
    if (!enabled.load(std::memory_order_acquire)) return;
    // Whatever runs from here (what(), libunwind) is the agent's doing, not the program's:
    // a throw or an allocation in it must not be profiled again.
    AgentScope scope;
    int slot = counts_instance->count(reinterpret_cast<uintptr_t>(type), site,
                                      type != nullptr ? type->name() : "");
    double weight;
    if (take_sample(weight)) capture(slot, object, type, site, weight);
}

void ErrorProfiler::start_window(uint32_t mean) {
    mean_gap.store(mean < 1 ? 1 : mean, std::memory_order_relaxed);
    window_stacks.store(0, std::memory_order_relaxed);
}

uint32_t ErrorProfiler::sampling_mean() const { return mean_gap.load(std::memory_order_relaxed); }

ErrorProfilerStats ErrorProfiler::stats() const {
    ErrorProfilerStats result;
    result.stacks = stacks_taken.load(std::memory_order_relaxed);
    result.dropped = samples.dropped();
    result.capped = stacks_capped.load(std::memory_order_relaxed);
    result.table_full = counts_instance != nullptr ? counts_instance->full_misses() : 0;
    return result;
}

size_t ErrorProfiler::memory_bytes() const {
    return samples.mapped_bytes() + sizeof(ThrowCounts);
}

SIAGENT_FORK_CHILD_CODE void ErrorProfiler::child_after_fork() {
    samples.reset_in_fork_child();
    if (window_stacks.load() != 0) window_stacks.store(0);
}

}  // namespace siagent
