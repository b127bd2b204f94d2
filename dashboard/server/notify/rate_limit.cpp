#include "dashboard/server/notify/rate_limit.h"

namespace siagent::dashboard::notify {

bool RateLimit::allow(int64_t key, int64_t now) {
    std::lock_guard<std::mutex> lock(mutex_);
    std::deque<int64_t>& times = recent_[key];
    while (!times.empty() && times.front() <= now - window_) times.pop_front();
    if (times.size() >= max_events_) {
        ++refused_;
        return false;
    }
    times.push_back(now);
    return true;
}

uint64_t RateLimit::refused() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return refused_;
}

}  // namespace siagent::dashboard::notify
