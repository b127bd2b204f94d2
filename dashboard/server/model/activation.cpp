#include "dashboard/server/model/activation.h"

#include <algorithm>
#include <cmath>

namespace siagent::dashboard {

size_t activation_capacity(size_t live, const AppSettings& settings) {
    size_t capacity = live;
    if (settings.max_active_processes) {
        capacity = std::min(capacity, static_cast<size_t>(std::max<int64_t>(*settings.max_active_processes, 0)));
    }
    if (settings.max_active_percent) {
        const double share = std::clamp(*settings.max_active_percent, 0.0, 100.0) / 100.0;
        capacity = std::min(capacity, static_cast<size_t>(std::ceil(share * static_cast<double>(live))));
    }
    return live > 0 ? std::max<size_t>(capacity, 1) : 0;
}

std::vector<int64_t> active_processes(const std::vector<int64_t>& ids, size_t capacity, int64_t window) {
    if (capacity >= ids.size()) return ids;
    const size_t n = ids.size();
    const size_t start = static_cast<size_t>((static_cast<uint64_t>(std::max<int64_t>(window, 0)) * capacity) % n);
    std::vector<int64_t> active;
    for (size_t i = 0; i < capacity; ++i) active.push_back(ids[(start + i) % n]);
    std::sort(active.begin(), active.end());
    return active;
}

}  // namespace siagent::dashboard
