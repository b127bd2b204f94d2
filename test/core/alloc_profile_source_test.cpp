#include "core/alloc_profile_source.h"

#include <catch2/catch.hpp>

#include "core/allocation_event.h"

using siagent::AllocationEvent;
using siagent::AllocProfileSource;

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
    AllocProfileSource source;
    source.add_allocation(allocation(0x1000), "main");
    CHECK(source.live_blocks() == 1);
    source.add_release(0x1000);
    CHECK(source.live_blocks() == 0);
}

TEST_CASE("alloc source: a release that arrives before its allocation cancels it", "[alloc_source]") {
    AllocProfileSource source;
    source.add_release(0x2000);  // the release ring is drained first
    source.end_drain();
    source.add_allocation(allocation(0x2000), "main");
    CHECK(source.live_blocks() == 0);
    source.add_allocation(allocation(0x2000), "main");  // the address, reused later
    CHECK(source.live_blocks() == 1);
}

TEST_CASE("alloc source: reuse of an address whose release is in flight", "[alloc_source]") {
    AllocProfileSource source;
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
    AllocProfileSource source;
    source.add_release(0x4000);  // e.g. a block inherited from the parent before fork
    for (int drain = 0; drain < 25; ++drain) source.end_drain();
    source.add_allocation(allocation(0x4000), "main");
    CHECK(source.live_blocks() == 1);  // not cancelled by the stale release
}
