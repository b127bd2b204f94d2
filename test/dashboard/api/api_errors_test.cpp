// The Errors tab's answer: exceptions grouped by type and throw site whatever each process's
// load address, with their messages, stack and rate; crashes headed by the program's frame,
// not abort()'s, with the uncaught exception named.
#include <catch2/catch.hpp>

#include <ctime>

#include "test/dashboard/api/agent_fixtures.h"
#include "test/dashboard/api/dashboard_server.h"

using namespace siagent::testing;

namespace {

// One native error profile `name` ("Exceptions" or "Crashes") of process `pid` holding one
// stack (outermost first in `path`) that ends in the leaf `leaf`, `count` times.
std::string error_upload(const std::string& name, int pid, int64_t timestamp, const std::vector<std::string>& path,
                         const std::string& leaf, int count) {
    std::string tree = R"({"name": ")" + leaf + R"(", "measurement": )" + std::to_string(count) + "}";
    for (auto frame = path.rbegin(); frame != path.rend(); ++frame)
        tree = R"({"name": ")" + *frame + R"(", "measurement": )" + std::to_string(count) +
               R"(, "children": [)" + tree + "]}";
    return R"({"runtime_type": "native", "app_name": "shop", "host_name": "h", "process_id": )" + std::to_string(pid) +
           R"(, "run_id": "00112233445566778899aabbccddee)" + std::to_string(10 + pid % 90) +
           R"(", "payload": {"messages": [{"topic": "metric", "content": {"type": "profile",
           "category": "error-profile", "name": ")" + name + R"(", "unit": "",
           "measurement": {"value": )" + std::to_string(count) + R"(, "timestamp": )" + std::to_string(timestamp) +
           R"(, "breakdown": {"name": "root", "measurement": )" + std::to_string(count) + R"(, "children": [)" + tree +
           "]}}}}]}}";
}

struct ErrorsFixture {
    DashboardServer server;
    UiClient client{server.port()};
    int64_t now = std::time(nullptr);

    ErrorsFixture() { REQUIRE(client.login("admin@localhost", server.password()).status == 200); }

    void upload(const std::string& body) {
        REQUIRE(http_call(server.port(), agent_call(server.agent_key(), "upload", body)).status == 200);
    }

    rapidjson::Document errors() {
        auto apps = parse_json(client.get("/api/apps").body);
        REQUIRE(apps["apps"].Size() == 1);
        HttpReply reply = client.get("/api/apps/" + std::to_string(apps["apps"][0]["id"].GetInt64()) +
                                     "/errors?from=" + std::to_string(now - 600) + "&to=" + std::to_string(now + 60));
        REQUIRE(reply.status == 200);
        return parse_json(reply.body);
    }
};

}  // namespace

TEST_CASE("api: one throw site is one row across processes, addresses and messages", "[api][errors]") {
    ErrorsFixture fixture;
    // Three processes, three load addresses of libstdc++'s unnamed throw helper (two written
    // the way older agents named it), two messages: one group.
    const std::vector<std::string> addresses{"0x7fcd0aaa026c (libstdc++.so.6.0.30)",
                                             "0x7f11c2b9e26c (libstdc++.so.6.0.30)", "libstdc++.so.6.0.30+0x9a26c"};
    for (int i = 0; i < 3; ++i) {
        const std::string message = std::string("std::out_of_range: vector::_M_range_check: __n (which is ") +
                                    (i == 2 ? "11" : "10") + ") >= this->size() (which is 4)";
        fixture.upload(error_upload("Exceptions", 100 + i, fixture.now - 120 + i,
                                    {"main (t.cpp:30)", "lookup (t.cpp:9)", "std::vector::_M_range_check (stl_vector.h:1075)",
                                     addresses[i]},
                                    message, 5 + i));
    }
    fixture.upload(error_upload("Exceptions", 100, fixture.now - 60, {"main (t.cpp:30)", "parse (t.cpp:4)"},
                                "ParseError: bad token", 4));
    auto errors = fixture.errors();
    REQUIRE(errors["exceptions"].Size() == 2);
    const auto& range = errors["exceptions"][0]["type"].GetString() == std::string("std::out_of_range")
                            ? errors["exceptions"][0] : errors["exceptions"][1];
    CHECK(std::string(range["site"].GetString()) == "std::vector::_M_range_check (stl_vector.h:1075)");
    CHECK(range["count"].GetDouble() == Approx(18));
    CHECK(range["distinct_messages"].GetInt() == 2);
    REQUIRE(range["messages"].Size() == 2);
    CHECK(std::string(range["messages"][0]["message"].GetString()).find("which is 10") != std::string::npos);
    CHECK(range["messages"][0]["count"].GetDouble() == Approx(11));
    CHECK(std::string(range["message"].GetString()) == range["messages"][0]["message"].GetString());
    // The throw stack, innermost first: that of the most counted upload.
    REQUIRE(range["frames"].Size() == 4);
    CHECK(std::string(range["frames"][0].GetString()) == "libstdc++.so.6.0.30+0x9a26c");
    CHECK(std::string(range["frames"][3].GetString()) == "main (t.cpp:30)");
    CHECK(range["first_seen"].GetInt64() == fixture.now - 120);
    CHECK(range["last_seen"].GetInt64() == fixture.now - 118);
    // The rate chart: every exception counted once, in minute buckets over the range.
    CHECK(errors["bucket_seconds"].GetInt64() == 60);
    double charted = 0;
    for (const auto& point : errors["exceptions_per_bucket"].GetArray()) charted += point[1].GetDouble();
    CHECK(charted == Approx(22));
}

TEST_CASE("api: a crash is headed by the program's frame and names the uncaught exception", "[api][errors]") {
    ErrorsFixture fixture;
    // crash_kinds uncaught, outermost first, as the agent sends it.
    fixture.upload(error_upload(
        "Crashes", 200, fixture.now - 30,
        {"_start", "main.cold (crash_kinds.cpp:56)", "(anonymous namespace)::crash_throw() (crash_kinds.cpp:39)",
         "__cxa_throw", "std::terminate()", "libstdc++.so.6+0xa8e19",
         "siagent::(anonymous namespace)::on_terminate() (terminate_hook.cpp:44)", "libstdc++.so.6+0x9d918",
         "abort (abort.c:79)", "raise (raise.c:26)", "__pthread_kill_implementation (pthread_kill.c:44)"},
        "SIGABRT: SI_TKILL (raise, abort); std::runtime_error: no way out", 1));
    auto errors = fixture.errors();
    REQUIRE(errors["crashes"].Size() == 1);
    const auto& crash = errors["crashes"][0];
    CHECK(std::string(crash["signal"].GetString()) == "SIGABRT");
    CHECK(std::string(crash["top_frame"].GetString()) == "(anonymous namespace)::crash_throw() (crash_kinds.cpp:39)");
    CHECK(std::string(crash["exception"].GetString()) == "std::runtime_error: no way out");
    // The whole stack stays available, delivery frames included.
    CHECK(crash["frames"].Size() == 11);
    CHECK(errors["exceptions"].Size() == 0);
}
