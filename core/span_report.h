// The agent's view of spans: once per report, what every span name did in the period that
// ends now. The file sink writes it as JSON (transport/span_file.h); a dashboard sink can
// turn each entry into `span` metrics (unit millisecond).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace siagent {

struct SpanSummary {
    std::string name;
    uint64_t count = 0;      // spans closed in the period
    double total_ms = 0;     // their summed duration
    double p50_ms = 0, p95_ms = 0, p99_ms = 0, max_ms = 0;
    uint64_t abandoned = 0;  // spans still open when their thread ended
};

// Agent thread only. Takes the period's counts out of the span tables (they restart from
// zero) and returns one entry per name that closed or abandoned a span, by name.
std::vector<SpanSummary> take_span_summaries();

// Process-wide counters for diagnostics: spans nested too deep to be recorded, and ends
// whose handle matched no open span of the calling thread.
struct SpanCounters {
    uint64_t too_deep = 0;
    uint64_t unmatched_ends = 0;
    uint64_t names = 0;
};
SpanCounters span_counters();

}  // namespace siagent
