#include "core/report_schedule.h"

#include <catch2/catch.hpp>

using siagent::next_report_delay_ms;

TEST_CASE("a process whose exit is seen reports every SI_REPORT_INTERVAL") {
    CHECK(next_report_delay_ms(60'000, false, 0) == 60'000);
    CHECK(next_report_delay_ms(60'000, false, 3'000) == 60'000);
}

TEST_CASE("a process whose exit is unseen loses at most a few seconds") {
    // Every second for the first five seconds, then every five.
    uint64_t since_start = 0;
    int reports_in_first_five_seconds = 0;
    while (since_start < 5'000) {
        since_start += next_report_delay_ms(60'000, true, since_start);
        ++reports_in_first_five_seconds;
    }
    CHECK(reports_in_first_five_seconds == 5);
    CHECK(next_report_delay_ms(60'000, true, 5'000) == 5'000);
    CHECK(next_report_delay_ms(60'000, true, 3'600'000) == 5'000);
    // Never less often than asked.
    CHECK(next_report_delay_ms(2'000, true, 10'000) == 2'000);
    CHECK(next_report_delay_ms(500, true, 0) == 500);
}

TEST_CASE("this test program is not a Go program") {
    CHECK_FALSE(siagent::executable_is_go());
}
