// JudgingFailures: one line per kind of failure at most once a minute, the rest counted.
#include <catch2/catch.hpp>

#include <sstream>

#include "dashboard/server/anomaly/judging_failures.h"

using siagent::dashboard::anomaly::JudgingFailures;

namespace {

size_t lines(const std::string& text) {
    size_t count = 0;
    for (char c : text) count += c == '\n';
    return count;
}

}  // namespace

TEST_CASE("judging failures: a failure that repeats is said once a minute, with the count folded",
          "[dashboard][anomaly][judging]") {
    std::ostringstream log;
    JudgingFailures failures(log);
    failures.record("judging uploads", "database is down", 1000);
    CHECK(log.str() == "siagent-dashboard: judging uploads failed: database is down\n");
    for (int64_t t = 1001; t < 1060; ++t) failures.record("judging uploads", "database is down", t);
    CHECK(lines(log.str()) == 1);
    failures.record("saving the anomaly detectors", "disk full", 1030);  // another kind: said at once
    CHECK(lines(log.str()) == 2);
    failures.record("judging uploads", "database is down", 1060);
    CHECK(lines(log.str()) == 3);
    CHECK(log.str().find("judging uploads failed: database is down (and 59 more failures like it since the last line)\n") !=
          std::string::npos);
    failures.record("judging uploads", "database is down", 1200);
    CHECK(log.str().substr(log.str().rfind("siagent-dashboard:")) ==
          "siagent-dashboard: judging uploads failed: database is down\n");
}
