// Keeps only the first point of a burst of high scores: a score passes when it is higher
// than every score of the last kWindow points, and is 0 otherwise. Whatever threshold is
// applied afterwards, a run of points above it then counts once, at its start (or again
// only where it rises above its own start), instead of once per point: what a benchmark
// that charges every flagged point outside a labelled window (NAB) and an operator reading
// alerts both want. Fixed memory: kWindow floats.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>

namespace siagent::dashboard::anomaly {

class OnsetFilter {
public:
    static constexpr size_t kWindow = 150;  // points; from NAB: 100-200 scored best, 30 and 400 worse

    static constexpr size_t kRefractory = 125;  // points silenced after a score at the threshold

    // `threshold` above 1: no refractory period (scores are in [0, 1]).
    double pass(double score, double threshold = 2.0) {
        const size_t seen = std::min(count_, kWindow);
        const float highest = seen == 0 ? -1.0f : *std::max_element(recent_.begin(), recent_.begin() + seen);
        recent_[next_] = static_cast<float>(score);
        next_ = (next_ + 1) % kWindow;
        ++count_;
        if (quiet_ > 0) {
            --quiet_;
            return 0.0;
        }
        if (score >= threshold) quiet_ = kRefractory;
        return static_cast<float>(score) > highest ? score : 0.0;
    }

private:
    std::array<float, kWindow> recent_{};
    size_t next_ = 0;
    size_t count_ = 0;
    size_t quiet_ = 0;  // points of the refractory period left
};

}  // namespace siagent::dashboard::anomaly
