#include "core/latency_histogram.h"

#include <catch2/catch.hpp>

using siagent::LatencyHistogram;

TEST_CASE("every value lands in a bucket whose upper edge is at least the value and within 25 % of it") {
    for (uint64_t value = 0; value < 200'000; value += (value < 100 ? 1 : value / 50)) {
        int bucket = LatencyHistogram::bucket_of(value);
        uint64_t edge = LatencyHistogram::upper_edge(bucket);
        INFO(value << " -> bucket " << bucket << " edge " << edge);
        CHECK(edge >= value);
        CHECK(edge <= value + value / 4 + 1);
        if (bucket > 0) CHECK(LatencyHistogram::upper_edge(bucket - 1) < value);
    }
}

TEST_CASE("huge values go to the last bucket instead of out of bounds") {
    CHECK(LatencyHistogram::bucket_of(UINT64_MAX) == LatencyHistogram::kBuckets - 1);
}

TEST_CASE("percentiles come from the recorded distribution") {
    LatencyHistogram histogram;
    CHECK(histogram.percentile(0.5) == 0);
    for (int i = 0; i < 90; ++i) histogram.record(1000);
    for (int i = 0; i < 10; ++i) histogram.record(50'000);
    uint64_t median = histogram.percentile(0.5);
    CHECK(median >= 1000);
    CHECK(median < 1250);
    uint64_t p99 = histogram.percentile(0.99);
    CHECK(p99 >= 50'000);
    CHECK(p99 < 62'500);
    histogram.reset();
    CHECK(histogram.percentile(0.99) == 0);
}
