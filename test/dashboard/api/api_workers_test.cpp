// Slow UI requests run on worker pools, not on the I/O threads (issue 18 items 6 and 15):
// a burst of logins (PBKDF2, ~0.1 s each) must not hold up a cheap request or an agent's
// upload, and past the pool's bound a login is answered 503 with Retry-After at once.
#include <catch2/catch.hpp>

#include <chrono>
#include <ctime>
#include <future>
#include <vector>

#include "test/dashboard/api/agent_fixtures.h"
#include "test/dashboard/api/dashboard_server.h"

using namespace siagent::testing;
using Clock = std::chrono::steady_clock;

namespace {

HttpCall login_call(const std::string& password) {
    HttpCall call{"POST", "/api/login", R"({"email": "admin@localhost", "password": ")" + password + "\"}", {}, false};
    call.headers["Content-Type"] = "application/json";
    return call;
}

double milliseconds_since(Clock::time_point start) {
    return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

}  // namespace

TEST_CASE("api: a burst of logins holds up neither the session API nor agents' uploads", "[api][workers]") {
    DashboardServer server;
    UiClient client(server.port());
    const auto single_start = Clock::now();
    REQUIRE(client.login("admin@localhost", server.password()).status == 200);
    const double one_login_ms = milliseconds_since(single_start);

    // Twelve logins at once: on the I/O threads they would keep both busy for ~6 logins' time.
    std::vector<std::future<int>> logins;
    for (int i = 0; i < 12; ++i) {
        logins.push_back(std::async(std::launch::async, [&] {
            return http_call(server.port(), login_call(server.password())).status;
        }));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));  // all of them sent
    const auto me_start = Clock::now();
    CHECK(client.get("/api/me").status == 200);
    const double me_ms = milliseconds_since(me_start);
    const auto upload_start = Clock::now();
    CHECK(http_call(server.port(), agent_call(server.agent_key(), "upload", python_upload(std::time(nullptr)))).status == 200);
    const double upload_ms = milliseconds_since(upload_start);
    int done = 0;
    for (auto& login : logins) done += login.get() == 200;
    INFO("one login " << one_login_ms << " ms; during the burst: /api/me " << me_ms << " ms, upload " << upload_ms << " ms");
    CHECK(done == 12);
    CHECK(me_ms < one_login_ms);
    CHECK(upload_ms < one_login_ms);
}

TEST_CASE("api: past the hashing pool's bound a login is answered 503 with Retry-After", "[api][workers]") {
    DashboardServer server;
    std::vector<std::future<HttpReply>> logins;
    for (int i = 0; i < 48; ++i) {
        logins.push_back(std::async(std::launch::async, [&] { return http_call(server.port(), login_call(server.password())); }));
    }
    int ok = 0, busy = 0;
    for (auto& login : logins) {
        HttpReply reply = login.get();
        if (reply.status == 200) ++ok;
        if (reply.status == 503) {
            ++busy;
            CHECK(reply.headers["retry-after"] == "2");
        }
    }
    INFO(ok << " logged in, " << busy << " busy");
    CHECK(ok >= 32);     // the bound: 32 queued or hashing
    CHECK(busy >= 1);    // 48 at once is past it (one login takes far longer than 48 to arrive)
    CHECK(ok + busy == 48);
}

namespace {

// `count` CPU reports, one a second back from `last`, each a tree of 60 functions under 3
// callers: enough that merging thousands takes a while.
std::string many_cpu_reports(int64_t last, int count) {
    std::string messages;
    for (int i = 0; i < count; ++i) {
        std::string callers;
        for (int caller = 0; caller < 3; ++caller) {
            std::string leaves;
            for (int leaf = 0; leaf < 20; ++leaf) {
                if (!leaves.empty()) leaves += ",";
                leaves += R"({"name": "leaf_)" + std::to_string(caller * 20 + leaf) + R"( (work.cpp:)" +
                          std::to_string(leaf + 1) + R"J()", "measurement": 1})J";
            }
            if (!callers.empty()) callers += ",";
            callers += R"({"name": "caller_)" + std::to_string(caller) + R"J( (main.cpp:5)", "measurement": 20, "children": [)J" +
                       leaves + "]}";
        }
        if (!messages.empty()) messages += ",";
        messages += R"({"topic": "metric", "content": {"type": "profile", "category": "cpu-profile", "name": "CPU usage",
            "unit": "percent", "measurement": {"value": 60, "timestamp": )" + std::to_string(last - i) +
                    R"(, "breakdown": {"name": "root", "measurement": 60, "children": [)" + callers + "]}}}}";
    }
    return R"({"runtime_type": "native", "app_name": "busy", "host_name": "h", "process_id": 5,
 "run_id": "00112233445566778899aabbccddeeff", "payload": {"messages": [)" + messages + "]}}";
}

}  // namespace

TEST_CASE("api: whole-range profile merges do not hold up agents' uploads", "[api][workers]") {
    DashboardServer server;
    UiClient client(server.port());
    REQUIRE(client.login("admin@localhost", server.password()).status == 200);
    const int64_t now = std::time(nullptr);
    for (int batch = 0; batch < 6; ++batch) {
        HttpCall call = agent_call(server.agent_key(), "upload", many_cpu_reports(now - batch * 2000, 2000));
        REQUIRE(http_call(server.port(), call).status == 200);
    }
    auto apps = parse_json(client.get("/api/apps").body);
    const std::string query = "/api/apps/" + std::to_string(apps["apps"][0]["id"].GetInt64()) +
                              "/profile?kind=cpu&from=" + std::to_string(now - 13000) + "&to=" + std::to_string(now + 10);
    const auto single_start = Clock::now();
    HttpReply single = client.get(query);
    REQUIRE(single.status == 200);
    const double one_query_ms = milliseconds_since(single_start);
    CHECK(parse_json(single.body)["reports"].GetInt() == 12000);

    std::vector<std::future<int>> queries;
    for (int i = 0; i < 6; ++i) {
        queries.push_back(std::async(std::launch::async, [&] { return client.get(query).status; }));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    const auto upload_start = Clock::now();
    CHECK(http_call(server.port(), agent_call(server.agent_key(), "upload", python_upload(now))).status == 200);
    const double upload_ms = milliseconds_since(upload_start);
    for (auto& query_done : queries) CHECK(query_done.get() == 200);
    const double merges_done_ms = milliseconds_since(upload_start);
    INFO("one merge of 12,000 reports " << one_query_ms << " ms; an upload during six of them " << upload_ms
                                        << " ms; the six done " << merges_done_ms << " ms after it started");
    if (!postgres_cluster()) {
        CHECK(upload_ms < one_query_ms / 2);
    } else {
        // On PostgreSQL each of the upload's round trips competes for the two cores with the
        // merges' server processes, which makes its time as noisy as theirs; what must hold
        // is that it is not queued behind them: it is done before they are.
        CHECK(upload_ms < merges_done_ms);
    }
}
