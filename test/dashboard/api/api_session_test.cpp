// Logins, sessions, CSRF, the login rate limit and roles, over real HTTP.
#include <catch2/catch.hpp>

#include "test/dashboard/api/dashboard_server.h"
#include "test/dashboard/api/http_client.h"

using namespace siagent::testing;

TEST_CASE("api: login, me and logout", "[api][session]") {
    DashboardServer server;
    UiClient client(server.port());
    CHECK(client.get("/api/me").status == 401);
    CHECK(client.login("admin@localhost", "wrong password").status == 401);
    HttpReply login = client.login("admin@localhost", server.password());
    REQUIRE(login.status == 200);
    const std::string cookie = login.headers["set-cookie"];
    CHECK(cookie.find("si_session=") == 0);
    CHECK(cookie.find("HttpOnly") != std::string::npos);
    CHECK(cookie.find("SameSite=Strict") != std::string::npos);
    CHECK(json_string(login.body, "csrf_token")->size() == 32);

    HttpReply me = client.get("/api/me");
    REQUIRE(me.status == 200);
    auto body = parse_json(me.body);
    CHECK(std::string(body["user"]["email"].GetString()) == "admin@localhost");
    CHECK(std::string(body["user"]["role"].GetString()) == "owner");
    CHECK(std::string(body["account"]["name"].GetString()) == "default");

    CHECK(client.send_without_csrf("POST", "/api/logout", "").status == 403);
    CHECK(client.post("/api/logout", "").status == 204);
    CHECK(client.get("/api/me").status == 401);  // the session is gone on the server
}

TEST_CASE("api: state-changing requests need the CSRF token", "[api][session]") {
    DashboardServer server;
    UiClient client(server.port());
    REQUIRE(client.login("admin@localhost", server.password()).status == 200);
    CHECK(client.send_without_csrf("POST", "/api/account/keys", R"({"name": "ci"})").status == 403);
    CHECK(client.send_without_csrf("GET", "/api/account", "").status == 200);
    HttpReply created = client.post("/api/account/keys", R"({"name": "ci"})");
    REQUIRE(created.status == 201);
    const std::string key = json_string(created.body, "key").value_or("");
    CHECK(key.rfind("si_", 0) == 0);
    // The key is shown once: the account lists its prefix only.
    HttpReply account = client.get("/api/account");
    CHECK(account.body.find(key) == std::string::npos);
    CHECK(account.body.find(key.substr(0, 7)) != std::string::npos);
    CHECK(server.output().find(key) == std::string::npos);
}

TEST_CASE("api: failed logins are rate-limited", "[api][session]") {
    DashboardServer server;
    UiClient client(server.port());
    for (int i = 0; i < 5; ++i) CHECK(client.login("admin@localhost", "guess " + std::to_string(i)).status == 401);
    HttpReply blocked = client.login("admin@localhost", server.password());
    CHECK(blocked.status == 429);
    CHECK(json_string(blocked.body, "error"));
    // Another email from the same address is not blocked by this one's failures (an address
    // is blocked after twenty), nor would the user be from another address.
    CHECK(UiClient(server.port()).login("nobody@localhost", "x").status == 401);
}

TEST_CASE("api: viewers read, owners change; user add prints a password once", "[api][session]") {
    DashboardServer server;
    const std::string password = server.add_user("viewer@localhost", "viewer", "default");
    REQUIRE(password.size() == 20);
    UiClient viewer(server.port());
    REQUIRE(viewer.login("viewer@localhost", password).status == 200);
    CHECK(viewer.get("/api/account").status == 200);
    CHECK(viewer.post("/api/account/keys", R"({"name": "x"})").status == 403);
    CHECK(viewer.post("/api/account/users", R"({"email": "e@x", "role": "owner", "password": "0123456789"})").status == 403);

    UiClient owner(server.port());
    REQUIRE(owner.login("admin@localhost", server.password()).status == 200);
    HttpReply added = owner.post("/api/account/users", R"({"email": "m@x", "role": "member", "password": "0123456789ab"})");
    REQUIRE(added.status == 201);
    CHECK(owner.post("/api/account/users", R"({"email": "m@x", "role": "member", "password": "0123456789ab"})").status == 409);
    CHECK(owner.post("/api/account/users", R"({"email": "n@x", "role": "god", "password": "0123456789ab"})").status == 400);
    UiClient member(server.port());
    CHECK(member.login("m@x", "0123456789ab").status == 200);
    const auto first = server.output().find(server.password());
    CHECK(server.output().find(server.password(), first + 1) == std::string::npos);
}

TEST_CASE("api: a user changes their own password; their other sessions end", "[api][session]") {
    DashboardServer server;
    UiClient here(server.port()), elsewhere(server.port());
    REQUIRE(here.login("admin@localhost", server.password()).status == 200);
    REQUIRE(elsewhere.login("admin@localhost", server.password()).status == 200);
    CHECK(here.post("/api/me/password", R"({"current_password": "wrong one!", "new_password": "a new secret 1"})").status == 403);
    CHECK(here.post("/api/me/password", R"({"current_password": ")" + server.password() + R"(", "new_password": "short"})").status ==
          400);
    CHECK(here.send_without_csrf("POST", "/api/me/password",
                                 R"({"current_password": ")" + server.password() + R"(", "new_password": "a new secret 1"})")
              .status == 403);
    CHECK(here.post("/api/me/password", R"({"current_password": ")" + server.password() + R"(", "new_password": "a new secret 1"})")
              .status == 204);
    CHECK(here.get("/api/me").status == 200);       // this session goes on
    CHECK(elsewhere.get("/api/me").status == 401);  // the others end
    CHECK(UiClient(server.port()).login("admin@localhost", server.password()).status == 401);
    CHECK(UiClient(server.port()).login("admin@localhost", "a new secret 1").status == 200);
}
