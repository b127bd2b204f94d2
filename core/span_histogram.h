// A fixed histogram of span durations (in the span clock's ticks: the buckets are relative,
// so they hold for any unit), fine enough for percentiles within a few per cent:
// sixteen buckets per power of two (each at most 6.25 % wide), values exact below 32 ns.
// Recording is one relaxed atomic increment, so any number of threads merge into one
// histogram without a lock; the agent thread takes the counts out once per report.
#pragma once

#include <atomic>
#include <cstdint>

namespace siagent {

class SpanHistogram {
public:
    static constexpr int kSubBuckets = 16;
    // Up to 2^45 ns (about 9.7 hours); longer values land in the last bucket.
    static constexpr int kBuckets = kSubBuckets * 43;

    // signal-safe, malloc-safe.
    void record(uint64_t nanoseconds) {
        buckets_[bucket_of(nanoseconds)].fetch_add(1, std::memory_order_relaxed);
    }

    // Agent thread: moves the counts into `counts` (kBuckets entries) and zeroes them.
    // A record racing with the move lands in this period or the next, never in both.
    void take(uint64_t* counts) {
        for (int i = 0; i < kBuckets; ++i)
            counts[i] = buckets_[i].load(std::memory_order_relaxed) == 0
                            ? 0
                            : buckets_[i].exchange(0, std::memory_order_relaxed);
    }

    static int bucket_of(uint64_t value) {
        if (value < 2 * kSubBuckets) return static_cast<int>(value);
        int power = 63 - __builtin_clzll(value);  // value in [2^power, 2^(power+1))
        int index = kSubBuckets * (power - 3) + static_cast<int>((value >> (power - 4)) & 15);
        return index < kBuckets ? index : kBuckets - 1;
    }
    static uint64_t lower_edge(int bucket) {
        if (bucket < 2 * kSubBuckets) return static_cast<uint64_t>(bucket);
        int power = bucket / kSubBuckets + 3;
        return static_cast<uint64_t>(kSubBuckets + bucket % kSubBuckets) << (power - 4);
    }
    static uint64_t width(int bucket) {
        if (bucket < 2 * kSubBuckets) return 1;
        return uint64_t{1} << (bucket / kSubBuckets - 1);
    }

    // The value at `fraction` (0..1) of `counts` (as filled by take): the middle of the
    // bucket that holds it; 0 when empty.
    static uint64_t percentile(const uint64_t* counts, double fraction);

private:
    std::atomic<uint64_t> buckets_[kBuckets] = {};
};

}  // namespace siagent
