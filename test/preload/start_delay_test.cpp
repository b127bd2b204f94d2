#include "preload/loader/environment.h"

#include <catch2/catch.hpp>

using siagent::kDefaultStartDelayMs;
using siagent::start_delay_ms;

TEST_CASE("SI_START_DELAY reads as the agent's durations: seconds, or ms, s, m, h", "[loader]") {
    CHECK(start_delay_ms("0") == 0);
    CHECK(start_delay_ms("0ms") == 0);
    CHECK(start_delay_ms("250ms") == 250);
    CHECK(start_delay_ms("2") == 2000);
    CHECK(start_delay_ms("1.5s") == 1500);
    CHECK(start_delay_ms("0.5m") == 30'000);
    CHECK(start_delay_ms(" 30s") == 30'000);
    CHECK(start_delay_ms("1m") == 60'000);
}

TEST_CASE("SI_START_DELAY unset, empty, malformed or beyond a minute gives the default",
          "[loader]") {
    for (const char* value : {static_cast<const char*>(nullptr), "", "  ", "soon", "-1", "5x",
                              "10 ms", "2m", "1h", "99999999999999999999"}) {
        INFO((value != nullptr ? value : "(unset)"));
        CHECK(start_delay_ms(value) == kDefaultStartDelayMs);
    }
}
