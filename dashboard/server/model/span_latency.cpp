#include "dashboard/server/model/span_latency.h"

#include <algorithm>

namespace siagent::dashboard {
namespace {

std::optional<double> mean(double sum, double weight) {
    return weight > 0 ? std::optional<double>(sum / weight) : std::nullopt;
}

std::optional<double> add(std::optional<double> a, std::optional<double> b) {
    if (!a) return b;
    return b ? std::optional<double>(*a + *b) : a;
}

std::optional<double> larger(std::optional<double> a, std::optional<double> b) {
    if (!a) return b;
    return b ? std::optional<double>(std::max(*a, *b)) : a;
}

}  // namespace

std::vector<SpanLatency> merge_span_latency(const std::vector<SpanBucket>& buckets) {
    std::vector<SpanLatency> spans;
    SpanBucket all;  // the current name's buckets, summed
    for (size_t i = 0; i < buckets.size(); ++i) {
        const SpanBucket& bucket = buckets[i];
        if (i == 0 || buckets[i - 1].name != bucket.name) {
            spans.push_back(SpanLatency{bucket.name, 0, {}, {}, {}, {}, {}, {}, {}});
            all = SpanBucket{};
        }
        all.reports += bucket.reports;
        all.count = add(all.count, bucket.count);
        all.total_ms = add(all.total_ms, bucket.total_ms);
        all.max_ms = larger(all.max_ms, bucket.max_ms);
        all.p50_sum += bucket.p50_sum, all.p50_weight += bucket.p50_weight;
        all.p95_sum += bucket.p95_sum, all.p95_weight += bucket.p95_weight;
        all.p99_sum += bucket.p99_sum, all.p99_weight += bucket.p99_weight;
        SpanLatency& span = spans.back();
        span.points.push_back({bucket.time, bucket.count, mean(bucket.p50_sum, bucket.p50_weight),
                               mean(bucket.p95_sum, bucket.p95_weight), mean(bucket.p99_sum, bucket.p99_weight)});
        span.reports = all.reports;
        span.count = all.count;
        span.total_ms = all.total_ms;
        span.max_ms = all.max_ms;
        span.p50_ms = mean(all.p50_sum, all.p50_weight);
        span.p95_ms = mean(all.p95_sum, all.p95_weight);
        span.p99_ms = mean(all.p99_sum, all.p99_weight);
    }
    std::sort(spans.begin(), spans.end(), [](const SpanLatency& a, const SpanLatency& b) {
        const double ca = a.count.value_or(-1), cb = b.count.value_or(-1);
        return ca != cb ? ca > cb : a.name < b.name;
    });
    return spans;
}

}  // namespace siagent::dashboard
