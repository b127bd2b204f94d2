#include "dashboard/server/notify/incident_gate.h"

#include <algorithm>
#include <vector>

namespace siagent::dashboard::notify {

bool IncidentGate::opens(const std::string& rule, int64_t now) {
    std::lock_guard<std::mutex> lock(mutex_);
    auto found = last_seen_.find(rule);
    if (found != last_seen_.end()) {
        const bool joins = now - found->second < cooldown_;
        found->second = std::max(found->second, now);
        return !joins;
    }
    if (last_seen_.size() >= max_rules_) forget_oldest();
    last_seen_.emplace(rule, now);
    return true;
}

size_t IncidentGate::open_incidents() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return last_seen_.size();
}

// Drops the older half: rare (only past max_rules), so its cost is spread over many calls.
void IncidentGate::forget_oldest() {
    std::vector<int64_t> times;
    times.reserve(last_seen_.size());
    for (const auto& [rule, time] : last_seen_) times.push_back(time);
    auto middle = times.begin() + static_cast<std::ptrdiff_t>(times.size() / 2);
    std::nth_element(times.begin(), middle, times.end());
    const int64_t cutoff = *middle;
    for (auto it = last_seen_.begin(); it != last_seen_.end();) {
        it = it->second <= cutoff ? last_seen_.erase(it) : std::next(it);
    }
}

}  // namespace siagent::dashboard::notify
