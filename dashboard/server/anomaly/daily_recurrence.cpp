#include "dashboard/server/anomaly/daily_recurrence.h"

#include <algorithm>

namespace siagent::dashboard::anomaly {

namespace {

constexpr int64_t kDay = 86400;
constexpr int64_t kBucketSeconds = kDay / DailyRecurrence::kBuckets;

int64_t day_of(int64_t time) { return time >= 0 ? time / kDay : (time - kDay + 1) / kDay; }

int bucket_of(int64_t time) { return static_cast<int>((time - day_of(time) * kDay) / kBucketSeconds); }

size_t row_of(int64_t day) {
    constexpr int64_t kRows = DailyRecurrence::kDays + 1;
    return static_cast<size_t>(((day % kRows) + kRows) % kRows);
}

int16_t hundredths(double z) { return static_cast<int16_t>(std::clamp(z * 100, -32700.0, 32700.0)); }

}  // namespace

void DailyRecurrence::add(int64_t time, double z) {
    const int64_t number = day_of(time);
    Day& day = days_[row_of(number)];
    if (day.number != number) day = Day{number, {}, {}};
    const int bucket = bucket_of(time);
    day.highest[bucket] = std::max(day.highest[bucket], hundredths(z));
    day.lowest[bucket] = std::min(day.lowest[bucket], hundredths(z));
}

bool DailyRecurrence::routine(int64_t time, double z, int days) const {
    const int64_t today = day_of(time);
    const int16_t reach = hundredths(kReachedShare * z);
    int reached = 0;
    for (int64_t back = 1; back <= kDays; ++back) {
        // Buckets near the same time of day; across midnight they lie on the next or the
        // previous day's row. Only days before today count.
        for (int near = -kNearBuckets; near <= kNearBuckets; ++near) {
            const int64_t moment = time - back * kDay + near * kBucketSeconds;
            const int64_t number = day_of(moment);
            const Day& day = days_[row_of(number)];
            if (day.number != number || number >= today) continue;
            const int at = bucket_of(moment);
            if (z > 0 ? day.highest[at] >= reach : day.lowest[at] <= reach) {
                ++reached;
                break;
            }
        }
    }
    return reached >= days;
}

}  // namespace siagent::dashboard::anomaly
