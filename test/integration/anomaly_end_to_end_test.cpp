// End to end for the leak, regression and error anomalies: real programs under LD_PRELOAD
// report to a freshly started siagent-dashboard (the real binary) with fast report
// intervals and short rule windows (--leak-window 20s, --regression-period 60s,
// --error-warmup 4s or 2s); the anomalies API must then name the culprit. A crash reaches
// the dashboard through the spool and the app's next process.
#include <catch2/catch.hpp>

#include <chrono>
#include <csignal>
#include <ctime>
#include <optional>
#include <thread>

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "test/dashboard/api/dashboard_server.h"
#include "test/dashboard/api/http_client.h"
#include "test/integration/process_runner.h"

using namespace siagent::testing;

namespace {

struct AnomalyDashboard {
    DashboardServer server;
    UiClient client{server.port()};
    int64_t started = std::time(nullptr);

    explicit AnomalyDashboard(const std::vector<std::string>& flags) : server(flags) {
        REQUIRE(client.login("admin@localhost", server.password()).status == 200);
    }

    // Runs `argv` under the agent as `app` at `version`, reporting every second.
    void profile(const std::vector<std::string>& argv, const std::string& app, const std::string& version,
                 const std::map<std::string, std::string>& extra = {}) {
        std::map<std::string, std::string> environment{
            {"LD_PRELOAD", agent_library()},
            {"SI_AGENT_KEY", server.agent_key()},
            {"SI_DASHBOARD_ADDRESS", "http://127.0.0.1:" + std::to_string(server.port())},
            {"SI_APP_NAME", app},
            {"SI_APP_VERSION", version},
            {"SI_REPORT_INTERVAL", "1s"},
            {"SI_METRICS_INTERVAL", "1s"},
            {"SI_CPU_SAMPLING_HZ", "1000"},
            {"SIAGENT_TEST_TRANSPORT_TIMINGS",
             "flush=200,config_first=100,config_every=500,backoff=300,backoff_max=1000,request=1500"}};
        environment.insert(extra.begin(), extra.end());
        RunResult result = run(argv, environment, 120);
        INFO(argv[0] << ": " << result.out << result.err);
        REQUIRE(result.exit_code == 0);
    }

    std::string app_id(const std::string& name) {
        auto apps = parse_json(client.get("/api/apps").body);
        REQUIRE(apps.IsObject());
        for (const auto& app : apps["apps"].GetArray()) {
            if (name == app["name"].GetString()) return std::to_string(app["id"].GetInt64());
        }
        return {};
    }

    rapidjson::Document anomalies(const std::string& app) {
        const std::string id = app_id(app);
        if (id.empty()) return parse_json(R"({"anomalies":[]})");
        HttpReply reply = client.get("/api/apps/" + id + "/anomalies?from=" + std::to_string(started - 60) +
                                     "&to=" + std::to_string(std::time(nullptr) + 60));
        REQUIRE(reply.status == 200);
        auto document = parse_json(reply.body);
        REQUIRE(document["anomalies"].IsArray());
        return document;
    }

    // The first anomaly of `app` of `kind` whose message contains `needle`, waiting up to
    // 20 s for the last uploads to be stored and checked.
    std::optional<rapidjson::Document> wait_for(const std::string& app, const std::string& kind, const std::string& needle) {
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
        do {
            auto list = anomalies(app);
            for (const auto& anomaly : list["anomalies"].GetArray()) {
                if (kind != anomaly["kind"].GetString()) continue;
                if (std::string(anomaly["message"].GetString()).find(needle) == std::string::npos) continue;
                rapidjson::Document found;
                found.CopyFrom(anomaly, found.GetAllocator());
                return found;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(250));
        } while (std::chrono::steady_clock::now() < deadline);
        return std::nullopt;
    }

    // For failure messages.
    std::string listing(const std::string& app) {
        auto list = anomalies(app);
        rapidjson::StringBuffer buffer;
        rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
        list.Accept(writer);
        return buffer.GetString();
    }

    int count(const std::string& app, const std::string& kind) {
        int n = 0;
        const auto list = anomalies(app);  // a range-for would not keep a temporary alive
        for (const auto& anomaly : list["anomalies"].GetArray()) n += kind == anomaly["kind"].GetString();
        return n;
    }
};

}  // namespace

TEST_CASE("end to end: a leaking program gets one leak anomaly naming leak_memory", "[e2e][anomaly]") {
    AnomalyDashboard dashboard({"--leak-window", "20s"});
    // leaky leaks 4 MiB evenly over 30 s: 2.7 MiB per 20 s window, well above 10 % of its heap.
    dashboard.profile({program("leaky"), "30"}, "leaky", "1.0");
    auto leak = dashboard.wait_for("leaky", "leak", "leak_memory");
    INFO(dashboard.listing("leaky") << "\n" << dashboard.server.output());
    // If no site is named: which in-use profiles the window had, report by report.
    INFO(dashboard.client.get("/api/apps/" + dashboard.app_id("leaky") + "/profile/timeline?kind=inuse&from=" +
                              std::to_string(dashboard.started - 60) + "&to=" + std::to_string(std::time(nullptr) + 60))
             .body.substr(0, 4000));
    REQUIRE(leak);
    const auto& detail = (*leak)["detail"];
    REQUIRE(detail["sites"].Size() >= 1);
    CHECK(std::string(detail["sites"][0]["function"].GetString()).find("leak_memory") != std::string::npos);
    CHECK(std::string(detail["sites"][0]["file"].GetString()).find("leaky.cpp") != std::string::npos);
    CHECK(detail["sites"][0]["growth_bytes_per_second"].GetDouble() > 0);
    CHECK(std::string(detail["profile"]["kind"].GetString()) == "inuse");
    // One per leak episode and series: heap in use, and RSS only if it grew by 10 % too.
    CHECK(dashboard.count("leaky", "leak") <= 2);
}

TEST_CASE("end to end: a slower function in the next version is a regression naming it", "[e2e][anomaly]") {
    AnomalyDashboard dashboard({"--regression-period", "60s", "--regression-interval", "1s"});
    // render_response costs 20 % of the demo's CPU in 1.0, 50 % in 2.0 (4 times slower).
    dashboard.profile({program("demo_hotspots"), "1000", "2", "0", "6"}, "demo", "1.0");
    dashboard.profile({program("demo_hotspots"), "1000", "2", "0", "6", "4"}, "demo", "2.0");
    auto regression = dashboard.wait_for("demo", "regression", "render_response");
    INFO(dashboard.listing("demo") << "\n" << dashboard.server.output());
    REQUIRE(regression);
    CHECK(std::string((*regression)["category"].GetString()) == "cpu-profile");
    const auto& detail = (*regression)["detail"];
    CHECK(std::string(detail["basis"].GetString()) == "version");
    CHECK(std::string(detail["before"]["version"].GetString()) == "1.0");
    CHECK(std::string(detail["after"]["version"].GetString()) == "2.0");
    CHECK(std::string(detail["file"].GetString()).find("demo_hotspots.cpp") != std::string::npos);
    CHECK(detail["before_share"].GetDouble() == Approx(0.2).margin(0.08));
    CHECK(detail["after_share"].GetDouble() == Approx(0.5).margin(0.08));
    // The functions that did not get slower are not regressions.
    auto list = dashboard.anomalies("demo");
    for (const auto& anomaly : list["anomalies"].GetArray()) {
        if (std::string(anomaly["kind"].GetString()) != "regression") continue;
        CHECK(std::string(anomaly["name"].GetString()).find("score_items") == std::string::npos);
        CHECK(std::string(anomaly["name"].GetString()).find("parse_request") == std::string::npos);
    }
    CHECK(dashboard.count("demo", "regression") == 1);
}

TEST_CASE("end to end: an exception type first thrown after warm-up is an error anomaly", "[e2e][anomaly]") {
    AnomalyDashboard dashboard({"--error-warmup", "4s"});
    // runtime_error from the start (its first report comes after about 1 s, well within the
    // warm-up); RareError from 7 s on.
    dashboard.profile({program("new_exception"), "10", "7"}, "errors", "1.0");
    auto error = dashboard.wait_for("errors", "error", "RareError");
    INFO(dashboard.listing("errors") << "\n" << dashboard.server.output());
    REQUIRE(error);
    CHECK(std::string((*error)["detail"]["rule"].GetString()) == "new_type");
    CHECK(std::string((*error)["detail"]["site"].GetString()).find("rare_site") != std::string::npos);
    CHECK((*error)["value"].GetDouble() >= 1);
    // The routine exception of the first seconds is not new, and RareError is reported once.
    auto list = dashboard.anomalies("errors");
    int rare = 0;
    for (const auto& anomaly : list["anomalies"].GetArray()) {
        const std::string message = anomaly["message"].GetString();
        CHECK(message.find("routine") == std::string::npos);
        CHECK(message.find("New exception type std::runtime_error") == std::string::npos);
        rare += message.find("RareError") != std::string::npos;
    }
    CHECK(rare == 1);
}

TEST_CASE("end to end: a crash, reported by the app's next process, is a new-crash anomaly", "[e2e][anomaly]") {
    AnomalyDashboard dashboard({"--error-warmup", "2s"});
    TemporaryDirectory spool;
    const std::map<std::string, std::string> with_spool{{"SI_SPOOL_DIR", spool.path()}};
    // The app is known (and past its warm-up) before it crashes.
    dashboard.profile({program("crash_kinds"), "recover"}, "crashy", "1.0", with_spool);
    std::this_thread::sleep_for(std::chrono::seconds(3));
    // Local files only (no key): the record waits in the spool for the next process.
    TemporaryDirectory files;
    RunResult crashed = run({program("crash_kinds"), "null"}, {{"LD_PRELOAD", agent_library()},
                                                               {"SI_SPOOL_DIR", spool.path()},
                                                               {"SI_OUTPUT_DIR", files.path()},
                                                               {"SI_APP_NAME", "crashy"}});
    REQUIRE(crashed.signal == SIGSEGV);
    REQUIRE(spool.files("crash-").size() == 1);
    dashboard.profile({program("crash_kinds"), "recover"}, "crashy", "1.0", with_spool);
    CHECK(spool.files("crash-").empty());

    auto crash = dashboard.wait_for("crashy", "error", "SIGSEGV");
    INFO(dashboard.listing("crashy") << "\n" << dashboard.server.output());
    REQUIRE(crash);
    CHECK(std::string((*crash)["detail"]["rule"].GetString()) == "new_crash");
    CHECK(std::string((*crash)["detail"]["site"].GetString()).find("crash_null_write") != std::string::npos);
}
