// A fixed histogram of durations with four buckets per power of two (at most 19 % apart),
// for the profiler's own costs: recording is one relaxed atomic increment, so it can run
// in a signal handler; percentiles are read by the agent thread.
#pragma once

#include <atomic>
#include <cstdint>

namespace siagent {

class LatencyHistogram {
public:
    static constexpr int kBuckets = 4 * 40;

    // signal-safe, malloc-safe.
    void record(uint64_t nanoseconds) {
        buckets_[bucket_of(nanoseconds)].fetch_add(1, std::memory_order_relaxed);
    }

    // The smallest value v such that at least `fraction` of the recorded values are <= v
    // (the upper edge of the bucket holding it); 0 when nothing was recorded.
    uint64_t percentile(double fraction) const {
        uint64_t total = 0;
        for (const auto& bucket : buckets_) total += bucket.load(std::memory_order_relaxed);
        if (total == 0) return 0;
        uint64_t wanted = static_cast<uint64_t>(fraction * static_cast<double>(total) + 0.5);
        if (wanted == 0) wanted = 1;
        uint64_t seen = 0;
        for (int i = 0; i < kBuckets; ++i) {
            seen += buckets_[i].load(std::memory_order_relaxed);
            if (seen >= wanted) return upper_edge(i);
        }
        return upper_edge(kBuckets - 1);
    }

    void reset() {
        // Only buckets that counted something are written (a fork child copies no page).
        for (auto& bucket : buckets_)
            if (bucket.load(std::memory_order_relaxed) != 0) bucket.store(0, std::memory_order_relaxed);
    }

    static int bucket_of(uint64_t value) {
        if (value < 4) return static_cast<int>(value);
        int power = 63 - __builtin_clzll(value);  // value in [2^power, 2^(power+1))
        int quarter = static_cast<int>((value >> (power - 2)) & 3);
        int index = 4 * (power - 1) + quarter;
        return index < kBuckets ? index : kBuckets - 1;
    }

    static uint64_t upper_edge(int bucket) {
        if (bucket < 4) return static_cast<uint64_t>(bucket);
        int power = bucket / 4 + 1;
        int quarter = bucket % 4;
        return (static_cast<uint64_t>(4 + quarter + 1) << (power - 2)) - 1;
    }

private:
    std::atomic<uint64_t> buckets_[kBuckets] = {};
};

}  // namespace siagent
