// Two accounts on one server: a user of one never reads the other's data, whatever ids
// it tries.
#include <catch2/catch.hpp>

#include <ctime>

#include "test/dashboard/api/agent_fixtures.h"
#include "test/dashboard/api/dashboard_server.h"

using namespace siagent::testing;

TEST_CASE("api: account A cannot see account B's apps, profiles, errors or keys", "[api][isolation]") {
    DashboardServer server;
    const int64_t now = std::time(nullptr);
    const std::string range = "from=" + std::to_string(now - 3600) + "&to=" + std::to_string(now + 60);

    // Account A (default) gets the Python app; account B gets the Node.js app.
    REQUIRE(http_call(server.port(), agent_call(server.agent_key(), "upload", python_upload(now))).status == 200);
    const std::string b_password = server.add_user("owner@b", "owner", "b-corp");
    UiClient b(server.port());
    REQUIRE(b.login("owner@b", b_password).status == 200);
    HttpReply b_key = b.post("/api/account/keys", R"({"name": "b"})");
    REQUIRE(b_key.status == 201);
    REQUIRE(http_call(server.port(), agent_call(*json_string(b_key.body, "key"), "upload", node_upload(now))).status == 200);

    UiClient a(server.port());
    REQUIRE(a.login("admin@localhost", server.password()).status == 200);
    auto a_apps = parse_json(a.get("/api/apps").body);
    auto b_apps = parse_json(b.get("/api/apps").body);
    REQUIRE(a_apps["apps"].Size() == 1);
    REQUIRE(b_apps["apps"].Size() == 1);
    CHECK(std::string(a_apps["apps"][0]["name"].GetString()) == "py-shop");
    CHECK(std::string(b_apps["apps"][0]["name"].GetString()) == "node-web");
    const std::string b_app = std::to_string(b_apps["apps"][0]["id"].GetInt64());

    // B's own view works...
    CHECK(parse_json(b.get("/api/apps/" + b_app + "/profile?kind=cpu&" + range).body)["reports"].GetInt() == 1);
    // ...and A asking for B's app by id gets 404 everywhere, with nothing of B's in the body.
    for (const char* path : {"/profile?kind=cpu&", "/profile/kinds?", "/profile/timeline?kind=cpu&", "/metrics?",
                             "/metrics?group=process&", "/errors?", "/filters?", "/settings?"}) {
        HttpReply reply = a.get("/api/apps/" + b_app + std::string(path) + range);
        INFO(path);
        CHECK(reply.status == 404);
        CHECK(reply.body.find("processRequest") == std::string::npos);
        CHECK(reply.body.find("node") == std::string::npos);
    }
    CHECK(a.put("/api/apps/" + b_app + "/settings", R"({"max_active_processes": 1})").status == 404);
    CHECK(b.get("/api/apps/" + b_app + "/settings").body.find("null") != std::string::npos);  // unchanged

    // Users and keys of B are neither listed nor removable by A.
    auto b_account = parse_json(b.get("/api/account").body);
    const std::string b_user = std::to_string(b_account["users"][0]["id"].GetInt64());
    const std::string b_key_id = std::to_string(b_account["keys"][0]["id"].GetInt64());
    CHECK(a.get("/api/account").body.find("owner@b") == std::string::npos);
    CHECK(a.del("/api/account/users/" + b_user).status == 404);
    CHECK(a.put("/api/account/users/" + b_user, R"({"role": "viewer"})").status == 404);
    CHECK(a.del("/api/account/keys/" + b_key_id).status == 404);
    CHECK(b.get("/api/me").status == 200);
}
