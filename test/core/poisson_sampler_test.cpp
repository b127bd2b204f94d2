#include "core/poisson_sampler.h"

#include <catch2/catch.hpp>

#include <cmath>
#include <vector>

using siagent::poisson_sample_weight;
using siagent::PoissonSampler;

TEST_CASE("gaps between hits are exponential with the configured mean", "[poisson]") {
    PoissonSampler sampler;
    const uint64_t mean = 1000;
    const int draws = 200'000;
    double sum = 0;
    int above_mean = 0, above_three_means = 0;
    for (int i = 0; i < draws; ++i) {
        double gap = static_cast<double>(sampler.next_gap(mean, 12345));
        sum += gap;
        above_mean += gap > mean;
        above_three_means += gap > 3 * mean;
    }
    CHECK(sum / draws == Approx(1000).epsilon(0.01));
    // P(gap > m) = e^-1, P(gap > 3m) = e^-3 for an exponential distribution.
    CHECK(static_cast<double>(above_mean) / draws == Approx(std::exp(-1.0)).epsilon(0.02));
    CHECK(static_cast<double>(above_three_means) / draws == Approx(std::exp(-3.0)).epsilon(0.05));
}

TEST_CASE("gaps are capped at twenty means and never below one unit", "[poisson]") {
    PoissonSampler sampler;
    for (int i = 0; i < 100'000; ++i) {
        int64_t gap = sampler.next_gap(10, 99);
        REQUIRE(gap >= 1);
        REQUIRE(gap <= 200);
    }
}

TEST_CASE("weighted samples estimate the true total for every call size", "[poisson]") {
    const uint64_t mean = 4096;
    for (uint64_t size : {16ull, 512ull, 4096ull, 65536ull, 1ull << 22}) {
        PoissonSampler sampler;
        const int calls = 400'000;
        double estimated_bytes = 0, estimated_calls = 0;
        for (int i = 0; i < calls; ++i) {
            if (sampler.take(size, mean, 7 + size)) {
                double weight = poisson_sample_weight(size, mean);
                estimated_bytes += weight * static_cast<double>(size);
                estimated_calls += weight;
            }
        }
        INFO("size " << size);
        CHECK(estimated_bytes / (static_cast<double>(size) * calls) == Approx(1.0).epsilon(0.03));
        CHECK(estimated_calls / calls == Approx(1.0).epsilon(0.03));
    }
}

TEST_CASE("a mean of zero samples every call with weight one", "[poisson]") {
    PoissonSampler sampler;
    for (int i = 0; i < 100; ++i) REQUIRE(sampler.take(8, 0, 1));
    CHECK(poisson_sample_weight(8, 0) == 1.0);
}

TEST_CASE("a sampled-out call only counts down", "[poisson]") {
    PoissonSampler sampler;
    sampler.take(1, 1'000'000, 5);  // draws the first gap
    int64_t before = sampler.remaining;
    if (before > 100) {
        CHECK_FALSE(sampler.take(10, 1'000'000, 5));
        CHECK(sampler.remaining == before - 10);
    }
}
