// The profiler registry (agent/profilers.h) against the wire: every kind a profiler emits
// has an encoding of its own (transport/profile_metric.h), so it reaches the dashboard as
// a kind, not as "<kind>-profile".
#include <catch2/catch.hpp>

#include <algorithm>
#include <string>

#include "agent/profilers.h"
#include "transport/profile_metric.h"

using namespace siagent;

TEST_CASE("every kind a profiler emits has a wire encoding of its own") {
    const std::vector<std::string> encoded = encoded_profile_kinds();
    size_t kinds = 0;
    for (const ProfilerDescription& profiler : profiler_descriptions()) {
        INFO(profiler.name);
        REQUIRE(profiler.kinds[0] != nullptr);  // a profiler emits something
        for (const char* kind : profiler.kinds) {
            if (kind == nullptr) break;
            INFO(kind);
            ++kinds;
            CHECK(std::find(encoded.begin(), encoded.end(), kind) != encoded.end());
            CHECK(encoding_for_kind(kind).name != kind);  // not the fallback, named after it
        }
    }
    CHECK(kinds == encoded.size());  // and no encoding is left without a profiler
}

TEST_CASE("the dashboard's profiling switch stops every profiler but errors and crashes") {
    for (const ProfilerDescription& profiler : profiler_descriptions()) {
        INFO(profiler.name);
        const std::string first_kind = profiler.kinds[0];
        CHECK(profiler.stops_when_profiling_disabled == (first_kind != "error" && first_kind != "crash"));
    }
}
