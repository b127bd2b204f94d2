// Synthetic metric series with known truth for the anomaly detector's tests: 5-minute points
// of a daily cycle (amplitude 20), a weekend dip (10), Gaussian noise (sigma 3) around 100,
// deterministic for a seed. Injected anomalies are functions of the point index.
#pragma once

#include <cmath>
#include <cstdint>
#include <functional>
#include <random>
#include <vector>

#include "dashboard/server/anomaly/detector.h"

namespace siagent::testing {

constexpr int64_t kStep = 300;                  // seconds between points
constexpr int64_t kStart = 1700006400;          // 2023-11-15 00:00:00 UTC, a Wednesday
constexpr int64_t kPointsPerDay = 86400 / kStep;
constexpr double kNoise = 3;

struct SyntheticSeries {
    uint32_t seed = 1;
    double daily_amplitude = 20;
    double weekend_dip = 10;
    double noise = kNoise;

    double normal(int64_t time, std::mt19937& random) const {
        const double day_phase = 2 * M_PI * static_cast<double>(time % 86400) / 86400.0;
        const int64_t weekday = (time / 86400 + 4) % 7;  // 0 = Sunday
        const bool weekend = weekday == 0 || weekday == 6;
        std::normal_distribution<double> gauss(0, noise);
        return 100 + daily_amplitude * std::sin(day_phase) - (weekend ? weekend_dip : 0) + gauss(random);
    }
};

struct Outcome {
    std::vector<int64_t> flags;  // indices of flagged points
    std::vector<double> scores;
};

// Runs `points` points; `change(index, time, normal_value)` returns the value to feed.
inline Outcome run_series(const SyntheticSeries& series, int64_t points,
                          const std::function<double(int64_t, int64_t, double)>& change,
                          siagent::dashboard::anomaly::SeriesDetector& detector) {
    std::mt19937 random(series.seed);
    Outcome outcome;
    for (int64_t i = 0; i < points; ++i) {
        const int64_t time = kStart + i * kStep;
        const auto result = detector.add(time, change(i, time, series.normal(time, random)));
        outcome.scores.push_back(result.score);
        if (result.flag) outcome.flags.push_back(i);
    }
    return outcome;
}

}  // namespace siagent::testing
