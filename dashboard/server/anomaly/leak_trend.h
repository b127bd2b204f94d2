// The leak rule on one memory series (heap in use or RSS of one app, environment and host):
// sustained growth over a window, decided by a Mann-Kendall trend test and a Theil-Sen slope.
// The window grows with the series: a series younger than the configured window is judged on
// what it has (its age, at least min_window), so a new application's leak is found within
// minutes; the configured window is the upper bound. Invariants of a decision:
//   - the series is at least min_window old (or the whole window, when shorter), and the kept
//     points span at least min_fill of the effective window W, and number >= 8;
//   - Mann-Kendall z >= the bar for W: one-sided p <= 0.001 * W / window (z 3.09 at the full
//     window, 4.19 at 5 min of 6 h), so windows that are short, and so more numerous per hour,
//     keep the false alarms per hour of the full window's test;
//   - on a window shorter than the configured one, the later half of the points rises on its
//     own too (z >= 1.64, a slope at least half the whole one's and one that grows 1 MiB over
//     W): a start-up ramp that levelled off is not a leak;
//   - the Theil-Sen slope projected over the configured window is at least 10 % of the
//     series' median, and the growth seen over W at least 1 MiB.
// A single spike moves neither statistic much; noise without a trend fails the trend test.
// One finding per episode: a series that leaked is reported again only after its trend test
// fell below z = 1 (the growth stopped) and then rose again.
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <utility>
#include <vector>

namespace siagent::dashboard::anomaly {

struct LeakTrendConfig {
    int64_t window = 6 * 3600;     // seconds: the longest window, and the one of a series that old
    int64_t min_window = 300;      // the shortest window a young series is judged on (at most `window`)
    size_t max_points = 120;       // points kept: at most one per W / max_points, and max_points + 1 in all
    size_t min_points = 8;
    double min_fill = 0.75;        // the points must span this share of the effective window
    double min_z = 3.09;           // the bar at the full window; shorter windows' bars are higher
    double later_half_z = 1.64;    // a young window's later half must rise this clearly too
    double end_z = 1.0;            // an episode ends when the trend falls below this
    double min_relative_growth = 0.10;
    double min_growth_bytes = 1 << 20;
};

struct LeakFinding {
    int64_t from = 0, to = 0;    // the window's first and last point
    int64_t window = 0;          // the effective window W judged on, in seconds
    double slope_per_second = 0; // Theil-Sen, in the series' unit
    double growth = 0;           // slope * W, in the series' unit
    double relative_growth = 0;  // slope * configured window / median value
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

    // The Mann-Kendall bar for an effective window of `seconds` (at most config.window).
    double z_bar(int64_t seconds) const;

private:
    int64_t effective_window(int64_t time) const;
    bool later_half_rises(const std::vector<std::pair<int64_t, double>>& points, double slope, int64_t window,
                          double bytes_per_unit) const;

    LeakTrendConfig config_;
    int64_t first_time_ = 0;  // the first point's time: the series' age is measured from it
    bool started_ = false;
    std::deque<std::pair<int64_t, double>> points_;
    bool in_episode_ = false;
};

}  // namespace siagent::dashboard::anomaly
