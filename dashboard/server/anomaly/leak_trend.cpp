#include "dashboard/server/anomaly/leak_trend.h"

#include <algorithm>
#include <cmath>

#include "dashboard/server/anomaly/statistics.h"

namespace siagent::dashboard::anomaly {
namespace {

double median_of(std::vector<double> values) {
    if (values.empty()) return 0;
    const size_t middle = values.size() / 2;
    std::nth_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(middle), values.end());
    return values[middle];
}

}  // namespace

std::optional<LeakFinding> LeakTrend::add(int64_t time, double value, double bytes_per_unit) {
    if (!std::isfinite(value)) return std::nullopt;
    if (!points_.empty() && time <= points_.back().first) return std::nullopt;  // late or re-sent
    // Thinning: points closer than window / max_points replace the newest kept one, so the
    // window holds at most max_points whatever the report interval.
    const int64_t spacing = config_.window / static_cast<int64_t>(std::max<size_t>(config_.max_points, 1));
    const bool replaces = points_.size() >= 2 && time - points_[points_.size() - 2].first < spacing;
    if (replaces) points_.back() = {time, value};
    else points_.emplace_back(time, value);
    while (!points_.empty() && points_.front().first < time - config_.window) points_.pop_front();

    // Decisions are taken on kept points only: at most max_points per window, whatever the
    // report interval (a replaced point is decided when the next one is kept).
    if (replaces) return std::nullopt;
    const std::vector<std::pair<int64_t, double>> points(points_.begin(), points_.end());
    const double span = static_cast<double>(points.back().first - points.front().first);
    if (points.size() < config_.min_points || span < config_.min_fill * static_cast<double>(config_.window)) {
        return std::nullopt;
    }
    const double z = mann_kendall_z(points);
    if (in_episode_) {
        if (z < config_.end_z) in_episode_ = false;
        return std::nullopt;
    }
    if (z < config_.min_z) return std::nullopt;
    const double slope = theil_sen_slope(points);
    const double growth = slope * static_cast<double>(config_.window);
    std::vector<double> values;
    for (const auto& point : points) values.push_back(point.second);
    const double median = median_of(values);
    const double relative = median > 0 ? growth / median : 0;
    if (relative < config_.min_relative_growth || growth * bytes_per_unit < config_.min_growth_bytes) return std::nullopt;
    in_episode_ = true;
    return LeakFinding{points.front().first, points.back().first, slope, growth, relative, z, value};
}

}  // namespace siagent::dashboard::anomaly
