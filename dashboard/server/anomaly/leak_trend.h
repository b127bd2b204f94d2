// The leak rule on one memory series (heap in use or RSS of one app, environment and host):
// sustained growth over a window, decided by a Mann-Kendall trend test (significant at
// z >= 3.09, one-sided p <= 0.001) and a Theil-Sen slope whose growth over the window is
// at least 10 % of the series' median and at least 1 MiB. A single spike moves neither
// statistic much; noise without a trend fails the trend test. One finding per episode: a
// series that leaked is reported again only after its trend test fell below z = 1 (the
// growth stopped) and then rose again.
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <utility>
#include <vector>

namespace siagent::dashboard::anomaly {

struct LeakTrendConfig {
    int64_t window = 6 * 3600;     // seconds
    size_t max_points = 120;       // points kept: at most one per window / max_points
    size_t min_points = 8;
    double min_fill = 0.75;        // the points must span this share of the window
    double min_z = 3.09;
    double end_z = 1.0;            // an episode ends when the trend falls below this
    double min_relative_growth = 0.10;
    double min_growth_bytes = 1 << 20;
};

struct LeakFinding {
    int64_t from = 0, to = 0;    // the window's first and last point
    double slope_per_second = 0; // Theil-Sen, in the series' unit
    double growth = 0;           // slope * window, in the series' unit
    double relative_growth = 0;  // growth / median value
    double z = 0;                // Mann-Kendall
    double last_value = 0;
};

class LeakTrend {
public:
    explicit LeakTrend(const LeakTrendConfig& config) : config_(config) {}

    // `bytes_per_unit` converts the series' values to bytes for the absolute floor (1024
    // for a kilobyte series). Returns a finding at the onset of a leak episode.
    std::optional<LeakFinding> add(int64_t time, double value, double bytes_per_unit = 1);

    size_t points() const { return points_.size(); }

private:
    LeakTrendConfig config_;
    std::deque<std::pair<int64_t, double>> points_;
    bool in_episode_ = false;
};

}  // namespace siagent::dashboard::anomaly
