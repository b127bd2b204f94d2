#include "preload/loader/environment.h"

#include <stdlib.h>

#include <catch2/catch.hpp>
#include <string>

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

TEST_CASE("the first stage reads a variable as getenv does, without libc's string code", "[loader]") {
    setenv("SIAGENT_TEST_VARIABLE", "a=b c", 1);
    setenv("SIAGENT_TEST_VARIABLE_LONGER", "other", 1);
    setenv("SIAGENT_TEST_EMPTY", "", 1);
    unsetenv("SIAGENT_TEST_UNSET");
    REQUIRE(siagent::environment_value("SIAGENT_TEST_VARIABLE") != nullptr);
    CHECK(std::string(siagent::environment_value("SIAGENT_TEST_VARIABLE")) == "a=b c");
    CHECK(std::string(siagent::environment_value("SIAGENT_TEST_VARIABLE_LONGER")) == "other");
    REQUIRE(siagent::environment_value("SIAGENT_TEST_EMPTY") != nullptr);
    CHECK(std::string(siagent::environment_value("SIAGENT_TEST_EMPTY")).empty());
    CHECK(siagent::environment_value("SIAGENT_TEST_UNSET") == nullptr);
    CHECK(siagent::environment_value("SIAGENT_TEST_VARIAB") == nullptr);  // a prefix is not a name
}
