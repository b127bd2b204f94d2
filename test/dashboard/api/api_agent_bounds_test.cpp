// Bad agent input over real HTTP: every case gets a 4xx with a JSON reason, the server
// stays up, and what was stored before is still there.
#include <catch2/catch.hpp>

#include <ctime>

#include "test/dashboard/api/agent_fixtures.h"
#include "test/dashboard/api/dashboard_server.h"
#include "transport/gzip.h"

using namespace siagent::testing;

namespace {

int reports_of(UiClient& client, const std::string& kind = "cpu") {
    HttpReply apps = client.get("/api/apps");
    auto body = parse_json(apps.body);
    if (!body.IsObject() || body["apps"].Empty()) return -1;
    const int64_t now = std::time(nullptr);
    HttpReply profile = client.get("/api/apps/" + std::to_string(body["apps"][0]["id"].GetInt64()) +
                                   "/profile?kind=" + kind + "&from=" + std::to_string(now - 3600) +
                                   "&to=" + std::to_string(now + 60));
    return parse_json(profile.body)["reports"].GetInt();
}

void check_refused(int port, const HttpCall& call, int status) {
    HttpReply reply = http_call(port, call);
    INFO(call.target << " -> " << reply.status << " " << reply.body.substr(0, 200));
    CHECK(reply.status == status);
    CHECK(json_string(reply.body, "error"));
}

}  // namespace

TEST_CASE("api: bad agent input is refused with a 4xx and nothing stored is lost", "[api][bounds]") {
    DashboardServer server;
    const int64_t now = std::time(nullptr);
    const std::string key = server.agent_key();
    REQUIRE(http_call(server.port(), agent_call(key, "upload", python_upload(now))).status == 200);
    UiClient client(server.port());
    REQUIRE(client.login("admin@localhost", server.password()).status == 200);
    REQUIRE(reports_of(client) == 1);

    SECTION("unknown key, wrong method, unknown endpoint") {
        check_refused(server.port(), agent_call("si_00000000000000000000000000000000", "upload", python_upload(now)), 401);
        HttpCall get = agent_call(key, "config", "{}");
        get.method = "GET";
        check_refused(server.port(), get, 405);
        check_refused(server.port(), agent_call(key, "download", "{}"), 404);
    }
    SECTION("truncated gzip") {
        HttpCall call = agent_call(key, "upload", python_upload(now));
        call.body.resize(call.body.size() / 2);
        check_refused(server.port(), call, 400);
    }
    SECTION("a gzip bomb") {
        HttpCall call = agent_call(key, "upload", std::string(100 * 1024 * 1024, ' ') + "{}");
        CHECK(call.body.size() < 200 * 1024);
        check_refused(server.port(), call, 413);
    }
    SECTION("wrong types") {
        std::string body = python_upload(now);
        body.replace(body.find("\"process_id\": 4711"), 18, "\"process_id\": [4711]");
        check_refused(server.port(), agent_call(key, "upload", body), 400);
        check_refused(server.port(), agent_call(key, "upload", R"({"app_name": 1})"), 400);
        check_refused(server.port(), agent_call(key, "upload", "not json"), 400);
    }
    SECTION("a 10 MB string") {
        std::string body = python_upload(now);
        body.replace(body.find("py-host"), 7, std::string(10 * 1024 * 1024, 'h'));
        check_refused(server.port(), agent_call(key, "upload", body), 413);
    }
    SECTION("10 000 levels of nesting") {
        std::string body = python_upload(now);
        body.replace(body.find("{}"), 2, std::string(10'000, '[') + std::string(10'000, ']'));
        check_refused(server.port(), agent_call(key, "upload", body), 400);
    }
    SECTION("a body past the wire limit, sent as is") {
        check_refused(server.port(), agent_call(key, "upload", std::string(10 * 1024 * 1024, ' '), false), 413);
    }
    SECTION("headers past the header limit") {
        HttpCall call = agent_call(key, "upload", python_upload(now));
        for (int i = 0; i < 4; ++i) call.headers["X-Padding-" + std::to_string(i)] = std::string(8 * 1024, 'p');
        check_refused(server.port(), call, 431);
    }
    SECTION("malformed chunked encoding") {
        const std::string reply = raw_exchange(server.port(),
            "POST /agent/v1/upload HTTP/1.1\r\nHost: x\r\nAuthorization: " + agent_authorization(key) +
            "\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nnot a chunk\r\n0\r\n\r\n");
        CHECK(reply.rfind("HTTP/1.1 400", 0) == 0);
    }
    // Whatever was refused, the server still answers and still has the first report.
    CHECK(reports_of(client) == 1);
    REQUIRE(http_call(server.port(), agent_call(key, "upload", python_upload(now))).status == 200);
    CHECK(reports_of(client) == 2);
}

TEST_CASE("api: responses are gzipped when the client accepts it", "[api][bounds]") {
    DashboardServer server;
    const int64_t now = std::time(nullptr);
    const std::string long_name = "function_with_a_long_name_" + std::string(2000, 'x');
    REQUIRE(http_call(server.port(), agent_call(server.agent_key(), "upload", native_cpu_upload("big", 1, now, long_name))).status == 200);
    UiClient client(server.port());
    REQUIRE(client.login("admin@localhost", server.password()).status == 200);
    HttpReply apps = client.get("/api/apps");
    auto id = std::to_string(parse_json(apps.body)["apps"][0]["id"].GetInt64());
    HttpReply profile = client.get("/api/apps/" + id + "/profile?kind=cpu");
    CHECK(profile.status == 200);
    CHECK(profile.was_gzipped);
    CHECK(profile.body.find(long_name) != std::string::npos);
    HttpReply plain = http_call(server.port(), HttpCall{"GET", "/api/apps/" + id + "/profile?kind=cpu", "",
                                                        {{"Cookie", client.cookie()}}, false});
    CHECK_FALSE(plain.was_gzipped);
    CHECK(plain.body == profile.body);
    HttpReply config = http_call(server.port(), agent_call(server.agent_key(), "config",
                                                           native_config("x", 1, "abcdef0123456789", now)));
    CHECK(config.status == 200);
    CHECK(json_string(config.body, "agent_enabled") == std::optional<std::string>("yes"));
}
