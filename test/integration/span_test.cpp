// Spans, end to end: test/programs/span_demo under the agent; its spans-*.json compared
// with the durations the program measured itself, its profiles filtered by the "span"
// label; and the same program without the agent.
#include <catch2/catch.hpp>

#include <cmath>
#include <fstream>
#include <map>
#include <regex>
#include <sstream>

#include "test/integration/process_runner.h"
#include "test/integration/profile_queries.h"
#include "test/integration/span_truth.h"

using namespace siagent::testing;

namespace {

constexpr size_t kCount = 0;  // samples/count, contentions/count, alloc_objects/count
constexpr size_t kValue = 1;  // cpu/nanoseconds, delay/nanoseconds, alloc_space/bytes

using Table = SpanTable;

// Every span entry of every spans-*.json, summed per name (count, abandoned) or last seen.
Table spans_from(const std::vector<std::string>& files) {
    Table spans;
    std::regex entry(R"re(\{"name": "([^"]*)"((, "\w+": [0-9.e+-]+)+)\})re");
    std::regex field(R"re("(\w+)": ([0-9.e+-]+))re");
    for (const std::string& path : files) {
        std::ifstream file(path);
        std::stringstream text;
        text << file.rdbuf();
        std::string json = text.str();
        for (auto it = std::sregex_iterator(json.begin(), json.end(), entry); it != std::sregex_iterator(); ++it) {
            std::string fields = (*it)[2];
            auto& values = spans[(*it)[1]];
            for (auto f = std::sregex_iterator(fields.begin(), fields.end(), field); f != std::sregex_iterator(); ++f) {
                std::string key = (*f)[1];
                double value = std::stod((*f)[2]);
                if (key == "count" || key == "abandoned" || key == "total_ms") values[key] += value;
                else values[key] = value;
            }
        }
    }
    return spans;
}

struct DemoRun {
    TemporaryDirectory dir;
    RunResult result;
    Table truth;
    Table spans;
};

std::unique_ptr<DemoRun> run_demo(const std::map<std::string, std::string>& extra = {}) {
    auto demo = std::make_unique<DemoRun>();
    std::map<std::string, std::string> env = {{"LD_PRELOAD", agent_library()},
                                              {"SI_OUTPUT_DIR", demo->dir.path()},
                                              {"SI_CPU_SAMPLING_HZ", "1000"}};
    for (const auto& [key, value] : extra) env[key] = value;
    demo->result = run({program("span_demo")}, env);
    demo->truth = span_truth_from(demo->result.out);
    demo->spans = spans_from(demo->dir.files("spans-"));
    return demo;
}

double relative_error(double measured, double truth) { return std::abs(measured - truth) / truth; }

}  // namespace

TEST_CASE("span percentiles match the durations the program measured, within 5 %") {
    auto demo = run_demo();
    INFO(demo->result.err);
    REQUIRE(demo->result.exit_code == 0);
    CHECK(demo->result.err.empty());
    for (const char* name : {"fast", "slow"}) {
        auto& truth = demo->truth[name];
        auto& spans = demo->spans[name];
        INFO(name);
        CHECK(spans["count"] == truth["count"]);
        for (const char* field : {"p50", "p95", "p99", "max"}) {
            INFO(field << ": agent " << spans[std::string(field) + "_ms"] << " ms, truth "
                       << truth[field] << " ms");
            CHECK(relative_error(spans[std::string(field) + "_ms"], truth[field]) <= 0.05);
        }
    }
}

TEST_CASE("spans on many threads are merged, and a span open at thread exit is abandoned") {
    auto demo = run_demo();
    REQUIRE(demo->result.exit_code == 0);
    CHECK(demo->spans["worker"]["count"] == 400);
    CHECK(demo->spans["worker"]["abandoned"] == 0);
    CHECK(demo->spans["worker"]["p50_ms"] >= 0.095);
    CHECK(demo->spans["left_open"]["abandoned"] == 1);
    CHECK(demo->spans["left_open"]["count"] == 0);
    CHECK(demo->spans["outer"]["count"] == 1);
    CHECK(demo->spans["inner"]["count"] == 1);
}

TEST_CASE("CPU, allocation and blocking samples carry the innermost span as the label span") {
    auto demo = run_demo();
    REQUIRE(demo->result.exit_code == 0);
    auto cpu = read_profiles(demo->dir.files("cpu-"));
    auto label = [](const char* span) { return siagent::Label{"span", span}; };
    // CPU burned inside A is under span=A, none of it under B (and the reverse).
    CHECK(labeled_value_through(cpu, "burn_in_a", label("A"), kValue) > 0);
    CHECK(labeled_value_through(cpu, "burn_in_a", label("B"), kValue) == 0);
    CHECK(labeled_value_through(cpu, "burn_in_b", label("B"), kValue) > 0);
    CHECK(labeled_value_through(cpu, "burn_in_b", label("A"), kValue) == 0);
    // Nested: the innermost open span names the sample.
    CHECK(labeled_value_through(cpu, "burn_in_inner", label("inner"), kValue) > 0);
    CHECK(labeled_value_through(cpu, "burn_in_inner", label("outer"), kValue) == 0);
    CHECK(labeled_value_through(cpu, "burn_in_outer", label("outer"), kValue) > 0);
    CHECK(labeled_value_through(cpu, "burn_in_outer", label("inner"), kValue) == 0);
    // Nearly all of burn_in_a's CPU time is labelled (only samples outside spans are not).
    int64_t a_total = total_value_through(cpu, "burn_in_a", kValue);
    CHECK(labeled_value_through(cpu, "burn_in_a", label("A"), kValue) == a_total);

    auto alloc = read_profiles(demo->dir.files("alloc-"));
    CHECK(labeled_value_through(alloc, "allocate_in_a", label("A"), kCount) > 0);
    CHECK(labeled_value_through(alloc, "allocate_in_a", label("B"), kCount) == 0);

    auto block = read_profiles(demo->dir.files("block-"));
    CHECK(labeled_value_through(block, "nanosleep", label("B"), kValue) > 0);
    CHECK(labeled_value_through(block, "nanosleep", label("A"), kValue) == 0);
}

TEST_CASE("a profiled span samples faster and its CPU estimate stays unbiased") {
    // Base rate 100 Hz, 1000 Hz inside the profiled span.
    auto demo = run_demo({{"SI_CPU_SAMPLING_HZ", "100"}, {"SI_SPAN_SAMPLING_HZ", "1000"}});
    INFO(demo->result.err);
    REQUIRE(demo->result.exit_code == 0);
    auto cpu = read_profiles(demo->dir.files("cpu-"));
    siagent::Label focused{"span", "focused"};
    double truth = demo->truth["focused"]["cpu_ns"];
    double estimate = static_cast<double>(labeled_value_through(cpu, "", focused, kValue));
    double samples = static_cast<double>(labeled_value_through(cpu, "", focused, kCount));
    INFO("truth " << truth / 1e6 << " ms, estimate " << estimate / 1e6 << " ms, " << samples
                  << " samples");
    REQUIRE(truth > 100e6);
    CHECK(relative_error(estimate, truth) < 0.15);
    // At 100 Hz this span would get truth/10 ms samples; at 1000 Hz ten times as many.
    CHECK(samples > 0.6 * truth / 1e6);
    // Outside the span the base rate's weight holds: A's estimate is still right.
    auto a = static_cast<double>(labeled_value_through(cpu, "", {"span", "A"}, kValue));
    CHECK(a > 0);
}

TEST_CASE("a program built with the span API runs unchanged without the agent") {
    RunResult result = run({program("span_demo"), "5"}, {{"LD_PRELOAD", ""}});
    INFO(result.err);
    CHECK(result.exit_code == 0);
    CHECK(result.err.empty());
    CHECK(span_truth_from(result.out)["fast"]["count"] == 400);
}
