#include "dashboard/server/model/metric_points.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <tuple>

#include "dashboard/server/model/time_buckets.h"

namespace siagent::dashboard {
namespace {

enum class Reading { rate, count, mean };

Reading reading_of(std::span<const MetricSeries> processes) {
    const SeriesKey& key = processes.front().key;
    if (key.type == "counter") return Reading::rate;
    if (key.unit != "" && key.unit != "count") return Reading::mean;
    for (const MetricSeries& process : processes)
        for (const auto& [time, value] : process.points)
            if (!std::isfinite(value) || value != std::floor(value)) return Reading::mean;
    return Reading::count;
}

// What one bucket holds of one process or of several summed: the values' sum, their number,
// and the last value (summed over processes).
struct Bucket {
    double sum = 0;
    double reports = 0;
    double last = 0;

    void add(const Bucket& other) {
        sum += other.sum;
        reports += other.reports;
        last += other.last;
    }
    // Of one process: its value; of processes summed: their merged value.
    double value(Reading reading, int64_t width) const {
        switch (reading) {
            case Reading::rate: return sum / static_cast<double>(width);
            case Reading::count: return last;
            case Reading::mean: break;
        }
        return sum / reports;
    }
};

using Buckets = std::map<int64_t, Bucket>;  // by bucket index

Buckets buckets_of(const MetricSeries& process, const QueryFilter& filter, int64_t width) {
    Buckets buckets;
    for (const auto& [time, value] : process.points) {  // sorted by time: `last` ends as the last
        Bucket& bucket = buckets[bucket_index(time, filter.from, width)];
        bucket.sum += value;
        bucket.reports += 1;
        bucket.last = value;
    }
    return buckets;
}

std::vector<std::pair<int64_t, double>> points_of(const Buckets& buckets, Reading reading, const QueryFilter& filter,
                                                  int64_t width) {
    std::vector<std::pair<int64_t, double>> points;
    points.reserve(buckets.size());
    for (const auto& [index, bucket] : buckets)
        points.emplace_back(bucket_time(index, filter.from, width), bucket.value(reading, width));
    return points;
}

}  // namespace

ChartSeries merged_metric(std::span<const MetricSeries> processes, const QueryFilter& filter) {
    const int64_t width = bucket_seconds(filter.from, filter.to);
    const Reading reading = reading_of(processes);
    Buckets merged;
    for (const MetricSeries& process : processes)
        for (const auto& [index, bucket] : buckets_of(process, filter, width)) merged[index].add(bucket);
    return ChartSeries{processes.front().key, std::nullopt, std::nullopt, processes.size(),
                       points_of(merged, reading, filter, width)};
}

std::vector<ChartSeries> metric_per_process(std::span<const MetricSeries> processes, const QueryFilter& filter) {
    const int64_t width = bucket_seconds(filter.from, filter.to);
    const Reading reading = reading_of(processes);
    struct Shown {
        const MetricSeries* process;
        std::vector<std::pair<int64_t, double>> points;
        double mean = 0;
    };
    std::vector<Shown> all;
    all.reserve(processes.size());
    for (const MetricSeries& process : processes) {
        Shown shown{&process, points_of(buckets_of(process, filter, width), reading, filter, width), 0};
        for (const auto& [time, value] : shown.points) shown.mean += value / static_cast<double>(shown.points.size());
        all.push_back(std::move(shown));
    }
    auto larger = [](const Shown& a, const Shown& b) {
        return std::tie(b.mean, a.process->host, a.process->pid) < std::tie(a.mean, b.process->host, b.process->pid);
    };
    const size_t kept = std::min(all.size(), kMaxProcessesShown);
    std::partial_sort(all.begin(), all.begin() + static_cast<std::ptrdiff_t>(kept), all.end(), larger);
    std::map<int64_t, double> others;  // bucket start -> the sum of the other processes' values
    for (size_t i = kept; i < all.size(); ++i)
        for (const auto& [time, value] : all[i].points) others[time] += value;
    all.resize(kept);
    std::sort(all.begin(), all.end(), [](const Shown& a, const Shown& b) {
        return std::tie(a.process->host, a.process->pid) < std::tie(b.process->host, b.process->pid);
    });
    std::vector<ChartSeries> series;
    for (Shown& shown : all)
        series.push_back(ChartSeries{shown.process->key, shown.process->host, shown.process->pid, 1, std::move(shown.points)});
    if (processes.size() > kept) {
        series.push_back(ChartSeries{processes.front().key, std::nullopt, std::nullopt, processes.size() - kept,
                                     {others.begin(), others.end()}});
    }
    return series;
}

}  // namespace siagent::dashboard
