// Keeps only the first point of a burst of high scores: a score passes when its severity is
// higher than every severity of the last kWindow points, and is 0 otherwise. Severities older
// than kSteady points count less with their age (exp(-(age - kSteady) / kMemory)): a burst a
// hundred points back must have been larger to hide a new one, while a plateau, whose
// severities are all equal, still passes only once. Whatever threshold is applied afterwards, a run of points above
// it then counts once, at its start (or again only where it rises above its own start),
// instead of once per point: what a benchmark that charges every flagged point outside a
// labelled window (NAB) and an operator reading alerts both want. Fixed memory: kWindow floats.
//
// A score at the threshold starts a refractory period of kRefractory points in which
// nothing passes, unless a point is kOverride times as severe as the one that started it
// (a bump at the threshold must not hide the outage that follows it).
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>

namespace siagent::dashboard::anomaly {

class OnsetFilter {
public:
    static constexpr size_t kWindow = 150;      // points; from NAB: 100-200 scored best, 30 and 400 worse
    static constexpr size_t kRefractory = 120;  // points silenced after a score at the threshold (NAB: 110-120; 130 worse)
    static constexpr size_t kSteady = 60;       // points a severity keeps its full weight
    static constexpr double kMemory = 100;      // then points for it to count e times less (NAB: kSteady 20-60
                                                // with kMemory 150-80 alike, 80 with 60 worse; none at all -0.6)
    static constexpr double kOverride = 40;     // severity ratio that breaks the silence (NAB: 8 to 100 alike)

    // `severity` orders the scores where they saturate: any increasing function of the score
    // that keeps rising as the score approaches 1 (the detector passes -ln(1 - score)).
    // `threshold` above 1: no refractory period (scores are in [0, 1]).
    double pass(double score, double severity, double threshold = 2.0) {
        // Slot s holds the severity of age next_ - s (s < next_) or next_ + kWindow - s: two
        // contiguous runs, each against a contiguous run of the age-reversed discounts.
        const std::array<float, kWindow>& by_slot = discounts_by_reversed_age();
        float highest = -1.0f;
        for (size_t slot = 0; slot < next_; ++slot)
            highest = std::max(highest, recent_[slot] * by_slot[kWindow - next_ + slot]);
        if (count_ >= kWindow)
            for (size_t slot = next_; slot < kWindow; ++slot)
                highest = std::max(highest, recent_[slot] * by_slot[slot - next_]);
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
    // [kWindow - age] = exp(-max(0, age - kSteady) / kMemory) for age 1 to kWindow, computed once.
    static const std::array<float, kWindow>& discounts_by_reversed_age() {
        static const std::array<float, kWindow> factors = [] {
            std::array<float, kWindow> result{};
            for (size_t age = 1; age <= kWindow; ++age)
                result[kWindow - age] = static_cast<float>(
                    std::exp(-static_cast<double>(age > kSteady ? age - kSteady : 0) / kMemory));
            return result;
        }();
        return factors;
    }

    std::array<float, kWindow> recent_{};
    size_t next_ = 0;
    size_t count_ = 0;
    size_t quiet_ = 0;             // points of the refractory period left
    double quiet_severity_ = 0;    // the severity that started it
};

}  // namespace siagent::dashboard::anomaly
