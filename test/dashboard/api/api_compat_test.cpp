// Uploads in each original agent's format (agent_fixtures.h states their truth) are
// accepted and come back from the profile API with the right top function.
#include <catch2/catch.hpp>

#include <ctime>

#include "test/dashboard/api/agent_fixtures.h"
#include "test/dashboard/api/dashboard_server.h"

using namespace siagent::testing;

namespace {

struct Compat {
    DashboardServer server;
    UiClient client{server.port()};
    int64_t now = std::time(nullptr);

    Compat() { REQUIRE(client.login("admin@localhost", server.password()).status == 200); }

    std::string app_id(const std::string& name) {
        auto apps = parse_json(client.get("/api/apps").body);
        for (const auto& app : apps["apps"].GetArray()) {
            if (name == app["name"].GetString()) return std::to_string(app["id"].GetInt64());
        }
        FAIL("no app " << name);
        return {};
    }

    rapidjson::Document profile(const std::string& app, const std::string& kind) {
        HttpReply reply = client.get("/api/apps/" + app_id(app) + "/profile?kind=" + kind + "&from=" +
                                     std::to_string(now - 600) + "&to=" + std::to_string(now + 60));
        REQUIRE(reply.status == 200);
        return parse_json(reply.body);
    }
};

}  // namespace

TEST_CASE("compat: Python agent upload (numeric pid, dashed ids, runtime_path, Content-Length)", "[api][compat]") {
    Compat compat;
    HttpReply reply = http_call(compat.server.port(), agent_call(compat.server.agent_key(), "upload", python_upload(compat.now)));
    REQUIRE(reply.status == 200);
    auto profile = compat.profile("py-shop", "cpu");
    CHECK(std::string(profile["name"].GetString()) == "Main thread CPU usage");
    CHECK(profile["reports"].GetInt() == 1);
    CHECK(profile["total"].GetDouble() == Approx(75));
    const auto& top = profile["hotspots"][0];
    CHECK(std::string(top["function"].GetString()) == "cpu_work");
    CHECK(std::string(top["file"].GetString()) == "/app/worker.py");
    CHECK(top["line"].GetInt() == 21);
    CHECK(top["self_share"].GetDouble() == Approx(0.8));
    auto filters = parse_json(compat.client.get("/api/apps/" + compat.app_id("py-shop") + "/filters").body);
    CHECK(filters["processes"][0]["pid"].GetInt() == 4711);
    CHECK(std::string(filters["processes"][0]["run_id"].GetString()) == "5b3c7e2a-9f1d-4c6b-8a2e-1f0d9c8b7a65");
    auto metrics = parse_json(compat.client.get("/api/apps/" + compat.app_id("py-shop") + "/metrics").body);
    REQUIRE(metrics["series"].Size() == 1);
    CHECK(metrics["series"][0]["points"][0][1].GetDouble() == Approx(37.5));
}

TEST_CASE("compat: Go agent upload (pid as digits, bare hex, build_id, one node per line)", "[api][compat]") {
    Compat compat;
    REQUIRE(http_call(compat.server.port(), agent_call(compat.server.agent_key(), "upload", go_upload(compat.now))).status == 200);
    auto profile = compat.profile("go-api", "cpu");
    CHECK(std::string(profile["hotspots"][0]["function"].GetString()) == "main.cpuWork");
    CHECK(profile["hotspots"][0]["self"].GetDouble() == Approx(55));
    const auto& main = profile["tree"]["children"][0];
    CHECK(std::string(main["name"].GetString()) == "main.main (/go/src/app/main.go:20)");
    REQUIRE(main["children"].Size() == 2);  // the two cpuWork nodes folded into one
    CHECK(std::string(main["children"][0]["name"].GetString()) == "main.cpuWork (/go/src/app/main.go:45)");
    CHECK(main["children"][0]["value"].GetDouble() == Approx(55));
    auto filters = parse_json(compat.client.get("/api/apps/" + compat.app_id("go-api") + "/filters").body);
    CHECK(filters["processes"][0]["pid"].GetInt() == 31337);
    CHECK(std::string(filters["environments"][0].GetString()) == "staging");
}

TEST_CASE("compat: Node.js agent upload (chunked body, file:line:column frames, uncaught exceptions)", "[api][compat]") {
    Compat compat;
    HttpCall call = agent_call(compat.server.agent_key(), "upload", node_upload(compat.now), true, true);
    REQUIRE(http_call(compat.server.port(), call).status == 200);
    auto profile = compat.profile("node-web", "cpu");
    const auto& top = profile["hotspots"][0];
    CHECK(std::string(top["function"].GetString()) == "processRequest");
    CHECK(std::string(top["file"].GetString()) == "/app/server.js");
    CHECK(top["line"].GetInt() == 12);
    auto errors = compat.profile("node-web", "error");
    CHECK(std::string(errors["name"].GetString()) == "Uncaught exceptions");
    CHECK(errors["total"].GetDouble() == Approx(3));  // counts add up, not averaged
    auto listed = parse_json(compat.client.get("/api/apps/" + compat.app_id("node-web") + "/errors").body);
    REQUIRE(listed["exceptions"].Size() == 1);
    CHECK(std::string(listed["exceptions"][0]["type"].GetString()) == "TypeError");
    CHECK(std::string(listed["exceptions"][0]["site"].GetString()) == "parseBody (/app/body.js:8:15)");
    CHECK(listed["exceptions"][0]["count"].GetDouble() == Approx(3));
}

TEST_CASE("compat: siagent native crash report and profile kinds", "[api][compat]") {
    Compat compat;
    REQUIRE(http_call(compat.server.port(), agent_call(compat.server.agent_key(), "upload", native_crash_upload(compat.now))).status == 200);
    auto crashes = parse_json(compat.client.get("/api/apps/" + compat.app_id("native-svc") + "/errors").body);
    REQUIRE(crashes["crashes"].Size() == 1);
    CHECK(std::string(crashes["crashes"][0]["signal"].GetString()) == "SIGSEGV");
    CHECK(std::string(crashes["crashes"][0]["top_frame"].GetString()) == "crash_here (crash.cpp:7)");
    CHECK(crashes["crashes"][0]["frames"].Size() == 2);
    auto kinds = parse_json(compat.client.get("/api/apps/" + compat.app_id("native-svc") + "/profile/kinds").body);
    REQUIRE(kinds["kinds"].Size() == 1);
    CHECK(std::string(kinds["kinds"][0]["kind"].GetString()) == "crash");
    auto crash_profile = compat.profile("native-svc", "crash");
    CHECK(std::string(crash_profile["hotspots"][0]["function"].GetString()) == "SIGSEGV: invalid memory reference");
}

TEST_CASE("compat: counters read per second, summed over the bucket's reports", "[api][compat][metrics]") {
    Compat compat;
    // Context switches: 600 per 60 s report, for 10 minutes: 10 per second.
    std::vector<std::pair<int64_t, double>> deltas;
    for (int i = 0; i < 10; ++i) deltas.emplace_back(compat.now - 600 + 60 * i, 600);
    REQUIRE(http_call(compat.server.port(),
                      agent_call(compat.server.agent_key(), "upload",
                                 native_metric_upload("switchy", "counter", "runtime", "Context switches", "", deltas)))
                .status == 200);
    auto metrics = parse_json(compat.client.get("/api/apps/" + compat.app_id("switchy") + "/metrics?from=" +
                                                std::to_string(compat.now - 3600) + "&to=" + std::to_string(compat.now))
                                  .body);
    REQUIRE(metrics["series"].Size() == 1);
    CHECK(std::string(metrics["series"][0]["type"].GetString()) == "counter");
    for (const auto& point : metrics["series"][0]["points"].GetArray()) CHECK(point[1].GetDouble() == Approx(10));
}

TEST_CASE("the UI's kinds: every kind siagent emits, with its label and tab, in order", "[api][compat]") {
    Compat compat;
    auto views = parse_json(compat.client.get("/api/kinds").body);
    REQUIRE(views["kinds"].IsArray());
    std::vector<std::string> kinds, tabs, labels;
    for (const auto& view : views["kinds"].GetArray()) {
        kinds.push_back(view["kind"].GetString());
        labels.push_back(view["label"].GetString());
        tabs.push_back(view["tab"].GetString());
    }
    // The agent's encoding table, in its order (transport/profile_metric.h): each profile kind
    // has a tab of its own, exceptions and crashes are in the Errors tab.
    CHECK(kinds == std::vector<std::string>{"cpu", "alloc", "inuse", "block", "error", "crash"});
    CHECK(tabs == std::vector<std::string>{"cpu", "alloc", "inuse", "block", "errors", "errors"});
    CHECK(labels[0] == "CPU");
    CHECK(labels[3] == "Blocking");
    // Only for a session.
    UiClient anonymous{compat.server.port()};
    CHECK(anonymous.get("/api/kinds").status == 401);
}
