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

int64_t LeakTrend::effective_window(int64_t time) const {
    const int64_t window = std::max<int64_t>(config_.window, 1);
    const int64_t shortest = std::clamp<int64_t>(config_.min_window, 1, window);
    return std::clamp(time - first_time_, shortest, window);
}

double LeakTrend::z_bar(int64_t seconds) const {
    const double share = std::clamp(static_cast<double>(seconds) / static_cast<double>(std::max<int64_t>(config_.window, 1)),
                                    1e-6, 1.0);
    return normal_upper_quantile(normal_upper_tail(config_.min_z) * share);
}

bool LeakTrend::later_half_rises(const std::vector<std::pair<int64_t, double>>& points, double slope,
                                 int64_t window, double bytes_per_unit) const {
    const int64_t middle = points.front().first + (points.back().first - points.front().first) / 2;
    std::vector<std::pair<int64_t, double>> later;
    for (const auto& point : points) {
        if (point.first >= middle) later.push_back(point);
    }
    const double later_slope = theil_sen_slope(later);
    return mann_kendall_z(later) >= config_.later_half_z && later_slope >= slope / 2 &&
           later_slope * static_cast<double>(window) * bytes_per_unit >= config_.min_growth_bytes;
}

std::optional<LeakFinding> LeakTrend::add(int64_t time, double value, double bytes_per_unit) {
    if (!std::isfinite(value)) return std::nullopt;
    if (!points_.empty() && time <= points_.back().first) return std::nullopt;  // late or re-sent
    if (!started_) {
        first_time_ = time;
        started_ = true;
    }
    const int64_t window = effective_window(time);
    // Thinning: points closer than W / max_points replace the newest kept one; as W grows
    // with the series the older points are denser, so past max_points + 1 every other one
    // goes. The window holds at most max_points + 1 whatever the report interval.
    const size_t max_points = std::max<size_t>(config_.max_points, 2);
    const int64_t spacing = window / static_cast<int64_t>(max_points);
    const bool replaces = points_.size() >= 2 && time - points_[points_.size() - 2].first < spacing;
    if (replaces) points_.back() = {time, value};
    else points_.emplace_back(time, value);
    while (!points_.empty() && points_.front().first < time - config_.window) points_.pop_front();
    if (points_.size() > max_points + 1) {
        std::deque<std::pair<int64_t, double>> halved;
        for (size_t i = 0; i < points_.size(); i += 2) halved.push_back(points_[i]);
        if (halved.back() != points_.back()) halved.push_back(points_.back());
        points_.swap(halved);
    }

    // Decisions are taken on kept points only: at most max_points per window, whatever the
    // report interval (a replaced point is decided when the next one is kept).
    if (replaces) return std::nullopt;
    const std::vector<std::pair<int64_t, double>> points(points_.begin(), points_.end());
    const double span = static_cast<double>(points.back().first - points.front().first);
    const bool young = window < config_.window;
    if (points.size() < config_.min_points || span < config_.min_fill * static_cast<double>(window) ||
        (young && time - first_time_ < std::min(config_.min_window, config_.window))) {
        return std::nullopt;
    }
    const double z = mann_kendall_z(points);
    if (in_episode_) {
        if (z < config_.end_z) in_episode_ = false;
        return std::nullopt;
    }
    if (z < z_bar(window)) return std::nullopt;
    const double slope = theil_sen_slope(points);
    const double growth = slope * static_cast<double>(window);
    std::vector<double> values;
    for (const auto& point : points) values.push_back(point.second);
    const double median = median_of(values);
    const double relative = median > 0 ? slope * static_cast<double>(config_.window) / median : 0;
    if (relative < config_.min_relative_growth || growth * bytes_per_unit < config_.min_growth_bytes) return std::nullopt;
    if (young && !later_half_rises(points, slope, window, bytes_per_unit)) return std::nullopt;
    in_episode_ = true;
    return LeakFinding{points.front().first, points.back().first, window, slope, growth, relative, z, value};
}

}  // namespace siagent::dashboard::anomaly
