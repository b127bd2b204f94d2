// The Heap in use view's suspected leaks: judged on the reports the range holds, wherever
// they fall in it, per process, and never a live set that only turns over.
#include <catch2/catch.hpp>

#include <cmath>
#include <ctime>

#include "test/dashboard/api/agent_fixtures.h"
#include "test/dashboard/api/dashboard_server.h"

using namespace siagent::testing;

namespace {

// One heap-in-use profile of process `pid`: main → each function with its retained bytes.
std::string heap_upload(int pid, int64_t timestamp, const std::vector<std::pair<std::string, double>>& sites) {
    double total = 0;
    std::string children;
    for (const auto& [function, bytes] : sites) {
        total += bytes;
        if (!children.empty()) children += ", ";
        children += R"({"name": ")" + function + R"(", "measurement": )" + std::to_string(bytes) + "}";
    }
    return R"({"runtime_type": "native", "app_name": "shop", "host_name": "h", "process_id": )" + std::to_string(pid) +
           R"(, "run_id": "00112233445566778899aabbccddee)" + std::to_string(10 + pid % 90) +
           R"(", "payload": {"messages": [{"topic": "metric", "content": {"type": "profile",
           "category": "memory-profile", "name": "Heap in use", "unit": "byte",
           "measurement": {"value": )" + std::to_string(total) + R"(, "timestamp": )" + std::to_string(timestamp) +
           R"(, "breakdown": {"name": "root", "measurement": )" + std::to_string(total) +
           R"J(, "children": [{"name": "main (shop.cpp:1)", "measurement": )J" + std::to_string(total) +
           R"(, "children": [)" + children + "]}]}}}}]}}";
}

}  // namespace

TEST_CASE("api: a leak a few minutes old shows in the last hour; a turning-over live set never does",
          "[api][leaks]") {
    DashboardServer server;
    UiClient client(server.port());
    REQUIRE(client.login("admin@localhost", server.password()).status == 200);
    const int64_t now = std::time(nullptr);
    // Two processes over the last 5 minutes (all in the second half of "Last 1 hour"), their
    // reports interleaved: 101 leaks 16 KiB/s in leak_memory; both hold a churning live set
    // of about 4 MiB (sampling noise of ±10 %), and 102 starts two minutes later.
    constexpr double kKiB = 1024;
    for (int i = 0; i < 30; ++i) {
        const int64_t t = now - 300 + 10 * i;
        const double noise = 1 + 0.1 * std::sin(i * 2.3);
        REQUIRE(http_call(server.port(), agent_call(server.agent_key(), "upload",
                                                    heap_upload(101, t, {{"leak_memory (leaky.cpp:12)", 16 * kKiB * 10 * i},
                                                                         {"churn (leaky.cpp:30)", 4096 * kKiB * noise}})))
                    .status == 200);
        if (i >= 12)
            REQUIRE(http_call(server.port(), agent_call(server.agent_key(), "upload",
                                                        heap_upload(102, t + 5, {{"churn (leaky.cpp:30)", 4096 * kKiB / noise}})))
                        .status == 200);
    }
    auto apps = parse_json(client.get("/api/apps").body);
    const std::string app = std::to_string(apps["apps"][0]["id"].GetInt64());
    auto heap = parse_json(client.get("/api/apps/" + app + "/profile?kind=inuse&from=" + std::to_string(now - 3600) +
                                      "&to=" + std::to_string(now)).body);
    REQUIRE(heap["leaks"].Size() == 1);  // not main, whose self is 0 but for rounding
    CHECK(std::string(heap["leaks"][0]["function"].GetString()) == "leak_memory");
    CHECK(heap["leaks"][0]["growth_bytes_per_s"].GetDouble() == Approx(16 * kKiB).epsilon(0.05));
}
