#include "dashboard/server/anomaly/recent_deviations.h"

#include <algorithm>
#include <cmath>

namespace siagent::dashboard::anomaly {

namespace {

constexpr double kSteps = 100;  // per z

int16_t quantized(double z) {
    return static_cast<int16_t>(std::lround(std::clamp(z * kSteps, -32767.0, 32767.0)));
}

}  // namespace

void RecentDeviations::add(double z) {
    kept_[next_] = quantized(z);
    next_ = (next_ + 1) % kPoints;
    count_ = std::min(count_ + 1, kPoints);
}

size_t RecentDeviations::reached(double z) const {
    const int16_t bar = quantized(z);
    size_t count = 0;
    if (z > 0) {
        for (size_t i = 0; i < count_; ++i) count += kept_[i] >= bar;
    } else {
        for (size_t i = 0; i < count_; ++i) count += kept_[i] <= bar;
    }
    return count;
}

}  // namespace siagent::dashboard::anomaly
