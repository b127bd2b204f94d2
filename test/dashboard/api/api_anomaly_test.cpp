// Metric anomalies end to end: a steady, noisy RSS series uploaded past the detector's
// warm-up, then one spike, gives exactly one anomaly at the spike, counted open until
// acknowledged, and invisible to another account.
#include <catch2/catch.hpp>

#include <signal.h>

#include <cmath>
#include <ctime>

#include "test/dashboard/api/agent_fixtures.h"
#include "test/dashboard/api/dashboard_server.h"

using namespace siagent::testing;

namespace {

int64_t open_anomalies(UiClient& client) {
    auto apps = parse_json(client.get("/api/apps").body);
    REQUIRE(apps["apps"].Size() == 1);
    return apps["apps"][0]["anomalies_open"].GetInt64();
}

}  // namespace

TEST_CASE("api: a spike in a metric series is one anomaly, acknowledged once, private to the account",
          "[api][anomalies]") {
    DashboardServer server;
    const int64_t now = std::time(nullptr);
    constexpr int64_t kStep = 300;  // 5-minute points
    constexpr int kSteady = 400;    // past the detector's warm-up of 288 steps
    const int64_t spike_time = now - 10 * kStep;
    const int64_t first = spike_time - kSteady * kStep;

    // Two uploads of steady values (100 MiB, noise of about 1 %), then one with the spike and
    // a few normal points after it.
    using Points = std::vector<std::pair<int64_t, double>>;
    Noise noise;
    Points steady;
    for (int i = 0; i < kSteady; ++i) steady.emplace_back(first + i * kStep, 1e8 * (1 + 0.01 * noise.next()));
    Points spike{{spike_time, 5e8}};
    for (int i = 1; i < 5; ++i) spike.emplace_back(spike_time + i * kStep, 1e8 * (1 + 0.01 * noise.next()));
    const std::vector<Points> uploads{Points(steady.begin(), steady.begin() + kSteady / 2),
                                      Points(steady.begin() + kSteady / 2, steady.end()), spike};
    for (const Points& upload : uploads) {
        auto body = native_state_upload("rss-app", "memory", "Current RSS", "byte", upload);
        REQUIRE(http_call(server.port(), agent_call(server.agent_key(), "upload", body)).status == 200);
    }

    UiClient a(server.port());
    REQUIRE(a.login("admin@localhost", server.password()).status == 200);
    auto apps = parse_json(a.get("/api/apps").body);
    REQUIRE(apps["apps"].Size() == 1);
    const std::string app = std::to_string(apps["apps"][0]["id"].GetInt64());
    const std::string list = "/api/apps/" + app + "/anomalies?from=" + std::to_string(first - 60) +
                             "&to=" + std::to_string(now + 60);

    HttpReply reply = a.get(list);
    REQUIRE(reply.status == 200);
    INFO(reply.body);
    auto anomalies = parse_json(reply.body);
    REQUIRE(anomalies["anomalies"].Size() == 1);
    const auto& anomaly = anomalies["anomalies"][0];
    CHECK(anomaly["time"].GetInt64() == spike_time);
    CHECK(std::string(anomaly["kind"].GetString()) == "metric");
    CHECK(std::string(anomaly["category"].GetString()) == "memory");
    CHECK(std::string(anomaly["name"].GetString()) == "Current RSS");
    CHECK(std::string(anomaly["host"].GetString()) == "h");
    CHECK(std::string(anomaly["environment"].GetString()) == "prod");
    CHECK(anomaly["value"].GetDouble() == Approx(5e8));
    CHECK(std::string(anomaly["unit"].GetString()) == "byte");
    CHECK(anomaly["score"].GetDouble() >= 0.9);
    CHECK(anomaly["score"].GetDouble() <= 1.0);
    CHECK(std::string(anomaly["message"].GetString()).find("Current RSS") != std::string::npos);
    CHECK_FALSE(anomaly["acknowledged"].GetBool());
    CHECK(open_anomalies(a) == 1);

    // A range without the spike has none.
    auto before = parse_json(a.get("/api/apps/" + app + "/anomalies?from=" + std::to_string(first) + "&to=" +
                                   std::to_string(spike_time - 1)).body);
    CHECK(before["anomalies"].Size() == 0);

    // Account B sees none of it, and cannot acknowledge it.
    const std::string id = std::to_string(anomaly["id"].GetInt64());
    const std::string b_password = server.add_user("owner@b", "owner", "b-corp");
    UiClient b(server.port());
    REQUIRE(b.login("owner@b", b_password).status == 200);
    HttpReply foreign = b.get(list);
    CHECK(foreign.status == 404);
    CHECK(foreign.body.find("Current RSS") == std::string::npos);
    CHECK(b.post("/api/apps/" + app + "/anomalies/" + id + "/acknowledge", "").status == 404);
    CHECK(parse_json(b.get("/api/apps").body)["apps"].Size() == 0);

    // A viewer of the same account reads it but cannot acknowledge it.
    const std::string viewer_password = server.add_user("viewer@localhost", "viewer", "default");
    UiClient viewer(server.port());
    REQUIRE(viewer.login("viewer@localhost", viewer_password).status == 200);
    CHECK(parse_json(viewer.get(list).body)["anomalies"].Size() == 1);
    CHECK(viewer.post("/api/apps/" + app + "/anomalies/" + id + "/acknowledge", "").status == 403);

    // Acknowledging needs the CSRF token, then closes it.
    CHECK(a.send_without_csrf("POST", "/api/apps/" + app + "/anomalies/" + id + "/acknowledge", "").status == 403);
    CHECK(open_anomalies(a) == 1);
    CHECK(a.post("/api/apps/" + app + "/anomalies/" + id + "/acknowledge", "").status == 200);
    CHECK(open_anomalies(a) == 0);
    CHECK(parse_json(a.get(list).body)["anomalies"][0]["acknowledged"].GetBool());
    CHECK(a.post("/api/apps/" + app + "/anomalies/999999/acknowledge", "").status == 404);
    CHECK(a.get("/api/apps/" + app + "/anomalies/" + id + "/acknowledge").status == 405);
}

TEST_CASE("api: the anomalies answer says since when the app reports and each rule's time scale", "[api][anomaly]") {
    DashboardServer server({"--leak-window", "2h"});
    UiClient client(server.port());
    REQUIRE(client.login("admin@localhost", server.password()).status == 200);
    const int64_t now = std::time(nullptr);
    REQUIRE(http_call(server.port(), agent_call(server.agent_key(), "upload", python_upload(now))).status == 200);
    auto apps = parse_json(client.get("/api/apps").body);
    const std::string id = std::to_string(apps["apps"][0]["id"].GetInt64());
    auto answer = parse_json(client.get("/api/apps/" + id + "/anomalies?from=" + std::to_string(now - 3600) +
                                        "&to=" + std::to_string(now + 60)).body);
    REQUIRE(answer["judging"].IsObject());
    const auto& judging = answer["judging"];
    CHECK(std::abs(judging["reporting_since"].GetInt64() - now) <= 5);
    CHECK(judging["leak_window_seconds"].GetInt64() == 7200);
    CHECK(judging["regression_period_seconds"].GetInt64() == 3600);
    CHECK(judging["error_warmup_seconds"].GetInt64() == 3600);
    CHECK(judging["metric_warmup_points"].GetDouble() == 288);
}

// The detectors persist: a series warmed up before a restart flags a spike right after it,
// where a new detector would still be warming up (288 points) and flag nothing. Both ways
// a server stops: SIGTERM saves the detectors at stop; after SIGKILL, what the judge saved
// last stands (nothing here: it saves every minute), so the series warms up again.
TEST_CASE("api: metric detectors survive a restart instead of warming up again", "[api][anomalies][judging]") {
    DashboardServer server;
    const int64_t now = std::time(nullptr);
    constexpr int64_t kStep = 300;
    constexpr int kSteady = 400;
    const int64_t first = now - (kSteady + 40) * kStep;
    Noise noise;
    using Points = std::vector<std::pair<int64_t, double>>;
    auto steady = [&](int64_t from, int count) {
        Points points;
        for (int i = 0; i < count; ++i) points.emplace_back(from + i * kStep, 1e8 * (1 + 0.01 * noise.next()));
        return points;
    };
    auto upload = [&](const std::string& app, const Points& points) {
        auto body = native_state_upload(app, "memory", "Current RSS", "byte", points);
        REQUIRE(http_call(server.port(), agent_call(server.agent_key(), "upload", body)).status == 200);
    };
    upload("kept", steady(first, kSteady));
    server.restart(SIGTERM);
    upload("lost", steady(first, kSteady));  // warmed up, then the server crashes
    server.restart(SIGKILL);

    const int64_t spike_time = first + (kSteady + 10) * kStep;
    for (const std::string app : {"kept", "lost"}) {
        Points spike = steady(first + kSteady * kStep, 10);
        spike.emplace_back(spike_time, 5e8);
        upload(app, spike);
    }
    UiClient client(server.port());
    REQUIRE(client.login("admin@localhost", server.password()).status == 200);
    const auto apps = parse_json(client.get("/api/apps").body);
    REQUIRE(apps["apps"].Size() == 2);
    for (const auto& app : apps["apps"].GetArray()) {
        const std::string name = app["name"].GetString();
        const auto anomalies = parse_json(client.get("/api/apps/" + std::to_string(app["id"].GetInt64()) +
                                                     "/anomalies?from=" + std::to_string(first) +
                                                     "&to=" + std::to_string(now + 60)).body);
        INFO(name);
        REQUIRE(anomalies["anomalies"].IsArray());
        if (name == "kept") {
            REQUIRE(anomalies["anomalies"].Size() == 1);
            CHECK(anomalies["anomalies"][0]["time"].GetInt64() == spike_time);
        } else {
            CHECK(anomalies["anomalies"].Size() == 0);
        }
    }
}
