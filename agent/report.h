// What the agent hands every sink at once (agent/report_sink.h): at each report
// (SI_REPORT_INTERVAL, and at exit) the period's profiles and span summaries; at each
// metrics reading (SI_METRICS_INTERVAL, on its own timer) the snapshot; at the first thread
// rescan, the crash records claimed from the spool. The last report of a process carries
// the period and a reading. A sink takes from it what
// it keeps and ignores the rest. Plain value: built on the agent thread (or on the thread
// that makes the last report when the agent thread's loop is lost), read-only for sinks.
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
    // The period the profiles and spans cover (wall clock, Unix epoch nanoseconds); a
    // Report with a metrics reading alone has start_ns == end_ns == the reading's time.
    int64_t start_ns = 0;
    int64_t end_ns = 0;
    std::vector<KindProfile> profiles;  // in the profilers' order (agent/profilers.cpp)
    std::optional<MetricsSnapshot> metrics;
    std::vector<SpanSummary> spans;  // names that closed or abandoned a span in the period
    // Records of crashed processes (any app) that some sink wants (ReportSink::wants_crash).
    std::vector<CrashRecord> crashes;
    AgentHealth agent;  // the agent's own statistics as the Report was made
};

}  // namespace siagent
