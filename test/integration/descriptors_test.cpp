// The agent takes no descriptor the application can notice: its own live above a floor,
// survive the application's "close everything", and give way when the application dup2()s
// onto them; libunwind never opens a descriptor of its own (core/agent_descriptors.h,
// core/unwinder_memory.h).
#include <catch2/catch.hpp>

#include <chrono>
#include <fstream>
#include <regex>
#include <sstream>

#include "test/integration/process_runner.h"
#include "test/integration/profile_queries.h"

using namespace siagent::testing;

namespace {

std::string file_content(const std::string& path) {
    std::ifstream in(path);
    std::stringstream content;
    content << in.rdbuf();
    return content.str();
}

std::string numbered_lines(int count) {
    std::string lines;
    for (int i = 0; i < count; ++i) lines += "line " + std::to_string(i) + "\n";
    return lines;
}

int printed_number(const std::string& out, const std::string& name) {
    std::smatch match;
    std::regex pattern(name + R"( (\d+))");
    return std::regex_search(out, match, pattern) ? std::stoi(match[1]) : -1;
}

}  // namespace

TEST_CASE("a daemon that closes every descriptor, then takes the agent's numbers, keeps its files whole") {
    TemporaryDirectory dir, output;
    const std::string log = dir.path() + "/daemon.log";
    constexpr int kLines = 600;

    auto started = std::chrono::steady_clock::now();
    RunResult plain = run({program("descriptor_takeover"), log, std::to_string(kLines)}, {});
    double plain_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    REQUIRE(plain.exit_code == 0);
    CHECK(printed_number(plain.out, "taken") == 0);

    started = std::chrono::steady_clock::now();
    RunResult profiled = run({program("descriptor_takeover"), log, std::to_string(kLines)},
                             {{"LD_PRELOAD", agent_library()}, {"SI_OUTPUT_DIR", output.path()},
                              {"SI_REPORT_INTERVAL", "1"}});
    double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    INFO(profiled.err);
    REQUIRE(profiled.exit_code == 0);
    // The close loop, close_range and closefrom left the agent's descriptors open, and none
    // of them sat at a low number: the log got 3, as without the agent.
    CHECK(printed_number(profiled.out, "log fd") == 3);
    CHECK(printed_number(profiled.out, "taken") >= 2);
    // Written through the log and through every number taken from the agent: only lines.
    CHECK(file_content(log) == numbered_lines(kLines));
    // The last report is still made, without waiting out the shutdown budget.
    auto profiles = read_profiles(output.files("cpu-"));
    CHECK(self_value(profiles, "takeover_burn", 1) > 0);
    CHECK(seconds < plain_seconds + 1.5);
}

// The agent's claim of crash records reads the spool with libstdc++'s directory iterator,
// whose descriptor (adopted above the floor) closedir closes unseen: with the application
// holding 150 descriptors, the number was the application's next socket, and closing it
// failed with EBADF (Chromium aborted on that; a server would leak the connection).
TEST_CASE("a program with many descriptors closes every one it opens while the agent starts and reports") {
    TemporaryDirectory output;
    RunResult profiled = run({program("descriptor_reuse"), "2.5"},
                             {{"LD_PRELOAD", agent_library()}, {"SI_OUTPUT_DIR", output.path()},
                              {"SI_REPORT_INTERVAL", "1"}});
    INFO(profiled.out << profiled.err);
    CHECK(profiled.exit_code == 0);
    CHECK(printed_number(profiled.out, "failed closes") == 0);
}

TEST_CASE("libunwind's memory checks read none of the application's descriptors") {
    // bash keeps the script's file on fd 3; a busy loop makes the profiler unwind through
    // frames libunwind can only walk by checking memory, which it did through a pipe it
    // opened at the lowest free descriptors: the read took the file's first byte and the
    // write died with SIGPIPE (exit 141).
    TemporaryDirectory output;
    const std::string script =
        "exec 3</etc/hostname; for ((i=0;i<300000;i++)); do :; done; head -c 64 <&3; echo ok";
    RunResult plain = run({"/bin/bash", "-c", script}, {});
    RunResult profiled = run({"/bin/bash", "-c", script},
                             {{"LD_PRELOAD", agent_library()}, {"SI_OUTPUT_DIR", output.path()},
                              {"SI_CPU_SAMPLING_HZ", "1000"}});
    INFO(profiled.err);
    REQUIRE(plain.exit_code == 0);
    CHECK(profiled.exit_code == 0);
    CHECK(profiled.signal == 0);
    CHECK(profiled.out == plain.out);
    CHECK(!output.files("cpu-").empty());
}
