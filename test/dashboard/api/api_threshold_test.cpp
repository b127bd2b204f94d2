// The account's anomaly threshold over HTTP: read by every user of the account, changed by
// its owners only, bounded and validated (400 naming the bounds), listed with the anomalies,
// and private to the account: another account reads and changes only its own.
#include <catch2/catch.hpp>

#include <ctime>

#include "test/dashboard/api/agent_fixtures.h"
#include "test/dashboard/api/dashboard_server.h"

using namespace siagent::testing;

namespace {

constexpr const char* kPath = "/api/account/anomaly-threshold";

double threshold_of(UiClient& client) {
    HttpReply reply = client.get(kPath);
    REQUIRE(reply.status == 200);
    return parse_json(reply.body)["threshold"].GetDouble();
}

}  // namespace

TEST_CASE("api: the anomaly threshold defaults to the detector's, owners change it within bounds", "[api][anomalies]") {
    DashboardServer server;
    UiClient owner(server.port());
    REQUIRE(owner.login("admin@localhost", server.password()).status == 200);

    auto initial = parse_json(owner.get(kPath).body);
    CHECK(initial["threshold"].GetDouble() == Approx(0.9));
    CHECK(initial["default"].GetDouble() == Approx(0.9));
    CHECK(initial["min"].GetDouble() == Approx(0.5));
    CHECK(initial["max"].GetDouble() == Approx(0.999));
    CHECK(!initial["custom"].GetBool());

    HttpReply set = owner.put(kPath, R"({"threshold": 0.95})");
    REQUIRE(set.status == 200);
    CHECK(parse_json(set.body)["threshold"].GetDouble() == Approx(0.95));
    CHECK(parse_json(set.body)["custom"].GetBool());
    CHECK(threshold_of(owner) == Approx(0.95));

    // Bad input: 400 with the reason, and the stored value unchanged.
    for (const char* body : {R"({"threshold": 1.5})", R"({"threshold": 0.2})", R"({"threshold": -1})",
                             R"({"threshold": 1e400})", R"({"threshold": "0.9"})", R"({"threshold": true})",
                             R"({"threshold": [0.9]})", R"({"other": 0.9})", R"([0.9])", "0.9", "not json"}) {
        INFO(body);
        HttpReply reply = owner.put(kPath, body);
        CHECK(reply.status == 400);
        CHECK(!reply.body.empty());
    }
    CHECK(owner.put(kPath, R"({"threshold": 1.5})").body.find("from 0.5 to 0.999") != std::string::npos);
    CHECK(owner.put(kPath, R"({})").body.find("threshold is required") != std::string::npos);
    CHECK(threshold_of(owner) == Approx(0.95));
    CHECK(owner.post(kPath, R"({"threshold": 0.9})").status == 405);
    CHECK(owner.get(std::string(kPath) + "/1").status == 404);

    // The bounds themselves are accepted; null goes back to the default.
    CHECK(owner.put(kPath, R"({"threshold": 0.5})").status == 200);
    CHECK(owner.put(kPath, R"({"threshold": 0.999})").status == 200);
    REQUIRE(owner.put(kPath, R"({"threshold": null})").status == 200);
    CHECK(threshold_of(owner) == Approx(0.9));
    CHECK(!parse_json(owner.get(kPath).body)["custom"].GetBool());

    // Members and viewers read it; only owners change it.
    CHECK(owner.put(kPath, R"({"threshold": 0.97})").status == 200);
    for (const char* role : {"member", "viewer"}) {
        const std::string email = std::string(role) + "@localhost";
        const std::string password = server.add_user(email, role, "default");
        UiClient user(server.port());
        REQUIRE(user.login(email, password).status == 200);
        CHECK(threshold_of(user) == Approx(0.97));
        HttpReply refused = user.put(kPath, R"({"threshold": 0.6})");
        CHECK(refused.status == 403);
    }
    CHECK(threshold_of(owner) == Approx(0.97));
}

TEST_CASE("api: an account's anomaly threshold is its own, listed with its anomalies", "[api][anomalies][isolation]") {
    DashboardServer server;
    const int64_t now = std::time(nullptr);
    REQUIRE(http_call(server.port(), agent_call(server.agent_key(), "upload", python_upload(now))).status == 200);
    UiClient a(server.port());
    REQUIRE(a.login("admin@localhost", server.password()).status == 200);
    const std::string b_password = server.add_user("owner@b", "owner", "b-corp");
    UiClient b(server.port());
    REQUIRE(b.login("owner@b", b_password).status == 200);

    REQUIRE(a.put(kPath, R"({"threshold": 0.95})").status == 200);
    CHECK(threshold_of(b) == Approx(0.9));  // B does not read A's
    REQUIRE(b.put(kPath, R"({"threshold": 0.7})").status == 200);
    CHECK(threshold_of(a) == Approx(0.95));  // nor change it
    CHECK(threshold_of(b) == Approx(0.7));

    auto apps = parse_json(a.get("/api/apps").body);
    REQUIRE(apps["apps"].Size() == 1);
    const std::string list = "/api/apps/" + std::to_string(apps["apps"][0]["id"].GetInt64()) +
                             "/anomalies?from=" + std::to_string(now - 3600) + "&to=" + std::to_string(now + 60);
    HttpReply reply = a.get(list);
    REQUIRE(reply.status == 200);
    CHECK(parse_json(reply.body)["threshold"].GetDouble() == Approx(0.95));
}
