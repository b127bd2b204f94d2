// What the agent hands every sink at once (agent/report_sink.h), one per period: the
// period's profiles, span summaries, the metrics readings taken in it (SI_METRICS_INTERVAL;
// the last report of a process takes one more), the crash records claimed from the spool,
// and the agent's own statistics. A period ends at each report (SI_REPORT_INTERVAL), at
// exit, and early when a thread rescan finds crash records some sink wants (so that they go
// out within a second of an agent's start). A sink takes from it what it keeps and ignores
// the rest. Plain value: built on the agent thread (or on the thread that makes the last
// report when the agent thread's loop is lost), read-only for sinks.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "core/crash/crash_record.h"
#include "core/metrics_reader.h"
#include "core/profile_source.h"
#include "core/span_report.h"

namespace siagent {

struct Report {
    // The period the Report covers (wall clock, Unix epoch nanoseconds).
    int64_t start_ns = 0;
    int64_t end_ns = 0;
    std::vector<KindProfile> profiles;  // in the profilers' order (agent/profilers.cpp)
    std::vector<MetricsSnapshot> metrics;  // the readings taken in the period, oldest first
    std::vector<SpanSummary> spans;  // names that closed or abandoned a span in the period
    // Records of crashed processes (any app) that some sink wants (ReportSink::wants_crash).
    std::vector<CrashRecord> crashes;
    AgentHealth agent;  // the agent's own statistics as the Report was made
};

}  // namespace siagent
