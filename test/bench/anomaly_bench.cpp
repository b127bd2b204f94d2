// Cost of the anomaly detector: nanoseconds per point over many series fed round-robin (as
// the server sees them: each point touches a different series' state, so caches are cold),
// and bytes of state per series. Usage: anomaly_bench [series, default 100000] [points per
// series, default 100].
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <vector>

#include "dashboard/server/anomaly/detector.h"

using siagent::dashboard::anomaly::SeriesDetector;

int main(int argc, char** argv) {
    const long series = argc > 1 ? std::atol(argv[1]) : 100000;
    const long points = argc > 2 ? std::atol(argv[2]) : 100;
    std::vector<SeriesDetector> detectors(static_cast<size_t>(series));
    std::mt19937 random(1);
    std::normal_distribution<double> noise(0, 3);
    std::vector<double> values(4096);
    for (size_t i = 0; i < values.size(); ++i) values[i] = 100 + 20 * std::sin(static_cast<double>(i) * 0.02) + noise(random);

    long flags = 0;
    const auto start = std::chrono::steady_clock::now();
    for (long p = 0; p < points; ++p) {
        const int64_t time = 1700000000 + p * 60;
        for (long s = 0; s < series; ++s) {
            flags += detectors[static_cast<size_t>(s)].add(time, values[static_cast<size_t>(p + s) % values.size()]).flag;
        }
    }
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const double total = static_cast<double>(series) * static_cast<double>(points);
    std::printf("series %ld, points per series %ld (%ld flagged)\n", series, points, flags);
    std::printf("ns per point: %.1f\n", seconds * 1e9 / total);
    std::printf("bytes per series: %zu (sizeof SeriesDetector); %.1f MiB for these series\n", sizeof(SeriesDetector),
                static_cast<double>(sizeof(SeriesDetector)) * static_cast<double>(series) / 1048576.0);
    return 0;
}
