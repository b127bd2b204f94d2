#include "core/allocation/allocation_profile_source.h"

#include <catch2/catch.hpp>

#include <map>
#include <string>

#include "core/allocation/allocation_event.h"
#include "core/span_table.h"
#include "core/symbols/symbolizer.h"
#include "core/thread_names.h"

using siagent::AllocationEvent;
using siagent::AllocationProfileSource;

namespace {

AllocationEvent allocation(uint64_t address, uint64_t size = 64, uint64_t frame = 0x401000) {
    AllocationEvent event;
    event.address = address;
    event.size = size;
    event.sampling_mean = 4096;
    event.thread_id = 1;
    event.depth = 2;
    event.frames[0] = frame;
    event.frames[1] = 0x400500;
    return event;
}

}  // namespace

TEST_CASE("alloc source: an allocation is live until its release", "[alloc_source]") {
    AllocationProfileSource source;
    source.add_allocation(allocation(0x1000), "main");
    CHECK(source.live_blocks() == 1);
    source.add_release(0x1000);
    CHECK(source.live_blocks() == 0);
}

TEST_CASE("alloc source: a release that arrives before its allocation cancels it", "[alloc_source]") {
    AllocationProfileSource source;
    source.add_release(0x2000);  // the release ring is drained first
    source.end_drain();
    source.add_allocation(allocation(0x2000), "main");
    CHECK(source.live_blocks() == 0);
    source.add_allocation(allocation(0x2000), "main");  // the address, reused later
    CHECK(source.live_blocks() == 1);
}

TEST_CASE("alloc source: reuse of an address whose release is in flight", "[alloc_source]") {
    AllocationProfileSource source;
    source.add_allocation(allocation(0x3000, 64, 0x401000), "main");
    // The block was freed and the address reused before the release was drained.
    source.add_allocation(allocation(0x3000, 128, 0x402000), "main");
    CHECK(source.live_blocks() == 1);
    source.add_release(0x3000);  // the older block's release: must not free the new one
    CHECK(source.live_blocks() == 1);
    source.add_release(0x3000);
    CHECK(source.live_blocks() == 0);
}

TEST_CASE("alloc source: releases of blocks never seen are forgotten after a while", "[alloc_source]") {
    AllocationProfileSource source;
    source.add_release(0x4000);  // e.g. a block inherited from the parent before fork
    for (int drain = 0; drain < 25; ++drain) source.end_drain();
    source.add_allocation(allocation(0x4000), "main");
    CHECK(source.live_blocks() == 1);  // not cancelled by the stale release
}

TEST_CASE("alloc source: heap in use carries the span its blocks were allocated in", "[alloc_source][span]") {
    AllocationProfileSource source;
    AllocationEvent in_span = allocation(0x5000, 4096);
    in_span.span = siagent::intern_span_name("alloc_source_test_span");
    source.add_allocation(in_span, "main");
    source.add_allocation(allocation(0x6000, 4096), "main");  // same stack, no span
    siagent::Symbolizer symbolizer;
    siagent::ThreadNames threads;
    siagent::ReportContext context{symbolizer, threads, 0, 1'000'000'000, {}, {}};
    std::vector<siagent::KindProfile> profiles;
    source.collect(context, profiles);
    const siagent::Profile* inuse = nullptr;
    for (const auto& profile : profiles)
        if (profile.kind == "inuse") inuse = &profile.profile;
    REQUIRE(inuse != nullptr);
    REQUIRE(inuse->samples.size() == 2);  // one stack, split by span
    int64_t in_span_bytes = 0, other_bytes = 0;
    for (const siagent::Sample& sample : inuse->samples) {
        bool labelled = false;
        for (const siagent::Label& label : sample.labels)
            labelled |= label.key == "span" && label.value == "alloc_source_test_span";
        (labelled ? in_span_bytes : other_bytes) += sample.values[1];
    }
    CHECK(in_span_bytes >= 4096);  // scaled up by the sampling weight, the same for both
    CHECK(in_span_bytes == other_bytes);
}

TEST_CASE("alloc source: samples count their sampled records, beside the estimated objects", "[alloc_source]") {
    AllocationProfileSource source;
    for (uint64_t address : {0x7000, 0x7100, 0x7200}) source.add_allocation(allocation(address), "main");
    source.add_release(0x7100);
    siagent::Symbolizer symbolizer;
    siagent::ThreadNames threads;
    siagent::ReportContext context{symbolizer, threads, 0, 1'000'000'000, {}, {}};
    std::vector<siagent::KindProfile> profiles;
    source.collect(context, profiles);
    std::map<std::string, const siagent::Profile*> by_kind;
    for (const auto& profile : profiles) by_kind[profile.kind] = &profile.profile;
    REQUIRE(by_kind.count("alloc") == 1);
    REQUIRE(by_kind.count("inuse") == 1);
    REQUIRE(by_kind["alloc"]->samples.size() == 1);
    REQUIRE(by_kind["inuse"]->samples.size() == 1);
    const siagent::Sample& allocated = by_kind["alloc"]->samples[0];
    const siagent::Sample& live = by_kind["inuse"]->samples[0];
    // A 64-byte sample stands for about 64 allocations of a 4096-byte mean.
    CHECK(allocated.values[0] > 100);
    CHECK(allocated.raw_samples == 3);  // sampled allocations
    CHECK(live.values[0] > 60);
    CHECK(live.raw_samples == 2);  // sampled blocks still live
}
