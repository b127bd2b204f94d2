#include "dashboard/server/anomaly/pattern_novelty.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace siagent::dashboard::anomaly {

namespace {

constexpr int64_t kCalibrated = 20;    // distances seen before a novelty is reported
constexpr size_t kFewestCandidates = 4;  // fewer windows of history: no distance yet
constexpr double kFlatDistance = 1e3;
// The smallest spread of the distances: a series that repeats exactly (distances all 0)
// breaking its pattern by one standard deviation of its values is not a novelty of 1e9.
constexpr double kSpreadFloor = 0.3;  // a change in a series that never varied, in spreads

// Exponential moving mean and variance; the first points are weighted as a plain mean.
void track(double x, int64_t seen, double memory, double& mean, double& variance) {
    const double rate = std::max(1.0 / memory, 1.0 / static_cast<double>(seen + 1));
    const double delta = x - mean;
    mean += rate * delta;
    variance = (1 - rate) * (variance + rate * delta * delta);
}

}  // namespace

// Smallest squared distance from the window ending at the newest value to the windows ending
// kWindow - 1, kWindow - 1 + kStride, ... values before it; infinity with too few of them.
double PatternNovelty::nearest_squared() const {
    const size_t stored = static_cast<size_t>(std::min<int64_t>(count_, static_cast<int64_t>(kHistory)));
    std::array<float, kWindow> current;
    for (size_t k = 0; k < kWindow; ++k) current[k] = at(k);
    const size_t newest = (next_ + kHistory - 1) % kHistory;
    float best = std::numeric_limits<float>::infinity();
    size_t candidates = 0;
    for (size_t back = kWindow; back + kWindow <= stored && candidates < kCandidates; back += kStride) {
        const size_t end = (newest + kHistory - back) % kHistory;  // the candidate's newest value
        float sum = 0;
        if (end + 1 >= kWindow) {
            const float* window = history_.data() + end + 1 - kWindow;  // oldest first
            for (size_t k = 0; k < kWindow; ++k) {
                const float d = window[kWindow - 1 - k] - current[k];
                sum += d * d;
            }
        } else {
            for (size_t k = 0; k < kWindow; ++k) {
                const float d = history_[(end + kHistory - k) % kHistory] - current[k];
                sum += d * d;
            }
        }
        best = std::min(best, sum);
        ++candidates;
    }
    return candidates < kFewestCandidates ? std::numeric_limits<double>::infinity() : best;
}

size_t PatternNovelty::exceedances(double value, bool upward) const {
    const size_t stored = static_cast<size_t>(std::min<int64_t>(count_, static_cast<int64_t>(kHistory)));
    const float x = static_cast<float>(value - anchor_);
    size_t count = 0;
    for (size_t back = 1; back < stored; ++back) {  // back 0 is `value` itself
        const float earlier = at(back);
        count += upward ? earlier >= x : earlier <= x;
    }
    return count;
}

double PatternNovelty::observe(double value) {
    if (count_ == 0) anchor_ = value;
    const double x = value - anchor_;
    const double spread = std::sqrt(variance_);  // of the values before this one
    history_[next_] = static_cast<float>(x);
    next_ = (next_ + 1) % kHistory;

    double novelty = 0;
    const double squared = count_ >= 1 ? nearest_squared() : std::numeric_limits<double>::infinity();
    if (std::isfinite(squared)) {
        const double distance = spread > 0 ? std::sqrt(squared) / spread : squared > 0 ? kFlatDistance : 0;
        if (distances_ > kCalibrated) {
            novelty = (distance - distance_mean_) / std::max(std::sqrt(distance_variance_), kSpreadFloor);
        }
        track(distance, distances_, kMemory, distance_mean_, distance_variance_);
        ++distances_;
    }
    track(x, count_, kMemory, mean_, variance_);
    ++count_;
    return novelty;
}

}  // namespace siagent::dashboard::anomaly
