// The time buckets of the UI's series (metric points, exceptions per bucket, span latency,
// profile timelines): over [from, to], at most `max_points` buckets of at least 60 s, bucket
// k covering [from + k × width, from + (k + 1) × width). The arithmetic is unsigned, so any
// range with from <= to (whole int64 numbers from the query string) gives a valid width and
// index without overflow.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>

namespace siagent::dashboard {

inline constexpr size_t kMaxSeriesPoints = 500;

// Requires from <= to.
inline int64_t bucket_seconds(int64_t from, int64_t to, size_t max_points = kMaxSeriesPoints) {
    const uint64_t length = static_cast<uint64_t>(to) - static_cast<uint64_t>(from);
    return static_cast<int64_t>(std::max<uint64_t>(60, length / std::max<size_t>(max_points, 1) + 1));
}

// The index of the bucket holding `time`; requires from <= time.
inline int64_t bucket_index(int64_t time, int64_t from, int64_t width) {
    return static_cast<int64_t>((static_cast<uint64_t>(time) - static_cast<uint64_t>(from)) / static_cast<uint64_t>(width));
}

// The start of bucket `index` (from <= start <= any time in it).
inline int64_t bucket_time(int64_t index, int64_t from, int64_t width) {
    return static_cast<int64_t>(static_cast<uint64_t>(from) + static_cast<uint64_t>(index) * static_cast<uint64_t>(width));
}

}  // namespace siagent::dashboard
