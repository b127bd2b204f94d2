// Metrics of several processes: merged (a count adds up over the processes, never averaged
// into a fraction) or one series per process, named by host and pid.
#include <catch2/catch.hpp>

#include <ctime>
#include <tuple>

#include "test/dashboard/api/agent_fixtures.h"
#include "test/dashboard/api/dashboard_server.h"

using namespace siagent::testing;

TEST_CASE("api: a count metric of two processes is their sum merged, two series per process", "[api][metrics]") {
    DashboardServer server;
    const int64_t now = std::time(nullptr);
    const int64_t from = now - now % 60 - 600;  // 10 minutes: buckets of 60 s from here
    std::vector<std::pair<int64_t, double>> three, four;
    std::vector<std::pair<int64_t, double>> rss_a, rss_b;
    for (int i = 0; i < 5; ++i) {
        three.emplace_back(from + 60 * i + 5, 3);
        four.emplace_back(from + 60 * i + 35, 4);
        rss_a.emplace_back(from + 60 * i + 5, 1000);
        rss_b.emplace_back(from + 60 * i + 35, 2000);
    }
    const std::string key = server.agent_key();
    // Two processes of host h: 3 and 4 threads, 1000 and 2000 KiB resident, half a minute apart.
    for (const auto& [pid, threads, rss] : {std::tuple{101, three, rss_a}, std::tuple{102, four, rss_b}}) {
        REQUIRE(http_call(server.port(),
                          agent_call(key, "upload",
                                     native_metric_upload("workers", "state", "runtime", "Active threads", "", threads, pid)))
                    .status == 200);
        REQUIRE(http_call(server.port(),
                          agent_call(key, "upload",
                                     native_metric_upload("workers", "state", "memory", "Current RSS", "kilobyte", rss, pid)))
                    .status == 200);
    }
    UiClient client(server.port());
    REQUIRE(client.login("admin@localhost", server.password()).status == 200);
    auto apps = parse_json(client.get("/api/apps").body);
    std::string app;
    for (const auto& one : apps["apps"].GetArray())
        if (std::string(one["name"].GetString()) == "workers") app = std::to_string(one["id"].GetInt64());
    REQUIRE(!app.empty());
    const std::string metrics = "/api/apps/" + app + "/metrics?from=" + std::to_string(from) + "&to=" +
                                std::to_string(from + 599);
    auto series_named = [](const rapidjson::Document& body, const std::string& name) {
        std::vector<const rapidjson::Value*> found;
        for (const auto& series : body["series"].GetArray())
            if (name == series["name"].GetString()) found.push_back(&series);
        return found;
    };

    // Merged: threads are the sum of the processes' counts (7, never 3.5); RSS is their mean.
    const auto merged = parse_json(client.get(metrics).body);
    const auto threads = series_named(merged, "Active threads");
    REQUIRE(threads.size() == 1);
    CHECK_FALSE((*threads[0]).HasMember("pid"));
    REQUIRE((*threads[0])["points"].Size() == 5);
    for (const auto& point : (*threads[0])["points"].GetArray()) CHECK(point[1].GetDouble() == 7);
    const auto rss = series_named(merged, "Current RSS");
    REQUIRE(rss.size() == 1);
    for (const auto& point : (*rss[0])["points"].GetArray()) CHECK(point[1].GetDouble() == Approx(1500));

    // Per process: one series each, named by host and pid, with its own values.
    HttpReply reply = client.get(metrics + "&group=process");
    REQUIRE(reply.status == 200);
    const auto per_process = parse_json(reply.body);
    const auto each = series_named(per_process, "Active threads");
    REQUIRE(each.size() == 2);
    CHECK(std::string((*each[0])["host"].GetString()) == "h");
    CHECK((*each[0])["pid"].GetInt() == 101);
    CHECK((*each[1])["pid"].GetInt() == 102);
    CHECK((*each[0])["processes"].GetInt() == 1);
    for (const auto& point : (*each[0])["points"].GetArray()) CHECK(point[1].GetDouble() == 3);
    for (const auto& point : (*each[1])["points"].GetArray()) CHECK(point[1].GetDouble() == 4);
    CHECK(series_named(per_process, "Current RSS").size() == 2);
    // Filters still apply.
    const auto one = parse_json(client.get(metrics + "&group=process&pid=102").body);
    REQUIRE(series_named(one, "Active threads").size() == 1);
    CHECK((*series_named(one, "Active threads")[0])["pid"].GetInt() == 102);

    CHECK(client.get(metrics + "&group=host").status == 400);
    const std::string b_password = server.add_user("owner@b", "owner", "b-corp");
    UiClient b(server.port());
    REQUIRE(b.login("owner@b", b_password).status == 200);
    CHECK(b.get(metrics + "&group=process").status == 404);
}

TEST_CASE("api: past 20 processes, the rest of a metric is summed into one series", "[api][metrics]") {
    DashboardServer server;
    const int64_t now = std::time(nullptr);
    const int64_t from = now - now % 60 - 300;
    for (int pid = 1; pid <= 23; ++pid) {
        // Process n has n threads: the three smallest (1, 2, 3) make the other series (6).
        REQUIRE(http_call(server.port(),
                          agent_call(server.agent_key(), "upload",
                                     native_metric_upload("crowd", "state", "runtime", "Active threads", "",
                                                          {{from + 10, static_cast<double>(pid)}}, pid)))
                    .status == 200);
    }
    UiClient client(server.port());
    REQUIRE(client.login("admin@localhost", server.password()).status == 200);
    const std::string app = std::to_string(parse_json(client.get("/api/apps").body)["apps"][0]["id"].GetInt64());
    const auto body = parse_json(client.get("/api/apps/" + app + "/metrics?group=process&from=" + std::to_string(from) +
                                            "&to=" + std::to_string(from + 299))
                                     .body);
    const auto& series = body["series"];
    REQUIRE(series.Size() == 21);
    for (rapidjson::SizeType i = 0; i < 20; ++i) CHECK(series[i]["pid"].GetInt() > 3);
    const auto& other = series[20];
    CHECK(other["pid"].IsNull());
    CHECK(other["host"].IsNull());
    CHECK(other["processes"].GetInt() == 3);
    CHECK(other["points"][0][1].GetDouble() == 6);
    // Merged: the sum of all 23.
    const auto merged = parse_json(client.get("/api/apps/" + app + "/metrics?from=" + std::to_string(from) + "&to=" +
                                              std::to_string(from + 299))
                                       .body);
    CHECK(merged["series"][0]["points"][0][1].GetDouble() == 23 * 24 / 2);
}
