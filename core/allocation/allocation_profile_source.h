// The allocation profiler as a ProfileSource: drains the allocation ring and reports
//  - kind "alloc": estimated objects and bytes allocated per stack in the period;
//  - kind "inuse": estimated objects and bytes still live per stack (no reset between
//    reports), with suspected leaks labelled (`leak`, `leak_growth_bytes_per_second`) and
//    listed in comments.
// Agent thread only.
#pragma once

#include <random>
#include <unordered_map>
#include <vector>

#include "core/allocation/leak_detector.h"
#include "core/metrics_reader.h"
#include "core/profile_source.h"
#include "core/stack_aggregator.h"

namespace siagent {

struct AllocationEvent;

class AllocationProfileSource : public ProfileSource {
public:
    AllocationProfileSource();
    const char* name() const override { return "allocation profiler"; }
    bool start(const Config& config, pid_t agent_tid, std::string& error) override;
    void stop() override;
    void drain(ThreadNames& thread_names) override;
    void symbolize_new_stacks(Symbolizer& symbolizer, const CodeRanges& hidden) override;
    void collect(ReportContext& context, std::vector<KindProfile>& out) override;
    std::string summary() const override;
    SourceHealth health() const override;
    // Estimated bytes and calls allocated since start (for the runtime metrics).
    AllocationCounters estimated_totals() const;

    // The agent side on its own, for tests: feed events as the rings would.
    void add_allocation(const AllocationEvent& event, const std::string& thread_name);
    void add_release(uint64_t address);
    // Ends one drain: releases still unmatched after a few drains are forgotten.
    void end_drain();
    size_t live_blocks() const { return live_.size(); }

private:
    // A distinct allocation stack, shared by the live blocks allocated there.
    struct InternedStack {
        std::vector<uint64_t> frames;  // as captured (return addresses)
        bool truncated = false;
        uint64_t id = 0;
        size_t live_blocks = 0;
    };
    struct FramesHash {
        size_t operator()(const std::vector<uint64_t>& frames) const;
    };
    struct LiveBlock {
        InternedStack* stack;
        double objects;  // estimated objects this sampled block stands for
        double bytes;    // estimated bytes
        uint64_t report; // report period in which it was allocated
        uint16_t span;   // the innermost span open at the allocation (kNoSpan for none)
    };

    InternedStack* intern(const AllocationEvent& event);
    void forget(std::unordered_map<uint64_t, LiveBlock>::iterator live);

    int64_t round_unbiased(double value);
    Profile inuse_profile(ReportContext& context);
    // The shape of an alloc or inuse profile (sample types `objects`/count, `space`/bytes).
    ProfileShape shape(const ReportContext& context, const char* kind, const char* objects,
                       const char* space) const;

    StackAggregator allocations_;
    std::unordered_map<std::vector<uint64_t>, InternedStack, FramesHash> stacks_;
    std::unordered_map<uint64_t, LiveBlock> live_;
    // The two rings are not ordered with each other. A release can arrive before its
    // allocation (kept here, with the drain count at which it arrived), and an allocation
    // can reuse the address of a block whose release is still in flight (counted here, so
    // that release is ignored when it comes).
    std::unordered_map<uint64_t, std::pair<int, uint64_t>> early_releases_;  // count, drain
    std::unordered_map<uint64_t, int> stale_releases_;
    uint64_t drains_ = 0;
    double reported_lost_objects_ = 0, reported_lost_bytes_ = 0;
    double estimated_bytes_ = 0, estimated_calls_ = 0;  // since start, lost samples excluded
    LeakDetector leaks_{3};
    uint64_t mean_bytes_ = 512 * 1024;
    uint64_t next_stack_id_ = 1;
    uint64_t report_number_ = 0;
    uint64_t reported_drops_ = 0;
    uint64_t reported_release_drops_ = 0;
    std::mt19937_64 rounding_{0x5eed};
};

}  // namespace siagent
