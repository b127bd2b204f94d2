// A runtime metric (state or counter) as the dashboard protocol carries it: the hook for
// whoever measures the process (CPU time, RSS, threads, span latencies). Plain value; made
// from a Report by agent/runtime_metrics.h and queued by the dashboard sink on the agent
// thread.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace siagent {

struct RuntimeMetric {
    std::string type;      // "state" (a value now) or "counter" (delta since the last report)
    std::string category;  // "cpu", "memory", "runtime", ...
    std::string name;      // e.g. "Current RSS"
    std::string unit;      // "", "byte", "kilobyte", "percent", "millisecond", ...
    double value = 0;
    int64_t timestamp = 0;     // Unix seconds; 0 = when it is queued
    double duration = 0;       // seconds the value covers (counters); 0 = none (null)
    std::vector<std::pair<std::string, double>> stats;  // measurement.stats (Metric::stats)
};

}  // namespace siagent
