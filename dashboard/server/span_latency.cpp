#include "dashboard/server/span_latency.h"

#include <algorithm>
#include <map>

namespace siagent::dashboard {
namespace {

// Count-weighted means of the percentiles of some reports.
class Accumulator {
public:
    void add(const SpanReportRow& row) {
        ++reports_;
        const double weight = row.stats.count && *row.stats.count > 0 ? *row.stats.count : 1.0;
        if (row.stats.count) count_ = count_.value_or(0) + *row.stats.count;
        if (row.stats.total_ms) total_ms_ = total_ms_.value_or(0) + *row.stats.total_ms;
        if (row.stats.max_ms) max_ms_ = std::max(max_ms_.value_or(*row.stats.max_ms), *row.stats.max_ms);
        p50_.add(row.stats.p50_ms, weight);
        p95_.add(row.p95_ms, weight);
        p99_.add(row.stats.p99_ms, weight);
    }

    size_t reports() const { return reports_; }
    std::optional<double> count() const { return count_; }
    std::optional<double> total_ms() const { return total_ms_; }
    std::optional<double> max_ms() const { return max_ms_; }
    std::optional<double> p50_ms() const { return p50_.mean(); }
    std::optional<double> p95_ms() const { return p95_.mean(); }
    std::optional<double> p99_ms() const { return p99_.mean(); }

private:
    struct WeightedMean {
        double sum = 0, weight = 0;
        void add(std::optional<double> value, double w) {
            if (!value) return;
            sum += *value * w;
            weight += w;
        }
        std::optional<double> mean() const { return weight > 0 ? std::optional<double>(sum / weight) : std::nullopt; }
    };

    size_t reports_ = 0;
    std::optional<double> count_, total_ms_, max_ms_;
    WeightedMean p50_, p95_, p99_;
};

SpanLatency finish(const std::string& name, const Accumulator& all, const std::map<int64_t, Accumulator>& buckets) {
    SpanLatency span{name, all.reports(), all.count(), all.total_ms(), all.p50_ms(), all.p95_ms(), all.p99_ms(),
                     all.max_ms(), {}};
    for (const auto& [time, bucket] : buckets)
        span.points.push_back({time, bucket.count(), bucket.p50_ms(), bucket.p95_ms(), bucket.p99_ms()});
    return span;
}

}  // namespace

std::vector<SpanLatency> merge_span_latency(const std::vector<SpanReportRow>& rows, int64_t from, int64_t to,
                                            size_t max_points) {
    const int64_t width = std::max<int64_t>(60, (to - from) / static_cast<int64_t>(std::max<size_t>(max_points, 1)) + 1);
    std::vector<SpanLatency> spans;
    Accumulator all;
    std::map<int64_t, Accumulator> buckets;
    for (size_t i = 0; i < rows.size(); ++i) {
        const SpanReportRow& row = rows[i];
        all.add(row);
        const int64_t offset = std::max<int64_t>(row.timestamp - from, 0);
        buckets[from + offset - offset % width].add(row);
        if (i + 1 == rows.size() || rows[i + 1].name != row.name) {
            spans.push_back(finish(row.name, all, buckets));
            all = Accumulator();
            buckets.clear();
        }
    }
    std::sort(spans.begin(), spans.end(), [](const SpanLatency& a, const SpanLatency& b) {
        const double ca = a.count.value_or(-1), cb = b.count.value_or(-1);
        return ca != cb ? ca > cb : a.name < b.name;
    });
    return spans;
}

}  // namespace siagent::dashboard
