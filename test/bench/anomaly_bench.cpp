// Cost of the anomaly detector: nanoseconds per point over many series fed round-robin (as
// the server sees them: each point touches a different series' state, so caches are cold),
// and bytes of state per series; then the same series through the server's MetricWatch
// (series lookup by key and LRU upkeep included), as uploads of 50 state metrics of one host,
// for the cost of anomaly evaluation per ingested report. Usage: anomaly_bench [series, default 100000] [points per
// series, default 100].
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "dashboard/server/anomaly/detector.h"
#include "dashboard/server/anomaly/metric_watch.h"

using siagent::dashboard::ReportToStore;
using siagent::dashboard::anomaly::MetricWatch;
using siagent::dashboard::anomaly::SeriesDetector;

namespace {

// `series` series as hosts of 50 metrics each, `rounds` uploads per host, through MetricWatch.
void bench_watch(long series, long rounds, const std::vector<double>& values) {
    constexpr long kMetricsPerUpload = 50;
    const long hosts = std::max(1L, series / kMetricsPerUpload);
    MetricWatch watch(static_cast<size_t>(hosts * kMetricsPerUpload));
    std::vector<ReportToStore> upload(kMetricsPerUpload);
    for (long m = 0; m < kMetricsPerUpload; ++m) {
        upload[static_cast<size_t>(m)].series = {"state", "memory", "metric " + std::to_string(m), "byte"};
    }
    long flagged = 0;
    const auto start = std::chrono::steady_clock::now();
    for (long r = 0; r < rounds; ++r) {
        for (long h = 0; h < hosts; ++h) {
            for (long m = 0; m < kMetricsPerUpload; ++m) {
                auto& report = upload[static_cast<size_t>(m)];
                report.timestamp = 1700000000 + r * 60;
                report.value = values[static_cast<size_t>(r + h + m) % values.size()];
            }
            flagged += static_cast<long>(watch.observe(1, "prod", "host-" + std::to_string(h), upload).size());
        }
    }
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const double uploads = static_cast<double>(hosts) * static_cast<double>(rounds);
    std::printf("MetricWatch: %zu series, %ld uploads of %ld metrics (%ld flagged)\n", watch.series(),
                static_cast<long>(uploads), kMetricsPerUpload, flagged);
    std::printf("ns per metric: %.1f; us per upload: %.2f\n", seconds * 1e9 / (uploads * kMetricsPerUpload),
                seconds * 1e6 / uploads);
}

}  // namespace

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
    std::vector<SeriesDetector>().swap(detectors);  // free them before the second measure
    bench_watch(series, points, values);
    return 0;
}
