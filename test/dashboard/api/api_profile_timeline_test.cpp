// The timeline above every profile: the profile's total per time bucket, agreeing with the
// profile's own total, filtered and scoped like it.
#include <catch2/catch.hpp>

#include <chrono>
#include <ctime>
#include <map>
#include <thread>

#include "test/dashboard/api/agent_fixtures.h"
#include "test/dashboard/api/dashboard_server.h"

using namespace siagent::testing;

namespace {

std::string app_id(UiClient& client, const std::string& name) {
    auto apps = parse_json(client.get("/api/apps").body);
    for (const auto& app : apps["apps"].GetArray())
        if (name == app["name"].GetString()) return std::to_string(app["id"].GetInt64());
    FAIL("no app " << name);
    return {};
}

// The timeline's points as bucket start -> value.
std::map<int64_t, double> points_of(const rapidjson::Document& timeline) {
    std::map<int64_t, double> points;
    for (const auto& point : timeline["points"].GetArray()) points[point[0].GetInt64()] = point[1].GetDouble();
    return points;
}

}  // namespace

TEST_CASE("api: a profile's timeline gives its total per bucket, like the profile's total", "[api][timeline]") {
    DashboardServer server;
    const int64_t now = std::time(nullptr);
    const int64_t from = now - now % 60 - 1800;  // 30 minutes: buckets of 60 s from here
    const std::string key = server.agent_key();
    // Two processes' CPU: pid 11 at 10 % then 30 %, pid 12 at 50 % then 40 %.
    const std::pair<int, std::pair<int64_t, double>> reports[] = {
        {11, {from + 10, 10}}, {11, {from + 70, 30}}, {12, {from + 20, 50}}, {12, {from + 130, 40}}};
    for (const auto& [pid, report] : reports) {
        REQUIRE(http_call(server.port(), agent_call(key, "upload",
                                                    native_cpu_upload("shop", pid, report.first, "work", report.second)))
                    .status == 200);
    }
    REQUIRE(http_call(server.port(), agent_call(key, "upload", node_upload(now))).status == 200);
    UiClient client(server.port());
    REQUIRE(client.login("admin@localhost", server.password()).status == 200);
    const std::string app = "/api/apps/" + app_id(client, "shop");
    const std::string range = "&from=" + std::to_string(from) + "&to=" + std::to_string(from + 1799);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
    while (parse_json(client.get(app + "/profile?kind=cpu" + range).body)["reports"].GetInt() < 4 &&
           std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    const auto profile = parse_json(client.get(app + "/profile?kind=cpu" + range).body);
    REQUIRE(profile["reports"].GetInt() == 4);
    CHECK(profile["total"].GetDouble() == Approx(32.5));  // (10 + 30 + 50 + 40) / 4
    CHECK(profile["from"].GetInt64() == from);  // 30 minutes: merged as asked
    CHECK(profile["to"].GetInt64() == from + 1799);
    // A day ending inside this hour: merged over whole hours, from the start of the first.
    const auto day = parse_json(client.get(app + "/profile?kind=cpu&from=" + std::to_string(from - 86400 + 1) +
                                           "&to=" + std::to_string(from + 1799)).body);
    CHECK(day["reports"].GetInt() == 4);
    CHECK(day["from"].GetInt64() == (from - 86400 + 1) / 3600 * 3600);
    CHECK(day["to"].GetInt64() == (from + 1799) / 3600 * 3600 + 3599);

    HttpReply reply = client.get(app + "/profile/timeline?kind=cpu" + range);
    REQUIRE(reply.status == 200);
    const auto timeline = parse_json(reply.body);
    CHECK(std::string(timeline["kind"].GetString()) == "cpu");
    CHECK(std::string(timeline["unit"].GetString()) == "percent");
    CHECK(timeline["bucket_seconds"].GetInt64() == 60);
    // Each bucket: the mean of its reports, what the profile's total is over that bucket alone.
    const std::map<int64_t, double> expected = {{from, 30}, {from + 60, 30}, {from + 120, 40}};
    const auto points = points_of(timeline);
    REQUIRE(points.size() == expected.size());
    for (const auto& [time, value] : expected) CHECK(points.at(time) == Approx(value));
    const auto alone = parse_json(client.get(app + "/profile?kind=cpu&from=" + std::to_string(from + 120) +
                                             "&to=" + std::to_string(from + 179)).body);
    CHECK(alone["total"].GetDouble() == Approx(points.at(from + 120)));

    // Filters as for the profile: one process.
    const auto one = points_of(parse_json(client.get(app + "/profile/timeline?kind=cpu&pid=11" + range).body));
    CHECK(one == std::map<int64_t, double>{{from, 10}, {from + 60, 30}});
    CHECK(parse_json(client.get(app + "/profile/timeline?kind=cpu&host=elsewhere" + range).body)["points"].Empty());
    CHECK(parse_json(client.get(app + "/profile/timeline?kind=alloc" + range).body)["points"].Empty());

    // A kind whose reports add up: the buckets add up to the profile's total.
    const std::string node = "/api/apps/" + app_id(client, "node-web");
    const std::string around_now = "&from=" + std::to_string(now - 600) + "&to=" + std::to_string(now + 60);
    double sum = 0;
    for (const auto& [time, value] : points_of(parse_json(client.get(node + "/profile/timeline?kind=error" + around_now).body)))
        sum += value;
    CHECK(sum == Approx(parse_json(client.get(node + "/profile?kind=error" + around_now).body)["total"].GetDouble()));
    CHECK(sum == Approx(3));

    // Bounded input: 400s, and the widest range answers without overflowing.
    for (const char* query : {"kind=no%20such", "kind=cpu&from=soon", "kind=cpu&to=1e9", "kind=cpu&pid=x",
                              "kind=cpu&from=20&to=10", "kind=cpu&from=99999999999999999999"}) {
        INFO(query);
        CHECK(client.get(app + "/profile/timeline?" + query).status == 400);
    }
    HttpReply widest = client.get(app + "/profile/timeline?kind=cpu&from=-9223372036854775808&to=9223372036854775807");
    CHECK(widest.status == 200);
    CHECK(parse_json(widest.body)["points"].Size() == 1);  // every report in one bucket

    // Scoped to the caller's account: another account's user gets 404, nobody 401.
    const std::string b_password = server.add_user("owner@b", "owner", "b-corp");
    UiClient b(server.port());
    REQUIRE(b.login("owner@b", b_password).status == 200);
    HttpReply foreign = b.get(app + "/profile/timeline?kind=cpu" + range);
    CHECK(foreign.status == 404);
    CHECK(foreign.body.find("percent") == std::string::npos);
    CHECK(UiClient(server.port()).get(app + "/profile/timeline?kind=cpu" + range).status == 401);
}
