// The released StackImpact Node.js agent (stackimpact 1.3.26 from npm, installed and its
// addon built by test/original_agents/node/install.sh) profiles app.js of that folder for
// real against a fresh dashboard; its app must fill the standard tabs with what app.js does.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <ctime>
#include <set>

#include "test/dashboard/api/agent_fixtures.h"
#include "test/dashboard/api/dashboard_server.h"

using namespace siagent::testing;

TEST_CASE("the released Node.js agent fills the standard tabs", "[api][compat][node-agent]") {
    const char* node = std::getenv("SIAGENT_NODE");
    const char* agent_dir = std::getenv("SIAGENT_NODE_AGENT_DIR");
    const char* source = std::getenv("SIAGENT_SOURCE_DIR");
    if (node == nullptr || agent_dir == nullptr || source == nullptr) {
        WARN("no node and npm at configure time: the released Node.js agent was not installed");
        return;
    }
    DashboardServer server;
    UiClient client{server.port()};
    REQUIRE(client.login("admin@localhost", server.password()).status == 200);
    const int64_t started = std::time(nullptr);
    // The address as the first start prints it.
    RunResult app = run({node, std::string(source) + "/test/original_agents/node/app.js"},
                        {{"NODE_PATH", std::string(agent_dir) + "/node_modules"},
                         {"DASHBOARD", "http://127.0.0.1:" + std::to_string(server.port())},
                         {"KEY", server.agent_key()},
                         {"DEBUG", "1"}},
                        90);
    INFO(app.out << app.err);
    REQUIRE(app.exit_code == 0);

    auto apps = parse_json(client.get("/api/apps").body);
    REQUIRE(apps["apps"].Size() == 1);
    const auto& listed = apps["apps"][0];
    const std::string id = std::to_string(listed["id"].GetInt64());
    CHECK(std::string(listed["runtimes"][0].GetString()) == "node.js");
    REQUIRE(listed["health"]["rss_bytes"].IsNumber());  // Node.js's "RSS", in bytes
    CHECK(listed["health"]["rss_bytes"].GetDouble() > 10e6);
    const std::string range = "from=" + std::to_string(started - 60) + "&to=" + std::to_string(std::time(nullptr) + 60);
    auto get = [&](const std::string& what) {
        HttpReply reply = client.get("/api/apps/" + id + "/" + what + (what.find('?') == std::string::npos ? "?" : "&") + range);
        INFO(what << ": " << reply.body);
        REQUIRE(reply.status == 200);
        return parse_json(reply.body);
    };

    std::set<std::string> kinds;
    auto listed_kinds = get("profile/kinds");
    for (const auto& kind : listed_kinds["kinds"].GetArray()) kinds.insert(kind["kind"].GetString());
    for (const std::string standard : {"cpu", "alloc", "block", "error"}) {
        INFO("kind " << standard);
        CHECK(kinds.count(standard) == 1);
    }
    CHECK(kinds.count("async-trace/Async call times") == 1);  // a trace stays a kind of its own

    auto cpu = get("profile?kind=cpu");
    const rapidjson::Value* burn = find_hotspot(cpu, "cpuWork");
    REQUIRE(burn != nullptr);
    const rapidjson::Value* allocate = find_hotspot(cpu, "allocateMemory");
    if (allocate != nullptr) CHECK((*burn)["self"].GetDouble() > (*allocate)["self"].GetDouble());
    auto alloc = get("profile?kind=alloc");
    CHECK(alloc["reports"].GetInt() > 0);
    CHECK(alloc["total"].GetDouble() > 0);
    auto block = get("profile?kind=block");
    CHECK(std::string(block["name"].GetString()) == "Async call times");
    CHECK(block["total"].GetDouble() > 0);
    auto errors = get("profile?kind=error");
    CHECK(find_hotspot(errors, "parsePayment") != nullptr);
    CHECK(find_hotspot(errors, "rejectLater") != nullptr);

    auto listed_errors = get("errors");
    std::set<std::string> sites;  // "function (file:line:column)", without the line and column
    for (const auto& exception : listed_errors["exceptions"].GetArray()) {
        const std::string site = exception["site"].GetString();
        sites.insert(site.substr(0, site.find(".js:") + 3));
    }
    const std::string file = std::string(source) + "/test/original_agents/node/app.js";
    CHECK(sites.count("parsePayment (" + file) == 1);
    CHECK(sites.count("rejectLater (" + file) == 1);

    auto processes = get("filters");
    REQUIRE(processes["processes"].Size() == 1);
    CHECK(std::string(processes["processes"][0]["agent_version"].GetString()) == "1.3.26");
}
