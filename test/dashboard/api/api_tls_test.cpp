// HTTPS with --tls-cert/--tls-key: agents and the UI over TLS, secure cookies.
#include <catch2/catch.hpp>

#include <ctime>

#include "test/dashboard/api/agent_fixtures.h"
#include "test/dashboard/api/dashboard_server.h"
#include "test/dashboard/api/tls_support.h"

using namespace siagent::testing;

TEST_CASE("api: HTTPS serves agents and the UI, cookies are Secure", "[api][tls]") {
    TemporaryDirectory keys;
    write_self_signed(keys.path() + "/cert.pem", keys.path() + "/key.pem");
    DashboardServer server({"--tls-cert", keys.path() + "/cert.pem", "--tls-key", keys.path() + "/key.pem"});
    CHECK(server.output().find("https://127.0.0.1:") != std::string::npos);

    HttpReply upload = https_call(server.port(), agent_call(server.agent_key(), "upload", python_upload(std::time(nullptr))));
    CHECK(upload.status == 200);
    HttpCall login{"POST", "/api/login", R"({"email": "admin@localhost", "password": ")" + server.password() + "\"}",
                   {{"Content-Type", "application/json"}}, false};
    HttpReply reply = https_call(server.port(), login);
    REQUIRE(reply.status == 200);
    CHECK(reply.headers["Set-Cookie"].find("; Secure") != std::string::npos);
    CHECK(http_call(server.port(), HttpCall{"GET", "/api/me", "", {}, false}).status == 0);  // no plain HTTP
}
