#include "dashboard/server/http/connection_limits.h"

#include <catch2/catch.hpp>

using namespace siagent::dashboard;

TEST_CASE("connection limits: past a bound the oldest idle connection is shed, else the new one refused",
          "[dashboard][connections]") {
    ConnectionLimits limits(3, 2);
    int shed_a1 = 0, shed_a2 = 0, shed_b1 = 0;
    auto a1 = limits.acquire("A");
    auto a2 = limits.acquire("A");
    REQUIRE(a1);
    REQUIRE(a2);
    CHECK_FALSE(limits.acquire("A"));  // A's bound, and none of A's is idle

    a2->idle([&] { ++shed_a2; });
    a1->idle([&] { ++shed_a1; });  // idle after a2: a2 is the oldest idle
    auto a3 = limits.acquire("A");
    REQUIRE(a3);
    CHECK(shed_a2 == 1);
    CHECK(shed_a1 == 0);
    CHECK(limits.held() == 2);  // a1 and a3; a2's slot was given back when it was shed
    a2.reset();                 // the shed session ends: nothing counted twice
    CHECK(limits.held() == 2);

    auto b1 = limits.acquire("B");
    REQUIRE(b1);
    CHECK(limits.held() == 3);  // the total bound
    b1->idle([&] { ++shed_b1; });
    a1->busy();                 // a request came: not to be shed
    auto c1 = limits.acquire("C");
    REQUIRE(c1);
    CHECK(shed_b1 == 1);        // the only idle one, whatever its address
    CHECK(shed_a1 == 0);
    CHECK_FALSE(limits.acquire("D"));  // full, nothing idle
    c1.reset();
    CHECK(limits.acquire("D"));
}
