#include "dashboard/server/anomaly/statistics.h"

#include <algorithm>
#include <cmath>

namespace siagent::dashboard::anomaly {

double normal_upper_tail(double z) { return 0.5 * std::erfc(z / std::sqrt(2.0)); }

double normal_upper_quantile(double p) {
    // The tail falls monotonically with z; below 1e-300 the tail underflows, so 38 is the top.
    double low = 0, high = 38;
    p = std::clamp(p, 1e-300, 0.5);
    while (high - low > 1e-9) {
        const double middle = (low + high) / 2;
        (normal_upper_tail(middle) > p ? low : high) = middle;
    }
    return (low + high) / 2;
}

double mann_kendall_z(const std::vector<std::pair<int64_t, double>>& points) {
    const size_t n = points.size();
    if (n < 3) return 0;
    double s = 0;
    for (size_t i = 0; i < n; ++i) {
        for (size_t j = i + 1; j < n; ++j) {
            const double d = points[j].second - points[i].second;
            s += d > 0 ? 1 : d < 0 ? -1 : 0;
        }
    }
    // Ties (equal values) shrink the variance: each group of t equal values removes
    // t(t-1)(2t+5)/18.
    std::vector<double> sorted;
    sorted.reserve(n);
    for (const auto& point : points) sorted.push_back(point.second);
    std::sort(sorted.begin(), sorted.end());
    const double count = static_cast<double>(n);
    double variance = count * (count - 1) * (2 * count + 5);
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j < n && sorted[j] == sorted[i]) ++j;
        const double t = static_cast<double>(j - i);
        variance -= t * (t - 1) * (2 * t + 5);
        i = j;
    }
    variance /= 18;
    if (variance <= 0) return 0;
    if (s > 0) return (s - 1) / std::sqrt(variance);
    if (s < 0) return (s + 1) / std::sqrt(variance);
    return 0;
}

double theil_sen_slope(const std::vector<std::pair<int64_t, double>>& points) {
    std::vector<double> slopes;
    slopes.reserve(points.size() * (points.size() - (points.empty() ? 0 : 1)) / 2);
    for (size_t i = 0; i < points.size(); ++i) {
        for (size_t j = i + 1; j < points.size(); ++j) {
            const int64_t dt = points[j].first - points[i].first;
            if (dt != 0) slopes.push_back((points[j].second - points[i].second) / static_cast<double>(dt));
        }
    }
    if (slopes.empty()) return 0;
    const size_t middle = slopes.size() / 2;
    std::nth_element(slopes.begin(), slopes.begin() + static_cast<std::ptrdiff_t>(middle), slopes.end());
    if (slopes.size() % 2 == 1) return slopes[middle];
    const double upper = slopes[middle];
    const double lower = *std::max_element(slopes.begin(), slopes.begin() + static_cast<std::ptrdiff_t>(middle));
    return (lower + upper) / 2;
}

double least_squares_slope(const std::vector<std::pair<int64_t, double>>& points) {
    if (points.size() < 2) return 0;
    // Times relative to the first, so that Unix seconds squared lose no precision.
    const int64_t origin = points.front().first;
    double mean_t = 0, mean_v = 0;
    for (const auto& [time, value] : points) {
        mean_t += static_cast<double>(time - origin);
        mean_v += value;
    }
    mean_t /= static_cast<double>(points.size());
    mean_v /= static_cast<double>(points.size());
    double covariance = 0, variance = 0;
    for (const auto& [time, value] : points) {
        const double dt = static_cast<double>(time - origin) - mean_t;
        covariance += dt * (value - mean_v);
        variance += dt * dt;
    }
    return variance > 0 ? covariance / variance : 0;
}

double two_proportion_z(double hits_before, double n_before, double hits_after, double n_after) {
    if (n_before <= 0 || n_after <= 0) return 0;
    const double p_before = hits_before / n_before;
    const double p_after = hits_after / n_after;
    const double pooled = (hits_before + hits_after) / (n_before + n_after);
    const double variance = pooled * (1 - pooled) * (1 / n_before + 1 / n_after);
    if (variance <= 0) return 0;
    return (p_after - p_before) / std::sqrt(variance);
}

double poisson_upper_tail(double observed, double expected) {
    const double k = std::ceil(observed);
    if (k <= 0) return 1;
    if (expected <= 0) return 0;
    // Large means: the normal approximation (with continuity correction) is accurate and
    // the exact sum would take too many terms.
    if (expected > 1000) return normal_upper_tail((k - 0.5 - expected) / std::sqrt(expected));
    // Sum the terms from k upwards until they no longer matter (they fall once i > expected);
    // at most a few thousand terms.
    double total = 0;
    for (double i = k; i < std::max(k, expected) + 2000; ++i) {
        const double term = std::exp(i * std::log(expected) - expected - std::lgamma(i + 1));
        total += term;
        if (i > expected && term <= total * 1e-12) break;
    }
    return std::min(total, 1.0);
}

}  // namespace siagent::dashboard::anomaly
