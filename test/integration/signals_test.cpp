// Signal set-up under the agent: programs that use signals themselves behave exactly as
// without it (same output, same end), signal masks read back as set, and the agent's own
// signals never surface as EINTR.
#include <catch2/catch.hpp>

#include <csignal>

#include "test/integration/process_runner.h"
#include "test/integration/profile_queries.h"

using namespace siagent::testing;

namespace {

std::map<std::string, std::string> profiling_into(const TemporaryDirectory& dir) {
    return {{"LD_PRELOAD", agent_library()}, {"SI_OUTPUT_DIR", dir.path()},
            {"SI_CPU_SAMPLING_HZ", "1000"}};
}

}  // namespace

TEST_CASE("programs with their own signal handling behave exactly as without the agent") {
    for (const char* mode : {"usr2", "dfl", "sigfd", "query"}) {
        TemporaryDirectory dir;
        RunResult plain = run({program("signal_neighbours"), mode}, {});
        RunResult profiled = run({program("signal_neighbours"), mode}, profiling_into(dir));
        INFO(mode << ": plain [" << plain.out << plain.err << "] profiled [" << profiled.out
                  << profiled.err << "]");
        CHECK(!plain.out.empty());
        CHECK(profiled.out == plain.out);
        CHECK(profiled.err == plain.err);
        CHECK(profiled.exit_code == plain.exit_code);
        CHECK(profiled.signal == plain.signal);
    }
}

TEST_CASE("the dfl program ends by SIGPROF's default action, with and without the agent") {
    TemporaryDirectory dir;
    RunResult profiled = run({program("signal_neighbours"), "dfl"}, profiling_into(dir));
    CHECK(profiled.signal == SIGPROF);
    CHECK(profiled.out.find("dfl wrong 0") != std::string::npos);
}

TEST_CASE("a worker that blocks every signal itself reads its mask back as set and is still sampled") {
    TemporaryDirectory dir;
    RunResult result = run({program("masked_worker"), "150"}, profiling_into(dir));
    INFO(result.out << result.err);
    REQUIRE(result.exit_code == 0);
    auto profiles = read_profiles(dir.files("cpu-"));
    REQUIRE(!profiles.empty());
    double total = static_cast<double>(total_value(profiles, 1));
    REQUIRE(total > 0);
    CHECK(self_value(profiles, "masked_worker_burn", 1) / total > 0.5);
    CHECK(self_value(profiles, "masked_child_burn", 1) / total > 0.1);
}

TEST_CASE("the agent's signals at 1000 Hz never make a blocking call fail or end early") {
    TemporaryDirectory dir;
    RunResult result = run({program("agent_eintr"), "3000"}, profiling_into(dir));
    INFO(result.err);
    CHECK(result.out.find("failures 0") != std::string::npos);
    CHECK(result.exit_code == 0);
    CHECK(!dir.files("cpu-").empty());
}
