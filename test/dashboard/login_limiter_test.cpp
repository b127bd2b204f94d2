#include "dashboard/server/api/login_limiter.h"

#include <catch2/catch.hpp>

#include "test/dashboard/storage_fixtures.h"

using namespace siagent::dashboard;
using siagent::testing::TempDatabase;

TEST_CASE("login limiter: five failures a minute per address and email, twenty per address, none per email alone",
          "[dashboard][secrets]") {
    TempDatabase db;
    LoginLimiter limiter(db.storage(), 5, 60);
    for (int i = 0; i < 5; ++i) {
        CHECK_FALSE(limiter.blocked("10.0.0.1", "a@x", 1000));
        limiter.record_failure("10.0.0.1", "a@x", 1000 + i);
    }
    CHECK(limiter.blocked("10.0.0.1", "A@X", 1005));        // the pair, in any case
    CHECK_FALSE(limiter.blocked("10.0.0.2", "a@x", 1005));  // the user, from elsewhere: no lockout
    CHECK_FALSE(limiter.blocked("10.0.0.1", "b@x", 1005));  // another email from the address
    CHECK(limiter.blocked("10.0.0.1", "a@x", 1059));        // all five are within the minute
    CHECK_FALSE(limiter.blocked("10.0.0.1", "a@x", 1065));  // the window has passed
    // Many addresses failing for one email never lock it for a new address.
    for (int i = 0; i < 50; ++i) limiter.record_failure("10.1.0." + std::to_string(i), "victim@x", 2000);
    CHECK_FALSE(limiter.blocked("10.2.0.1", "victim@x", 2001));
    // One address spraying emails is stopped after twenty.
    for (int i = 0; i < 20; ++i) limiter.record_failure("10.3.0.1", "user" + std::to_string(i) + "@x", 3000);
    CHECK(limiter.blocked("10.3.0.1", "fresh@x", 3001));
}

TEST_CASE("login limiter: two dashboards on one database count the same failures", "[dashboard][secrets]") {
    TempDatabase db;
    auto first_storage = db.open();
    auto second_storage = db.open();
    LoginLimiter first(*first_storage, 5, 60);
    LoginLimiter second(*second_storage, 5, 60);
    for (int i = 0; i < 3; ++i) first.record_failure("10.0.0.1", "a@x", 1000 + i);
    CHECK_FALSE(second.blocked("10.0.0.1", "a@x", 1003));
    for (int i = 0; i < 2; ++i) second.record_failure("10.0.0.1", "a@x", 1003 + i);
    CHECK(first.blocked("10.0.0.1", "a@x", 1005));  // three here and two there: five
    CHECK(second.blocked("10.0.0.1", "a@x", 1005));
    // A restarted instance forgets nothing.
    second_storage.reset();
    auto restarted_storage = db.open();
    LoginLimiter restarted(*restarted_storage, 5, 60);
    CHECK(restarted.blocked("10.0.0.1", "a@x", 1005));
}

TEST_CASE("login limiter: failures past the window are deleted, and nothing in clear is stored",
          "[dashboard][secrets]") {
    TempDatabase db;
    Storage& storage = db.storage();
    LoginLimiter limiter(storage, 5, 60);
    for (int i = 0; i < 1000; ++i) limiter.record_failure("10.9." + std::to_string(i), "spray@x", 5000 + i);
    // Each failure counts for its address and its pair; only the last minute's are kept.
    int64_t kept = 0;
    for (int i = 0; i < 1000; ++i) kept += storage.login_failures_after(sha256_hex("ip:10.9." + std::to_string(i)), 0);
    CHECK(kept == 60);
    CHECK(storage.login_failures_after("ip:10.9.999", 0) == 0);  // keys are hashes
}
