// Runtime metrics, end to end: test/programs/metrics_subject reads /proc itself while it
// holds a known state (64 MiB more RSS, 5 extra threads, 40 extra descriptors); the lines
// of metrics-<pid>.jsonl written meanwhile must agree with it.
#include <catch2/catch.hpp>

#include <cmath>
#include <fstream>
#include <map>

#include "test/integration/process_runner.h"
#include "transport/metrics_file.h"

using namespace siagent::testing;

namespace {

std::vector<siagent::MetricsLine> read_lines(const std::string& path) {
    std::vector<siagent::MetricsLine> lines;
    std::ifstream file(path);
    for (std::string text; std::getline(file, text);) {
        siagent::MetricsLine line;
        std::string error;
        INFO(text);
        REQUIRE(siagent::parse_metrics_line(text, line, error));
        lines.push_back(line);
    }
    return lines;
}

double number(const siagent::MetricsLine& line, const std::string& key) {
    INFO(key);
    REQUIRE(line.count(key) == 1);
    return std::get<double>(line.at(key));
}

}  // namespace

TEST_CASE("metrics lines agree with what the process reads from /proc itself") {
    TemporaryDirectory dir;
    RunResult result = run({program("metrics_subject"), "3"}, {{"LD_PRELOAD", agent_library()},
                                                              {"SI_OUTPUT_DIR", dir.path()},
                                                              {"SI_METRICS_INTERVAL", "1"}});
    INFO(result.out << result.err);
    REQUIRE(result.exit_code == 0);
    auto truth = truth_values(result.out);
    REQUIRE(truth.size() == 4);
    CHECK(truth["rss_growth_bytes"] >= 60.0 * (1 << 20));
    auto files = dir.files("metrics-");
    REQUIRE(files.size() == 1);
    auto lines = read_lines(files[0]);
    REQUIRE(lines.size() >= 3);  // one a second for 3 s, and one at exit
    // The lines from the second on see the program's steady state (the first may not).
    for (size_t i = 1; i < lines.size(); ++i) {
        const auto& line = lines[i];
        INFO("line " << i);
        CHECK(number(line, "threads") == truth["threads"]);
        CHECK(std::abs(number(line, "rss_bytes") - truth["rss_bytes"]) <= 0.10 * truth["rss_bytes"]);
        CHECK(number(line, "max_rss_bytes") >= number(line, "rss_bytes"));
        CHECK(number(line, "open_fds") == truth["open_fds"]);  // the agent's own not counted
        CHECK(number(line, "heap_in_use_bytes") >= 64.0 * (1 << 20));
        CHECK(number(line, "vm_size_bytes") >= number(line, "rss_bytes"));
        CHECK(number(line, "interval_seconds") > 0);
        CHECK(number(line, "cpu_seconds") >= 0);
        CHECK(number(line, "agent_memory_bytes") > 0);
        // The allocation profiler's estimates give rates once two readings exist (the
        // program is steady after its growth, so they are small but present).
        if (i >= 2) {
            CHECK(line.count("allocations_per_second") == 1);
            CHECK(number(line, "allocated_bytes_per_second") >= 0);
        }
    }
}

TEST_CASE("siagent metrics shows a metrics file as a table") {
    TemporaryDirectory dir;
    REQUIRE(run({program("metrics_subject"), "1"}, {{"LD_PRELOAD", agent_library()},
                                                   {"SI_OUTPUT_DIR", dir.path()},
                                                   {"SI_METRICS_INTERVAL", "1"}})
                .exit_code == 0);
    auto files = dir.files("metrics-");
    REQUIRE(files.size() == 1);
    RunResult table = run({siagent_cli(), "metrics", files[0]}, {});
    INFO(table.out << table.err);
    REQUIRE(table.exit_code == 0);
    CHECK(table.out.find("time (UTC)") != std::string::npos);
    CHECK(table.out.find("MiB") != std::string::npos);
    CHECK(table.out.find("agent: ") != std::string::npos);
    RunResult missing = run({siagent_cli(), "metrics", dir.path() + "/none.jsonl"}, {});
    CHECK(missing.exit_code == 2);
}
