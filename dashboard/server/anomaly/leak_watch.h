// The leak rule in the server: one LeakTrend per memory series (resident memory and heap in
// use, under each agent's name: memory_metrics.h) of each app, environment and host, fed at ingest. A finding
// becomes an anomaly of kind "leak" naming the allocation sites whose in-use bytes grew the
// most over the window, from the stored heap-in-use profiles (growing_sites.h). A finding
// whose window names no site yet (too few heap profiles stored, none growing clearly) waits
// for the series' next points, the window extended to them, at most a quarter of the window
// it was judged on (at least 10 s; a young series' window is shorter than the configured
// one: leak_trend.h) before it is reported without sites. Bounded: past max_series series an
// arbitrary one is dropped (it refills its window if it comes back). Thread-safe.
#pragma once

#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "dashboard/server/anomaly/leak_trend.h"
#include "dashboard/server/model/storage.h"

namespace siagent::dashboard::anomaly {

class LeakWatch {
public:
    static constexpr size_t kDefaultMaxSeries = 100'000;
    static constexpr size_t kSitesReported = 3;

    explicit LeakWatch(size_t max_series = kDefaultMaxSeries) : max_series_(max_series) {}

    std::vector<AnomalyRow> observe(Storage& storage, const AppScope& scope, const std::string& environment,
                                    const std::string& host, const std::vector<ReportToStore>& reports,
                                    int64_t window_seconds);

private:
    // A finding waiting for its sites, with the series and time of the point that found it.
    struct PendingLeak {
        LeakFinding finding;
        SeriesKey series;
        int64_t found_at = 0;
        int64_t give_up_at = 0;
    };
    struct Check {
        std::string key;
        int64_t at = 0;  // the timestamp of the point that asks
    };

    std::mutex mutex_;
    size_t max_series_;
    std::unordered_map<std::string, LeakTrend> trends_;
    std::unordered_map<std::string, PendingLeak> pending_;  // by the key of trends_
};

}  // namespace siagent::dashboard::anomaly
