// Where finished reports go: pprof files under SI_OUTPUT_DIR, the dashboard (transport),
// anything else later. The agent hands every sink the same profiles. Agent thread only.
#pragma once

#include <sys/types.h>

#include <functional>
#include <vector>

#include "core/profile_source.h"
#include "transport/clock.h"
#include "transport/runtime_metric.h"

namespace siagent {

class ReportSink {
public:
    virtual ~ReportSink() = default;
    // `end_ns` is the wall-clock end of the report period (Unix epoch nanoseconds).
    virtual void deliver(const std::vector<KindProfile>& profiles, int64_t end_ns) = 0;
    // A runtime metric (state or counter); sinks that keep only profiles ignore it.
    virtual void enqueue_metric(const RuntimeMetric& /*metric*/) {}
    // The dashboard switched the agent off (false) or on again (true).
    virtual void set_enabled(bool /*enabled*/) {}
    // The agent is shutting down: finish what is pending, by `deadline` at the latest, then
    // call `done` (exactly once, on the agent thread; possibly before returning).
    virtual void finish(Clock::TimePoint /*deadline*/, std::function<void()> done) { done(); }
};

}  // namespace siagent
