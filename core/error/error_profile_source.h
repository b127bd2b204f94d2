// The exception profiler as a ProfileSource: the process-wide ErrorProfiler (throwing
// threads) plus the per-period aggregate (agent side). Reports kind "error", sample type
// errors/count: exact throw counts per type and site, spread over sampled stacks. (Crashes
// are core/crash/crash_report_source.h's.)
#pragma once

#include <cstdint>
#include <vector>

#include "core/error/error_aggregator.h"
#include "core/profile_source.h"

namespace siagent {

class ErrorProfileSource : public ProfileSource {
public:
    const char* name() const override { return "error profiler"; }
    bool start(const Config& config, pid_t agent_tid, std::string& error) override;
    void stop() override;
    void drain(ThreadNames& thread_names) override;
    void symbolize_new_stacks(Symbolizer& symbolizer, const CodeRanges& hidden) override;
    void collect(ReportContext& context, std::vector<KindProfile>& out) override;
    std::string summary() const override;
    SourceHealth health() const override;

private:
    // Throws per slot since `seen` was last updated (which it is, to now).
    std::vector<ThrowSiteCount> counts_since(std::vector<uint64_t>& seen) const;

    ErrorAggregator stacks_;
    std::vector<uint64_t> reported_counts_;  // cumulative counts at the last report
    std::vector<uint64_t> window_counts_;    // cumulative counts at the last drain
    uint64_t reported_drops_ = 0;
    uint64_t reported_table_full_ = 0;
    uint64_t total_throws_ = 0;
};

}  // namespace siagent
