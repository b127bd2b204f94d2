// Turns a runtime-metrics reading (core/metrics_reader.h) into the dashboard protocol's
// `state` and `counter` metrics, with the names of docs/protocol.md (StackImpact's:
// "CPU usage", "Current RSS"...; siagent's: "Heap in use", "Allocation rate"...).
// Counters are deltas against the previous reading, so the first reading gives states only.
// Agent thread only.
#pragma once

#include <optional>
#include <vector>

#include "core/metrics_reader.h"
#include "transport/runtime_metric.h"

namespace siagent {

class RuntimeMetricsConverter {
public:
    std::vector<RuntimeMetric> convert(const MetricsSnapshot& snapshot);

private:
    std::optional<MetricsSnapshot> previous_;
};

}  // namespace siagent
