#include "core/block/block_profiler.h"

#include <catch2/catch.hpp>

#include <map>

#include "core/block/block_profile_source.h"

using namespace siagent;

TEST_CASE("the block clock is monotonic with sub-microsecond steps", "[block]") {
    uint64_t first = block_clock_ns(), previous = first, smallest_step = UINT64_MAX;
    for (int i = 0; i < 100'000; ++i) {
        uint64_t now = block_clock_ns();
        REQUIRE(now >= previous);
        if (now > previous && now - previous < smallest_step) smallest_step = now - previous;
        previous = now;
    }
    CHECK(smallest_step < 1000);
}

TEST_CASE("the interposers' stopwatch counts coarse clock ticks: a long wait reads within "
          "a tick of the truth, and short ones add up to the truth on average", "[block]") {
    timespec resolution{};
    REQUIRE(clock_getres(CLOCK_MONOTONIC_COARSE, &resolution) == 0);
    const uint64_t tick = static_cast<uint64_t>(resolution.tv_sec) * 1'000'000'000 + resolution.tv_nsec;
    INFO("tick " << tick << " ns");
    REQUIRE(tick > 0);
    {
        uint64_t before = block_clock_ns();
        BlockStopwatch stopwatch;
        timespec pause{0, 30'000'000};
        nanosleep(&pause, nullptr);
        uint64_t measured = stopwatch.elapsed_ns();
        uint64_t truth = block_clock_ns() - before;
        CHECK(measured % tick == 0);
        CHECK(measured + tick >= truth);
        CHECK(measured <= truth + tick);
    }
    // Waits of a fifth of a tick: each reads 0 or whole ticks, and they add up to the time
    // spent (the phase of each start against the tick is spread by the waits themselves).
    uint64_t measured_total = 0, true_total = 0;
    int zero_readings = 0;
    const int waits = 400;
    for (int i = 0; i < waits; ++i) {
        uint64_t before = block_clock_ns();
        BlockStopwatch stopwatch;
        timespec pause{0, static_cast<long>(tick / 5)};
        nanosleep(&pause, nullptr);
        uint64_t measured = stopwatch.elapsed_ns();
        true_total += block_clock_ns() - before;
        measured_total += measured;
        if (measured == 0) ++zero_readings;
    }
    INFO("measured " << measured_total << " ns of " << true_total << " ns; " << zero_readings << " waits read 0");
    CHECK(zero_readings > waits / 3);
    // Sum of `waits` readings of a Bernoulli(p ~ 0.25 to 0.4) in ticks: a standard deviation
    // of about 4 % of the total; 20 % is five of them.
    CHECK(static_cast<double>(measured_total) >= 0.8 * static_cast<double>(true_total));
    CHECK(static_cast<double>(measured_total) <= 1.2 * static_cast<double>(true_total));
}

TEST_CASE("Poisson sampling over blocked time estimates every call size without bias", "[block]") {
    // 1 µs reads by the million, 2 ms and 50 ms waits by the thousand,
    // interleaved, with the default 10 ms mean: each class's estimate within 5 %.
    const uint64_t mean = 10'000'000;
    const std::map<uint64_t, int> calls = {{1'000, 4'000'000}, {2'000'000, 40'000}, {50'000'000, 2'000}};
    std::map<uint64_t, double> estimate_ns, estimate_calls;
    PoissonSampler sampler;
    int rounds = 400;
    for (int round = 0; round < rounds; ++round) {
        for (const auto& [size, count] : calls) {
            for (int i = 0; i < count / rounds; ++i) {
                if (!sampler.take(size, mean, 42)) continue;
                double weight = poisson_sample_weight(size, mean);
                estimate_ns[size] += weight * size;
                estimate_calls[size] += weight;
            }
        }
    }
    for (const auto& [size, count] : calls) {
        INFO(size << " ns calls: estimated " << estimate_calls[size] << " of " << count);
        CHECK(estimate_ns[size] / (static_cast<double>(size) * count) == Approx(1.0).epsilon(0.05));
        CHECK(estimate_calls[size] / count == Approx(1.0).epsilon(0.05));
    }
}

TEST_CASE("a block profile part gets the call as leaf, the category outermost and as a label",
          "[block]") {
    Profile part;
    part.sample_types = {{"contentions", "count"}, {"delay", "nanoseconds"}};
    part.frames.resize(2);
    part.frames[0].lines.push_back({"wait_here", "", 0});
    part.frames[1].lines.push_back({"main", "", 0});
    Sample sample;
    sample.frames = {0, 1};
    sample.values = {2'600, 5'000'000};  // weights 1.3 + 1.3 in fixed point
    sample.raw_samples = 2;               // two sampled calls
    part.samples.push_back(sample);

    Profile merged;
    append_block_part(merged, part, BlockCall::pthread_mutex_lock);
    append_block_part(merged, part, BlockCall::nanosleep);
    REQUIRE(merged.samples.size() == 2);
    CHECK(merged.sample_types.size() == 2);
    const Sample& lock = merged.samples[0];
    REQUIRE(lock.frames.size() == 4);
    CHECK(merged.frames[lock.frames[0]].lines[0].function == "pthread_mutex_lock");
    CHECK(merged.frames[lock.frames[1]].lines[0].function == "wait_here");
    CHECK(merged.frames[lock.frames[3]].lines[0].function == "[lock]");
    CHECK(lock.values[0] == 3);  // 2.6 calls, rounded once
    CHECK(lock.raw_samples == 2);  // the sampled calls, kept beside the estimate
    CHECK(lock.values[1] == 5'000'000);
    REQUIRE(lock.labels.size() == 1);
    CHECK(lock.labels[0].value == "lock");
    const Sample& sleep = merged.samples[1];
    CHECK(merged.frames[sleep.frames[1]].lines[0].function == "wait_here");
    CHECK(merged.frames[sleep.frames.back()].lines[0].function == "[sleep]");
}
