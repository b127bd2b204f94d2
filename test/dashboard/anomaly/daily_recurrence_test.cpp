#include "dashboard/server/anomaly/daily_recurrence.h"

#include <catch2/catch.hpp>

using namespace siagent::dashboard::anomaly;

namespace {

constexpr int64_t kDay = 86400;
constexpr int64_t kHour = 3600;
constexpr int64_t kMidnight = 1700006400;  // 2023-11-15 00:00:00 UTC

}  // namespace

TEST_CASE("a deviation two of the last three days had near that hour is routine", "[anomaly][daily]") {
    DailyRecurrence recurrence;
    recurrence.add(kMidnight + 3 * kHour, 20);                    // day 0, 03:00
    recurrence.add(kMidnight + kDay + 3 * kHour + 1800, 12);      // day 1, 03:30
    const int64_t day_two = kMidnight + 2 * kDay;
    CHECK(recurrence.routine(day_two + 3 * kHour, 30, 2));        // 12 and 20 reach 30 % of 30
    CHECK(recurrence.routine(day_two + 4 * kHour, 30, 2));        // within 1.5 h of both
    CHECK_FALSE(recurrence.routine(day_two + 3 * kHour, 50, 2));  // 12 is less than 30 % of 50
    CHECK(recurrence.routine(day_two + 3 * kHour, 50, 1));
    CHECK_FALSE(recurrence.routine(day_two + 9 * kHour, 30, 1));  // another hour
    CHECK_FALSE(recurrence.routine(day_two + 3 * kHour, -30, 1)); // the other direction
    CHECK_FALSE(recurrence.routine(day_two + 3 * kHour, 30, 3));  // only two days had it
}

TEST_CASE("today's deviations and days older than three do not count", "[anomaly][daily]") {
    DailyRecurrence recurrence;
    recurrence.add(kMidnight + 3 * kHour, -40);
    recurrence.add(kMidnight + kDay + 3 * kHour, -40);
    CHECK(recurrence.routine(kMidnight + 3 * kDay + 3 * kHour, -40, 2));  // days 0 and 1 of 0-2
    CHECK_FALSE(recurrence.routine(kMidnight + 4 * kDay + 3 * kHour, -40, 2));  // day 1 of 1-3
    recurrence.add(kMidnight + 5 * kDay + 2 * kHour, -40);  // today, an hour earlier
    CHECK_FALSE(recurrence.routine(kMidnight + 5 * kDay + 3 * kHour, -40, 1));
}

TEST_CASE("the hour around midnight looks across it", "[anomaly][daily]") {
    DailyRecurrence recurrence;
    recurrence.add(kMidnight - 600, 10);         // 23:50 the day before
    recurrence.add(kMidnight + kDay - 600, 10);  // 23:50
    CHECK(recurrence.routine(kMidnight + 2 * kDay + 1200, 10, 2));  // 00:20, two days on
}
