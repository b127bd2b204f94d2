// The dashboard's kinds against the wire: every kind the agent encodes is a dashboard kind
// whose first series is that encoding, and a stored series of it reads back as the kind.
#include <catch2/catch.hpp>

#include "dashboard/server/model/profile_kinds.h"
#include "transport/profile_metric.h"

using namespace siagent;
using namespace siagent::dashboard;

TEST_CASE("every kind the agent encodes is a dashboard kind, its own series first") {
    for (const std::string& kind : encoded_profile_kinds()) {
        INFO(kind);
        ProfileEncoding encoding = encoding_for_kind(kind);
        auto series = series_of_kind(kind);
        REQUIRE(series.has_value());
        REQUIRE(!series->empty());
        CHECK(series->front().category == encoding.category);
        CHECK(series->front().name == encoding.name);
        CHECK(kind_of_series(encoding.category, encoding.name) == kind);
    }
}

TEST_CASE("the original agents' names of a series read as the same kind") {
    CHECK(kind_of_series("cpu-profile", "Main thread CPU usage") == "cpu");
    CHECK(kind_of_series("memory-profile", "Heap allocation") == "inuse");
    CHECK(kind_of_series("async-profile", "Async call times") == "block");
    CHECK(kind_of_series("error-profile", "Unhandled rejections") == "error");
    CHECK(kind_of_series("block-trace", "Blocking call traces") == "block-trace/Blocking call traces");
}
