// Whose address a request has behind a reverse proxy (dashboard/server/http/client_address.h).
#include <catch2/catch.hpp>

#include "dashboard/server/http/client_address.h"

using namespace siagent::dashboard;

TEST_CASE("client address: only a trusted proxy's X-Forwarded-For is believed, its rightmost entry", "[proxy]") {
    const std::set<std::string> trusted = canonical_addresses({"127.0.0.1", "::1", "not an address"});
    CHECK(trusted == std::set<std::string>{"127.0.0.1", "::1"});
    CHECK(client_address(trusted, "127.0.0.1", "203.0.113.7") == "203.0.113.7");
    CHECK(client_address(trusted, "::ffff:127.0.0.1", "203.0.113.7") == "203.0.113.7");  // mapped IPv4
    CHECK(client_address(trusted, "::1", " 2001:db8::5 ") == "2001:db8::5");
    // What a client wrote itself is to the left of what the proxy appended.
    CHECK(client_address(trusted, "127.0.0.1", "10.9.9.9, 203.0.113.7") == "203.0.113.7");
    // Not from a trusted proxy: the header is the client's own claim.
    CHECK(client_address(trusted, "198.51.100.2", "203.0.113.7") == "198.51.100.2");
    // Nothing usable forwarded: the peer.
    CHECK(client_address(trusted, "127.0.0.1", "") == "127.0.0.1");
    CHECK(client_address(trusted, "127.0.0.1", "unknown") == "127.0.0.1");
    CHECK(client_address(trusted, "127.0.0.1", "203.0.113.7, ") == "127.0.0.1");
    CHECK(client_address({}, "127.0.0.1", "203.0.113.7") == "127.0.0.1");
}
