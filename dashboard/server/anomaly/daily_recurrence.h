// What a series did at each time of day on its last few days: per half-hour bucket and day,
// the highest and lowest deviation from the forecast (z). A deviation that the same time of
// day reached on most of the previous days is the series' daily routine (a nightly backup, a
// cron job's spike), however rare it is among all points: a daily spike is 1 point in 288 at
// 5-minute points. Fixed memory: (kDays + 1) x kBuckets x 2 16-bit counts of 1/100 z (|z|
// above 327 counts as 327) and the day each row holds: 800 bytes.
#pragma once

#include <array>
#include <cstdint>

namespace siagent::dashboard::anomaly {

class DailyRecurrence {
public:
    static constexpr int kBuckets = 48;
    static constexpr int kDays = 3;
    // How near the same time of day counts: this many buckets either side (1.5 hours).
    static constexpr int kNearBuckets = 3;
    // How far counts as reaching a deviation: this share of it, in its direction.
    static constexpr double kReachedShare = 0.3;

    // Records the deviation `z` of the point at `time` (seconds).
    void add(int64_t time, double z);

    // Whether at least `days` of the kDays days before `time`'s went at least kReachedShare
    // as far as `z`, in its direction, within kNearBuckets buckets of the same time of day.
    bool routine(int64_t time, double z, int days) const;

private:
    struct Day {
        int64_t number = -1;  // days since the epoch; -1: nothing recorded
        std::array<int16_t, kBuckets> highest{};
        std::array<int16_t, kBuckets> lowest{};
    };

    // Today and the kDays before it, a ring indexed by the day's number.
    std::array<Day, kDays + 1> days_{};
};

}  // namespace siagent::dashboard::anomaly
