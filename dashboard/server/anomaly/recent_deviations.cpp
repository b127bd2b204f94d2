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

bool RecentDeviations::reached(double z) const {
    const int16_t bar = quantized(z);
    const auto kept = kept_.begin();
    if (z > 0) return std::any_of(kept, kept + count_, [bar](int16_t earlier) { return earlier >= bar; });
    return std::any_of(kept, kept + count_, [bar](int16_t earlier) { return earlier <= bar; });
}

}  // namespace siagent::dashboard::anomaly
