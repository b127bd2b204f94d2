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
