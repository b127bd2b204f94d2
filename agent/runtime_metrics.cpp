#include "agent/runtime_metrics.h"

namespace siagent {
namespace {

constexpr double kKilobyte = 1024.0;

RuntimeMetric state(const char* category, const char* name, const char* unit, double value,
                    int64_t timestamp) {
    return RuntimeMetric{"state", category, name, unit, value, timestamp, 0, {}};
}

RuntimeMetric counter(const char* category, const char* name, const char* unit, double delta,
                      int64_t timestamp, double seconds) {
    return RuntimeMetric{"counter", category, name, unit, delta, timestamp, seconds, {}};
}

// A span metric's measurement.stats: everything of the summary but the name.
std::vector<std::pair<std::string, double>> span_stats(const SpanSummary& span) {
    return {{"count", static_cast<double>(span.count)}, {"total_ms", span.total_ms},
            {"p50_ms", span.p50_ms}, {"p95_ms", span.p95_ms}, {"p99_ms", span.p99_ms},
            {"max_ms", span.max_ms}, {"abandoned", static_cast<double>(span.abandoned)}};
}

}  // namespace

std::vector<RuntimeMetric> RuntimeMetricsConverter::convert(const MetricsSnapshot& now) {
    std::vector<RuntimeMetric> out;
    int64_t at = now.time_ns / 1'000'000'000;
    // In the CPU profile's unit, % of one core (as top shows it: 200 % is two cores busy), so
    // that the dashboard's figures of one app agree (the original agents send both in % of
    // all cores).
    out.push_back(state("cpu", "CPU usage", "percent", now.cpu_percent_of_one_core, at));
    out.push_back(state("memory", "Current RSS", "kilobyte", now.rss_bytes / kKilobyte, at));
    out.push_back(state("memory", "Max RSS", "kilobyte", now.max_rss_bytes / kKilobyte, at));
    out.push_back(state("memory", "VM Size", "kilobyte", now.vm_size_bytes / kKilobyte, at));
    if (now.heap_in_use_bytes)
        out.push_back(state("memory", "Heap in use", "byte", static_cast<double>(*now.heap_in_use_bytes), at));
    if (now.heap_allocated_bytes)
        out.push_back(state("memory", "Heap allocated", "byte",
                            static_cast<double>(*now.heap_allocated_bytes), at));
    if (now.allocated_bytes_per_second)
        out.push_back(state("memory", "Allocation rate", "byte", *now.allocated_bytes_per_second, at));
    out.push_back(state("runtime", "Active threads", "", static_cast<double>(now.threads), at));
    out.push_back(state("runtime", "Open files", "", static_cast<double>(now.open_fds), at));
    if (previous_) {
        const MetricsSnapshot& before = *previous_;
        double seconds = now.interval_seconds;
        auto delta = [](uint64_t after, uint64_t earlier) {
            return after >= earlier ? static_cast<double>(after - earlier) : 0.0;
        };
        out.push_back(counter("cpu", "CPU time", "nanosecond",
                              (now.cpu_seconds - before.cpu_seconds) * 1e9, at, seconds));
        out.push_back(counter("runtime", "Context switches", "",
                              delta(now.voluntary_context_switches + now.involuntary_context_switches,
                                    before.voluntary_context_switches +
                                        before.involuntary_context_switches),
                              at, seconds));
        out.push_back(counter("runtime", "Page faults", "",
                              delta(now.minor_page_faults + now.major_page_faults,
                                    before.minor_page_faults + before.major_page_faults),
                              at, seconds));
    }
    previous_ = now;
    return out;
}

std::vector<RuntimeMetric> span_metrics(const std::vector<SpanSummary>& spans, int64_t start_ns,
                                        int64_t end_ns) {
    std::vector<RuntimeMetric> out;
    double seconds = static_cast<double>(end_ns - start_ns) / 1e9;
    for (const SpanSummary& span : spans) {
        if (span.count == 0) continue;
        out.push_back(RuntimeMetric{"state", "span", span.name, "millisecond", span.p95_ms,
                                    end_ns / 1'000'000'000, seconds, span_stats(span)});
    }
    return out;
}

}  // namespace siagent
