#include "core/allocation/leak_detector.h"

#include <catch2/catch.hpp>

using siagent::InUseObservation;
using siagent::LeakDetector;

namespace {

constexpr int64_t kSecond = 1'000'000'000;

void observe(LeakDetector& detector, int report, std::unordered_map<uint64_t, InUseObservation> stacks) {
    detector.observe(report * kSecond, stacks);
}

}  // namespace

TEST_CASE("leaks: steady growth with old blocks still live is suspected after N reports", "[leaks]") {
    LeakDetector detector(3);
    for (int report = 0; report < 3; ++report) {
        observe(detector, report, {{7, {1000 * (report + 1), report > 0 ? 1000 : 0}}});
        CHECK(detector.suspects().empty());  // not enough reports yet
    }
    observe(detector, 3, {{7, {4000, 1000}}});
    REQUIRE(detector.suspects().size() == 1);
    CHECK(detector.suspects()[0].stack == 7);
    CHECK(detector.suspects()[0].bytes == 4000);
    CHECK(detector.suspects()[0].growth_bytes_per_second == Approx(1000));
}

TEST_CASE("leaks: a working set that turns over (no old blocks) is not suspected", "[leaks]") {
    LeakDetector detector(3);
    for (int report = 0; report < 6; ++report) observe(detector, report, {{1, {1000 * (report + 1), 0}}});
    CHECK(detector.suspects().empty());
}

TEST_CASE("leaks: any decrease in the window clears the suspicion", "[leaks]") {
    LeakDetector detector(3);
    int64_t values[] = {1000, 2000, 3000, 2500, 3500, 4500};
    for (int report = 0; report < 6; ++report) {
        observe(detector, report, {{1, {values[report], 500}}});
        CHECK(detector.suspects().empty());
    }
    observe(detector, 6, {{1, {5500, 500}}});  // 2500 -> 5500: four reports of growth
    CHECK(detector.suspects().size() == 1);
}

TEST_CASE("leaks: a cache that fills once and holds steady is not suspected", "[leaks]") {
    LeakDetector detector(3);
    int64_t values[] = {1000, 2000, 3000, 3000, 3000, 3000};
    for (int report = 0; report < 6; ++report) observe(detector, report, {{1, {values[report], 1000}}});
    CHECK(detector.suspects().empty());
}

TEST_CASE("leaks: a slow leak with some periods unsampled is still suspected", "[leaks]") {
    LeakDetector detector(4);
    int64_t values[] = {1000, 2000, 2000, 3000, 4000};  // 3 of 4 periods grew
    for (int report = 0; report < 5; ++report) observe(detector, report, {{1, {values[report], 1000}}});
    CHECK(detector.suspects().size() == 1);
}

TEST_CASE("leaks: a stack that disappears starts over", "[leaks]") {
    LeakDetector detector(2);
    observe(detector, 0, {{1, {1000, 100}}});
    observe(detector, 1, {{1, {2000, 100}}});
    observe(detector, 2, {});
    observe(detector, 3, {{1, {3000, 100}}});
    CHECK(detector.suspects().empty());
}
