// Turns a runtime-metrics reading (core/metrics_reader.h) into the dashboard protocol's
// `state` and `counter` metrics, with the names of docs/protocol.md (StackImpact's:
// "CPU usage", "Current RSS"...; siagent's: "Heap in use", "Allocation rate"...), and a
// report's span summaries into `span` metrics. Counters are deltas against the previous
// reading, so the first reading gives states only. Agent thread only.
#pragma once

#include <optional>
#include <vector>

#include "core/metrics_reader.h"
#include "core/span_report.h"
#include "transport/runtime_metric.h"

namespace siagent {

class RuntimeMetricsConverter {
public:
    std::vector<RuntimeMetric> convert(const MetricsSnapshot& snapshot);

private:
    std::optional<MetricsSnapshot> previous_;
};

// One `span` metric per name that closed a span in the period [start_ns, end_ns) (wall
// clock, Unix epoch): the value is the p95 in milliseconds, the rest of the summary its
// measurement.stats (docs/dashboard-api.md).
std::vector<RuntimeMetric> span_metrics(const std::vector<SpanSummary>& spans, int64_t start_ns,
                                        int64_t end_ns);

}  // namespace siagent
