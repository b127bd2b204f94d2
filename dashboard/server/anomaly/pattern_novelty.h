// How new the shape of the last few points is: the distance from the last kWindow values to
// the nearest of the kCandidates windows that ended every kStride points before them (the
// last ~2,000 points), in standard deviations of the series, then standardized against the
// series' own recent distances. A spike, a dip, a new oscillation or a change of texture has
// no near neighbour and stands out; a repeating pattern, however irregular, has one.
//
// Invariants: the result is unchanged by an affine change a*v + b (a > 0) of the values (the
// distance is divided by the values' own spread; the history is kept relative to the first
// value, in floats, so offsets cost no precision); a constant series scores 0. Fixed memory
// (sizeof is about 8.3 KiB) and kWindow * kCandidates multiply-adds per point. Points are
// counted, not timed: a gap is just the next point.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

namespace siagent::dashboard::anomaly {

class PatternNovelty {
public:
    static constexpr size_t kWindow = 4;        // points in a compared window
    static constexpr size_t kStride = 4;        // candidate windows end every kStride points
    static constexpr size_t kCandidates = 512;  // candidate windows: the last kStride * kCandidates points
    static constexpr double kMemory = 1000;     // points of memory of the spread and the distances

    // The standardized novelty of the window ending at `value` (0 until there is enough
    // history), then `value` joins the history.
    double observe(double value);

    // How many of the points before the newest (the last ~2,000) were at least `value`
    // (`upward`) or at most it. Reads the whole history: for the few points that need it.
    size_t exceedances(double value, bool upward) const;

private:
    static constexpr size_t kHistory = kStride * kCandidates + 2 * kWindow;

    float at(size_t back) const { return history_[(next_ + kHistory - 1 - back) % kHistory]; }
    double nearest_squared() const;

    std::array<float, kHistory> history_{};  // value - anchor_, newest at next_ - 1
    size_t next_ = 0;
    int64_t count_ = 0;
    double anchor_ = 0;
    double mean_ = 0, variance_ = 0;                    // of the values (relative to anchor_)
    double distance_mean_ = 0, distance_variance_ = 0;  // of the distances
    int64_t distances_ = 0;
};

}  // namespace siagent::dashboard::anomaly
