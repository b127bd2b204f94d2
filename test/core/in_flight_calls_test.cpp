#include "core/block/in_flight_calls.h"

#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>

using namespace siagent;

namespace {

// The calls under way on this thread that the reader sees.
int calls_seen_on(pid_t thread, uint64_t site) {
    int seen = 0;
    for_each_call_under_way(0, [&](const CallUnderWay& call) {
        if (call.thread_id == thread && call.call_site == site) ++seen;
    });
    return seen;
}

pid_t this_thread() { return static_cast<pid_t>(syscall(SYS_gettid)); }

}  // namespace

TEST_CASE("a call under way is seen by the reader at its call site until it ends", "[inflight]") {
    const uint64_t site = 0x1234;
    {
        BlockStopwatch stopwatch;
        InFlightCall under_way(BlockCall::read, stopwatch, site);
        CHECK(calls_seen_on(this_thread(), site) == 1);
    }
    CHECK(calls_seen_on(this_thread(), site) == 0);
}

TEST_CASE("a fork child sees none of its parent's calls under way, and sees its own", "[inflight]") {
    const uint64_t parent_site = 0x5678, child_site = 0x9abc;
    const pid_t parent_thread = this_thread();
    BlockStopwatch stopwatch;
    InFlightCall under_way(BlockCall::read, stopwatch, parent_site);
    REQUIRE(calls_seen_on(parent_thread, parent_site) == 1);
    pid_t child = fork();
    REQUIRE(child >= 0);
    if (child == 0) {
        reset_in_flight_calls_after_fork();  // what the block profiler's fork handler does
        int failures = 0;
        if (calls_seen_on(parent_thread, parent_site) != 0) failures |= 1;
        {
            BlockStopwatch child_stopwatch;
            InFlightCall child_call(BlockCall::poll, child_stopwatch, child_site);
            if (calls_seen_on(this_thread(), child_site) != 1) failures |= 2;
        }
        _exit(failures);
    }
    int status = 0;
    REQUIRE(waitpid(child, &status, 0) == child);
    REQUIRE(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);
    // The parent's own view is unchanged by the child.
    CHECK(calls_seen_on(parent_thread, parent_site) == 1);
}
