#include "dashboard/server/api/login_limiter.h"

#include <algorithm>
#include <cctype>

namespace siagent::dashboard {
namespace {

std::string pair_key(const std::string& address, const std::string& email) {
    std::string key = "pair:" + address + " " + email.substr(0, 320);
    std::transform(key.begin(), key.end(), key.begin(), [](unsigned char c) { return std::tolower(c); });
    return key;
}

constexpr size_t kAddressFactor = 4;  // an address may fail for this many emails' worth

}  // namespace

bool LoginLimiter::blocked_locked(const std::string& key, size_t limit, int64_t now) {
    auto found = failures_.find(key);
    if (found == failures_.end()) return false;
    auto& times = found->second;
    while (!times.empty() && times.front() <= now - window_seconds_) times.pop_front();
    return times.size() >= limit;
}

bool LoginLimiter::blocked(const std::string& address, const std::string& email, int64_t now) {
    std::lock_guard lock(mutex_);
    return blocked_locked("ip:" + address, max_failures_ * kAddressFactor, now) ||
           blocked_locked(pair_key(address, email), max_failures_, now);
}

void LoginLimiter::forget_stale(int64_t now) {
    for (auto it = failures_.begin(); it != failures_.end();) {
        if (it->second.empty() || it->second.back() <= now - window_seconds_) it = failures_.erase(it);
        else ++it;
    }
}

void LoginLimiter::record_failure(const std::string& address, const std::string& email, int64_t now) {
    std::lock_guard lock(mutex_);
    if (failures_.size() >= kMaxKeys) forget_stale(now);
    for (const auto& [key, limit] : {std::pair{"ip:" + address, max_failures_ * kAddressFactor},
                                      std::pair{pair_key(address, email), max_failures_}}) {
        auto& times = failures_[key];
        times.push_back(now);
        while (times.size() > limit) times.pop_front();
    }
}

}  // namespace siagent::dashboard
