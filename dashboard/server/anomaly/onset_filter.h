// Keeps only the first point of a burst of high scores: a score passes when its severity is
// higher than every severity of the last kWindow points, and is 0 otherwise. Whatever
// threshold is applied afterwards, a run of points above it then counts once, at its start
// (or again only where it rises above its own start), instead of once per point: what a
// benchmark that charges every flagged point outside a labelled window (NAB) and an operator
// reading alerts both want. Fixed memory: kWindow floats.
//
// A score at the threshold starts a refractory period of kRefractory points in which
// nothing passes, unless a point is kOverride times as severe as the one that started it
// (a bump at the threshold must not hide the outage that follows it).
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>

namespace siagent::dashboard::anomaly {

class OnsetFilter {
public:
    static constexpr size_t kWindow = 150;      // points; from NAB: 100-200 scored best, 30 and 400 worse
    static constexpr size_t kRefractory = 110;  // points silenced after a score at the threshold (NAB: 100-120)
    static constexpr double kOverride = 40;     // severity ratio that breaks the silence (NAB: 8 to 100 alike)

    // `severity` orders the scores where they saturate: any increasing function of the score
    // that keeps rising as the score approaches 1 (the detector passes -ln(1 - score)).
    // `threshold` above 1: no refractory period (scores are in [0, 1]).
    double pass(double score, double severity, double threshold = 2.0) {
        const size_t seen = std::min(count_, kWindow);
        const float highest = seen == 0 ? -1.0f : *std::max_element(recent_.begin(), recent_.begin() + seen);
        recent_[next_] = static_cast<float>(severity);
        next_ = (next_ + 1) % kWindow;
        ++count_;
        const bool rises = static_cast<float>(severity) > highest;
        if (quiet_ > 0) {
            --quiet_;
            if (!(rises && severity > kOverride * quiet_severity_)) return 0.0;
        }
        if (score >= threshold) {
            quiet_ = kRefractory;
            quiet_severity_ = severity;
        }
        return rises ? score : 0.0;
    }

private:
    std::array<float, kWindow> recent_{};
    size_t next_ = 0;
    size_t count_ = 0;
    size_t quiet_ = 0;             // points of the refractory period left
    double quiet_severity_ = 0;    // the severity that started it
};

}  // namespace siagent::dashboard::anomaly
