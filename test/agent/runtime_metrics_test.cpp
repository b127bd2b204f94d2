// The runtime metrics the dashboard gets: CPU usage in the CPU profile's unit.
#include <catch2/catch.hpp>

#include "agent/runtime_metrics.h"

using namespace siagent;

TEST_CASE("CPU usage is sent in % of one core, the CPU profile's unit") {
    MetricsSnapshot snapshot;
    snapshot.time_ns = 1'700'000'000'000'000'000;
    snapshot.cpu_percent_of_one_core = 150;  // one and a half cores busy
    snapshot.cpu_percent_of_all_cores = 75;  // of two
    RuntimeMetricsConverter converter;
    bool found = false;
    for (const RuntimeMetric& metric : converter.convert(snapshot)) {
        if (metric.category != "cpu" || metric.name != "CPU usage") continue;
        found = true;
        CHECK(metric.unit == "percent");
        CHECK(metric.value == Approx(150));
    }
    CHECK(found);
}
