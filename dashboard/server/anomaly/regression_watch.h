// The hot-spot regression rule in the server. At most once per check interval per app,
// environment and version (checked at ingest, on the uploading request), it compares the
// self shares of the CPU, allocation and blocking profiles. The check interval adapts to the
// version's age (since its first check): half of it, from kMinInterval up to
// `regression_interval`, so a new version is compared with the previous one as soon as both
// have enough reports (share_rise.h: 2 reports a side and significance). A check every
// interval I is judged at alpha * I / regression_interval, so the more frequent checks of a
// young version keep the false alarms per `regression_interval` of the configured schedule.
//   - by version: the uploading process's version over the last period against the
//     previous version (the other version last seen before this one first appeared) over
//     its last period of data;
//   - by period: the last period against the one before it, all versions; skipped while
//     a version first seen within the last two periods runs beside another (a release:
//     the periods differ by version, which the version comparison judges).
// with share_rises (statistical test on effective sample counts, Bonferroni). Cost per
// check: at most 3 kinds x 4 profiles, each merged from at most 30 stored rows (evenly
// thinned, sampled_profile.h; hourly rollups stand for whole hours of a period) of at most
// 50,000 nodes.
// One anomaly per episode: a version regression is reported once per (function, version
// pair); a period regression once until a check finds that function back to normal.
// Thread-safe.
#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "dashboard/server/anomaly/rule_settings.h"
#include "dashboard/server/model/storage.h"

namespace siagent::dashboard::anomaly {

class RegressionWatch {
public:
    static constexpr size_t kMaxRemembered = 100'000;  // episode keys and schedules
    static constexpr int64_t kMinInterval = 30;        // seconds; at most regression_interval

    std::vector<AnomalyRow> observe(Storage& storage, const AppScope& scope, const std::string& version,
                                    const std::string& environment, const RuleSettings& settings, int64_t now);

private:
    struct Schedule {
        int64_t first = 0, last = 0;  // the first and the last check
    };
    // The interval of the check due now for `key`, or nullopt when none is due.
    std::optional<int64_t> due(const std::string& key, int64_t now, int64_t interval);
    // True when `key` starts an episode; `active` keys of this check are kept, the rest of
    // `prefix` end.
    bool start_episode(const std::string& key);
    void end_episodes_except(const std::string& prefix, const std::set<std::string>& active);

    std::mutex mutex_;
    std::unordered_map<std::string, Schedule> schedules_;
    std::set<std::string> episodes_;
};

}  // namespace siagent::dashboard::anomaly
