#include "core/stack_aggregator.h"

#include <catch2/catch.hpp>

#include <map>
#include <string>

#include "core/symbols/symbolizer.h"

using siagent::Profile;
using siagent::ProfileShape;
using siagent::StackAggregator;
using siagent::StackSample;

namespace {

__attribute__((noinline)) uint64_t here() {
    return reinterpret_cast<uint64_t>(__builtin_return_address(0));
}
// The barrier after each call keeps it from becoming a tail jump, so the return address
// really lies inside the function; the counters keep the two bodies from being folded into
// one (identical code folding).
int leaf_calls = 0, caller_calls = 0;
__attribute__((noinline)) uint64_t leaf_site() {
    ++leaf_calls;
    uint64_t address = here();
    asm volatile("" ::: "memory");
    return address;
}
__attribute__((noinline)) uint64_t caller_site() {
    ++caller_calls;
    uint64_t address = here();
    asm volatile("" ::: "memory");
    return address;
}

StackSample make_sample(std::initializer_list<uint64_t> frames, int64_t count, int64_t value) {
    StackSample sample{};
    sample.count = count;
    sample.value = value;
    for (uint64_t frame : frames) sample.frames[sample.depth++] = frame;
    return sample;
}

ProfileShape cpu_shape() {
    ProfileShape shape;
    shape.sample_types = {{"samples", "count"}, {"cpu", "nanoseconds"}};
    shape.period_type = {"cpu", "nanoseconds"};
    shape.period = 10'000'000;
    shape.time_nanos = 1;
    shape.duration_nanos = 2;
    shape.comments = {"hello"};
    return shape;
}

std::string function_of(const Profile& profile, uint32_t frame_index) {
    const auto& lines = profile.frames.at(frame_index).lines;
    return lines.empty() ? "" : lines.back().function;
}

}  // namespace

TEST_CASE("identical stacks on the same thread are summed; the shape is copied") {
    siagent::Symbolizer symbolizer;
    StackAggregator aggregator;
    uint64_t leaf = leaf_site(), caller = caller_site();
    aggregator.add(make_sample({leaf, caller}, 1, 10), "worker");
    aggregator.add(make_sample({leaf, caller}, 2, 20), "worker");
    aggregator.add(make_sample({leaf, caller}, 1, 10), "other");
    CHECK(aggregator.unique_stacks() == 2);

    Profile profile = aggregator.take_profile(symbolizer, cpu_shape());
    CHECK(aggregator.empty());
    CHECK(profile.period == 10'000'000);
    CHECK(profile.comments == std::vector<std::string>{"hello"});
    REQUIRE(profile.samples.size() == 2);
    int64_t worker_count = 0;
    for (const auto& sample : profile.samples) {
        REQUIRE(sample.frames.size() == 2);
        CHECK(function_of(profile, sample.frames[0]) == "(anonymous namespace)::leaf_site()");
        CHECK(function_of(profile, sample.frames[1]) == "(anonymous namespace)::caller_site()");
        REQUIRE(sample.labels.size() == 1);
        if (sample.labels[0].value == "worker") {
            worker_count = sample.values[0];
            CHECK(sample.values[1] == 30);
        }
    }
    CHECK(worker_count == 3);
    // The two samples share their frames.
    CHECK(profile.frames.size() == 2);
}

TEST_CASE("callers are looked up at the call instruction, the leaf at its own address") {
    siagent::Symbolizer symbolizer;
    StackAggregator aggregator;
    uint64_t leaf = leaf_site(), caller = caller_site();
    aggregator.add(make_sample({leaf, caller}, 1, 1), "");
    Profile profile = aggregator.take_profile(symbolizer, cpu_shape());
    REQUIRE(profile.samples.size() == 1);
    CHECK(profile.frames[profile.samples[0].frames[0]].address == leaf);
    CHECK(profile.frames[profile.samples[0].frames[1]].address == caller - 1);
    CHECK(profile.samples[0].labels.empty());
}

TEST_CASE("frames in hidden code are dropped; truncated stacks end in a marker frame") {
    siagent::Symbolizer symbolizer;
    StackAggregator aggregator;
    uint64_t leaf = leaf_site(), caller = caller_site();
    StackSample sample = make_sample({leaf, caller}, 1, 1);
    sample.truncated = 1;
    aggregator.add(sample, "t");
    ProfileShape shape = cpu_shape();
    shape.hidden_code = {leaf, leaf + 1};
    Profile profile = aggregator.take_profile(symbolizer, shape);
    REQUIRE(profile.samples.size() == 1);
    const auto& frames = profile.samples[0].frames;
    REQUIRE(frames.size() == 2);
    CHECK(function_of(profile, frames[0]) == "(anonymous namespace)::caller_site()");
    CHECK(function_of(profile, frames[1]) == "[truncated]");
}

TEST_CASE("past the unique-stack bound, new stacks are summed into one overflow entry") {
    siagent::Symbolizer symbolizer;
    StackAggregator aggregator(2);
    aggregator.add(make_sample({0x1000}, 1, 1), "");
    aggregator.add(make_sample({0x2000}, 1, 1), "");
    aggregator.add(make_sample({0x3000}, 5, 5), "");
    aggregator.add(make_sample({0x4000}, 7, 7), "");
    aggregator.add(make_sample({0x1000}, 1, 1), "");  // known stacks still count as usual
    CHECK(aggregator.unique_stacks() == 3);
    CHECK(aggregator.overflowed_samples() == 12);
    Profile profile = aggregator.take_profile(symbolizer, cpu_shape());
    int64_t overflow = 0, first = 0;
    for (const auto& sample : profile.samples) {
        if (function_of(profile, sample.frames.at(0)) == "[stack table full]") overflow = sample.values[0];
        if (profile.frames[sample.frames.at(0)].address == 0x1000) first = sample.values[0];
    }
    CHECK(overflow == 12);
    CHECK(first == 2);
}

TEST_CASE("each sample counts the records merged into it, apart from their weighted counts") {
    siagent::Symbolizer symbolizer;
    StackAggregator aggregator(2);
    aggregator.add(make_sample({0x1000}, 40, 4000), "");  // one record standing for 40 objects
    aggregator.add(make_sample({0x1000}, 25, 2500), "");
    aggregator.add(make_sample({0x2000}, 3, 300), std::vector<siagent::Label>{}, 3);  // 3 blocks
    aggregator.add(make_sample({0x3000}, 9, 9), "");  // past the bound: overflow entry
    aggregator.add(make_sample({0x4000}, 9, 9), "");
    aggregator.add_pseudo("[lost]", 100, 10'000, 4);
    aggregator.add_pseudo("[unknown]", 5, 5);
    Profile profile = aggregator.take_profile(symbolizer, cpu_shape());
    std::map<std::string, std::pair<int64_t, int64_t>> counts;  // name: (count, raw samples)
    for (const auto& sample : profile.samples) {
        const auto& frame = profile.frames.at(sample.frames.at(0));
        std::string name = frame.address != 0 ? std::to_string(frame.address) : function_of(profile, sample.frames[0]);
        counts[name] = {sample.values[0], sample.raw_samples};
    }
    CHECK(counts["4096"] == std::pair<int64_t, int64_t>{65, 2});
    CHECK(counts["8192"] == std::pair<int64_t, int64_t>{3, 3});
    CHECK(counts["[stack table full]"] == std::pair<int64_t, int64_t>{18, 2});
    CHECK(counts["[lost]"] == std::pair<int64_t, int64_t>{100, 4});
    CHECK(counts["[unknown]"] == std::pair<int64_t, int64_t>{5, 0});  // unknown
}
