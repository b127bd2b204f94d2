// Activation rotation through the config endpoint, retention of old reports, the web UI's
// static files.
#include <catch2/catch.hpp>

#include <chrono>
#include <ctime>
#include <fstream>
#include <set>
#include <thread>

#include "test/dashboard/api/agent_fixtures.h"
#include "test/dashboard/api/dashboard_server.h"

using namespace siagent::testing;

namespace {

std::string app_id(UiClient& client) {
    return std::to_string(parse_json(client.get("/api/apps").body)["apps"][0]["id"].GetInt64());
}

bool profiling(int port, const std::string& key, int pid) {
    const int64_t now = std::time(nullptr);
    HttpReply reply = http_call(port, agent_call(key, "config", native_config("fleet", pid, "aaaa0000bbbb" + std::to_string(pid), now)));
    REQUIRE(reply.status == 200);
    return json_string(reply.body, "profiling_disabled") == std::optional<std::string>("no");
}

}  // namespace

TEST_CASE("api: the config endpoint rotates which processes profile", "[api][activation]") {
    DashboardServer server({"--activation-window", "2s"});
    const int pids[] = {101, 102, 103};
    for (int pid : pids) CHECK(profiling(server.port(), server.agent_key(), pid));  // default: all
    UiClient client(server.port());
    REQUIRE(client.login("admin@localhost", server.password()).status == 200);
    const std::string app = app_id(client);
    REQUIRE(client.put("/api/apps/" + app + "/settings", R"({"max_active_processes": 1})").status == 200);
    CHECK(client.put("/api/apps/" + app + "/settings", R"({"max_active_processes": "one"})").status == 400);

    std::set<int> had_turn;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (had_turn.size() < 3 && std::chrono::steady_clock::now() < deadline) {
        const int64_t window = std::time(nullptr) / 2;
        std::vector<int> active;
        for (int pid : pids) {
            if (profiling(server.port(), server.agent_key(), pid)) active.push_back(pid);
        }
        if (std::time(nullptr) / 2 != window) continue;  // the asks straddled two windows
        CHECK(active.size() == 1);
        had_turn.insert(active.begin(), active.end());
        auto filters = parse_json(client.get("/api/apps/" + app + "/filters").body);
        int shown_active = 0;
        for (const auto& process : filters["processes"].GetArray()) shown_active += process["active"].GetBool();
        CHECK(shown_active == 1);
        std::this_thread::sleep_for(std::chrono::milliseconds(500));
    }
    CHECK(had_turn.size() == 3);
}

TEST_CASE("api: retention removes reports older than --retention", "[api][retention]") {
    DashboardServer server({"--retention", "1h", "--retention-check", "1s"});
    const int64_t now = std::time(nullptr);
    const std::string key = server.agent_key();
    REQUIRE(http_call(server.port(), agent_call(key, "upload", native_cpu_upload("kept", 7, now - 7200, "old_fn"))).status == 200);
    REQUIRE(http_call(server.port(), agent_call(key, "upload", native_cpu_upload("kept", 7, now - 60, "new_fn"))).status == 200);
    UiClient client(server.port());
    REQUIRE(client.login("admin@localhost", server.password()).status == 200);
    const std::string target = "/api/apps/" + app_id(client) + "/profile?kind=cpu&from=" + std::to_string(now - 86400) +
                               "&to=" + std::to_string(now + 60);
    int reports = -1;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
    do {
        std::this_thread::sleep_for(std::chrono::milliseconds(300));
        reports = parse_json(client.get(target).body)["reports"].GetInt();
    } while (reports != 1 && std::chrono::steady_clock::now() < deadline);
    CHECK(reports == 1);
    const std::string body = client.get(target).body;
    CHECK(body.find("new_fn") != std::string::npos);
    CHECK(body.find("old_fn") == std::string::npos);
}

TEST_CASE("api: the web UI is served with an index fallback and no traversal", "[api][static]") {
    TemporaryDirectory web;
    std::ofstream(web.path() + "/index.html") << "<!doctype html><title>siagent</title>";
    std::ofstream(web.path() + "/app.css") << "body{}";
    DashboardServer server({"--web", web.path()});
    HttpReply index = http_call(server.port(), HttpCall{"GET", "/", "", {}, false});
    CHECK(index.status == 200);
    CHECK(index.headers["content-type"] == "text/html; charset=utf-8");
    CHECK(http_call(server.port(), HttpCall{"GET", "/apps/1/cpu", "", {}, false}).body == index.body);
    CHECK(http_call(server.port(), HttpCall{"GET", "/app.css", "", {}, false}).headers["content-type"] == "text/css; charset=utf-8");
    CHECK(http_call(server.port(), HttpCall{"GET", "/api/nothing", "", {}, false}).status == 401);
    const std::string traversal = raw_exchange(server.port(), "GET /../../etc/passwd HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    CHECK(traversal.find("root:") == std::string::npos);
    CHECK(traversal.rfind("HTTP/1.1 400", 0) == 0);
}

TEST_CASE("api: a process that said it is ending is gone at once, a silent one after the live time",
          "[api][activation][live]") {
    DashboardServer server({"--live-time", "2s"});
    const int64_t now = std::time(nullptr);
    const std::string key = server.agent_key();
    REQUIRE(http_call(server.port(), agent_call(key, "upload", native_cpu_upload("fleet", 301, now, "work"))).status == 200);
    // siagent's last uploads at exit carry payload.process_ending.
    std::string last = native_cpu_upload("fleet", 302, now, "work");
    const std::string messages = "\"payload\": {\"messages\"";
    REQUIRE(last.find(messages) != std::string::npos);
    last.replace(last.find(messages), messages.size(), "\"payload\": {\"process_ending\": true, \"messages\"");
    REQUIRE(http_call(server.port(), agent_call(key, "upload", last)).status == 200);

    UiClient client(server.port());
    REQUIRE(client.login("admin@localhost", server.password()).status == 200);
    auto app = [&] { return parse_json(client.get("/api/apps").body); };
    auto state_of = [&](int pid) {
        auto filters = parse_json(client.get("/api/apps/" + app_id(client) + "/filters").body);
        for (const auto& process : filters["processes"].GetArray())
            if (process["pid"].GetInt() == pid)
                return std::make_pair(process["live"].GetBool(), process["ended"].IsInt64());
        FAIL("no process " << pid);
        return std::make_pair(false, false);
    };
    auto apps = app();
    CHECK(apps["apps"][0]["processes_total"].GetInt() == 2);
    CHECK(apps["apps"][0]["processes_live"].GetInt() == 1);
    CHECK(apps["apps"][0]["processes_active"].GetInt() == 1);
    CHECK(state_of(301) == std::make_pair(true, false));
    CHECK(state_of(302) == std::make_pair(false, true));
    // A process that said nothing is gone once it has not reported for the live time.
    std::this_thread::sleep_for(std::chrono::milliseconds(3100));
    apps = app();
    CHECK(apps["apps"][0]["processes_live"].GetInt() == 0);
    CHECK(apps["apps"][0]["processes_active"].GetInt() == 0);
    CHECK(state_of(301) == std::make_pair(false, false));
}
