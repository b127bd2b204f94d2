// The one validator of dashboard and webhook addresses (core/dashboard_address.h).
#include <catch2/catch.hpp>

#include "core/dashboard_address.h"

using siagent::parse_dashboard_address;

TEST_CASE("dashboard address: the forms accepted, taken apart") {
    auto plain = parse_dashboard_address("http://dash.example:8080/prefix/");
    REQUIRE(plain);
    CHECK_FALSE(plain->tls);
    CHECK(plain->host == "dash.example");
    CHECK(plain->port == "8080");
    CHECK(plain->path_prefix == "/prefix");
    auto tls = parse_dashboard_address("HTTPS://[::1]");
    REQUIRE(tls);
    CHECK(tls->tls);
    CHECK(tls->host == "::1");
    CHECK(tls->port == "443");
    CHECK(tls->host_header() == "[::1]");
}

TEST_CASE("dashboard address: everything else is refused, whoever asks") {
    for (const char* refused : {"", "dash:8080", "ftp://dash", "http://", "http://:80", "http://dash:",
                                "http://dash:0", "http://dash:65536", "http://dash:80x", "http://da sh",
                                "http://dash/a b", "http://dash/\x01", "http://[::1", "http://[::g]",
                                "http://[::1]x", "http://user@dash"}) {
        INFO(refused);
        CHECK_FALSE(parse_dashboard_address(refused));
    }
}
