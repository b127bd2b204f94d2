// The CPU profiler as a ProfileSource: the process-wide CpuProfiler (signal side) plus
// the per-period aggregate of its samples (agent side). Reports kind "cpu".
#pragma once

#include "core/profile_source.h"
#include "core/stack_aggregator.h"

namespace siagent {

class CpuProfileSource : public ProfileSource {
public:
    const char* name() const override { return "CPU profiler"; }
    bool start(const Config& config, pid_t agent_tid, std::string& error) override;
    void stop() override;
    void drain(ThreadNames& thread_names) override;
    void symbolize_new_stacks(Symbolizer& symbolizer, const CodeRanges& hidden) override;
    void collect(ReportContext& context, std::vector<KindProfile>& out) override;
    void rescan() override;
    void exclude_thread(pid_t agent_tid) override;
    std::string summary() const override;
    SourceHealth health() const override;

private:
    StackAggregator stacks_;
    int hz_ = 0;
    uint64_t reported_drops_ = 0;
};

}  // namespace siagent
