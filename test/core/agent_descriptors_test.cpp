#include "core/agent_descriptors.h"

#include <fcntl.h>
#include <unistd.h>

#include <catch2/catch.hpp>

using namespace siagent;

TEST_CASE("an adopted descriptor moves above the floor, close-on-exec, and is registered") {
    int original = open("/dev/null", O_RDONLY);
    REQUIRE(original >= 0);
    REQUIRE(original < descriptor_floor());
    int adopted = adopt_descriptor(original);
    CHECK(adopted >= descriptor_floor());
    CHECK(fcntl(original, F_GETFD) == -1);  // the low number is free again
    CHECK((fcntl(adopted, F_GETFD) & FD_CLOEXEC) != 0);
    CHECK(is_agent_descriptor(adopted));
    CHECK_FALSE(is_agent_descriptor(original));

    int found = -1;
    CHECK(find_agent_descriptor(0, ~0u, found));
    CHECK(found <= adopted);
    CHECK(find_agent_descriptor(static_cast<unsigned>(adopted), static_cast<unsigned>(adopted), found));
    CHECK(found == adopted);
    CHECK_FALSE(find_agent_descriptor(static_cast<unsigned>(adopted) + 1, ~0u, found));

    SECTION("lost to the application: no longer the agent's, refused to it") {
        mark_descriptor_lost(adopted);
        CHECK_FALSE(is_agent_descriptor(adopted));
        CHECK(is_lost_descriptor(adopted));
        forget_descriptor(adopted);
        CHECK_FALSE(is_lost_descriptor(adopted));
    }
    SECTION("forgotten when the agent closes it") {
        forget_descriptor(adopted);
        CHECK_FALSE(is_agent_descriptor(adopted));
    }
    close(adopted);
}

TEST_CASE("adoption passes failures through and keeps errno") {
    errno = 1234;
    CHECK(adopt_descriptor(-1) == -1);
    CHECK(errno == 1234);
    CHECK_FALSE(is_agent_descriptor(-1));
    CHECK_FALSE(is_agent_descriptor(kTrackedLimit + 5));
}

TEST_CASE("a fork child closes and forgets what the parent's agent held") {
    int adopted = adopt_descriptor(open("/dev/null", O_RDONLY));
    REQUIRE(is_agent_descriptor(adopted));
    close_inherited_descriptors();
    CHECK_FALSE(is_agent_descriptor(adopted));
    CHECK(fcntl(adopted, F_GETFD) == -1);
}
