// Crash records, end to end: test/programs/crash_kinds crashes in a known function, one way
// per mode. Under the agent it must end exactly as without it (same signal, same output),
// leave one record in the spool naming the signal and the function, and the next agent
// with the same spool must turn it into a readable report and delete it.
#include <catch2/catch.hpp>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <set>

#include "core/config.h"
#include "test/integration/process_runner.h"

using namespace siagent::testing;

namespace {

struct CrashCase {
    const char* mode;
    int signal;
    const char* function;
    const char* exception;  // "" when none
};

std::string read_file(const std::string& path) {
    std::ifstream file(path);
    return std::string((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
}

std::string first_line_with(const std::string& text, const std::string& start) {
    size_t at = text.find("\n" + start);
    if (at == std::string::npos) return "";
    return text.substr(at + 1, text.find('\n', at + 1) - at - 1);
}

}  // namespace

TEST_CASE("a crash ends as without the agent and leaves a record the next agent reports") {
    for (const CrashCase& crash : {CrashCase{"null", SIGSEGV, "crash_null_write", ""},
                                   CrashCase{"abort", SIGABRT, "crash_abort_call", ""},
                                   CrashCase{"divide", SIGFPE, "crash_divide", ""},
                                   CrashCase{"ignored", SIGSEGV, "crash_null_write", ""},
                                   CrashCase{"uncaught", SIGABRT, "crash_throw", "std::runtime_error: no way out"}}) {
        TemporaryDirectory spool, output, next_output;
        RunResult plain = run({program("crash_kinds"), crash.mode}, {});
        RunResult profiled = run({program("crash_kinds"), crash.mode},
                                 {{"LD_PRELOAD", agent_library()}, {"SI_SPOOL_DIR", spool.path()},
                                  {"SI_OUTPUT_DIR", output.path()}});
        INFO(crash.mode << ": plain [" << plain.out << plain.err << "] profiled [" << profiled.out
                        << profiled.err << "]");
        CHECK(plain.signal == crash.signal);
        CHECK(profiled.signal == plain.signal);
        CHECK(profiled.exit_code == plain.exit_code);
        CHECK(profiled.out == plain.out);
        CHECK(profiled.err == plain.err);

        auto records = spool.files("crash-");
        REQUIRE(records.size() == 1);
        std::string raw = read_file(records[0]);
        CHECK(raw.find("\nsignal " + std::to_string(crash.signal) + " ") != std::string::npos);

        // The next agent with this spool writes the readable report and deletes the record.
        RunResult next = run({program("crash_kinds"), "recover"},
                             {{"LD_PRELOAD", agent_library()}, {"SI_SPOOL_DIR", spool.path()},
                              {"SI_OUTPUT_DIR", next_output.path()}});
        CHECK(next.exit_code == 0);
        CHECK(spool.files("crash-").empty());
        auto reports = next_output.files("crash-");
        REQUIRE(reports.size() == 1);
        std::string report = read_file(reports[0]);
        INFO(report);
        CHECK(report.find("\nsignal " + std::to_string(crash.signal) + " (") != std::string::npos);
        CHECK(first_line_with(report, "crashed in ").find(crash.function) != std::string::npos);
        CHECK(report.find("crash_kinds.cpp:") != std::string::npos);
        CHECK(report.find("crash of crash_kinds on ") == 0);
        if (crash.exception[0] != '\0')
            CHECK(first_line_with(report, "exception ") == std::string("exception ") + crash.exception);
        else
            CHECK(first_line_with(report, "exception ").empty());
    }
}

// A user whose home cannot hold the default spool (nobody's is /nonexistent; a container's
// user often has none it can write): the spool is then /tmp/siagent-<uid>/spool, and nothing
// is said. Every process of such a user used to print "crash reporter not started".
TEST_CASE("a crash of a user without a usable home is recorded under /tmp, and nothing is said") {
    const std::string last_resort = siagent::last_resort_spool_dir();
    const std::map<std::string, std::string> homeless{{"HOME", "/proc/self/no-home"}, {"XDG_STATE_HOME", ""}};
    RunResult plain = run({program("crash_kinds"), "null"}, homeless);
    std::set<std::string> before;
    std::error_code missing;
    for (const auto& entry : std::filesystem::directory_iterator(last_resort, missing))
        before.insert(entry.path().filename());
    TemporaryDirectory output;
    std::map<std::string, std::string> environment = homeless;
    environment["LD_PRELOAD"] = agent_library();
    environment["SI_OUTPUT_DIR"] = output.path();
    RunResult profiled = run({program("crash_kinds"), "null"}, environment);
    INFO(profiled.err);
    CHECK(profiled.signal == plain.signal);
    CHECK(profiled.err == plain.err);
    // This run's record: the one that was not there before; removed so that no later agent
    // of this user reports it.
    std::vector<std::string> records;
    std::error_code ignored;
    for (const auto& entry : std::filesystem::directory_iterator(last_resort, ignored)) {
        const std::string name = entry.path().filename();
        if (name.rfind("crash-", 0) == 0 && !before.count(name)) records.push_back(entry.path());
    }
    for (const std::string& record : records) std::filesystem::remove(record, ignored);
    REQUIRE(records.size() == 1);
}

TEST_CASE("a program that recovers from SIGSEGV with its own handler behaves as without the agent") {
    TemporaryDirectory spool, output;
    RunResult plain = run({program("crash_kinds"), "recover"}, {});
    RunResult profiled = run({program("crash_kinds"), "recover"},
                             {{"LD_PRELOAD", agent_library()}, {"SI_SPOOL_DIR", spool.path()},
                              {"SI_OUTPUT_DIR", output.path()}});
    CHECK(plain.exit_code == 0);
    CHECK(profiled.exit_code == plain.exit_code);
    CHECK(profiled.signal == plain.signal);
    CHECK(profiled.out == plain.out);
    CHECK(profiled.out.find("recovered") != std::string::npos);
    CHECK(profiled.err == plain.err);
    CHECK(spool.files("crash-").empty());  // recovered: not a crash
}

TEST_CASE("siagent crashes lists the records of a spool, symbolized") {
    TemporaryDirectory spool, output;
    RunResult crashed = run({program("crash_kinds"), "null"}, {{"LD_PRELOAD", agent_library()},
                                                             {"SI_SPOOL_DIR", spool.path()},
                                                             {"SI_OUTPUT_DIR", output.path()}});
    REQUIRE(crashed.signal == SIGSEGV);
    RunResult listed = run({siagent_cli(), "crashes", spool.path()}, {});
    INFO(listed.out << listed.err);
    CHECK(listed.exit_code == 0);
    CHECK(listed.out.find("1 crash in ") == 0);
    CHECK(listed.out.find("signal 11 (SIGSEGV), code 1 (SEGV_MAPERR), fault address 0x0") != std::string::npos);
    CHECK(first_line_with(listed.out, "crashed in ").find("crash_null_write") != std::string::npos);
}

TEST_CASE("SI_ERROR_PROFILER_DISABLED=1 records no crash") {
    TemporaryDirectory spool, output;
    RunResult crashed = run({program("crash_kinds"), "null"}, {{"LD_PRELOAD", agent_library()},
                                                             {"SI_SPOOL_DIR", spool.path()},
                                                             {"SI_OUTPUT_DIR", output.path()},
                                                             {"SI_ERROR_PROFILER_DISABLED", "1"}});
    CHECK(crashed.signal == SIGSEGV);
    CHECK(spool.files("crash-").empty());
}
