// The block profiler as a ProfileSource: the process-wide BlockProfiler (interposer side)
// plus the period's aggregate of its records (agent side). Reports kind "block" with
// sample types contentions/count and delay/nanoseconds. Each sample's stack is
//   [category] -> application frames ... -> call site -> <blocking call>
// (outermost first): the category ("[lock]") is the outermost frame and the label
// "category", the libc function ("pthread_mutex_lock") the leaf.
#pragma once

#include <array>
#include <memory>
#include <unordered_map>

#include "core/block/block_calls.h"
#include "core/block/block_profiler.h"
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

private:
    StackAggregator& stacks_of(BlockCall call);
    // Long calls under way (core/block/in_flight_calls.h): at each report, what they blocked since
    // the last one goes to that report, at their call site; their record at completion then
    // keeps only the rest.
    void account_calls_under_way(ThreadNames& thread_names);
    // A record of a completed call: less what reports already counted of it, and never more
    // than the time since the last report for a long call.
    void settle(BlockSample& record);

    // One aggregate per blocking call, made on the call's first record, so that the call
    // (and so its category) stays part of the key without changing StackAggregator.
    std::array<std::unique_ptr<StackAggregator>, kBlockCalls> stacks_;
    uint64_t reported_drops_ = 0;
    struct UnderWay {
        uint64_t start_ns = 0;      // CLOCK_MONOTONIC, as estimated when first seen
        uint64_t accounted_ns = 0;  // counted in reports so far
        int reports_unseen = 0;     // reports since it was last seen under way
    };
    std::unordered_map<pid_t, UnderWay> under_way_;  // by thread: one call at a time each
    uint64_t last_report_ns_ = 0;                    // CLOCK_MONOTONIC of the last collect
};

// Appends `part` (one call's stacks) to `into`: frames and samples re-indexed, a leaf
// frame naming the call and an outermost frame naming its category added, counts turned
// from fixed point into whole estimates. `into` takes part's header when it is empty.
void append_block_part(Profile& into, Profile part, BlockCall call);

}  // namespace siagent
