#include "dashboard/server/connection_limits.h"

#include <sys/resource.h>

namespace siagent::dashboard {

ConnectionLimits::Slot ConnectionLimits::acquire(const std::string& address) {
    {
        std::lock_guard lock(mutex_);
        size_t& mine = per_address_[address];
        if (total_ >= total_limit_ || mine >= per_address_limit_) {
            if (mine == 0) per_address_.erase(address);
            return nullptr;
        }
        ++total_;
        ++mine;
    }
    return Slot(this, [this, address](void*) { release(address); });
}

void ConnectionLimits::release(const std::string& address) {
    std::lock_guard lock(mutex_);
    --total_;
    auto found = per_address_.find(address);
    if (found != per_address_.end() && --found->second == 0) per_address_.erase(found);
}

size_t connection_limit_for_descriptors() {
    constexpr size_t kReserve = 64;
    rlimit files{};
    if (getrlimit(RLIMIT_NOFILE, &files) != 0 || files.rlim_cur == RLIM_INFINITY) return 10'000;
    const size_t limit = static_cast<size_t>(files.rlim_cur);
    return limit > kReserve + 16 ? limit - kReserve : 16;
}

}  // namespace siagent::dashboard
