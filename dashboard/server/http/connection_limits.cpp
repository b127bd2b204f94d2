#include "dashboard/server/http/connection_limits.h"

#include <sys/resource.h>

namespace siagent::dashboard {

ConnectionSlot::~ConnectionSlot() { limits_.release(id_); }

void ConnectionSlot::idle(std::function<void()> shed) { limits_.set_idle(id_, std::move(shed)); }

void ConnectionSlot::busy() { limits_.set_busy(id_); }

ConnectionLimits::Slot ConnectionLimits::acquire(const std::string& address) {
    std::function<void()> shed;
    uint64_t id = 0;
    {
        std::lock_guard lock(mutex_);
        const bool address_full = per_address_[address] >= per_address_limit_;
        if (address_full || total_ >= total_limit_) {
            shed = take_oldest_idle(address_full ? address : std::string());
            if (!shed) {
                if (per_address_[address] == 0) per_address_.erase(address);
                return nullptr;
            }
        }
        ++total_;
        ++per_address_[address];
        id = next_id_++;
        held_.emplace(id, Held{address, true, 0, {}});
    }
    if (shed) shed();  // outside the lock: it only posts the close to that session
    return std::make_shared<ConnectionSlot>(*this, address, id);
}

size_t ConnectionLimits::held() const {
    std::lock_guard lock(mutex_);
    return total_;
}

std::function<void()> ConnectionLimits::take_oldest_idle(const std::string& address) {
    Held* oldest = nullptr;
    for (auto& [id, held] : held_) {
        if (!held.counted || held.idle_since == 0 || (!address.empty() && held.address != address)) continue;
        if (oldest == nullptr || held.idle_since < oldest->idle_since) oldest = &held;
    }
    if (oldest == nullptr) return {};
    oldest->counted = false;
    --total_;
    auto found = per_address_.find(oldest->address);
    if (found != per_address_.end() && --found->second == 0) per_address_.erase(found);
    return std::move(oldest->shed);
}

void ConnectionLimits::set_idle(uint64_t id, std::function<void()> shed) {
    std::lock_guard lock(mutex_);
    auto found = held_.find(id);
    if (found == held_.end() || !found->second.counted) return;
    found->second.idle_since = ++idle_order_;
    found->second.shed = std::move(shed);
}

void ConnectionLimits::set_busy(uint64_t id) {
    std::lock_guard lock(mutex_);
    auto found = held_.find(id);
    if (found == held_.end()) return;
    found->second.idle_since = 0;
    found->second.shed = nullptr;
}

void ConnectionLimits::release(uint64_t id) {
    std::lock_guard lock(mutex_);
    auto found = held_.find(id);
    if (found == held_.end()) return;
    if (found->second.counted) {
        --total_;
        auto address = per_address_.find(found->second.address);
        if (address != per_address_.end() && --address->second == 0) per_address_.erase(address);
    }
    held_.erase(found);
}

size_t connection_limit_for_descriptors() {
    constexpr size_t kReserve = 64;
    rlimit files{};
    if (getrlimit(RLIMIT_NOFILE, &files) != 0 || files.rlim_cur == RLIM_INFINITY) return 10'000;
    const size_t limit = static_cast<size_t>(files.rlim_cur);
    return limit > kReserve + 16 ? limit - kReserve : 16;
}

}  // namespace siagent::dashboard
