// The CPU profiler, end to end: real programs with known truth under LD_PRELOAD, their
// profile files decoded and compared with what the programs measured themselves.
#include <catch2/catch.hpp>

#include <cmath>
#include <fstream>
#include <map>
#include <regex>
#include <sstream>

#include "test/integration/process_runner.h"
#include "test/integration/profile_queries.h"

using namespace siagent::testing;

namespace {

constexpr size_t kCpuNanoseconds = 1;  // sample type index of cpu/nanoseconds

std::map<std::string, std::string> profiling_into(const TemporaryDirectory& dir, const std::string& hz = "") {
    std::map<std::string, std::string> env = {{"LD_PRELOAD", agent_library()},
                                              {"SI_OUTPUT_DIR", dir.path()}};
    if (!hz.empty()) env["SI_CPU_SAMPLING_HZ"] = hz;
    return env;
}

// First and last line of the body of `function` in test/programs/<file>.
std::pair<int64_t, int64_t> body_lines(const std::string& file, const std::string& function) {
    std::ifstream source(std::string(getenv("SIAGENT_SOURCE_DIR")) + "/test/programs/" + file);
    REQUIRE(source.good());
    std::string line;
    int64_t number = 0, first = 0;
    while (std::getline(source, line)) {
        ++number;
        if (first == 0 && line.find("void " + function + "(") != std::string::npos) first = number;
        else if (first != 0 && line == "}") return {first, number};
    }
    FAIL("no function " << function << " in " << file);
    return {0, 0};
}

void check_shares_match_truth(const std::string& hz, const std::string& units) {
    TemporaryDirectory dir;
    RunResult result = run({program("cpu_shares"), units}, profiling_into(dir, hz));
    INFO(result.err);
    REQUIRE(result.exit_code == 0);
    CHECK(result.err.empty());  // a healthy agent prints nothing
    auto truth = truth_values(result.out);
    REQUIRE(truth.size() == 3);
    double truth_total = truth["burn_sixty"] + truth["burn_thirty"] + truth["burn_ten"];

    auto profiles = read_profiles(dir.files("cpu-"));
    REQUIRE(!profiles.empty());
    double total = static_cast<double>(total_value(profiles, kCpuNanoseconds));
    REQUIRE(total > 0);
    // The estimate of CPU time is unbiased: the sum is the process's CPU time (within 10 %).
    CHECK(std::abs(total - truth_total) / truth_total < 0.10);
    for (const auto& [function, nominal] : std::map<std::string, double>{
             {"burn_sixty", 60}, {"burn_thirty", 30}, {"burn_ten", 10}}) {
        double measured = 100.0 * self_value(profiles, function, kCpuNanoseconds) / total;
        double expected = 100.0 * truth[function] / truth_total;
        INFO(function << ": profile " << measured << " %, truth " << expected << " %, nominal " << nominal);
        CHECK(std::abs(measured - expected) <= 3.0);
        CHECK(std::abs(measured - nominal) <= 3.0);

        auto [first, last] = body_lines("cpu_shares.cpp", function);
        auto positions = leaf_positions(profiles, function);
        REQUIRE(!positions.empty());
        for (const auto& position : positions) {
            INFO(position.file << ":" << position.line << " should be within " << first << "-" << last);
            CHECK(position.file.size() >= 14);
            CHECK(position.file.substr(position.file.size() - 14) == "cpu_shares.cpp");
            CHECK(position.line >= first);
            CHECK(position.line <= last);
        }
    }
}

}  // namespace

TEST_CASE("60/30/10 split over two threads is measured within 3 points, at 1000 Hz") {
    check_shares_match_truth("1000", "60");
}

TEST_CASE("60/30/10 split over two threads is measured within 3 points, at the default 100 Hz") {
    check_shares_match_truth("", "250");
}

TEST_CASE("the worker gets the samples while the main thread sleeps") {
    TemporaryDirectory dir;
    RunResult result = run({program("sleepy_main"), "150"}, profiling_into(dir, "500"));
    REQUIRE(result.exit_code == 0);
    auto profiles = read_profiles(dir.files("cpu-"));
    double total = static_cast<double>(total_value(profiles, kCpuNanoseconds));
    REQUIRE(total > 0);
    double worker = self_value(profiles, "worker_burn", kCpuNanoseconds) / total;
    double sleeper = total_value_through(profiles, "main_sleeps", kCpuNanoseconds) / total;
    INFO("worker " << worker << ", main " << sleeper);
    CHECK(worker > 0.95);
    CHECK(sleeper < 0.03);
}

TEST_CASE("a worker made while every signal was blocked is sampled all the same") {
    TemporaryDirectory dir;
    RunResult result = run({program("blocked_signals"), "150"}, profiling_into(dir, "500"));
    REQUIRE(result.exit_code == 0);
    auto profiles = read_profiles(dir.files("cpu-"));
    REQUIRE(!profiles.empty());
    double total = static_cast<double>(total_value(profiles, kCpuNanoseconds));
    CHECK(self_value(profiles, "blocked_worker_burn", kCpuNanoseconds) / total > 0.9);
}

TEST_CASE("samples carry the thread name as a label") {
    TemporaryDirectory dir;
    REQUIRE(run({program("cpu_shares"), "20"}, profiling_into(dir, "1000")).exit_code == 0);
    auto profiles = read_profiles(dir.files("cpu-"));
    bool sixty_on_its_thread = false;
    for (const auto& profile : profiles) {
        for (const auto& sample : profile.samples) {
            const auto& leaf = profile.frames.at(sample.frames.at(0));
            if (leaf.lines.empty() || leaf.lines.back().function.find("burn_sixty") == std::string::npos) continue;
            for (const auto& label : sample.labels)
                sixty_on_its_thread = sixty_on_its_thread || (label.key == "thread" && label.value == "sixty");
        }
    }
    CHECK(sixty_on_its_thread);
}

TEST_CASE("code in a library loaded later with dlopen is symbolized") {
    TemporaryDirectory dir;
    std::string plugin = std::string(getenv("SIAGENT_PLUGIN"));
    RunResult result = run({program("dlopen_plugin"), plugin, "150"}, profiling_into(dir, "500"));
    INFO(result.err);
    REQUIRE(result.exit_code == 0);
    auto profiles = read_profiles(dir.files("cpu-"));
    double total = static_cast<double>(total_value(profiles, kCpuNanoseconds));
    REQUIRE(total > 0);
    CHECK(self_value(profiles, "plugin_burn", kCpuNanoseconds) / total > 0.9);
    auto positions = leaf_positions(profiles, "plugin_burn");
    REQUIRE(!positions.empty());
    CHECK(positions[0].file.find("plugin_hot.cpp") != std::string::npos);
}

TEST_CASE("a program linked with the library starts the agent itself, and threads it made before are sampled") {
    TemporaryDirectory dir;
    RunResult result = run({program("linked_api"), dir.path(), "100"}, {});
    INFO(result.err);
    REQUIRE(result.exit_code == 0);
    auto profiles = read_profiles(dir.files("cpu-"));
    REQUIRE(!profiles.empty());
    double total = static_cast<double>(total_value(profiles, kCpuNanoseconds));
    CHECK(self_value(profiles, "early_thread_burn", kCpuNanoseconds) / total > 0.8);
    CHECK(result.err.find("unknown option \"SI_NOT_AN_OPTION\"") != std::string::npos);
    // si_destroy closes every descriptor the agent opened (its event loop's, the output
    // directory, the files it symbolized from): the application's close of them would be
    // refused, and it is agent code that closes them, on the application's thread.
    std::smatch counts;
    REQUIRE(std::regex_search(result.out, counts, std::regex(R"(descriptors before (\d+) after (\d+))")));
    CHECK(counts[1] == counts[2]);
}

TEST_CASE("the agent's own frames are left out unless SI_INCLUDE_AGENT_FRAMES=1") {
    // Samples landing while the agent captures an allocation's stack on the program's
    // thread (one every KiB here) keep only the program's frames: none of the agent
    // library, the first stage or libunwind (unw_backtrace showed before).
    TemporaryDirectory dir;
    auto busy_agent = profiling_into(dir, "1000");
    busy_agent["SI_ALLOCATION_SAMPLING_BYTES"] = "1024";
    REQUIRE(run({program("demo_hotspots"), "50"}, busy_agent).exit_code == 0);
    REQUIRE(run({program("alloc_torture")}, busy_agent).exit_code == 0);
    auto profiles = read_profiles(dir.files("cpu-"));
    REQUIRE(profiles.size() >= 2);
    for (const auto& profile : profiles) {
        for (const auto& mapping : profile.mappings) {
            if (mapping.path.find("libsiagent") == std::string::npos &&
                mapping.path.find("libunwind") == std::string::npos)
                continue;
            for (const auto& sample : profile.samples)
                for (uint32_t frame : sample.frames) {
                    uint64_t address = profile.frames.at(frame).address;
                    INFO(mapping.path);
                    CHECK_FALSE((address >= mapping.start && address < mapping.limit));
                }
        }
    }
    // With the flag, the thread trampoline of the interposed pthread_create shows up.
    TemporaryDirectory with_agent;
    auto env = profiling_into(with_agent, "1000");
    env["SI_INCLUDE_AGENT_FRAMES"] = "1";
    REQUIRE(run({program("demo_hotspots"), "50"}, env).exit_code == 0);
    auto all_frames = read_profiles(with_agent.files("cpu-"));
    CHECK(total_value_through(all_frames, "start_profiled_thread", kCpuNanoseconds) > 0);
}

TEST_CASE("SI_CPU_PROFILER_DISABLED=1 writes no CPU profile") {
    TemporaryDirectory dir;
    auto env = profiling_into(dir);
    env["SI_CPU_PROFILER_DISABLED"] = "yes";
    RunResult result = run({program("demo_hotspots"), "30"}, env);
    REQUIRE(result.exit_code == 0);
    CHECK(result.err.empty());
    CHECK(dir.files("cpu-").empty());
}

TEST_CASE("a report is written every SI_REPORT_INTERVAL, not only at exit") {
    TemporaryDirectory dir;
    auto env = profiling_into(dir, "200");
    env["SI_REPORT_INTERVAL"] = "1";
    // The demo serves for at least 3.5 s: three periodic reports, then the last one.
    REQUIRE(run({program("demo_hotspots"), "10", "2", "0", "3.5"}, env).exit_code == 0);
    CHECK(dir.files("cpu-").size() >= 3);
}

TEST_CASE("threads with small stacks, deep in them, are sampled without running out of stack") {
    // 64 KiB stacks, 46 KiB of frames: the unwinder (about 10 KiB below the kernel's signal
    // frame) ran into the guard page and the process died (SIGSEGV). A sample that finds too
    // little room below keeps only the interrupted function (or, for an allocation, no stack).
    const std::vector<std::string> command = {program("small_stacks"), "64", "46"};
    RunResult plain = run(command, {});
    REQUIRE(plain.exit_code == 0);
    TemporaryDirectory dir;
    auto environment = profiling_into(dir, "1000");
    environment["SI_ALLOCATION_SAMPLING_BYTES"] = "1024";
    RunResult profiled = run(command, environment);
    INFO(profiled.err);
    CHECK(profiled.signal == 0);
    CHECK(profiled.exit_code == 0);
    CHECK(profiled.out == plain.out);
    auto profiles = read_profiles(dir.files("cpu-"));
    REQUIRE(!profiles.empty());
    CHECK(self_value(profiles, "burn_at_the_bottom", kCpuNanoseconds) > 0);
}
