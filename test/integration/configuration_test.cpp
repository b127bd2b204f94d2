// How the agent reports configuration problems to the person running the program: one
// line per bad variable, naming it and the accepted form, and the program runs on.
#include <catch2/catch.hpp>

#include <filesystem>
#include <sstream>

#include "test/integration/process_runner.h"

using namespace siagent::testing;

namespace {

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> lines;
    std::istringstream stream(text);
    for (std::string line; std::getline(stream, line);) lines.push_back(line);
    return lines;
}

}  // namespace

TEST_CASE("a bad value gives one line naming the variable and the accepted form; defaults apply") {
    TemporaryDirectory dir;
    RunResult result = run({program("demo_hotspots"), "30"},
                           {{"LD_PRELOAD", agent_library()}, {"SI_OUTPUT_DIR", dir.path()},
                            {"SI_CPU_SAMPLING_HZ", "fast"}, {"SI_DEBUG", "maybe"}});
    REQUIRE(result.exit_code == 0);
    auto lines = lines_of(result.err);
    REQUIRE(lines.size() == 2);
    bool hz = false, debug = false;
    for (const auto& line : lines) {
        CHECK(line.rfind("siagent: ", 0) == 0);
        hz = hz || (line.find("SI_CPU_SAMPLING_HZ") != std::string::npos && line.find("1000") != std::string::npos);
        debug = debug || (line.find("SI_DEBUG") != std::string::npos && line.find("true") != std::string::npos);
    }
    CHECK(hz);
    CHECK(debug);
    CHECK_FALSE(dir.files("cpu-").empty());  // the default rate was used
}

TEST_CASE("an unknown SI_ variable is reported once") {
    // With a destination (here local files): an agent that keeps nothing says so too.
    TemporaryDirectory dir;
    RunResult result = run({program("demo_hotspots"), "5"},
                           {{"LD_PRELOAD", agent_library()}, {"SI_OUTPUT_DIR", dir.path()},
                            {"SI_CPU_SAMPLING_RATE", "10"}});
    REQUIRE(result.exit_code == 0);
    auto lines = lines_of(result.err);
    REQUIRE(lines.size() == 1);
    CHECK(lines[0].find("SI_CPU_SAMPLING_RATE") != std::string::npos);
}

TEST_CASE("SI_DEBUG=1 explains what the agent does, prefixed, and never prints the agent key") {
    TemporaryDirectory dir;
    RunResult result = run({program("demo_hotspots"), "30"},
                           {{"LD_PRELOAD", agent_library()}, {"SI_OUTPUT_DIR", dir.path()},
                            {"SI_DEBUG", "1"}, {"SI_AGENT_KEY", "secret-key-123"}});
    REQUIRE(result.exit_code == 0);
    auto lines = lines_of(result.err);
    REQUIRE(lines.size() >= 3);
    for (const auto& line : lines) CHECK(line.rfind("[siagent] ", 0) == 0);
    CHECK(result.err.find("CPU profiler started") != std::string::npos);
    CHECK(result.err.find("wrote ") != std::string::npos);
    CHECK(result.err.find("secret-key-123") == std::string::npos);
}

TEST_CASE("an unwritable SI_OUTPUT_DIR is reported once and the program runs on") {
    RunResult result = run({program("demo_hotspots"), "30"},
                           {{"LD_PRELOAD", agent_library()}, {"SI_OUTPUT_DIR", "/proc/no-such-dir"},
                            {"SI_REPORT_INTERVAL", "1"}});
    REQUIRE(result.exit_code == 0);
    auto lines = lines_of(result.err);
    REQUIRE(lines.size() == 1);
    CHECK(lines[0].find("SI_OUTPUT_DIR") != std::string::npos);
}

TEST_CASE("the application's identity is written into every profile") {
    TemporaryDirectory dir;
    RunResult result = run({program("demo_hotspots"), "30"},
                           {{"LD_PRELOAD", agent_library()}, {"SI_OUTPUT_DIR", dir.path()},
                            {"SI_APP_NAME", "checkout"}, {"SI_APP_VERSION", "1.2.3"},
                            {"SI_APP_ENVIRONMENT", "staging"}, {"SI_HOST_NAME", "web-7"}});
    REQUIRE(result.exit_code == 0);
    auto profiles = read_profiles(dir.files("cpu-"));
    REQUIRE(!profiles.empty());
    bool found = false;
    for (const auto& comment : profiles[0].comments)
        found = found || comment == "app checkout version 1.2.3 environment staging, host web-7";
    CHECK(found);
}

TEST_CASE("a relative SI_OUTPUT_DIR is resolved against the directory the process started in") {
    TemporaryDirectory dir;
    // The program moves to / right after it starts, as daemons do.
    RunResult result = run({"/bin/sh", "-c", "cd " + dir.path() + " && exec " + program("daemon_chdir") + " 30"},
                           {{"LD_PRELOAD", agent_library()}, {"SI_OUTPUT_DIR", "relative/profiles"}});
    INFO(result.err);
    REQUIRE(result.exit_code == 0);
    bool written = false;
    for (const auto& entry : std::filesystem::directory_iterator(dir.path() + "/relative/profiles"))
        written = written || entry.path().filename().string().rfind("cpu-", 0) == 0;
    CHECK(written);
}
