// The hot-spot regression rule in the server. At most once per `regression_interval` per
// app, environment and version (checked at ingest, on the uploading request), it compares the
// self shares of the CPU, allocation and blocking profiles:
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

    std::vector<AnomalyRow> observe(Storage& storage, const AppScope& scope, const std::string& version,
                                    const std::string& environment, const RuleSettings& settings, int64_t now);

private:
    bool due(const std::string& key, int64_t now, int64_t interval);
    // True when `key` starts an episode; `active` keys of this check are kept, the rest of
    // `prefix` end.
    bool start_episode(const std::string& key);
    void end_episodes_except(const std::string& prefix, const std::set<std::string>& active);

    std::mutex mutex_;
    std::unordered_map<std::string, int64_t> last_check_;
    std::set<std::string> episodes_;
};

}  // namespace siagent::dashboard::anomaly
