// A repeating pattern (a day, a week) kept as a small ring of bucket offsets from the level.
// Reads interpolate linearly between the two nearest bucket centres, so a smooth daily curve
// is followed without steps; updates share a residual between the same two buckets. Memory
// is fixed by the bucket count (floats: 48 buckets are 192 bytes).
#pragma once

#include <array>
#include <cstdint>

namespace siagent::dashboard::anomaly {

template <int Buckets>
class SeasonalProfile {
public:
    explicit SeasonalProfile(int64_t period_seconds) : period_(period_seconds) {}

    int64_t period() const { return period_; }
    double bucket_seconds() const { return static_cast<double>(period_) / Buckets; }

    double offset(int64_t time) const {
        const Position at = locate(time);
        return offsets_[at.low] * (1 - at.weight) + offsets_[at.high] * at.weight;
    }

    // Moves the two buckets around `time` towards explaining `residual`; `rate` in [0, 1] is
    // the share of the residual a bucket at its centre takes.
    void learn(int64_t time, double residual, double rate) {
        const Position at = locate(time);
        offsets_[at.low] += static_cast<float>(rate * (1 - at.weight) * residual);
        offsets_[at.high] += static_cast<float>(rate * at.weight * residual);
    }

    // After a level shift the offsets stay: they describe the shape, not the level.
    void clear() { offsets_.fill(0); }

private:
    struct Position {
        int low, high;
        double weight;  // of `high`
    };

    Position locate(int64_t time) const {
        int64_t phase = time % period_;
        if (phase < 0) phase += period_;
        // Bucket b covers [b, b+1) * width; its centre is at (b + 0.5) * width.
        const double place = static_cast<double>(phase) / bucket_seconds() - 0.5;
        const double below = place < 0 ? -1 : static_cast<double>(static_cast<int64_t>(place));
        const int low = (static_cast<int>(below) + Buckets) % Buckets;
        return Position{low, (low + 1) % Buckets, place - below};
    }

    int64_t period_;
    std::array<float, Buckets> offsets_{};
};

}  // namespace siagent::dashboard::anomaly
