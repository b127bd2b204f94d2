#include "core/cpu/cpu_profile_source.h"

#include <unistd.h>

#include "core/cpu/cpu_profiler.h"
#include "core/thread_names.h"

namespace siagent {

bool CpuProfileSource::start(const Config& config, pid_t agent_tid, std::string& error) {
    hz_ = config.cpu_sampling_hz;
    if (!cpu_profiler().start(config.cpu_sampling_hz, config.max_stack_depth, agent_tid, error))
        return false;
    cpu_profiler().set_focus_hz(config.span_sampling_hz);
    return true;
}

void CpuProfileSource::stop() { cpu_profiler().stop(); }

void CpuProfileSource::drain(ThreadNames& thread_names) {
    cpu_profiler().drain([this, &thread_names](const StackSample& sample) {
        stacks_.add(sample, thread_names.name_of(sample.thread_id));
    });
}

void CpuProfileSource::symbolize_new_stacks(Symbolizer& symbolizer, const CodeRanges& hidden) {
    stacks_.symbolize_new_stacks(symbolizer, hidden);
}

void CpuProfileSource::rescan() { cpu_profiler().rescan_threads(); }

void CpuProfileSource::exclude_thread(pid_t agent_tid) {
    cpu_profiler().exclude_thread(agent_tid);
}

void CpuProfileSource::collect(ReportContext& context, std::vector<KindProfile>& out) {
    if (stacks_.empty()) return;
    CpuProfilerStats stats = cpu_profiler().stats();
    ProfileShape shape = period_shape(context, "cpu", {{"samples", "count"}, {"cpu", "nanoseconds"}},
                                      {"cpu", "nanoseconds"}, cpu_profiler().interval_ns(),
                                      ", " + std::to_string(hz_) + " Hz");
    if (stats.dropped > reported_drops_) {
        shape.comments.push_back("dropped " + std::to_string(stats.dropped - reported_drops_) +
                                 " samples: ring buffer full");
        reported_drops_ = stats.dropped;
    }
    if (stats.samples > 0) {
        shape.comments.push_back(
            "sampling handler: mean " + std::to_string(stats.handler_nanoseconds / stats.samples) +
            " ns, median " + std::to_string(stats.handler_median_ns) + " ns, p99 " +
            std::to_string(stats.handler_p99_ns) + " ns over " + std::to_string(stats.samples) +
            " samples");
    }
    out.push_back({"cpu", stacks_.take_profile(context.symbolizer, shape)});
}

SourceHealth CpuProfileSource::health() const {
    CpuProfilerStats stats = cpu_profiler().stats();
    return {stats.samples, stats.dropped, cpu_profiler().ring_bytes()};
}

std::string CpuProfileSource::summary() const {
    CpuProfilerStats stats = cpu_profiler().stats();
    if (stats.samples == 0) return {};
    return "CPU profiler: " + std::to_string(stats.samples) + " samples, " +
           std::to_string(stats.dropped) + " dropped, " + std::to_string(stats.truncated) +
           " truncated; handler mean " + std::to_string(stats.handler_nanoseconds / stats.samples) +
           " ns, median " + std::to_string(stats.handler_median_ns) + " ns, p99 " +
           std::to_string(stats.handler_p99_ns) + " ns";
}

}  // namespace siagent
