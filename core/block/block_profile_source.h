// The block profiler as a ProfileSource: the process-wide BlockProfiler (interposer side)
// plus the period's aggregate of its records (agent side). Reports kind "block" with
// sample types contentions/count and delay/nanoseconds. Each sample's stack is
//   [category] -> application frames ... -> call site -> <blocking call>
// (outermost first): the category ("[lock]") is the outermost frame and the label
// "category", the libc function ("pthread_mutex_lock") the leaf.
#pragma once

#include <array>
#include <memory>
#include <chrono>
#include <optional>
#include <random>
#include <vector>

#include "core/block/block_calls.h"
#include "core/block/block_profiler.h"
#include "core/block/in_flight_calls.h"
#include "core/profile_source.h"
#include "core/stack_aggregator.h"

namespace siagent {

class BlockProfileSource : public ProfileSource {
public:
    const char* name() const override { return "block profiler"; }
    bool start(const Config& config, pid_t agent_tid, std::string& error) override;
    void stop() override;
    void drain(ThreadNames& thread_names) override;
    void symbolize_new_stacks(Symbolizer& symbolizer, const CodeRanges& hidden) override;
    void collect(ReportContext& context, std::vector<KindProfile>& out) override;
    std::string summary() const override;
    // One look at the calls under way (core/block/in_flight_calls.h); the next comes after
    // an exponential delay of mean SI_BLOCK_SAMPLING_NS.
    std::optional<std::chrono::nanoseconds> watch() override;

private:
    StackAggregator& stacks_of(BlockCall call);
    // Looks the agent accounts itself, at the call site (no stack: the thread is or was
    // inside the call): long calls under way at a report, and looks a thread missed.
    void add_at_call_site(const CallLooks& looks, ThreadNames& thread_names, bool counts_a_call);

    // One aggregate per blocking call, made on the call's first record, so that the call
    // (and so its category) stays part of the key without changing StackAggregator.
    std::array<std::unique_ptr<StackAggregator>, kBlockCalls> stacks_;
    uint64_t reported_drops_ = 0;
    std::vector<CallLooks> missed_;  // since the last drain, accounted there
    std::mt19937_64 random_{std::random_device{}()};
    std::uniform_real_distribution<double> fraction_{0.0, 1.0};
    uint64_t last_look_ns_ = 0;  // CLOCK_MONOTONIC of the last look; 0 = none yet
};

// Appends `part` (one call's stacks) to `into`: frames and samples re-indexed, a leaf
// frame naming the call and an outermost frame naming its category added, counts turned
// from fixed point into whole estimates. `into` takes part's header when it is empty.
void append_block_part(Profile& into, Profile part, BlockCall call);

}  // namespace siagent
