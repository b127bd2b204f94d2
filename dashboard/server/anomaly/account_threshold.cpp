#include "dashboard/server/anomaly/account_threshold.h"

#include <cmath>

#include "dashboard/server/anomaly/anomaly_text.h"

namespace siagent::dashboard::anomaly {

std::string threshold_problem(double threshold) {
    if (std::isfinite(threshold) && threshold >= kMinThreshold && threshold <= kMaxThreshold) return {};
    return "threshold must be a number from " + short_number(kMinThreshold) + " to " + short_number(kMaxThreshold);
}

double AccountThresholds::get(Storage& storage, int64_t account_id, int64_t now) {
    {
        std::lock_guard lock(mutex_);
        auto found = cache_.find(account_id);
        if (found != cache_.end() && now - found->second.read_at < kRefreshSeconds) return found->second.threshold;
    }
    // Read outside the lock; a stored value out of bounds (written by hand) is not used.
    const std::optional<double> stored = storage.anomaly_threshold(account_id);
    const double threshold = stored && threshold_problem(*stored).empty() ? *stored : kDefaultThreshold;
    std::lock_guard lock(mutex_);
    if (cache_.size() >= kMaxAccounts && !cache_.count(account_id)) cache_.clear();
    cache_[account_id] = Cached{threshold, now};
    return threshold;
}

bool AccountThresholds::set(Storage& storage, int64_t account_id, std::optional<double> threshold, int64_t now) {
    if (!storage.set_anomaly_threshold(account_id, threshold)) return false;
    std::lock_guard lock(mutex_);
    if (cache_.size() >= kMaxAccounts && !cache_.count(account_id)) cache_.clear();
    cache_[account_id] = Cached{threshold.value_or(kDefaultThreshold), now};
    return true;
}

}  // namespace siagent::dashboard::anomaly
