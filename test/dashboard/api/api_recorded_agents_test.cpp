// The released original agents' own uploads (recorded/README.md says what their programs
// do) go through the real server as those agents send them (Go and Python with a length,
// Node.js chunked; all gzipped), and every view reads them: the standard tabs (cpu, alloc,
// inuse, block, error), the apps list's memory, the error sites, the frame names, and the
// runtime of each process.
#include <catch2/catch.hpp>

#include <algorithm>
#include <ctime>
#include <set>

#include "test/dashboard/api/agent_fixtures.h"
#include "test/dashboard/api/dashboard_server.h"

using namespace siagent::testing;

namespace {

struct RecordedAgent {
    std::string folder;  // under test/dashboard/api/recorded
    std::string app;
    bool chunked = false;
};

const RecordedAgent kPython{"python-1.2.6", "py-recorded"};
const RecordedAgent kGo{"go-2.3.10", "go-recorded"};
const RecordedAgent kNode{"node-1.3.26", "node-recorded", true};

struct Dashboard {
    DashboardServer server;
    UiClient client{server.port()};
    int64_t now = std::time(nullptr);

    Dashboard() { REQUIRE(client.login("admin@localhost", server.password()).status == 200); }

    void replay(const RecordedAgent& agent, const std::string& target = "/agent/v1/upload") {
        for (const std::string& body : recorded_uploads(agent.folder, now)) {
            HttpCall call = agent_call(server.agent_key(), "upload", body, true, agent.chunked);
            call.target = target;
            HttpReply reply = http_call(server.port(), call);
            INFO(agent.folder << ": " << reply.body);
            REQUIRE(reply.status == 200);
        }
    }

    rapidjson::Document apps() { return parse_json(client.get("/api/apps").body); }

    std::string app_id(const std::string& name) {
        auto listed = apps();
        for (const auto& app : listed["apps"].GetArray()) {
            if (name == app["name"].GetString()) return std::to_string(app["id"].GetInt64());
        }
        FAIL("no app " << name);
        return {};
    }

    std::string range() const { return "from=" + std::to_string(now - 3600) + "&to=" + std::to_string(now + 60); }

    rapidjson::Document get(const std::string& app, const std::string& what) {
        HttpReply reply = client.get("/api/apps/" + app_id(app) + "/" + what + (what.find('?') == std::string::npos ? "?" : "&") + range());
        INFO(what << ": " << reply.body);
        REQUIRE(reply.status == 200);
        return parse_json(reply.body);
    }

    std::set<std::string> kinds(const std::string& app) {
        std::set<std::string> names;
        auto listed = get(app, "profile/kinds");
        for (const auto& kind : listed["kinds"].GetArray()) names.insert(kind["kind"].GetString());
        return names;
    }
};

// The first hot spot by self value that is a function of the program: V8's pseudo-frames
// ("(idle)", "(program)", "(garbage collector)") are not.
std::string top_function(const rapidjson::Value& profile) {
    for (const auto& spot : profile["hotspots"].GetArray()) {
        const std::string function = spot["function"].GetString();
        if (function == "(idle)" || function == "(program)" || function == "(garbage collector)") continue;
        return function;
    }
    return "";
}

std::string kinds_text(const std::set<std::string>& kinds) {
    std::string text;
    for (const std::string& kind : kinds) text += kind + " ";
    return text;
}

}  // namespace

TEST_CASE("recorded agents: each runtime fills the standard tabs, traces stay on their own", "[api][compat][recorded]") {
    Dashboard dashboard;
    dashboard.replay(kPython);
    dashboard.replay(kGo);
    dashboard.replay(kNode);

    const auto python = dashboard.kinds(kPython.app);
    INFO("python: " << kinds_text(python));
    CHECK(python == std::set<std::string>{"cpu", "inuse", "block", "error"});
    const auto go = dashboard.kinds(kGo.app);
    INFO("go: " << kinds_text(go));
    CHECK(go == std::set<std::string>{"cpu", "inuse", "block", "error", "block-trace/Blocking call times"});
    const auto node = dashboard.kinds(kNode.app);
    INFO("node: " << kinds_text(node));
    CHECK(node == std::set<std::string>{"cpu", "alloc", "block", "error", "async-trace/Async call times"});

    // Each tab holds what the program does.
    CHECK(top_function(dashboard.get(kPython.app, "profile?kind=cpu")) == "cpu_work");
    CHECK(top_function(dashboard.get(kGo.app, "profile?kind=cpu")) == "main.cpuWork");
    // V8 inlines part of cpuWork into its caller, tick: the two share the top.
    auto node_cpu = dashboard.get(kNode.app, "profile?kind=cpu");
    const rapidjson::Value* burn = find_hotspot(node_cpu, "cpuWork");
    const rapidjson::Value* allocate = find_hotspot(node_cpu, "allocateMemory");
    REQUIRE(burn != nullptr);
    REQUIRE(allocate != nullptr);
    CHECK((*burn)["self"].GetDouble() > 5 * (*allocate)["self"].GetDouble());
    CHECK(top_function(node_cpu) == "tick");
    auto go_heap = dashboard.get(kGo.app, "profile?kind=inuse");
    CHECK(std::string(go_heap["name"].GetString()) == "Heap allocation");
    CHECK(top_function(go_heap) == "main.leakMemory");
    CHECK(top_function(dashboard.get(kNode.app, "profile?kind=alloc")) != "");
    auto go_block = dashboard.get(kGo.app, "profile?kind=block");
    CHECK(find_hotspot(go_block, "main.waitOnChannel") != nullptr);
    // Node.js's two error profiles add up in one tab.
    auto node_errors = dashboard.get(kNode.app, "profile?kind=error");
    CHECK(std::string(node_errors["name"].GetString()) == "Uncaught exceptions + Unhandled rejections");
    CHECK(find_hotspot(node_errors, "parsePayment") != nullptr);
    CHECK(find_hotspot(node_errors, "rejectLater") != nullptr);
}

TEST_CASE("recorded agents: error sites are the raising function, whatever the agent's frame order", "[api][compat][recorded]") {
    Dashboard dashboard;
    dashboard.replay(kPython);
    dashboard.replay(kGo);
    dashboard.replay(kNode);
    auto site_of = [&](const RecordedAgent& agent, const std::string& type) -> std::string {
        auto errors = dashboard.get(agent.app, "errors");
        INFO(agent.folder);
        for (const auto& exception : errors["exceptions"].GetArray()) {
            if (type == exception["type"].GetString()) return exception["site"].GetString();
        }
        return "no " + type;
    };
    // Python writes the innermost frame first (the server turns it).
    CHECK(site_of(kPython, "ValueError") == "parse_payment (py_app.py:27)");
    CHECK(site_of(kGo, "payment declined") == "main.failSometimes (/tmp/gopath/src/goapp/main.go:34)");
    // Node.js sends the message without the error's class: "payment declined: 42".
    CHECK(site_of(kNode, "payment declined") == "parsePayment (/tmp/rec/node/node_app.js:11:39)");
    CHECK(site_of(kNode, "lookup failed") == "rejectLater (/tmp/rec/node/node_app.js:12:48)");
}

TEST_CASE("recorded agents: memory in the apps list, runtimes and agent versions shown", "[api][compat][recorded]") {
    Dashboard dashboard;
    dashboard.replay(kPython);
    dashboard.replay(kGo);
    dashboard.replay(kNode);
    auto listed = dashboard.apps();
    std::map<std::string, std::string> runtime_of;
    for (const auto& app : listed["apps"].GetArray()) {
        const std::string name = app["name"].GetString();
        INFO(name);
        // Python and Go send "Current RSS" in kilobytes, Node.js "RSS" in bytes: all read.
        REQUIRE(app["health"]["rss_bytes"].IsNumber());
        CHECK(app["health"]["rss_bytes"].GetDouble() > 10e6);
        CHECK(app["health"]["rss_bytes"].GetDouble() < 2e9);
        REQUIRE(app["runtimes"].Size() == 1);
        runtime_of[name] = app["runtimes"][0].GetString();
    }
    CHECK(runtime_of == std::map<std::string, std::string>{
                            {"py-recorded", "python"}, {"go-recorded", "go"}, {"node-recorded", "node.js"}});
    auto processes = dashboard.get(kNode.app, "filters");
    REQUIRE(processes["processes"].Size() == 1);
    const auto& node = processes["processes"][0];
    CHECK(std::string(node["runtime_type"].GetString()) == "node.js");
    CHECK(std::string(node["runtime_version"].GetString()) == "v20.20.2");
    CHECK(std::string(node["agent_version"].GetString()) == "1.3.26");
    auto python = dashboard.get(kPython.app, "filters");
    CHECK(std::string(python["processes"][0]["agent_version"].GetString()) == "1.2.6");
}

TEST_CASE("recorded agents: Node.js anonymous frames and Python allocation frames have a file and line", "[api][compat][recorded]") {
    Dashboard dashboard;
    dashboard.replay(kPython);
    dashboard.replay(kNode);
    auto heap = dashboard.get(kPython.app, "profile?kind=inuse");
    const rapidjson::Value* leak = find_hotspot(heap, "py_app.py:19");
    REQUIRE(leak != nullptr);
    CHECK(std::string((*leak)["file"].GetString()) == "py_app.py");
    CHECK((*leak)["line"].GetInt() == 19);
    CHECK(top_function(heap) == "py_app.py:19");  // allocate_memory's list, kept for ever
    auto async = dashboard.get(kNode.app, "profile?kind=block");
    const rapidjson::Value* anonymous = find_hotspot(async, "(anonymous)", "/tmp/rec/node/node_app.js");
    REQUIRE(anonymous != nullptr);
    CHECK((*anonymous)["line"].GetInt() == 20);
}

TEST_CASE("recorded agents: an address with a trailing slash works, and refusals are told", "[api][compat][recorded]") {
    Dashboard dashboard;
    // The printed address has no trailing slash; agents given one anyway post to //agent/...
    CHECK(dashboard.server.output().find("listening on http://127.0.0.1:" + std::to_string(dashboard.server.port()) + "\n") !=
          std::string::npos);
    dashboard.replay(kGo, "//agent/v1/upload");
    dashboard.replay(kPython, "///agent/v1/upload");
    CHECK(dashboard.kinds(kGo.app).count("cpu") == 1);
    CHECK(dashboard.kinds(kPython.app).count("cpu") == 1);

    // A refused upload with a known key: logged once a minute per reason, with the key's
    // name and never the key; listed on the Account page under that key.
    for (int i = 0; i < 3; ++i) {
        HttpReply refused = http_call(dashboard.server.port(),
                                      agent_call(dashboard.server.agent_key(), "upload", R"({"app_name": 5})"));
        CHECK(refused.status == 400);
    }
    CHECK(http_call(dashboard.server.port(), agent_call("si_0123456789abcdef0123456789abcdef", "upload", "{}")).status == 401);
    const std::string output = dashboard.server.output();
    const std::string log = output.substr(output.find("listening on"));  // past the first-start notice
    INFO(log);
    size_t lines = 0;
    for (size_t at = log.find("refused agent request to /agent/v1/upload"); at != std::string::npos;
         at = log.find("refused agent request to /agent/v1/upload", at + 1)) {
        ++lines;
    }
    CHECK(lines == 2);  // the three 400s in one line, the unknown key in another
    CHECK(log.find("with key \"first key\": 400") != std::string::npos);
    CHECK(log.find("with no known key: 401 unknown agent key") != std::string::npos);
    CHECK(log.find(dashboard.server.agent_key()) == std::string::npos);
    CHECK(log.find("si_0123456789abcdef0123456789abcdef") == std::string::npos);

    auto account = parse_json(dashboard.client.get("/api/account").body);
    REQUIRE(account["keys"].Size() == 1);
    const auto& refused = account["keys"][0]["refused"];
    REQUIRE(refused.Size() == 3);
    CHECK(refused[0]["status"].GetInt() == 400);
    CHECK(std::string(refused[0]["endpoint"].GetString()) == "/agent/v1/upload");
    CHECK(std::string(refused[0]["address"].GetString()) == "127.0.0.1");
    CHECK(std::string(refused[0]["reason"].GetString()).size() > 0);
}
