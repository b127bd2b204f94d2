// Span latency for the UI: /api/apps/{id}/spans.
#include <map>

#include "dashboard/server/json_out.h"
#include "dashboard/server/model/span_latency.h"
#include "dashboard/server/model/time_buckets.h"
#include "dashboard/server/api/ui_profile.h"

namespace siagent::dashboard {
namespace {

constexpr size_t kMaxBuckets = 200'000;  // (name, bucket) sums read per query
constexpr size_t kMaxSpans = 1'000;      // names answered (the agent interns at most 256)
constexpr size_t kMaxPoints = 500;       // per name

// The previous period of the same length, for the trend: p95 per name.
std::map<std::string, double> previous_p95(Storage& storage, const AppScope& scope, QueryFilter filter) {
    const int64_t length = filter.to - filter.from;
    filter.to = filter.from - 1;
    filter.from = filter.to - length;
    std::map<std::string, double> p95;
    const int64_t whole = length + 1;  // one bucket
    for (const SpanLatency& span : merge_span_latency(storage.span_buckets(scope, filter, whole, kMaxBuckets))) {
        if (span.p95_ms) p95[span.name] = *span.p95_ms;
    }
    return p95;
}

}  // namespace

Response spans_response(ServerContext& context, const AppScope& scope, const QueryFilter& filter) {
    const int64_t width = bucket_seconds(filter.from, filter.to, kMaxPoints);
    const auto buckets = context.storage.span_buckets(scope, filter, width, kMaxBuckets);
    const auto spans = merge_span_latency(buckets);
    const auto before = previous_p95(context.storage, scope, filter);
    JsonOut out;
    out.object().field("truncated", buckets.size() >= kMaxBuckets || spans.size() > kMaxSpans);
    out.key("spans").array();
    for (size_t i = 0; i < spans.size() && i < kMaxSpans; ++i) {
        const SpanLatency& span = spans[i];
        out.object().field("name", span.name).field("reports", span.reports).field("count", span.count);
        out.field("total_ms", span.total_ms).field("p50_ms", span.p50_ms).field("p95_ms", span.p95_ms);
        out.field("p99_ms", span.p99_ms).field("max_ms", span.max_ms);
        auto previous = before.find(span.name);
        std::optional<double> previous_p95, change;
        if (previous != before.end()) {
            previous_p95 = previous->second;
            if (span.p95_ms && previous->second > 0) change = *span.p95_ms / previous->second - 1;
        }
        out.field("previous_p95_ms", previous_p95).field("p95_change", change).key("points").array();
        for (const LatencyPoint& point : span.points) {
            out.array().value(point.time).value(point.count).value(point.p50_ms).value(point.p95_ms);
            out.value(point.p99_ms).end_array();
        }
        out.end_array().end_object();
    }
    out.end_array().end_object();
    return json_response(http::status::ok, out.str());
}

}  // namespace siagent::dashboard
