// Span latency merged over a time range: per span name, from the reports of its span
// metric (one per process and report period), as Storage::span_buckets sums them. An
// approximation, documented in docs/dashboard-api.md: a merged percentile is the
// count-weighted mean of the reports' percentiles (exact when every report saw the same
// distribution; between the reports' extremes otherwise); counts add up; the max is the
// largest max. A report without a count weighs 1; one without a percentile does not take
// part in that percentile.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "dashboard/server/model/storage.h"

namespace siagent::dashboard {

struct LatencyPoint {
    int64_t time = 0;  // the bucket's start
    std::optional<double> count, p50_ms, p95_ms, p99_ms;
};

struct SpanLatency {
    std::string name;
    int64_t reports = 0;
    std::optional<double> count, total_ms, p50_ms, p95_ms, p99_ms, max_ms;
    std::vector<LatencyPoint> points;  // one per bucket with reports, oldest first
};

// `buckets` sorted by name then time (as Storage::span_buckets returns them). Sorted by
// count (largest first; unknown last), then name.
std::vector<SpanLatency> merge_span_latency(const std::vector<SpanBucket>& buckets);

}  // namespace siagent::dashboard
