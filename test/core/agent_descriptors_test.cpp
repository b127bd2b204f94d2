#include "core/agent_descriptors.h"

#include <algorithm>

#include <dirent.h>
#include <fcntl.h>
#include <sys/resource.h>
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

// A fork copies the descriptor table up to the highest open number: the agent's must not
// make a small program's table of 128 entries one of 1,024 (960 did).
TEST_CASE("under the usual descriptor limits the agent's numbers stay inside a table of 128") {
    rlimit saved{};
    REQUIRE(getrlimit(RLIMIT_NOFILE, &saved) == 0);
    for (rlim_t soft : {rlim_t{1024}, rlim_t{4096}, rlim_t{524288}}) {
        rlimit lowered = saved;
        lowered.rlim_cur = std::min(soft, saved.rlim_max);
        REQUIRE(setrlimit(RLIMIT_NOFILE, &lowered) == 0);
        CAPTURE(lowered.rlim_cur);
        CHECK(descriptor_floor() >= 10);
        int adopted = adopt_descriptor(open("/dev/null", O_RDONLY));
        CHECK(adopted >= descriptor_floor());
        CHECK(adopted < 128);
        forget_descriptor(adopted);
        close(adopted);
    }
    // A small limit keeps the floor below it.
    rlimit small = saved;
    small.rlim_cur = 150;
    REQUIRE(setrlimit(RLIMIT_NOFILE, &small) == 0);
    CHECK(descriptor_floor() == 150 - 64);
    REQUIRE(setrlimit(RLIMIT_NOFILE, &saved) == 0);
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

// libstdc++'s directory iterator opens with openat (adopted, when agent code runs it) and
// closes with closedir, glibc's internal close: the registration outlives the descriptor, and
// the application's next descriptor can get the number.
TEST_CASE("a number whose agent file was closed unseen is the application's again") {
    int adopted = adopt_descriptor(open("/tmp", O_RDONLY | O_DIRECTORY));
    REQUIRE(is_agent_descriptor(adopted));
    CHECK(agent_still_holds(adopted));
    REQUIRE(closedir(fdopendir(adopted)) == 0);
    int application = fcntl(STDERR_FILENO, F_DUPFD, adopted);  // not close-on-exec
    REQUIRE(application == adopted);

    SECTION("a close of it is the application's (not refused): the registration is forgotten") {
        CHECK_FALSE(agent_still_holds(application));
        CHECK_FALSE(is_agent_descriptor(application));
    }
    SECTION("close_range and closefrom do not skip it") {
        int found = -1;
        CHECK_FALSE(find_agent_descriptor(static_cast<unsigned>(application),
                                          static_cast<unsigned>(application), found));
        CHECK_FALSE(is_agent_descriptor(application));
    }
    SECTION("a fork child's cleanup leaves it open") {
        close_inherited_descriptors();
        CHECK(fcntl(application, F_GETFD) != -1);
    }
    close(application);
}

TEST_CASE("the agent's own file at a registered number is still held, whatever the application opens") {
    int adopted = adopt_descriptor(open("/dev/null", O_RDONLY));
    REQUIRE(is_agent_descriptor(adopted));
    int other = open("/tmp", O_RDONLY | O_DIRECTORY);
    CHECK(agent_still_holds(adopted));
    CHECK(is_agent_descriptor(adopted));
    close(other);
    forget_descriptor(adopted);
    close(adopted);
}
