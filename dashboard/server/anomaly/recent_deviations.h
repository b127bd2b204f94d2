// The last kPoints deviations of a series from its forecast (z, in the detector's
// tail-adjusted scales, after warm-up), to ask whether it has been as far from the forecast
// before. The forecast includes the daily and weekly profiles, so a dip at the daily peak is
// compared with earlier deviations, not with the daily trough. Fixed memory: kPoints
// 16-bit counts of 1/100 z (|z| above 327 counts as 327).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

namespace siagent::dashboard::anomaly {

class RecentDeviations {
public:
    static constexpr size_t kPoints = 2048;

    void add(double z);

    // Whether a kept deviation is at least `z` (z > 0) or at most it (z <= 0). Reads up to
    // all of them: for the few points that need it.
    bool reached(double z) const;

private:
    std::array<int16_t, kPoints> kept_{};
    size_t next_ = 0;
    size_t count_ = 0;
};

}  // namespace siagent::dashboard::anomaly
