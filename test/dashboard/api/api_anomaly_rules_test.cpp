// The error rules through the real server's agent API: a crash upload is an error anomaly
// of rule new_crash with its frames in `detail`, once however often the same crash arrives.
#include <catch2/catch.hpp>

#include <ctime>

#include "test/dashboard/api/agent_fixtures.h"
#include "test/dashboard/api/dashboard_server.h"

using namespace siagent::testing;

TEST_CASE("api: a new crash signature is one error anomaly with its frames", "[api][anomalies]") {
    DashboardServer server;
    const int64_t now = std::time(nullptr);
    for (int i = 0; i < 2; ++i) {  // the same crash twice: reported once
        REQUIRE(http_call(server.port(), agent_call(server.agent_key(), "upload", native_crash_upload(now + i))).status ==
                200);
    }
    UiClient client(server.port());
    REQUIRE(client.login("admin@localhost", server.password()).status == 200);
    auto apps = parse_json(client.get("/api/apps").body);
    REQUIRE(apps["apps"].Size() == 1);
    const std::string app = std::to_string(apps["apps"][0]["id"].GetInt64());
    HttpReply reply = client.get("/api/apps/" + app + "/anomalies?from=" + std::to_string(now - 60) +
                                 "&to=" + std::to_string(now + 60));
    REQUIRE(reply.status == 200);
    INFO(reply.body);
    auto list = parse_json(reply.body);
    REQUIRE(list["anomalies"].Size() == 1);
    const auto& anomaly = list["anomalies"][0];
    CHECK(std::string(anomaly["kind"].GetString()) == "error");
    CHECK(std::string(anomaly["category"].GetString()) == "error-profile");
    CHECK(std::string(anomaly["name"].GetString()) == "SIGSEGV");
    CHECK(std::string(anomaly["host"].GetString()) == "n-host");
    CHECK(std::string(anomaly["message"].GetString()).find("New crash signature SIGSEGV at crash_here (crash.cpp:7)") !=
          std::string::npos);
    const auto& detail = anomaly["detail"];
    REQUIRE(detail.IsObject());
    CHECK(std::string(detail["rule"].GetString()) == "new_crash");
    REQUIRE(detail["frames"].Size() == 2);
    CHECK(std::string(detail["frames"][0].GetString()) == "crash_here (crash.cpp:7)");
    CHECK(std::string(detail["frames"][1].GetString()) == "main (crash.cpp:20)");
    CHECK(apps["apps"][0]["anomalies_open"].GetInt64() == 1);
}
