// What the end-to-end tests ask a dashboard's UI API about one application (a logged-in
// UiClient). Uses Catch2's REQUIRE: for test cases only.
#pragma once

#include <catch2/catch.hpp>

#include <chrono>
#include <cstdint>
#include <ctime>
#include <string>
#include <thread>

#include "test/dashboard/api/http_client.h"

namespace siagent::testing {

// The id of the application called `name`, empty when there is none.
inline std::string app_id_named(UiClient& client, const std::string& name) {
    HttpReply reply = client.get("/api/apps");
    REQUIRE(reply.status == 200);
    auto apps = parse_json(reply.body);
    REQUIRE(apps.IsObject());
    for (const auto& app : apps["apps"].GetArray()) {
        if (name == app["name"].GetString()) return std::to_string(app["id"].GetInt64());
    }
    return {};
}

// Waits (at most 20 s: the agent flushes at exit, the server needs a moment to store the
// last upload) until the application `name` exists and `ready(app_id)`; its id, or empty.
template <class Ready>
std::string wait_for_app(UiClient& client, const std::string& name, Ready ready) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    std::string app_id;
    while (std::chrono::steady_clock::now() < deadline) {
        app_id = app_id_named(client, name);
        if (!app_id.empty() && ready(app_id)) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    return app_id;
}

// from/to covering a run that started at `started` (a minute of slack on both sides).
inline std::string range_since(int64_t started) {
    return "from=" + std::to_string(started - 60) + "&to=" + std::to_string(std::time(nullptr) + 60);
}

// GET /api/apps/{app_id}/{what}: 200 and a JSON object, or the test stops.
inline rapidjson::Document app_get(UiClient& client, const std::string& app_id, const std::string& what) {
    HttpReply reply = client.get("/api/apps/" + app_id + "/" + what);
    INFO(what << ": " << reply.body.substr(0, 2000));
    REQUIRE(reply.status == 200);
    auto document = parse_json(reply.body);
    REQUIRE(document.IsObject());
    return document;
}

}  // namespace siagent::testing
