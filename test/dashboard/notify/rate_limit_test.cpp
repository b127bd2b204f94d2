#include "dashboard/server/notify/rate_limit.h"

#include <catch2/catch.hpp>

using namespace siagent::dashboard::notify;

TEST_CASE("rate limit: at most N per sliding minute per account, refusals counted", "[dashboard][notify]") {
    RateLimit limit(30, 60);
    for (int i = 0; i < 30; ++i) CHECK(limit.allow(1, 1000 + i));
    CHECK_FALSE(limit.allow(1, 1030));
    CHECK_FALSE(limit.allow(1, 1059));
    CHECK(limit.refused() == 2);
    CHECK(limit.allow(2, 1059));        // another account has its own budget
    CHECK(limit.allow(1, 1060));        // the first event left the window
    CHECK_FALSE(limit.allow(1, 1060));
    CHECK(limit.allow(1, 1061));
    CHECK(limit.refused() == 3);
}
