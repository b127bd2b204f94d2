// Metric series as the charts show them (/api/apps/{id}/metrics): per time bucket
// (time_buckets.h), merged over the processes or one series per process. How a metric reads:
// - a counter (its values are deltas) as a rate per second: the sum of the bucket's deltas
//   divided by the bucket's width;
// - a count (a state whose unit is "" or "count" and whose every value in the range is a
//   whole number: threads, open files, goroutines) as one process's last value in the
//   bucket;
// - any other state as the mean of the bucket's values.
// Merged over processes, rates and counts add up (the processes' values summed: a count is
// never fractional because of averaging), other states are the mean of every report in the
// bucket. Per process: the kMaxProcessesShown processes with the largest mean value (ties:
// by host and pid) get a series each, in host and pid order; the others are summed (the sum
// of their values) into one last series.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "dashboard/server/model/storage.h"

namespace siagent::dashboard {

inline constexpr size_t kMaxProcessesShown = 20;

struct ChartSeries {
    SeriesKey key;
    std::optional<std::string> host;  // per process; nullopt merged and for the others' sum
    std::optional<int64_t> pid;
    size_t processes = 0;  // how many processes the series stands for
    std::vector<std::pair<int64_t, double>> points;  // (bucket start, value), oldest first
};

// `processes`: one metric's series (one key), one per process, as Storage::metrics gives them.
ChartSeries merged_metric(std::span<const MetricSeries> processes, const QueryFilter& filter);
std::vector<ChartSeries> metric_per_process(std::span<const MetricSeries> processes, const QueryFilter& filter);

}  // namespace siagent::dashboard
