// Spans, end to end through a dashboard: test/programs/span_demo under LD_PRELOAD reports
// to a freshly started siagent-dashboard (the real binary); the UI's JSON API then gives
// its span percentiles (compared with the durations the program measured itself) and its
// profiles restricted to one span.
#include <catch2/catch.hpp>

#include <chrono>
#include <cmath>
#include <ctime>
#include <memory>
#include <thread>

#include "test/dashboard/api/dashboard_server.h"
#include "test/dashboard/api/http_client.h"
#include "test/integration/app_api.h"
#include "test/integration/process_runner.h"
#include "test/integration/span_truth.h"

using namespace siagent::testing;

namespace {

struct SpanDemo {
    DashboardServer server;
    UiClient client{server.port()};
    int64_t started = std::time(nullptr);
    RunResult demo;
    SpanTable truth;
    std::string app_id;

    SpanDemo() {
        // One report, at exit (the demo runs a few seconds): every span's percentiles come
        // from one histogram, as in span_test.cpp.
        demo = run({program("span_demo")},
                   {{"LD_PRELOAD", agent_library()},
                    {"SI_AGENT_KEY", server.agent_key()},
                    {"SI_DASHBOARD_ADDRESS", "http://127.0.0.1:" + std::to_string(server.port())},
                    {"SI_APP_NAME", "spans"},
                    {"SI_CPU_SAMPLING_HZ", "1000"},
                    {"SIAGENT_TEST_TRANSPORT_TIMINGS",
                     "flush=200,config_first=100,config_every=500,backoff=300,backoff_max=1000,request=1500"}},
                   120);
        INFO(demo.out << demo.err);
        REQUIRE(demo.exit_code == 0);
        truth = span_truth_from(demo.out);
        REQUIRE(client.login("admin@localhost", server.password()).status == 200);
        app_id = wait_for_app(client, "spans", [this](const std::string& id) {
            return app_get(client, id, "spans?" + range())["spans"].Size() > 0;
        });
        INFO(server.output());
        REQUIRE(!app_id.empty());
    }

    std::string range() const { return range_since(started); }
    rapidjson::Document get(const std::string& what) { return app_get(client, app_id, what); }
};

SpanDemo& span_demo() {
    static std::unique_ptr<SpanDemo> shared;
    if (!shared) shared = std::make_unique<SpanDemo>();
    return *shared;
}

const rapidjson::Value* span_named(const rapidjson::Document& spans, const std::string& name) {
    for (const auto& span : spans["spans"].GetArray())
        if (name == span["name"].GetString()) return &span;
    return nullptr;
}

// The largest value of a node whose name contains `function`, anywhere in the tree.
double value_of(const rapidjson::Value& node, const std::string& function) {
    double found = std::string(node["name"].GetString()).find(function) != std::string::npos
                       ? node["value"].GetDouble()
                       : 0;
    for (const auto& child : node["children"].GetArray()) found = std::max(found, value_of(child, function));
    return found;
}

}  // namespace

TEST_CASE("spans via the dashboard: percentiles within 5 % of what the program measured", "[e2e][spans]") {
    SpanDemo& demo = span_demo();
    auto spans = demo.get("spans?" + demo.range());
    for (const char* name : {"fast", "slow"}) {
        INFO(name);
        const rapidjson::Value* span = span_named(spans, name);
        REQUIRE(span != nullptr);
        auto& truth = demo.truth[name];
        CHECK((*span)["count"].GetDouble() == truth["count"]);
        for (const char* field : {"p50", "p95", "p99", "max"}) {
            const double measured = (*span)[(std::string(field) + "_ms").c_str()].GetDouble();
            INFO(field << ": dashboard " << measured << " ms, truth " << truth[field] << " ms");
            CHECK(std::abs(measured - truth[field]) <= 0.05 * truth[field]);
        }
        CHECK((*span)["points"].Size() >= 1);
    }
    // The span metric's value (the protocol's p95) is still a metric series of its own.
    auto metrics = demo.get("metrics?" + demo.range());
    bool fast_series = false;
    for (const auto& series : metrics["series"].GetArray())
        fast_series |= std::string(series["category"].GetString()) == "span" && std::string(series["name"].GetString()) == "fast";
    CHECK(fast_series);
}

TEST_CASE("spans via the dashboard: a span's CPU tree holds its own hot function, not another span's",
          "[e2e][spans]") {
    SpanDemo& demo = span_demo();
    auto whole = demo.get("profile?kind=cpu&" + demo.range());
    auto a = demo.get("profile?kind=cpu&span=A&" + demo.range());
    auto b = demo.get("profile?kind=cpu&span=B&" + demo.range());
    INFO("whole " << whole["total"].GetDouble() << ", A " << a["total"].GetDouble() << ", B " << b["total"].GetDouble());
    CHECK(std::string(a["span"].GetString()) == "A");
    CHECK(a["reports"].GetInt() == whole["reports"].GetInt());
    CHECK(value_of(a["tree"], "burn_in_a") > 0);
    CHECK(value_of(a["tree"], "burn_in_b") == 0);
    CHECK(value_of(b["tree"], "burn_in_b") > 0);
    CHECK(value_of(b["tree"], "burn_in_a") == 0);
    CHECK(value_of(whole["tree"], "burn_in_a") > 0);
    // A burns three times B's units: its CPU is the larger, and both are parts of the whole.
    CHECK(a["total"].GetDouble() > b["total"].GetDouble());
    CHECK(a["total"].GetDouble() + b["total"].GetDouble() < whole["total"].GetDouble());
    // Nested spans: samples belong to the innermost one.
    auto inner = demo.get("profile?kind=cpu&span=inner&" + demo.range());
    CHECK(value_of(inner["tree"], "burn_in_inner") > 0);
    CHECK(value_of(inner["tree"], "burn_in_outer") == 0);
}

TEST_CASE("spans via the dashboard: allocations and blocking filter by span too", "[e2e][spans]") {
    SpanDemo& demo = span_demo();
    auto alloc_a = demo.get("profile?kind=alloc&span=A&" + demo.range());
    CHECK(value_of(alloc_a["tree"], "allocate_in_a") > 0);
    auto alloc_b = demo.get("profile?kind=alloc&span=B&" + demo.range());
    CHECK(value_of(alloc_b["tree"], "allocate_in_a") == 0);
    auto block_b = demo.get("profile?kind=block&span=B&" + demo.range());
    CHECK(value_of(block_b["tree"], "sleep") > 0);
    auto block_a = demo.get("profile?kind=block&span=A&" + demo.range());
    CHECK(value_of(block_a["tree"], "nanosleep") == 0);
}

TEST_CASE("spans via the dashboard: an unknown application is a 404, an overlong span name a 400", "[e2e][spans]") {
    SpanDemo& demo = span_demo();
    auto missing = demo.client.get("/api/apps/999999/spans?" + demo.range());
    CHECK(missing.status == 404);
    auto long_name = demo.client.get("/api/apps/" + demo.app_id + "/profile?kind=cpu&span=" + std::string(300, 'x'));
    CHECK(long_name.status == 400);
}
